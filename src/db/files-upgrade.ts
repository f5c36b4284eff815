// The upgrade to database version 4: each patient's rows (patient, steps, adverse events: three tables of
// version 3) gathered into one file row (./files.ts), a page of patients at a time, inside the version change
// (one transaction: a tab closed in the middle leaves version 3 whole, and the next start does it again).
// Rows are as stored here, below every Dexie layer: ids of patients and steps are 16 bytes (./binary-ids.ts).
// A row that no longer reads is kept as it was in a file of its own, rather than failing the whole upgrade and
// locking the app out; steps or events whose patient is gone make a file without patient, as the pull would.
import type { Table, Transaction } from 'dexie'
import type { AdverseEventRecord, StepRecord } from '../shared/records'
import { packId, packIds, unpackId } from './binary-ids'
import { emptyFile, toFileRow, type StoredFile } from './files'
import { fromPatientRow, fromStepRow, type PatientRow, type StepRow } from './rows'

const PAGE = 500

type Stored = Record<string, unknown>

function textId(value: unknown): string {
  const id = unpackId(value)
  return typeof id === 'string' ? id : String(id)
}

function readOrWarn<T>(what: string, read: () => T): T | undefined {
  try {
    return read()
  } catch (error) {
    console.warn(`carnet-db upgrade: a ${what} row could not be read`, error)
    return undefined
  }
}

async function writeFiles(files: Table<Stored, unknown>, gathered: Iterable<StoredFile>): Promise<void> {
  const rows = [...gathered].map((file) => packIds('files', toFileRow(file) as unknown as Stored))
  if (rows.length > 0) await files.bulkPut(rows)
}

/** Gathers every patient, step and adverse event of version 3 into version 4's files. */
export async function gatherFiles(tx: Transaction): Promise<void> {
  const patients = tx.table<Stored, unknown>('patients')
  const steps = tx.table<Stored, unknown>('steps')
  const events = tx.table<Stored, unknown>('adverseEvents')
  const files = tx.table<Stored, unknown>('files')
  const done = new Set<string>()

  const unreadable = new Map<string, unknown[]>()
  const keep = (id: string, row: Stored) => unreadable.set(id, [...(unreadable.get(id) ?? []), row])
  const stepsOf = async (ids: readonly string[]) => {
    const rows = await steps
      .where('patientId')
      .anyOf(ids.map(packId) as never[])
      .toArray()
    return rows.flatMap((row) => {
      const patientId = textId(row.patientId)
      const plain = { ...row, id: textId(row.id), patientId }
      const step = readOrWarn('step', () => fromStepRow(plain as unknown as StepRow))
      if (step === undefined) keep(patientId, plain)
      return step === undefined ? [] : [step]
    })
  }
  const eventsOf = async (ids: readonly string[]) =>
    (await events
      .where('patientId')
      .anyOf(ids as never[])
      .toArray()) as unknown as AdverseEventRecord[]
  const gather = async (ids: readonly string[], patientRows: ReadonlyMap<string, Stored>) => {
    const [stepList, eventList] = await Promise.all([stepsOf(ids), eventsOf(ids)])
    const byId = new Map<string, StoredFile>(ids.map((id) => [id, emptyFile(id)]))
    for (const [id, row] of patientRows) {
      const plain = { ...row, id }
      const patient = readOrWarn('patient', () => fromPatientRow(plain as unknown as PatientRow))
      const file = byId.get(id)
      if (file !== undefined && patient !== undefined) file.patient = patient
      if (patient === undefined) keep(id, plain)
    }
    for (const step of stepList as StepRecord[]) byId.get(step.patientId)?.steps.push(step)
    for (const event of eventList) byId.get(event.patientId)?.adverseEvents.push(event)
    for (const id of ids) {
      done.add(id)
      const kept = unreadable.get(id)
      const file = byId.get(id)
      if (kept !== undefined && file !== undefined) file.unreadable = kept
      unreadable.delete(id)
    }
    await writeFiles(files, byId.values())
  }

  // Every patient with what hangs from it.
  let after: unknown
  for (;;) {
    const page = await (after === undefined ? patients.orderBy(':id') : patients.where(':id').above(after))
      .limit(PAGE)
      .toArray()
    const last = page.at(-1)
    if (last === undefined) break
    after = last.id
    const rows = new Map(page.map((row) => [textId(row.id), row]))
    await gather([...rows.keys()], rows)
  }
  // Steps and events whose patient is not here (yet): files without patient.
  const orphans = new Set<string>()
  for (const key of await steps.orderBy('patientId').uniqueKeys()) {
    const id = textId(key)
    if (!done.has(id)) orphans.add(id)
  }
  for (const key of await events.orderBy('patientId').uniqueKeys()) {
    const id = textId(key)
    if (!done.has(id)) orphans.add(id)
  }
  const list = [...orphans]
  for (let i = 0; i < list.length; i += PAGE) await gather(list.slice(i, i + PAGE), new Map())
}
