// The device's database: synced records (string UUID v7 keys, never auto-increment, so ids made offline on
// several devices never collide), the outbox of signed mutations, rejections and device metadata.
import Dexie, { type EntityTable, type Table } from 'dexie'
import type { Mutation } from '../shared/commands'
import type { LotRecord, RejectionRecord, RoleGrantRecord, UserRecord } from '../shared/records'
import type { DeviceRevocation, Organisation } from '../shared/sync-api'
import type { Vaccine } from '../shared/vaccine'
import { binaryIdsMiddleware, packId, packIds } from './binary-ids'
import { restoreFileKeys, type FileRow } from './files'
import type { PatientRow, StepRow } from './rows'
import { NameIndex, NAME_INDEX_TABLE, type NameIndexRow } from './vault/name-index'
import { sealedTablesMiddleware, type SealSpec } from './vault/sealed-tables'
import { Vault } from './vault/vault'

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
  /** Set once the device's data key first arrived: from then on every personal row is written sealed. */
  vault: { v: 1; sealedSince: string; converted?: string; check?: ArrayBuffer }
  /** The organisation's record as last pulled (its settings: the idle lock). */
  organisation: Organisation
  /**
   * Set when the device learns it was revoked, and kept through the wipe: no sign-in from then on, and the notice
   * says who revoked it and when (docs/device-encryption.md, "Revocation").
   */
  revoked: DeviceRevocation & { learnedAt: string; exportedAt?: string; wipedAt?: string }
  /** Wrong passwords typed on this device, per login (src/db/sign-in-attempts.ts). */
  signInFailures: Record<string, { failures: number; lastAt: number }>
  /** Sealed rows that did not open, as reported to the server (table and key only; kept short). */
  brokenRows: { table: string; key: string; at: string }[]
}
/** A meta key. */
export type MetaKey = keyof MetaValues
/** A meta row. */
export type MetaRow = { [K in MetaKey]: { key: K; value: MetaValues[K] } }[MetaKey]

const text = (value: unknown) => (typeof value === 'string' ? value : undefined)

/**
 * The personal tables and how each is sealed (src/db/vault/sealed-tables.ts): what stays in clear is only what
 * other code indexes and is not personal; identifiers searched by exact value are blind tokens.
 */
export const SEALED_TABLES: Readonly<Record<string, SealSpec>> = {
  files: {
    key: 'id',
    clear: ['id'],
    blind: [
      { prop: 'codeKey', label: 'code', of: (r) => text(r.codeKey) },
      { prop: 'nirKey', label: 'nir', of: (r) => text(r.nirKey) },
      { prop: 'nirOdKey', label: 'nir-od', of: (r) => text(r.nirOdKey) },
      { prop: 'nissKey', label: 'niss', of: (r) => text(r.nissKey) },
    ],
    // Indexes of clear rows only: sealed, they would tell names and dates. Names, birth dates and dose days of
    // sealed files are searched in memory (src/db/vault/name-index.ts).
    derived: ['birthDate', 'nameKey', 'nameWords', 'days'],
    restore: restoreFileKeys,
    nameIndex: true,
  },
  outbox: { key: 'seq', clear: ['seq', 'id', 'status', 'type'], blind: [] },
  rejections: { key: 'id', clear: ['id', 'rejectedAt'], blind: [] },
}

/** The name of the app's database. */
export const DB_NAME = 'carnet'

