// The device's database: synced records (string UUID v7 keys, never auto-increment, so ids made offline on
// several devices never collide), the outbox of signed mutations, rejections and device metadata.
import Dexie, { type EntityTable, type Table } from 'dexie'
import type { Mutation } from '../shared/commands'
import type {
  AdverseEventRecord,
  LotRecord,
  RejectionRecord,
  RoleGrantRecord,
  UserRecord,
} from '../shared/records'
import type { Vaccine } from '../shared/vaccine'
import type { PatientRow, StepRow } from './rows'

/** Where a queued mutation stands: waiting, in a push, acknowledged by the server, or refused by a rule. */
export const OUTBOX_STATUSES = ['pending', 'sending', 'applied', 'rejected'] as const
/** An outbox status. */
export type OutboxStatus = (typeof OUTBOX_STATUSES)[number]
/** Statuses of mutations the server has not settled yet (what the device still owes it). */
export const UNSYNCED_STATUSES = ['pending', 'sending'] as const satisfies readonly OutboxStatus[]

/** An outbox row: the signed envelope as sent, flat (key `seq`), plus its delivery status. */
export type OutboxRow = Mutation & { status: OutboxStatus }

/** The device's key/value facts. */
export type MetaValues = {
  deviceId: string
  /** The last `seq` handed out on this device; never goes back, even when applied rows are pruned. */
  lastSeq: number
  pullCursor: string
  lastSyncAt: string
  session: unknown
}
/** A meta key. */
export type MetaKey = keyof MetaValues
/** A meta row. */
export type MetaRow = { [K in MetaKey]: { key: K; value: MetaValues[K] } }[MetaKey]

/** The name of the app's database. */
export const DB_NAME = 'carnet'

/** The Dexie database of the PWA (one per device profile). */
export class CarnetDb extends Dexie {
  patients!: EntityTable<PatientRow, 'id'>
  steps!: EntityTable<StepRow, 'id'>
  adverseEvents!: EntityTable<AdverseEventRecord, 'id'>
  lots!: Table<LotRecord, [string, string]>
  vaccines!: EntityTable<Vaccine, 'id'>
  users!: EntityTable<UserRecord, 'id'>
  roleGrants!: EntityTable<RoleGrantRecord, 'id'>
  outbox!: EntityTable<OutboxRow, 'seq'>
  rejections!: EntityTable<RejectionRecord, 'id'>
  meta!: Table<MetaRow, MetaKey>

  constructor(name: string = DB_NAME) {
    // 'strict': Chromium reports a transaction complete only once it is flushed to disk (its default is
    // 'relaxed' since 121), so a save the UI acknowledges survives a power cut. Dexie 4 sets durability per
    // database, not per transaction; bulk pull pages pay for it too (a relaxed second instance could serve them).
    super(name, { chromeTransactionDurability: 'strict' })
    this.version(1).stores({
      patients: 'id, codeKey, nirKey, nirOdKey, nissKey, [birthDate+nameKey], *nameWords, updatedAt',
      steps: 'id, patientId, [patientId+kind]',
      adverseEvents: 'id, patientId, stepId',
      lots: '[vaccineId+lotNumber]',
      vaccines: 'id',
      users: 'id',
      roleGrants: 'id, userId',
      outbox: 'seq, &id, status',
      rejections: 'id, rejectedAt',
      meta: 'key',
    })
    // Version 2: the compact stored form of patients and steps (src/db/rows.ts), and no index nothing reads
    // (patients.updatedAt, steps.[patientId+kind]: each entry repeats the 36-character primary key, about
    // 0.15 KB per patient with two steps). Rows already on the device are read in their version-1 form and
    // written again; a row that no longer parses is left as it was (it would not read either way) rather than
    // failing the whole upgrade and locking the app out.
    this.version(2)
      .stores({
        patients: 'id, codeKey, nirKey, nirOdKey, nissKey, [birthDate+nameKey], *nameWords',
        steps: 'id, patientId',
      })
      .upgrade(async (tx) => {
        // The row codec (schemas, identifier rules) stays out of the first page's script: only an upgrade needs
        // it here. Dexie.waitFor keeps the upgrade transaction alive while the module loads.
        const { fromPatientRow, fromStepRow, toPatientRow, toStepRow } = await Dexie.waitFor(import('./rows'))
        await tx
          .table<PatientRow, string>('patients')
          .toCollection()
          .modify((row, ref) => {
            const next = rewrite(row, (r) => toPatientRow(fromPatientRow(r)))
            if (next === undefined) return false
            ref.value = next
          })
        await tx
          .table<StepRow, string>('steps')
          .toCollection()
          .modify((row, ref) => {
            const next = rewrite(row, (r) => toStepRow(fromStepRow(r)))
            if (next === undefined) return false
            ref.value = next
          })
      })
  }
}

/** Rewrites a stored row in the current form; undefined when it does not read (left as it was). */
function rewrite<T>(row: T, convert: (row: T) => T): T | undefined {
  try {
    return convert(row)
  } catch (error) {
    console.warn('carnet-db upgrade: a row could not be rewritten', error)
    return undefined
  }
}

/** Opens (lazily) a database of its own: one per test, or per profile. */
export function createCarnetDb(name: string = DB_NAME): CarnetDb {
  return new CarnetDb(name)
}

/** The app's database. */
export const db = createCarnetDb()
