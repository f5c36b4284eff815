// Test helpers over the stored files: what a test reads back, by patient or by step, without caring that a
// patient's records share one row. Imported by tests, simulations and the bench only.
import type { AdverseEventRecord, PatientRecord, StepRecord } from '../shared/records'
import type { CarnetDb } from './carnet-db'
import { fromFileRow, type StoredFile } from './files'

/** Every file, by patient id order. */
export async function allFiles(db: CarnetDb): Promise<StoredFile[]> {
  return (await db.files.orderBy('id').toArray()).map(fromFileRow)
}

/** Every patient known here. */
export async function allPatients(db: CarnetDb): Promise<PatientRecord[]> {
  return (await allFiles(db)).flatMap((f) => (f.patient === undefined ? [] : [f.patient]))
}

/** Every step stored here, whatever its file. */
export async function allSteps(db: CarnetDb): Promise<StepRecord[]> {
  return (await allFiles(db)).flatMap((f) => f.steps)
}

/** Every adverse event stored here. */
export async function allAdverseEvents(db: CarnetDb): Promise<AdverseEventRecord[]> {
  return (await allFiles(db)).flatMap((f) => f.adverseEvents)
}

/** A patient, or undefined. */
export async function patientOf(db: CarnetDb, id: string): Promise<PatientRecord | undefined> {
  const row = await db.files.get(id)
  return row === undefined ? undefined : fromFileRow(row).patient
}

/** A step by id, whichever file holds it, or undefined. */
export async function stepOf(db: CarnetDb, stepId: string): Promise<StepRecord | undefined> {
  return (await allSteps(db)).find((s) => s.id === stepId)
}

/** The steps of one patient. */
export async function stepsOfPatient(db: CarnetDb, patientId: string): Promise<StepRecord[]> {
  const row = await db.files.get(patientId)
  return row === undefined ? [] : fromFileRow(row).steps
}