/** The Dexie database of the PWA (one per device profile). */
export class CarnetDb extends Dexie {
  files!: EntityTable<FileRow, 'id'>
  lots!: Table<LotRecord, [string, string]>
  vaccines!: EntityTable<Vaccine, 'id'>
  users!: EntityTable<UserRecord, 'id'>
  roleGrants!: EntityTable<RoleGrantRecord, 'id'>
  outbox!: EntityTable<OutboxRow, 'seq'>
  rejections!: EntityTable<RejectionRecord, 'id'>
  meta!: Table<MetaRow, MetaKey>
  nameIndex!: Table<NameIndexRow, number>
  /** Whether rows are sealed, and the keys while the app is unlocked. */
  readonly vault = new Vault()
  /** Name-prefix search over sealed patients, in memory while unlocked. */
  readonly names: NameIndex

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
    // (patients.updatedAt, steps.[patientId+kind]: each entry repeats the 36-character primary key).
    this.version(2).stores({
      patients: 'id, codeKey, nirKey, nirOdKey, nissKey, [birthDate+nameKey], *nameWords',
      steps: 'id, patientId',
    })
    // Version 3: patient and step ids stored as 16 bytes (src/db/binary-ids.ts), rows in the stored form of
    // version 3. Every row of an older version is read in its own form and written again (one upgrade does it for
    // versions 1 and 2); a row that no longer parses keeps its value (it would not read either way) rather than
    // failing the whole upgrade and locking the app out, but its ids move to bytes like the others so that it
    // stays where a lookup by id finds it.
    this.version(3)
      .stores({})
      .upgrade(async (tx) => {
        // The row codec (schemas, identifier rules) stays out of the first page's script: only an upgrade needs
        // it here. Dexie.waitFor keeps the upgrade transaction alive while the module loads.
        const { fromPatientRow, fromStepRow, toPatientRow, toStepRow } = await Dexie.waitFor(import('./rows'))
        await rewriteTable(tx.table<PatientRow, unknown>('patients'), (r) => toPatientRow(fromPatientRow(r)))
        await rewriteTable(tx.table<StepRow, unknown>('steps'), (r) => toStepRow(fromStepRow(r)))
      })
    // Version 4: one row per patient file (src/db/files.ts) instead of a row per patient, step and adverse event,
    // and rows sealed at rest once the device has its data key (src/db/vault): sealed files carry blind tokens under
    // the identifier indexes and leave the name, birth-date and day indexes empty (searched in memory from the
    // sealed name index). The upgrade gathers each patient's rows into its file, in the clear form they had
    // (sealing needs the key, which only a sign-in brings: src/db/vault/convert.ts does it then).
    this.version(4)
      .stores({
        files: 'id, codeKey, nirKey, nirOdKey, nissKey, [birthDate+nameKey], *nameWords, *days',
        patients: null,
        steps: null,
        adverseEvents: null,
        outbox: 'seq, &id, status, [type+status]',
        [NAME_INDEX_TABLE]: '++n',
      })
      .upgrade(async (tx) => {
        const { gatherFiles } = await Dexie.waitFor(import('./files-upgrade'))
        await gatherFiles(tx)
      })
    this.use(binaryIdsMiddleware)
    this.use(sealedTablesMiddleware(this.vault, SEALED_TABLES))
    this.names = new NameIndex(
      () => this.nameIndex,
      () => this.vault.keys,
      (key) => this.vault.reportBroken(NAME_INDEX_TABLE, key),
    )
    // Whether the database is sealed is known before anything reads or writes it, at every open (sticky).
    this.on(
      'ready',
      async () => {
        const row = await this.meta.get('vault')
        this.vault.sealed = row?.key === 'vault'
        this.vault.converted = row?.key === 'vault' && row.value.converted !== undefined
      },
      true,
    )
  }
}

const UPGRADE_PAGE = 500

/**
 * Rewrites every row whose id is still text, a page at a time (a table of 100,000 patients does not fit in a
 * tablet's memory at once). Inside an upgrade rows are as stored: text ids sort before every packed one, so the
 * walk goes through the text ids in order and stops at the first page without one.
 */
async function rewriteTable<T extends { id: unknown }>(table: Table<T, unknown>, convert: (row: T) => T) {
  let after: unknown
  for (;;) {
    const page = await (after === undefined ? table.orderBy(':id') : table.where(':id').above(after))
      .limit(UPGRADE_PAGE)
      .toArray()
    const rows = page.filter((row) => typeof row.id === 'string')
    const last = rows.at(-1)
    if (last === undefined) return
    after = last.id
    await table.bulkDelete(rows.filter((row) => packId(row.id) !== row.id).map((row) => row.id))
    await table.bulkPut(rows.map((row) => packIds(table.name, rewrite(row, convert) ?? row)))
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
