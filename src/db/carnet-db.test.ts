import Dexie from 'dexie'
import { afterEach, describe, expect, it, vi } from 'vitest'
import { buildDoseStep, buildEligibilityStep, buildPatient } from '../domain/testing/builders'
import { createCarnetDb, type CarnetDb } from './carnet-db'
import { getPatientFile, putPatients, putSteps, searchPatients } from './patients-repo'
import { RECORDS_V2, ROWS_V2 } from './rows-v2.fixture'

const opened: string[] = []

afterEach(async () => {
  for (const name of opened.splice(0)) await Dexie.delete(name)
})

function newName(): string {
  const name = `carnet-db-${crypto.randomUUID()}`
  opened.push(name)
  return name
}

/** The rows as IndexedDB holds them, keys included, read without the app's layers. */
async function rawRows(name: string, table: string): Promise<{ key: IDBValidKey; value: unknown }[]> {
  const raw = await new Promise<IDBDatabase>((resolve, reject) => {
    const request = indexedDB.open(name)
    request.onsuccess = () => resolve(request.result)
    request.onerror = () => reject(request.error)
  })
  try {
    return await new Promise((resolve, reject) => {
      const rows: { key: IDBValidKey; value: unknown }[] = []
      const request = raw.transaction(table).objectStore(table).openCursor()
      request.onsuccess = () => {
        const cursor = request.result
        if (cursor === null) return resolve(rows)
        rows.push({ key: cursor.primaryKey, value: cursor.value })
        cursor.continue()
      }
      request.onerror = () => reject(request.error)
    })
  } finally {
    raw.close()
  }
}

const UUID_A = '019b8d2b-8ebe-7a2c-9b6c-0516c45e6d77'
const UUID_B = '019b8d2b-8ebe-7a2c-9b6c-0516c45e6d78'

describe('ids stored as 16 bytes', () => {
  let db: CarnetDb

  afterEach(() => db.close())

  it('stores a file per patient under its UUID as bytes, and gives it back as text', async () => {
    const name = newName()
    db = createCarnetDb(name)
    const a = buildPatient({ id: UUID_A, birthName: 'Durand' })
    const b = buildPatient({ id: UUID_B, birthName: 'Duval', codeDeCiblage: 'ABCD1234' })
    const steps = [
      buildEligibilityStep({ id: '019b8d2b-0000-7000-8000-000000000001', patientId: UUID_A }),
      buildDoseStep({ id: '019b8d2b-0000-7000-8000-000000000002', patientId: UUID_A }),
      buildDoseStep({ id: '019b8d2b-0000-7000-8000-000000000003', patientId: UUID_B }),
    ]
    await putPatients(db, [a, b])
    await putSteps(db, steps)

    // One row per patient, its steps inside.
    const raw = await rawRows(name, 'files')
    expect(raw.map((r) => (r.key as ArrayBuffer).byteLength)).toEqual([16, 16])
    expect(raw.map((r) => (r.value as { s: unknown[] }).s.length)).toEqual([2, 1])

    expect((await db.files.get(UUID_A))?.id).toBe(UUID_A)
    expect((await db.files.bulkGet([UUID_B, UUID_A])).map((r) => r?.id)).toEqual([UUID_B, UUID_A])
    expect(await db.files.toCollection().primaryKeys()).toEqual([UUID_A, UUID_B])
    expect((await getPatientFile(db, UUID_A))?.steps).toEqual(steps.slice(0, 2))
    expect((await searchPatients(db, 'du')).map((h) => h.patient)).toEqual([a, b])
    await db.transaction('rw', db.files, db.nameIndex, () => db.files.delete(UUID_A))
    expect(await db.files.toCollection().primaryKeys()).toEqual([UUID_B])
  })

  it('keeps other ids as text, and they read the same', async () => {
    const name = newName()
    db = createCarnetDb(name)
    const patient = buildPatient({ id: 'p-local' })
    await putPatients(db, [patient])
    expect((await rawRows(name, 'files')).map((r) => r.key)).toEqual(['p-local'])
    expect((await getPatientFile(db, 'p-local'))?.patient).toEqual(patient)
    // Text ids sort before every UUID: a range from one form to the other has no equivalent and is refused.
    await expect(db.files.where('id').between(UUID_A, 'p-local').toArray()).rejects.toThrow(RangeError)
  })
})

describe('upgrade from version 2', () => {
  it('rewrites every row with its ids as bytes; every file reads back the same records', async () => {
    const name = newName()
    const v2 = new Dexie(name)
    v2.version(1).stores({
      patients: 'id, codeKey, nirKey, nirOdKey, nissKey, [birthDate+nameKey], *nameWords, updatedAt',
      steps: 'id, patientId, [patientId+kind]',
    })
    v2.version(2).stores({
      patients: 'id, codeKey, nirKey, nirOdKey, nissKey, [birthDate+nameKey], *nameWords',
      steps: 'id, patientId',
    })
    await v2.table('patients').bulkPut(ROWS_V2.patients)
    await v2.table('steps').bulkPut(ROWS_V2.steps)
    await v2.table('patients').put({ id: '019b0000-0000-7000-8000-0000000000ff', nameWords: ['X'] })
    v2.close()

    const warn = vi.spyOn(console, 'warn').mockImplementation(() => undefined)
    const db = createCarnetDb(name)
    try {
      for (const patient of RECORDS_V2.patients) {
        const file = await getPatientFile(db, patient.id)
        expect(file?.patient).toStrictEqual(patient)
        const steps = RECORDS_V2.steps.filter((s) => s.patientId === patient.id)
        expect(file?.steps).toHaveLength(steps.length)
        expect(file?.steps).toEqual(expect.arrayContaining(steps))
      }
      const first = RECORDS_V2.patients[0]
      if (first === undefined) throw new Error('no patient in the fixture')
      expect((await searchPatients(db, first.codeDeCiblage)).map((h) => h.patient)).toStrictEqual([first])
      // Each upgrade that met it says so.
      expect(warn).toHaveBeenCalled()
      // A row that did not read before does not read now, but stays in the file its id names.
      expect((await db.files.get('019b0000-0000-7000-8000-0000000000ff'))?.u).toEqual([
        { id: '019b0000-0000-7000-8000-0000000000ff', nameWords: ['X'] },
      ])
    } finally {
      warn.mockRestore()
      db.close()
    }
    // One file per patient (and the unreadable one), under 16-byte keys; the tables of version 3 are gone.
    const keys = (await rawRows(name, 'files')).map((r) => r.key)
    expect(keys).toHaveLength(ROWS_V2.patients.length + 1)
    expect(keys.every((k) => k instanceof ArrayBuffer && k.byteLength === 16)).toBe(true)
    const raw = await new Promise<IDBDatabase>((resolve, reject) => {
      const request = indexedDB.open(name)
      request.onsuccess = () => resolve(request.result)
      request.onerror = () => reject(request.error)
    })
    expect([...raw.objectStoreNames]).not.toContain('patients')
    expect([...raw.objectStoreNames]).not.toContain('steps')
    raw.close()
  })
})
