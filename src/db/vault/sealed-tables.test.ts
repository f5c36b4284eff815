import { afterEach, describe, expect, it } from 'vitest'
import { buildDoseStep, buildEligibilityStep, buildPatient, VALID } from '../../domain/testing/builders'
import type { PatientRecord } from '../../shared/records'
import { createCarnetDb, type CarnetDb } from '../carnet-db'
import {
  getPatientFile,
  putPatients,
  putSteps,
  readFiles,
  searchPatients,
  writeFiles,
} from '../patients-repo'
import { sealClearRows } from './convert'
import { isArrayBuffer } from './crypto'
import { createTestDb, randomDataKeys } from './testing'
import { VaultLockedError } from './vault'

const MARIE = buildPatient({
  id: '0193a5b0-0000-7000-8000-000000000001',
  codeDeCiblage: 'MARIE00001',
  birthName: 'Zébulon',
  usualName: 'Quintard',
  firstNames: 'Marie-Hélène',
  birthDate: '1941-03-07',
  nir: VALID.nir,
  address: '12 rue des Lilas',
  phone: '0601020304',
})
const PAUL = buildPatient({
  id: '0193a5b0-0000-7000-8000-000000000002',
  codeDeCiblage: 'PAUL000002',
  birthName: 'Zébulon',
  firstNames: 'Paul',
  sex: 'male',
  birthDate: '1950-11-21',
  nir: VALID.otherNir,
})

const opened: CarnetDb[] = []
async function sealedDb(): Promise<CarnetDb> {
  const db = await createTestDb('sealed')
  opened.push(db)
  return db
}

afterEach(async () => {
  for (const db of opened.splice(0)) await db.delete()
})

/** Every stored row of a table, as IndexedDB holds it (below Dexie and its middlewares). */
async function rawRows(db: CarnetDb, table: string): Promise<unknown[]> {
  const idb = db.backendDB()
  return new Promise((resolve, reject) => {
    const request = idb.transaction(table).objectStore(table).getAll()
    request.onsuccess = () => resolve(request.result as unknown[])
    request.onerror = () => reject(request.error)
  })
}

/** Every string and byte sequence a stored value holds, as text (UTF-8 and UTF-16 readings of bytes). */
function textsOf(value: unknown, out: string[] = []): string[] {
  if (typeof value === 'string') out.push(value)
  else if (isArrayBuffer(value) || ArrayBuffer.isView(value)) {
    const bytes = isArrayBuffer(value) ? new Uint8Array(value) : new Uint8Array(value.buffer)
    out.push(new TextDecoder('utf-8', { fatal: false }).decode(bytes))
    out.push(new TextDecoder('utf-16le', { fatal: false }).decode(bytes))
  } else if (Array.isArray(value)) for (const v of value) textsOf(v, out)
  else if (typeof value === 'object' && value !== null) for (const v of Object.values(value)) textsOf(v, out)
  return out
}

const SECRETS = [
  MARIE.nir,
  'MARIE00001',
  'ZEBULON',
  'Zébulon',
  'Quintard',
  'QUINTARD',
  'Lilas',
  '0601020304',
  '1941-03-07',
]

