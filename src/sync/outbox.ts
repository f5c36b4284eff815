// The recording path: every change the device makes goes through `recordChange`, which runs the same rule the
// server will (src/domain applyCommand) on the local copy, then writes the records it changes AND the signed
// mutation in the outbox in ONE strict-durability transaction: a save is never on screen without being queued
// for the server, nor queued without being on screen. `seq` is handed out in that transaction (last + 1,
// never auto-increment, never reused even once applied rows are pruned), so the outbox order is the order
// the server must apply.
import {
  applyCommand,
  recordsToLoad,
  type CommandEffects,
  type CommandState,
} from '../domain/commands/apply-command'
import type { IdentitySource } from '../domain/patients/identity'
import { CATALOGUE } from '../domain/vaccines/catalogue'
import {
  MutationSchema,
  type Mutation,
  type MutationInput,
  type MutationType,
  type UnsignedMutation,
} from '../shared/commands'
import type { RuleErrorCode } from '../shared/errors'
import type { Actor } from '../shared/primitives'
import {
  OUTBOX_STATUSES,
  UNSYNCED_STATUSES,
  type CarnetDb,
  type OutboxRow,
  type OutboxStatus,
} from '../db/carnet-db'
import { emptyFile, toPatientFile, withAdverseEvent, withStep } from '../db/files'
import { loadIdentityCandidates, readFiles, writeFiles } from '../db/patients-repo'
import { bytesToBase64 } from '../db/base64'
import { isArrayBuffer } from '../db/vault/crypto'
import type { OutboxExport } from '../shared/sync-api'
import { uuidv7 } from './ids'
import { signEnvelope } from './signing'

/** What a screen asks to record: one mutation's type and payload, who acts, when, from which device, with which key. */
export type RecordChangeInput<T extends MutationType = MutationType> = {
  type: T
  payload: Extract<MutationInput, { type: T }>['payload']
  actor: Actor
  /** When the person acted, ISO 8601 with offset, from the device clock. */
  at: string
  deviceId: string
  /** The HMAC-SHA256 key imported from this user's deviceKey (src/sync/device-key.ts). */
  signingKey: CryptoKey
  /** The device's clock for the rules' "not in the future" checks; `at` by default. */
  now?: string
  /** When the user signed in on this device (the rules refuse an action before it). */
  signInAt?: string
  /** The mutation id (idempotency key); a new UUID v7 by default. */
  id?: string
}

/** The outcome of recording: the queued mutation and what it changed, or the rule's refusal (nothing written). */
export type RecordChangeResult =
  | { ok: true; mutation: Mutation; effects: CommandEffects }
  | { ok: false; error: RuleErrorCode; detail?: Readonly<Record<string, unknown>> }

const OUTBOX_LOCK = 'carnet-outbox'
const MAX_SEQ_RETRIES = 5
const localLocks = new WeakMap<CarnetDb, Promise<unknown>>()

class SeqMoved extends Error {}

/**
 * Runs `task` alone for this database: across tabs with Web Locks where the browser has them, and within this
 * page with a promise chain. Not needed for correctness (the transaction re-checks `seq`), but it spares
 * re-signing when two saves race.
 */
function withOutboxLock<T>(db: CarnetDb, task: () => Promise<T>): Promise<T> {
  const previous = localLocks.get(db) ?? Promise.resolve()
  // Web Locks are missing in older Safari and in test DOMs (happy-dom has `navigator.locks === null`).
  const locks =
    typeof navigator === 'undefined' ? undefined : ((navigator.locks as LockManager | null) ?? undefined)
  const run = (): Promise<T> =>
    locks === undefined ? task() : (locks.request(`${OUTBOX_LOCK}:${db.name}`, task) as Promise<T>)
  const next = previous.then(run, run)
  localLocks.set(
    db,
    next.catch(() => undefined),
  )
  return next
}

/** The last `seq` handed out on this device (the meta counter, or the outbox's last key if higher). */
export async function lastSeq(db: CarnetDb): Promise<number> {
  const [meta, lastKey] = await Promise.all([db.meta.get('lastSeq'), db.outbox.toCollection().lastKey()])
  const counter = meta?.key === 'lastSeq' ? meta.value : 0
  return Math.max(counter, typeof lastKey === 'number' ? lastKey : 0)
}

/**
 * Reads what the rule needs to judge `mutation` (call inside the recording transaction): the files it names and,
 * for a registration or a change of identity, the files of every patient that could be the same person.
 */
