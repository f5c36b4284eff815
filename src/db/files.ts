// A patient's file as stored: ONE IndexedDB row holding the patient, its steps and its adverse events
// (database version 4). Chromium's IndexedDB costs about the same per row whatever its size, and each row and
// index entry repeats the key: a file that was three or four rows (patient, steps, events) and a dozen index
// entries is now one row and a few, which is what makes a first sync and the storage per patient fit, sealed or
// not. Every read and rule needs the whole file anyway (the chain of steps, the edit rule, the documents).
//
// The row carries, beside the file, the search keys of its patient under the index names (code, NIR, NIR of the
// account holder, NISS, birth date + name key, name words); sealed (src/db/vault), the first four are blind
// tokens and the others are not stored at all (names are searched in memory). A file may exist without its
// patient for a while: the pull can bring a step before the patient's latest version (the change log keeps
// only each record's last change), and the patient fills the file when it arrives.
import type { PatientFile } from '../domain/patients/patient-file'
import { currentDoseFields } from '../domain/steps/step'
import { localDateOf } from '../domain/time/calendar'
import type { AdverseEventRecord, PatientRecord, StepRecord } from '../shared/records'
import {
  fromPatientRow,
  fromStepRow,
  restoreNameKeys,
  toPatientRow,
  toStepRow,
  type PatientRow,
  type PatientSearchKeys,
  type StepRow,
} from './rows'

/** A patient as stored in its file: the patient row without its id and search keys (they are the file's). */
export type StoredPatient = Omit<PatientRow, 'id' | keyof PatientSearchKeys>

/** A step as stored in its file: the step row without the patient id (the file's). */
export type StoredStep = Omit<StepRow, 'patientId'>

/** An adverse event as stored in its file. */
export type StoredAdverseEvent = Omit<AdverseEventRecord, 'patientId'>

/** A file row, in its plain form (what the code above the sealing middleware reads and writes). */
export type FileRow = Partial<PatientSearchKeys> & {
  /** The patient id. */
  id: string
  /** The patient's birth date, for the [birthDate+nameKey] index of clear rows. */
  birthDate?: string
  /** The days of its doses, for the day's list (an index of clear rows; in memory for sealed ones). */
  days?: string[]
  /** The patient; absent while only steps or events of it arrived. */
  p?: StoredPatient
  /** The steps. */
  s: StoredStep[]
  /** The adverse events. */
  e: StoredAdverseEvent[]
  /** Rows of an older version that no longer read, kept as they were (an upgrade never drops data). */
  u?: unknown[]
}

/** A file as the code handles it: the patient when known, every step and event, unsorted. */
export type StoredFile = {
  id: string
  patient?: PatientRecord
  steps: StepRecord[]
  adverseEvents: AdverseEventRecord[]
  /** Rows of an older version that no longer read, carried as they are. */
  unreadable?: unknown[]
}

/** An empty file for a patient id. */
export function emptyFile(id: string): StoredFile {
  return { id, steps: [], adverseEvents: [] }
}

const SEARCH_KEYS = ['codeKey', 'nirKey', 'nirOdKey', 'nissKey', 'nameKey', 'nameWords'] as const

/** Builds the row of a file. */
export function toFileRow(file: StoredFile): FileRow {
  const row: FileRow = {
    id: file.id,
    s: file.steps.map((step) => {
      const { patientId: _patientId, ...stored } = toStepRow(step)
      return stored
    }),
    e: file.adverseEvents.map(({ patientId: _patientId, ...stored }) => stored),
  }
  const days = doseDaysOf(file.steps)
  if (days.length > 0) row.days = days
  if (file.unreadable !== undefined && file.unreadable.length > 0) row.u = file.unreadable
  if (file.patient !== undefined) {
    const { id: _id, ...patientRow } = toPatientRow({ ...file.patient, id: file.id })
    const p: Record<string, unknown> = { ...patientRow }
    for (const key of SEARCH_KEYS) {
      if (patientRow[key] !== undefined) (row as Record<string, unknown>)[key] = patientRow[key]
      delete p[key]
    }
    row.birthDate = patientRow.birthDate
    row.p = p as StoredPatient
  }
  return row
}

/** Reads only the patient of a file row (search results need no steps). */
export function patientOfFileRow(row: FileRow): PatientRecord | undefined {
  if (row.p === undefined) return undefined
  const patientRow: Record<string, unknown> = { ...row.p, id: row.id }
  for (const key of ['codeKey', 'nirKey', 'nirOdKey', 'nissKey'] as const) {
    if (row[key] !== undefined) patientRow[key] = row[key]
  }
  restoreNameKeys(patientRow)
  return fromPatientRow(patientRow as PatientRow)
}

/** Reads a file row back (the patient and the steps parsed with the shared schemas, through src/db/rows.ts). */
export function fromFileRow(row: FileRow): StoredFile {
  const file: StoredFile = {
    id: row.id,
    steps: row.s.map((step) => fromStepRow({ ...step, patientId: row.id } as StepRow)),
    adverseEvents: row.e.map((event) => ({ ...event, patientId: row.id })),
    ...(row.u === undefined ? {} : { unreadable: row.u }),
  }
  const patient = patientOfFileRow(row)
  if (patient !== undefined) file.patient = patient
  return file
}

/**
 * Derives again what a sealed row leaves out: the birth date and name keys of its patient (functions of the
 * names it holds).
 */
export function restoreFileKeys(row: Record<string, unknown>): void {
  const p = row.p as Record<string, unknown> | undefined
  if (p === undefined) return
  if (typeof p.birthDate === 'string') row.birthDate = p.birthDate
  const names: Record<string, unknown> = { ...p }
  restoreNameKeys(names)
  row.nameKey = names.nameKey
  row.nameWords = names.nameWords
}

function stepOrder(a: StepRecord, b: StepRecord): number {
  if (a.kind !== b.kind) return a.kind === 'eligibility' ? -1 : 1
  if (a.kind === 'dose' && b.kind === 'dose') {
    if (a.targetDisease === b.targetDisease) return a.doseNumber - b.doseNumber
    return a.at < b.at ? -1 : a.at > b.at ? 1 : a.targetDisease.localeCompare(b.targetDisease)
  }
  return a.at < b.at ? -1 : a.at > b.at ? 1 : 0
}

/** The file as the rules read it (steps in chain order, events in time order); undefined without its patient. */
export function toPatientFile(file: StoredFile): PatientFile | undefined {
  if (file.patient === undefined) return undefined
  return {
    patient: file.patient,
    steps: [...file.steps].sort(stepOrder),
    adverseEvents: [...file.adverseEvents].sort((a, b) => (a.at < b.at ? -1 : a.at > b.at ? 1 : 0)),
  }
}

/** Puts a step in its file, replacing the one with the same id. */
export function withStep(file: StoredFile, step: StepRecord): StoredFile {
  return { ...file, steps: [...file.steps.filter((s) => s.id !== step.id), step] }
}

/** Puts an adverse event in its file, replacing the one with the same id. */
export function withAdverseEvent(file: StoredFile, event: AdverseEventRecord): StoredFile {
  return { ...file, adverseEvents: [...file.adverseEvents.filter((e) => e.id !== event.id), event] }
}

/** The calendar days (as written in the injection time, current version) of a file's doses, sorted. */
export function doseDaysOf(steps: readonly StepRecord[]): string[] {
  const days = new Set<string>()
  for (const step of steps)
    if (step.kind === 'dose') days.add(localDateOf(currentDoseFields(step).injectedAt))
  return [...days].sort()
}
