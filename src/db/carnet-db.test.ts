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

  it('stores UUID ids as bytes and gives them back as text, everywhere the app reads them', async () => {
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

    const raw = await rawRows(name, 'steps')
    expect(raw.map((r) => (r.key as ArrayBuffer).byteLength)).toEqual([16, 16, 16])
    expect(raw.every((r) => (r.value as { patientId: unknown }).patientId instanceof ArrayBuffer)).toBe(true)

    expect((await db.patients.get(UUID_A))?.id).toBe(UUID_A)
    expect((await db.patients.bulkGet([UUID_B, UUID_A])).map((r) => r?.id)).toEqual([UUID_B, UUID_A])
    expect(await db.patients.toCollection().primaryKeys()).toEqual([UUID_A, UUID_B])
    expect(await db.steps.where('patientId').equals(UUID_A).primaryKeys()).toEqual(
      steps.slice(0, 2).map((s) => s.id),
    )
    const anyOf = await db.steps.where('patientId').anyOf([UUID_B, UUID_A]).toArray()
    expect(anyOf.map((r) => [r.id, r.patientId])).toEqual(steps.map((s) => [s.id, s.patientId]))
    const walked: string[] = []
    await db.steps.each((row) => walked.push(`${row.patientId}/${row.id}`))
    expect(walked).toEqual(steps.map((s) => `${s.patientId}/${s.id}`))
    expect(await db.steps.where('patientId').equals(UUID_B).count()).toBe(1)
    expect((await getPatientFile(db, UUID_A))?.steps).toEqual(steps.slice(0, 2))
    expect((await searchPatients(db, 'du')).map((h) => h.patient)).toEqual([a, b])

    await db.steps.where('patientId').equals(UUID_A).delete()
    await db.patients.delete(UUID_A)
    expect(await db.steps.count()).toBe(1)
    expect(await db.patients.toCollection().primaryKeys()).toEqual([UUID_B])
  })

  it('keeps other ids as text, and they read the same', async () => {
    const name = newName()
    db = createCarnetDb(name)
    const patient = buildPatient({ id: 'p-local' })
    await putPatients(db, [patient])
    expect((await rawRows(name, 'patients')).map((r) => r.key)).toEqual(['p-local'])
    expect((await getPatientFile(db, 'p-local'))?.patient).toEqual(patient)
    // Text ids sort before every UUID: a range from one form to the other has no equivalent and is refused.
    await expect(db.patients.where('id').between(UUID_A, 'p-local').toArray()).rejects.toThrow(RangeError)
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
      expect(warn).toHaveBeenCalledOnce()
      // A row that did not read before does not read now, but stays where its id finds it.
      expect(await db.patients.get('019b0000-0000-7000-8000-0000000000ff')).toEqual({
        id: '019b0000-0000-7000-8000-0000000000ff',
        nameWords: ['X'],
      })
    } finally {
      warn.mockRestore()
      db.close()
    }
    const keys = [...(await rawRows(name, 'patients')), ...(await rawRows(name, 'steps'))].map((r) => r.key)
    expect(keys).toHaveLength(ROWS_V2.patients.length + 1 + ROWS_V2.steps.length)
    expect(keys.every((k) => k instanceof ArrayBuffer && k.byteLength === 16)).toBe(true)
  })
})