async function loadCommandState(db: CarnetDb, mutation: Mutation): Promise<CommandState> {
  const ids = new Set(recordsToLoad(mutation).patientIds)
  const files = await readFiles(db, ids)
  const candidates = async (identity: IdentitySource) => {
    for (const file of await loadIdentityCandidates(db, identity)) files.set(file.id, file)
  }
  if (mutation.type === 'patient.register') {
    await candidates(mutation.payload.identity)
  } else if (mutation.type === 'patient.update') {
    const current = files.get(mutation.payload.patientId)?.patient
    if (current !== undefined) {
      const c = mutation.payload.changes
      await candidates({
        birthName: c.birthName ?? current.birthName,
        firstNames: c.firstNames ?? current.firstNames,
        sex: c.sex ?? current.sex,
        birthDate: c.birthDate ?? current.birthDate,
        birthRank: c.birthRank ?? current.birthRank,
        nir: c.nir === null ? undefined : (c.nir ?? current.nir),
        niss: c.niss === null ? undefined : (c.niss ?? current.niss),
        nirOuvrantDroit:
          c.nirOuvrantDroit === null ? undefined : (c.nirOuvrantDroit ?? current.nirOuvrantDroit),
      })
    }
  }
  const [vaccines, users, grants] = await Promise.all([
    db.vaccines.toArray(),
    db.users.toArray(),
    db.roleGrants.toArray(),
  ])
  return {
    catalogue: vaccines.length > 0 ? vaccines : CATALOGUE,
    users,
    grants,
    files: [...files.values()].flatMap((file) => {
      const patientFile = toPatientFile(file)
      return patientFile === undefined ? [] : [patientFile]
    }),
  }
}

/** Writes what a mutation changed into its patient's file (and the lot it made known). */
export async function writeEffects(db: CarnetDb, effects: CommandEffects): Promise<void> {
  const id = effects.patient?.id ?? effects.step?.patientId ?? effects.adverseEvent?.patientId
  if (id !== undefined) {
    let file = (await readFiles(db, [id])).get(id) ?? emptyFile(id)
    if (effects.patient !== undefined) file = { ...file, patient: effects.patient }
    if (effects.step !== undefined) file = withStep(file, effects.step)
    if (effects.adverseEvent !== undefined) file = withAdverseEvent(file, effects.adverseEvent)
    await writeFiles(db, [file])
  }
  if (effects.lot !== undefined) await db.lots.put(effects.lot)
}

/**
 * Records one change: builds the envelope (v 1, UUID v7 id, seq = last + 1), signs it, runs the domain rule on
 * the local state, and writes the records and the outbox row together. A refusal writes nothing and returns
 * the rule's code; a storage failure throws and writes nothing either.
 */
export async function recordChange<T extends MutationType>(
  db: CarnetDb,
  input: RecordChangeInput<T>,
): Promise<RecordChangeResult> {
  const id = input.id ?? uuidv7()
  const ctx = {
    now: input.now ?? input.at,
    ...(input.signInAt === undefined ? {} : { signInAt: input.signInAt }),
  }
  return withOutboxLock(db, async () => {
    for (let attempt = 0; ; attempt += 1) {
      const seq = (await lastSeq(db)) + 1
      const parsed = MutationSchema.safeParse({
        v: 1,
        id,
        deviceId: input.deviceId,
        seq,
        at: input.at,
        actor: input.actor,
        type: input.type,
        payload: input.payload,
        sig: '-',
      })
      if (!parsed.success) {
        return {
          ok: false,
          error: 'invalid-fields',
          detail: { fields: parsed.error.issues.map((i) => i.path.join('.')) },
        }
      }
      const { sig: _placeholder, ...unsigned } = parsed.data
      // Signed before the transaction opens: an IndexedDB transaction commits by itself as soon as no request
      // is pending at the end of a task, and Web Crypto's promise is not an IndexedDB request, so awaiting it
      // inside would let the transaction commit half-done (Dexie then fails with PrematureCommitError).
      const sig = await signEnvelope(unsigned as UnsignedMutation, input.signingKey)
      const mutation = { ...parsed.data, sig } as Mutation
      // The in-memory name index gives the identity candidates of sealed files: brought up to date before the
      // transaction, whose scope holds its table.
      if (db.vault.keys !== null) await db.names.refresh()
      try {
        return await db.transaction(
          'rw',
          [db.files, db.nameIndex, db.lots, db.vaccines, db.users, db.roleGrants, db.outbox, db.meta],
          async (): Promise<RecordChangeResult> => {
            if ((await lastSeq(db)) !== seq - 1) throw new SeqMoved()
            const state = await loadCommandState(db, mutation)
            const outcome = applyCommand(state, mutation, ctx)
            if (!outcome.ok) {
              return outcome.detail === undefined
                ? { ok: false, error: outcome.error }
                : { ok: false, error: outcome.error, detail: outcome.detail }
            }
            await writeEffects(db, outcome.effects)
            await db.outbox.add({ ...mutation, status: 'pending' })
            await db.meta.put({ key: 'lastSeq', value: seq })
            return { ok: true, mutation, effects: outcome.effects }
          },
        )
      } catch (error) {
        // Another tab queued a mutation between our read of `seq` and the transaction: sign again with the next one.
        if (error instanceof SeqMoved && attempt < MAX_SEQ_RETRIES) continue
        throw error
      }
    }
  })
}

/** An outbox entry read back and parsed: the signed envelope and its delivery status. */
export type OutboxEntry = { mutation: Mutation; status: OutboxStatus }

