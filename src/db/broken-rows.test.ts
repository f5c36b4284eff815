import { afterEach, describe, expect, it, vi } from 'vitest'
import { buildPatient, VALID } from '../domain/testing/builders'
import type { CarnetDb } from './carnet-db'
import { brokenRowsReport, keepBrokenRows, recheckBrokenRows } from './broken-rows'
import { putPatients } from './patients-repo'
import { createTestDb } from './vault/testing'

const PATIENT = buildPatient({ id: '0193a5b0-0000-7000-8000-0000000000b1', nir: VALID.nir })
const OTHER = buildPatient({
  id: '0193a5b0-0000-7000-8000-0000000000b2',
  codeDeCiblage: 'OTHER00002',
  nir: VALID.otherNir,
})

const opened: CarnetDb[] = []
afterEach(async () => {
  for (const db of opened.splice(0)) {
    db.vault.lock()
    await db.delete()
  }
})

/** Flips one byte of the sealed value of every stored row of `table`, as tampering with the disk would. */
async function tamper(db: CarnetDb, table: string): Promise<void> {
  const store = db.backendDB().transaction(table, 'readwrite').objectStore(table)
  const rows = await new Promise<Record<string, unknown>[]>((resolve, reject) => {
    const request = store.getAll()
    request.onsuccess = () => resolve(request.result as Record<string, unknown>[])
    request.onerror = () => reject(request.error)
  })
  for (const row of rows) {
    const bytes = new Uint8Array((row.c as ArrayBuffer).slice(0))
    bytes[20] = (bytes[20] ?? 0) ^ 0xff
    store.put({ ...row, c: bytes.buffer })
  }
  await new Promise((resolve) => (store.transaction.oncomplete = resolve))
}

describe('broken rows', () => {
  it('keeps each row that does not open (table and key), reports them, and forgets them once they open again', async () => {
    const db = await createTestDb('sealed')
    opened.push(db)
    keepBrokenRows(db)
    await putPatients(db, [PATIENT])
    await tamper(db, 'files')
    await putPatients(db, [OTHER])

    // The read leaves the broken row out and goes on.
    expect((await db.files.toArray()).map((p) => p.id)).toEqual([OTHER.id])
    await vi.waitFor(async () => expect(await brokenRowsReport(db)).toEqual({ count: 1, tables: ['files'] }))
    // Read again, it is not counted twice.
    await db.files.get(PATIENT.id)
    await new Promise((resolve) => setTimeout(resolve, 20))
    expect((await db.meta.get('brokenRows'))?.value).toEqual([
      { table: 'files', key: PATIENT.id, at: expect.any(String) },
    ])

    // Still broken: it stays. Written again (a pull brings the server's version): forgotten.
    await recheckBrokenRows(db)
    expect((await brokenRowsReport(db)).count).toBe(1)
    await putPatients(db, [PATIENT])
    await recheckBrokenRows(db)
    expect(await brokenRowsReport(db)).toEqual({ count: 0, tables: [] })
  })
})