describe('sealed tables', () => {
  it('stores no name, identifier, address, phone or birth date in clear, and reads them back whole', async () => {
    const db = await sealedDb()
    await putPatients(db, [MARIE, PAUL])
    await putSteps(db, [buildEligibilityStep({ id: 's-1', patientId: MARIE.id })])
    const stored = [...(await rawRows(db, 'files')), ...(await rawRows(db, 'nameIndex'))]
    // Two files (the step went into Marie's), and a name-index row per transaction that wrote files.
    expect(stored.length).toBe(2 + 2)
    const texts = textsOf(stored).join('\n')
    for (const secret of SECRETS) expect(texts).not.toContain(secret)
    const file = await getPatientFile(db, MARIE.id)
    expect(file?.patient).toEqual(MARIE)
    expect(file?.steps.map((s) => s.id)).toEqual(['s-1'])
  })

  it('finds sealed patients by code, NIR and name prefix, as clear ones are found', async () => {
    const db = await sealedDb()
    await putPatients(db, [MARIE, PAUL])
    const ids = async (q: string) => (await searchPatients(db, q)).map((h) => h.patient.id)
    expect(await ids('marie00001')).toEqual([MARIE.id])
    expect(await ids(VALID.otherNir)).toEqual([PAUL.id])
    expect(await ids('zeb')).toEqual([MARIE.id, PAUL.id])
    expect(await ids('quint')).toEqual([MARIE.id])
    expect(await ids('zeb 21/11/1950')).toEqual([PAUL.id])
  })

  it('finds a renamed patient under the new name only', async () => {
    const db = await sealedDb()
    await putPatients(db, [MARIE])
    await putPatients(db, [{ ...MARIE, birthName: 'Abadie', version: 2 }])
    const ids = async (q: string) => (await searchPatients(db, q)).map((h) => h.patient.id)
    expect(await ids('abad')).toEqual([MARIE.id])
    expect(await ids('zeb')).toEqual([])
  })

  it('rebuilds the name index from its sealed rows in another tab, and after compaction', async () => {
    const db = await sealedDb()
    await putPatients(db, [MARIE])
    await putPatients(db, [PAUL])
    const keys = db.vault.keys
    if (keys === null) throw new Error('unlocked')
    const other = createCarnetDb(db.name)
    opened.push(other)
    await other.open()
    other.vault.unlock(keys)
    expect((await searchPatients(other, 'zebulon paul')).map((h) => h.patient.id)).toEqual([PAUL.id])
    await db.transaction('rw', db.files, db.nameIndex, () => db.files.delete(PAUL.id))
    await db.names.refresh()
    expect(await db.names.compactIfLarge(db, true)).toBe(true)
    expect((await rawRows(db, 'nameIndex')).length).toBe(1)
    expect((await searchPatients(other, 'zeb')).map((h) => h.patient.id)).toEqual([MARIE.id])
    await putPatients(other, [PAUL])
    expect((await searchPatients(db, 'zeb')).map((h) => h.patient.id)).toEqual([MARIE.id, PAUL.id])
  })

  it('refuses to read or write sealed rows while locked, and opens them again at unlock', async () => {
    const db = await sealedDb()
    await putPatients(db, [MARIE])
    const keys = db.vault.keys
    if (keys === null) throw new Error('unlocked')
    db.vault.lock()
    await expect(db.files.get(MARIE.id)).rejects.toBeInstanceOf(VaultLockedError)
    await expect(putPatients(db, [PAUL])).rejects.toBeInstanceOf(VaultLockedError)
    db.vault.unlock(keys)
    expect((await getPatientFile(db, MARIE.id))?.patient.birthName).toBe('Zébulon')
    expect(await db.files.get(PAUL.id)).toBeUndefined()
  })

  it('leaves out and reports a tampered row, a truncated one and one moved to another key; the rest reads', async () => {
    const db = await sealedDb()
    await putPatients(db, [
      MARIE,
      PAUL,
      { ...PAUL, id: '0193a5b0-0000-7000-8000-000000000003', codeDeCiblage: 'THIRD00003' },
    ])
    const raw = (await rawRows(db, 'files')) as { id: ArrayBuffer; c: ArrayBuffer }[]
    const [a, b, c] = raw
    if (a === undefined || b === undefined || c === undefined) throw new Error('three rows')
    const flipped = new Uint8Array(a.c.slice(0))
    flipped[20] = (flipped[20] ?? 0) ^ 1
    const write = (rows: unknown[]) =>
      new Promise<void>((resolve, reject) => {
        const tx = db.backendDB().transaction('files', 'readwrite')
        for (const row of rows) tx.objectStore('files').put(row)
        tx.oncomplete = () => resolve()
        tx.onerror = () => reject(tx.error)
      })
    await write([
      { ...a, c: flipped.buffer },
      { ...b, c: b.c.slice(0, 20) },
    ])
    const broken: string[] = []
    db.vault.onBroken((row) => broken.push(row.key))
    const rows = await db.files.toArray()
    expect(rows.length).toBe(1)
    expect(broken.length).toBe(2)
    // The third row's value moved under the first row's key does not open: it is bound to its own key.
    const left = rows[0]?.id
    await write([{ ...a, c: c.c }])
    expect(await db.files.get(left === MARIE.id ? PAUL.id : MARIE.id)).toBeUndefined()
    expect(broken.length).toBeGreaterThanOrEqual(3)
  })

  it('runs a read-modify-write transaction across several sealed reads and writes', async () => {
    const db = await sealedDb()
    await putPatients(db, [MARIE])
    await db.transaction('rw', db.files, db.nameIndex, async () => {
      const file = (await readFiles(db, [MARIE.id])).get(MARIE.id)
      if (file?.patient === undefined) throw new Error('found')
      await writeFiles(db, [{ ...file, patient: { ...file.patient, firstNames: 'Marie', version: 2 } }])
      const again = (await readFiles(db, [MARIE.id])).get(MARIE.id)
      expect(again?.patient?.firstNames).toBe('Marie')
      await writeFiles(db, [
        { ...(again ?? file), steps: [buildEligibilityStep({ id: 's-2', patientId: MARIE.id })] },
      ])
    })
    expect((await searchPatients(db, 'zeb marie')).map((h) => h.patient.firstNames)).toEqual(['Marie'])
    expect((await getPatientFile(db, MARIE.id))?.steps.map((s) => s.id)).toEqual(['s-2'])
  })
})