/** Parses an outbox row read back from IndexedDB (a row from an older build or a corrupted one throws). */
export function parseOutboxRow(row: OutboxRow): OutboxEntry {
  const { status, ...envelope } = row
  if (!(OUTBOX_STATUSES as readonly string[]).includes(status))
    throw new TypeError(`outbox row ${row.seq}: unknown status ${String(status)}`)
  return { mutation: MutationSchema.parse(envelope), status }
}

/** Counts the mutations the server has not settled yet: the outbox length devices report (X-Carnet-Pending). */
export function pendingCount(db: CarnetDb): Promise<number> {
  return db.outbox.where('status').anyOf(UNSYNCED_STATUSES).count()
}

/**
 * Counts the changes to records the server has not settled yet (« N modifications en attente »): the audit events
 * of prints and exports travel in the outbox too, but a nurse who printed a summary has changed nothing.
 */
export function pendingChangeCount(db: CarnetDb): Promise<number> {
  return db.outbox
    .where('status')
    .anyOf(UNSYNCED_STATUSES)
    .filter((row) => row.type !== 'audit.append')
    .count()
}

/** Lists the outbox in `seq` order, optionally only some statuses. */
export async function listOutbox(
  db: CarnetDb,
  options: { statuses?: readonly OutboxStatus[] } = {},
): Promise<OutboxEntry[]> {
  const rows =
    options.statuses === undefined
      ? await db.outbox.orderBy('seq').toArray()
      : await db.outbox.where('status').anyOf(options.statuses).sortBy('seq')
  return rows.map(parseOutboxRow)
}

/** The file a device exports when it cannot reach the server (src/shared/sync-api.ts OutboxExportSchema). */
export type { OutboxExport } from '../shared/sync-api'

const ENVELOPE_KEYS = ['v', 'id', 'deviceId', 'seq', 'at', 'actor', 'type', 'payload', 'sig'] as const

type StoredOutboxRow = { seq: number; id: string; type: string; status: string; c?: unknown } & Record<
  string,
  unknown
>

/** Reads rows as IndexedDB stores them, under the sealing middleware: sealed ones keep their sealed value. */
async function readStoredRows(db: CarnetDb): Promise<{ rows: StoredOutboxRow[]; deviceId: string }> {
  if (!db.isOpen()) await db.open()
  const tx = db.backendDB().transaction(['outbox', 'meta'], 'readonly')
  const request = <T>(r: IDBRequest<T>) =>
    new Promise<T>((resolve, reject) => {
      r.onsuccess = () => resolve(r.result)
      r.onerror = () => reject(r.error ?? new Error('outbox export: read failed'))
    })
  const [rows, meta] = await Promise.all([
    request(tx.objectStore('outbox').getAll()) as Promise<StoredOutboxRow[]>,
    request(tx.objectStore('meta').get('deviceId')) as Promise<{ value?: unknown } | undefined>,
  ])
  return { rows, deviceId: typeof meta?.value === 'string' ? meta.value : '' }
}

/**
 * Exports the unsynced outbox (pending and sending: a mutation in flight may not have arrived), or the entries of
 * `seqs` (a set-aside one), for the server's import (`POST /api/sync/import`) — version 2 of the file: the entries
 * are taken as IndexedDB stores them, still sealed under the device's data key, which only the server also holds
 * (docs/device-encryption.md). The file says nothing of patients to whoever carries it, and the export needs no key
 * in memory: a locked or revoked device can still hand over what it could not send. Entries written before the
 * device was sealed go in clear, signed as queued, as in version 1.
 */
export async function exportOutbox(
  db: CarnetDb,
  options: { now?: string; seqs?: readonly number[] } = {},
): Promise<string> {
  const { rows, deviceId } = await readStoredRows(db)
  const wanted = options.seqs === undefined ? null : new Set(options.seqs)
  const chosen = rows
    .filter((row) =>
      wanted === null ? (UNSYNCED_STATUSES as readonly string[]).includes(row.status) : wanted.has(row.seq),
    )
    .sort((a, b) => a.seq - b.seq)
  const file: OutboxExport = {
    kind: 'carnet-outbox',
    v: 2,
    deviceId: deviceId !== '' ? deviceId : String(chosen.find((r) => r.c === undefined)?.deviceId ?? ''),
    exportedAt: options.now ?? new Date().toISOString(),
    sealed: [],
    mutations: [],
  }
  for (const row of chosen) {
    if (isArrayBuffer(row.c)) {
      file.sealed.push({
        seq: row.seq,
        id: row.id,
        type: row.type as OutboxExport['sealed'][number]['type'],
        c: bytesToBase64(new Uint8Array(row.c)),
      })
    } else {
      const envelope: Record<string, unknown> = {}
      for (const key of ENVELOPE_KEYS) if (row[key] !== undefined) envelope[key] = row[key]
      file.mutations.push(envelope)
    }
  }
  return JSON.stringify(file, null, 2)
}
