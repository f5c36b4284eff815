// The size budget of the device database: ≤ 1.5 KB per patient with two steps. What IndexedDB writes for a row
// is its structured clone (V8's serializer in Chromium, `node:v8` here) under its key; this measures that, read
// below Dexie as stored. The product figure, which also counts the index entries and LevelDB's own framing, is
// `npm run bench -- device`.
import 'fake-indexeddb/auto'
import { serialize } from 'node:v8'
import { afterAll, describe, expect, it } from 'vitest'
import { createCarnetDb } from '../../src/db/carnet-db'
import { getPatientFile, putPatients, putSteps } from '../../src/db/patients-repo'
import { generatePatients, generateSteps } from '../fixtures/generator'

const db = createCarnetDb(`size-${Date.now()}`)

afterAll(async () => {
  await db.delete()
})

/** Bytes of every stored row of a table (value as V8 serializes it, plus its key), by row. */
function storedBytes(table: string): Promise<Map<string, { bytes: number; patientId: unknown }>> {
  return new Promise((resolve, reject) => {
    const rows = new Map<string, { bytes: number; patientId: unknown }>()
    const request = db.backendDB().transaction(table).objectStore(table).openCursor()
    request.onsuccess = () => {
      const cursor = request.result
      if (cursor === null) return resolve(rows)
      const value = cursor.value as { patientId?: unknown }
      const key = cursor.primaryKey
      const keyBytes = key instanceof ArrayBuffer ? key.byteLength : String(key).length * 2
      rows.set(Buffer.from(serialize(key)).toString('hex'), {
        bytes: serialize(value).length + keyBytes,
        patientId: value.patientId,
      })
      cursor.continue()
    }
    request.onerror = () => reject(request.error)
  })
}

describe('stored size per patient', () => {
  it('stays within budget for a patient and two steps, and reads back unchanged', async () => {
    const patients = generatePatients(7, 500)
    const steps = generateSteps(7, patients, 2)
    await putPatients(db, patients)
    await putSteps(db, steps)

    const [patientRows, stepRows] = await Promise.all([storedBytes('patients'), storedBytes('steps')])
    const stepBytesOf = new Map<string, number>()
    for (const row of stepRows.values()) {
      const owner = Buffer.from(serialize(row.patientId)).toString('hex')
      stepBytesOf.set(owner, (stepBytesOf.get(owner) ?? 0) + row.bytes)
    }
    const sizes = [...patientRows].map(([key, row]) => row.bytes + (stepBytesOf.get(key) ?? 0))
    expect(sizes).toHaveLength(patients.length)
    sizes.sort((a, b) => a - b)
    const median = sizes[Math.floor(sizes.length / 2)] ?? 0
    const p95 = sizes[Math.floor(sizes.length * 0.95)] ?? 0
    console.info(`stored bytes per patient + 2 steps: median ${median}, p95 ${p95}, max ${sizes.at(-1)}`)
    // Database version 3 (ids as 16 bytes, src/db/binary-ids.ts; instants, UUIDs that are not keys and a code or
    // NIR typed as its key stored packed or once, src/db/rows.ts) measures a median ≈ 1,035 bytes here; version 2
    // measured ≈ 1,470 the same way. The guard leaves a little room for data, not for a regression of the stored
    // form.
    expect(median).toBeLessThanOrEqual(1100)

    const first = patients[0]
    if (first === undefined) throw new Error('no patient')
    const file = await getPatientFile(db, first.id)
    expect(file?.patient).toEqual(first)
    expect(file?.steps).toEqual(steps.filter((s) => s.patientId === first.id))
  })
})