describe('sealing the rows written before encryption', () => {
  it('rewrites every clear row sealed, keeps what they say, and can stop and resume', async () => {
    const name = `test-${crypto.randomUUID()}`
    const db = await createTestDb('clear', name)
    opened.push(db)
    const many: PatientRecord[] = Array.from({ length: 1200 }, (_, i) =>
      buildPatient({
        id: `0193a5b0-0000-7000-8000-${String(i).padStart(12, '0')}`,
        codeDeCiblage: `CODE${String(i).padStart(6, '0')}`,
        birthName: i % 2 === 0 ? 'Zébulon' : 'Abadie',
        firstNames: `Prénom${i}`,
        nir: undefined,
      }),
    )
    await putPatients(db, many)
    await putSteps(db, [buildDoseStep({ id: 's-d1', patientId: many[0]?.id ?? '' })])
    const keys = await randomDataKeys()
    db.vault.unlock(keys)
    // A first run stopped after its first page (the tab closed), then a second one to the end.
    let pages = 0
    await sealClearRows(db, {
      onProgress: () => {
        pages += 1
        if (pages === 2) db.vault.lock()
      },
    })
    expect(db.vault.converted).toBe(false)
    db.vault.unlock(keys)
    expect(await sealClearRows(db)).toBe(true)
    expect(db.vault.converted).toBe(true)
    const raw = (await rawRows(db, 'files')) as Record<string, unknown>[]
    expect(raw.every((r) => isArrayBuffer(r.c) && !('nameWords' in r) && !('p' in r) && !('s' in r))).toBe(
      true,
    )
    expect(textsOf(raw).join('')).not.toContain('s-d1')
    const ids = async (q: string) => (await searchPatients(db, q, { limit: 2000 })).map((h) => h.patient.id)
    expect((await ids('abad')).length).toBe(600)
    expect(await ids('code000007')).toEqual([many[7]?.id])
    expect((await getPatientFile(db, many[0]?.id ?? ''))?.steps.map((s) => s.id)).toEqual(['s-d1'])
  })
})
