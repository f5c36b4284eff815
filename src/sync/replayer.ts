// The replayer: one sync run of sync-protocol.md, device side.
//   1. PUSH before pull: the unsettled outbox (pending, sending) in seq order, batches of ≤ 500 mutations and
//      ≤ 2 MB, envelopes sent exactly as signed. Each result marks its entry (applied + position, or rejected +
//      error/detail, the rejection also stored for the « À traiter » inbox); a replayed result is the same
//      result again, so a lost response is recovered by sending again. `409 seq-gap` → resend from the
//      server's expected seq. A rejected mutation is never sent again: the queue moves on.
//   2. Undo the optimistic effects of rejected mutations (see `rollBackRejected`).
//   3. Send the person's queued rejection resolutions.
//   4. PULL (src/sync/pull.ts), then finish the rollbacks that need the server's version of a record.
// Network errors, 503 and other 5xx end the run as `transient` (the engine retries with backoff and full
// jitter); 401 device-revoked and 426 end it for good, the outbox kept whole and exportable. One tab runs at a
// time (Web Locks, else an in-page mutex).
//
// Merged patients (`mappedIds`): the device rekeys its local records (the patient row, its steps' and events'
// patientId). Queued envelopes are NOT rewritten: they are signed, and the server maps a merged id itself
// (patient_aliases, then remapMutation in sync-push.ts) for every later mutation that uses it.
import type { Mutation } from '../shared/commands'
import type { RuleErrorCode } from '../shared/errors'
import type { PatientRecord } from '../shared/records'
import { MAX_PUSH_BYTES, MAX_PUSH_MUTATIONS, type PushResponse, type PushResult } from '../shared/sync-api'
import type { CarnetDb, OutboxRow } from '../db/carnet-db'
import { emptyFile, type StoredFile } from '../db/files'
import { deleteFiles, putPatients, readFiles, writeFiles } from '../db/patients-repo'
import { parseOutboxRow } from './outbox'
import {
  fetchServerPatients,
  patientIdOf,
  pullAll,
  rebaseFiles,
  type LocalRejection,
  type PullProgress,
} from './pull'
import type { SyncTransport, TransportFailure } from './transport'

/** An outbox row once the server settled it: the envelope and status, plus what the result said. */
export type SettledOutboxRow = OutboxRow & {
  settledAt?: string
  position?: number
  mappedIds?: Record<string, string>
  error?: RuleErrorCode
  detail?: Record<string, unknown>
  /** When the optimistic effect of this rejected mutation was undone locally. */
  rolledBackAt?: string
}

/** Backoff of transient failures: base 1 s, cap 5 min (sync-protocol.md "Push"). */
export const BACKOFF_BASE_MS = 1000
export const BACKOFF_CAP_MS = 5 * 60_000

/**
 * The wait before retry number `attempt` (0 = first retry), "full jitter": uniform in [0, min(cap, base·2^attempt)),
 * so devices that lost the network together (a whole site) do not come back in step.
 */
export function backoffDelay(
  attempt: number,
  random: () => number,
  baseMs = BACKOFF_BASE_MS,
  capMs = BACKOFF_CAP_MS,
): number {
  const ceiling = Math.min(capMs, baseMs * 2 ** Math.min(attempt, 30))
  return Math.floor(random() * ceiling)
}

/** Consecutive transient failures and the next wait; reset by a successful run. */
export class Backoff {
  private failures = 0
  constructor(private readonly random: () => number) {}

  /** The wait before the next attempt (counts one more failure). */
  next(): number {
    const delay = backoffDelay(this.failures, this.random)
    this.failures += 1
    return delay
  }

  reset(): void {
    this.failures = 0
  }

  get attempts(): number {
    return this.failures
  }
}

/** The run's fixed inputs. */
export type ReplayDeps = {
  db: CarnetDb
  transport: SyncTransport
  deviceId: string
  /** The device clock, ISO 8601. */
  now: () => string
  onProgress?: (progress: SyncProgress) => void
  /** Pull page size (≤ 5000, the default). */
  pullLimit?: number
}

/** What the progress bar shows: the push, then the pull. */
export type SyncProgress = { phase: 'push'; sent: number; total: number } | ({ phase: 'pull' } & PullProgress)

/** How a run ended. */
export type SyncRunOutcome =
  | { kind: 'ok'; pushed: number; pulled: number; rejected: number }
  | { kind: 'busy' }
  | Exclude<TransportFailure, { kind: 'seq-gap' }>

const ENVELOPE_KEYS = ['v', 'id', 'deviceId', 'seq', 'at', 'actor', 'type', 'payload', 'sig'] as const

/**
 * The envelope exactly as it was signed and queued. The stored row (not a re-parse) is sent: the server checks
 * `sig` over the JSON it receives, so nothing may be normalised on the way out; settlement fields are left out.
 */
export function envelopeOf(row: OutboxRow): Record<string, unknown> {
  const source = row as unknown as Record<string, unknown>
  const envelope: Record<string, unknown> = {}
  for (const key of ENVELOPE_KEYS) if (source[key] !== undefined) envelope[key] = source[key]
  return envelope
}

type Batch = { rows: OutboxRow[]; envelopes: Record<string, unknown>[] }

const encoder = new TextEncoder()
// Room for `{"deviceId":…,"mutations":[…]}` around the envelopes.
const FRAME_BYTES = 256

async function unsettledSeqs(db: CarnetDb): Promise<number[]> {
  const keys = await db.outbox.where('status').anyOf('pending', 'sending').primaryKeys()
  return keys.sort((a, b) => a - b)
}

/** The next batch: rows from `fromSeq` on (all of them when resending after a gap), ≤ 500 and ≤ 2 MB. */
async function nextBatch(db: CarnetDb, fromSeq: number | null, maxCount: number): Promise<Batch> {
  let seqs: number[]
  if (fromSeq === null) {
    seqs = (await unsettledSeqs(db)).slice(0, maxCount)
  } else {
    seqs = (await db.outbox.where('seq').aboveOrEqual(fromSeq).limit(maxCount).primaryKeys()).sort(
      (a, b) => a - b,
    )
  }
  const rows = (await db.outbox.bulkGet(seqs)).filter((r): r is OutboxRow => r !== undefined)
  const batch: Batch = { rows: [], envelopes: [] }
  let bytes = FRAME_BYTES
  for (const row of rows) {
    // A row that does not parse (written by another build, corrupted) throws here rather than being pushed.
    parseOutboxRow(row)
    const envelope = envelopeOf(row)
    const size = encoder.encode(JSON.stringify(envelope)).length + 1
    if (batch.rows.length > 0 && bytes + size > MAX_PUSH_BYTES) break
    // Seqs must be contiguous: the server stops at a gap, and a later batch would only meet a 409.
    const previous = batch.rows[batch.rows.length - 1]
    if (previous !== undefined && row.seq !== previous.seq + 1) break
    bytes += size
    batch.rows.push(row)
    batch.envelopes.push(envelope)
  }
  return batch
}

async function rekeyPatient(db: CarnetDb, from: string, to: string): Promise<void> {
  if (from === to) return
  const files = await readFiles(db, [from, to])
  const local = files.get(from)
  if (local === undefined) return
  // Keep the existing patient when it is already here (the pull brings the server's version anyway); otherwise
  // the local record moves to the existing id so the file does not vanish until the pull. Steps and events move.
  const existing = files.get(to) ?? emptyFile(to)
  const moved: StoredFile = {
    id: to,
    ...(existing.patient !== undefined
      ? { patient: existing.patient }
      : local.patient === undefined
        ? {}
        : { patient: { ...local.patient, id: to } }),
    steps: [
      ...existing.steps.filter((s) => !local.steps.some((l) => l.id === s.id)),
      ...local.steps.map((s) => ({ ...s, patientId: to })),
    ],
    adverseEvents: [
      ...existing.adverseEvents.filter((e) => !local.adverseEvents.some((l) => l.id === e.id)),
      ...local.adverseEvents.map((e) => ({ ...e, patientId: to })),
    ],
  }
  await writeFiles(db, [moved])
  await deleteFiles(db, [from])
}

/** Marks the entries of a push answer, stores its rejections and rekeys merged patients, in one transaction. */
async function settle(
  db: CarnetDb,
  batch: Batch,
  response: PushResponse,
  aliases: Map<string, string>,
): Promise<{ settled: number; rejected: number }> {
  const bySeq = new Map<number, PushResult>(response.results.map((r) => [r.seq, r]))
  return db.transaction('rw', [db.outbox, db.rejections, db.files, db.nameIndex], async () => {
    const rows: SettledOutboxRow[] = []
    const rejections: LocalRejection[] = []
    const stored = (await db.outbox.bulkGet(batch.rows.map((r) => r.seq))) as (SettledOutboxRow | undefined)[]
    for (const [index, row] of batch.rows.entries()) {
      const result = bySeq.get(row.seq)
      const current = stored[index]
      // No result (the server stopped at a gap) or another mutation at this seq: left for the next push.
      if (result === undefined || result.id !== row.id || current === undefined) continue
      if (result.status === 'applied') {
        rows.push({
          ...current,
          status: 'applied',
          settledAt: current.settledAt ?? response.serverTime,
          position: result.position,
          ...(result.mappedIds === undefined ? {} : { mappedIds: result.mappedIds }),
        })
        for (const [from, to] of Object.entries(result.mappedIds ?? {})) {
          aliases.set(from, to)
          await rekeyPatient(db, from, to)
        }
      } else {
        rows.push({
          ...current,
          status: 'rejected',
          settledAt: current.settledAt ?? response.serverTime,
          error: result.error,
          ...(result.detail === undefined ? {} : { detail: result.detail }),
        })
        rejections.push({
          id: row.id,
          mutation: parseOutboxRow(row).mutation,
          error: result.error,
          ...(result.detail === undefined ? {} : { detail: result.detail }),
          rejectedAt: response.serverTime,
        })
      }
    }
    if (rows.length > 0) await db.outbox.bulkPut(rows)
    // A rejection pulled earlier may already carry a resolution: the server's record is kept over ours.
    const known = await db.rejections.bulkGet(rejections.map((r) => r.id))
    const fresh = rejections.filter((_, i) => known[i] === undefined)
    if (fresh.length > 0) await db.rejections.bulkPut(fresh)
    return { settled: rows.length, rejected: rejections.length }
  })
}

type PushSummary = { pushed: number; rejected: number; lastSeq: number }

/** Pushes the whole unsettled outbox, batch after batch, until it is empty or a request fails. */
export async function pushOutbox(
  deps: ReplayDeps,
  aliases: Map<string, string>,
): Promise<{ kind: 'ok'; summary: PushSummary } | Exclude<TransportFailure, { kind: 'seq-gap' }>> {
  const { db } = deps
  const summary: PushSummary = { pushed: 0, rejected: 0, lastSeq: 0 }
  let resendFrom: number | null = null
  let maxCount = MAX_PUSH_MUTATIONS
  let stalls = 0
  const total = (await unsettledSeqs(db)).length
  for (;;) {
    const batch = await nextBatch(db, resendFrom, maxCount)
    if (batch.rows.length === 0) {
      if (resendFrom !== null) {
        // The server expects seqs this device no longer holds: nothing can fill the gap from here.
        return {
          kind: 'refused',
          status: 409,
          error: 'seq-gap',
          problems: [],
          detail: { expectedSeq: resendFrom },
        }
      }
      return { kind: 'ok', summary }
    }
    const pendingSeqs = batch.rows.filter((r) => r.status === 'pending').map((r) => r.seq)
    if (pendingSeqs.length > 0) await db.outbox.where('seq').anyOf(pendingSeqs).modify({ status: 'sending' })
    const answer = await deps.transport.push(deps.deviceId, batch.envelopes)
    if (answer.kind === 'seq-gap') {
      // Behind what we sent: resend from where the server stands (rows already settled here included, the
      // server lost them); ahead of it cannot happen (those seqs would have been answered as replays).
      if (resendFrom === answer.expectedSeq || (stalls += 1) > 3) {
        return {
          kind: 'refused',
          status: 409,
          error: 'seq-gap',
          problems: [],
          detail: { expectedSeq: answer.expectedSeq },
        }
      }
      resendFrom = answer.expectedSeq
      continue
    }
    if (answer.kind === 'refused' && answer.status === 413 && maxCount > 1) {
      maxCount = Math.max(1, Math.floor(batch.rows.length / 2))
      continue
    }
    if (answer.kind !== 'ok') return answer
    const { settled, rejected } = await settle(db, batch, answer.value, aliases)
    summary.pushed += settled
    summary.rejected += rejected
    summary.lastSeq = Math.max(summary.lastSeq, answer.value.lastSeq)
    deps.onProgress?.({
      phase: 'push',
      sent: Math.min(summary.pushed, total),
      total: Math.max(total, summary.pushed),
    })
    resendFrom = null
    if (settled === 0 && (stalls += 1) > 3) {
      return {
        kind: 'refused',
        status: 200,
        error: 'unknown',
        problems: [],
        detail: { lastSeq: answer.value.lastSeq },
      }
    }
    if (settled > 0) stalls = 0
  }
}

async function rejectedToRollBack(db: CarnetDb): Promise<{ row: SettledOutboxRow; mutation: Mutation }[]> {
  const rows = (await db.outbox.where('status').equals('rejected').toArray()) as SettledOutboxRow[]
  return rows
    .filter((r) => r.rolledBackAt === undefined)
    .sort((a, b) => a.seq - b.seq)
    .map((row) => ({ row, mutation: parseOutboxRow(row).mutation }))
}

async function markRolledBack(db: CarnetDb, rows: readonly SettledOutboxRow[], at: string): Promise<void> {
  if (rows.length > 0) await db.outbox.bulkPut(rows.map((r) => ({ ...r, rolledBackAt: at })))
}

/**
 * Undoes the optimistic local effect of rejected mutations, so the device shows what the server holds (the
 * mutation itself stays whole in the rejections table, for the inbox and for « Saisir à nouveau »):
 * - a rejected registration: the server never accepted the patient, so its local-only file is dropped (later
 *   mutations on it are rejected in turn, patient-not-found, and reach the inbox too);
 * - a rejected step, amendment or adverse event: what it added is told apart by id (the step's first version
 *   and an amendment's version carry the mutation id), taken out, and the still-pending entries of that file
 *   are re-run on top;
 * - a rejected patient update: its previous field values are gone locally, so the server's version is needed:
 *   when the pull of this run brought it, that is the rollback; otherwise it is read from the change log
 *   (`fetchServerPatients`) once the pull is done;
 * - lots and audit entries leave nothing to undo.
 * Each rejected entry is marked `rolledBackAt` in the transaction that undoes it, so a crash only repeats work.
 */
export async function rollBackRejected(
  deps: ReplayDeps,
  context: { lastSeq: number; aliases: ReadonlyMap<string, string>; pulledPatients?: ReadonlySet<string> },
  phase: 'after-push' | 'after-pull',
): Promise<TransportFailure | null> {
  const { db } = deps
  const now = deps.now()
  const tables = [db.outbox, db.files, db.nameIndex, db.vaccines, db.users, db.roleGrants]
  const entries = await rejectedToRollBack(db)
  if (entries.length === 0) return null
  const updates = entries.filter((e) => e.mutation.type === 'patient.update')
  if (phase === 'after-push') {
    const local = entries.filter((e) => e.mutation.type !== 'patient.update')
    await db.transaction('rw', tables, async () => {
      const files = new Set<string>()
      for (const { mutation } of local) {
        const id = patientIdOf(mutation, context.aliases)
        if (id !== undefined) files.add(id)
      }
      await rebaseFiles(db, files, {
        lastSeq: context.lastSeq,
        now,
        aliases: context.aliases,
        rejected: local.map((e) => e.mutation),
      })
      await markRolledBack(
        db,
        local.map((e) => e.row),
        now,
      )
    })
    return null
  }
  if (updates.length === 0) return null
  const pulled = context.pulledPatients ?? new Set<string>()
  const done = updates.filter((e) => pulled.has(patientIdOf(e.mutation, context.aliases) ?? ''))
  const missing = updates.filter((e) => !done.includes(e))
  let server = new Map<string, PatientRecord | null>()
  if (missing.length > 0) {
    const ids = new Set(missing.map((e) => patientIdOf(e.mutation, context.aliases) ?? ''))
    const fetched = await fetchServerPatients(deps.transport, ids)
    if (!(fetched instanceof Map)) return fetched
    server = fetched
  }
  await db.transaction('rw', tables, async () => {
    const found = [...server.values()].filter((p): p is PatientRecord => p !== null)
    if (found.length > 0) await putPatients(db, found)
    await deleteFiles(
      db,
      [...server].filter(([, record]) => record === null).map(([id]) => id),
    )
    await rebaseFiles(db, new Set(server.keys()), { lastSeq: context.lastSeq, now, aliases: context.aliases })
    await markRolledBack(
      db,
      [...done, ...missing].map((e) => e.row),
      now,
    )
  })
  return null
}

/**
 * A resolution waiting to be sent: the person's action and, when they were signed in online on this device, the
 * access token of that session, so the server records them and not the device's registering user (a shared
 * tablet). The token goes with the row because the send may come later, under someone else's session.
 */
export type QueuedResolution = NonNullable<LocalRejection['pendingResolution']> & { accessToken?: string }

/** Sends the resolutions the person chose while offline (or before this run); stops at the first failure. */
export async function sendResolutions(deps: ReplayDeps): Promise<TransportFailure | null> {
  const { db } = deps
  const waiting = ((await db.rejections.toArray()) as LocalRejection[]).filter(
    (r) => r.pendingResolution !== undefined,
  )
  for (const rejection of waiting) {
    const pending: QueuedResolution | undefined = rejection.pendingResolution
    if (pending === undefined) continue
    const answer = await deps.transport.resolve(rejection.id, pending.kind, pending.note, pending.accessToken)
    if (answer.kind === 'ok') {
      await db.rejections.put(answer.value)
      continue
    }
    if (answer.kind === 'unauthenticated' && pending.accessToken !== undefined) {
      // The person's session is no longer known to the server (signed out elsewhere, account disabled).
      // Sending it without the token would name the device's registering user as resolver: it stays queued,
      // and the dashboard can still settle the rejection. A bad device token fails the pull that follows.
      continue
    }
    if (answer.kind === 'refused' && answer.status !== 409 && answer.status !== 404) {
      // A resolution the server cannot read (a bug on one side): kept queued, the others still go.
      continue
    }
    if (answer.kind === 'refused') {
      // Already resolved elsewhere (the pull brings the server's record), or unknown to the server: the person
      // acted, so the item stays out of the inbox with their resolution.
      const { pendingResolution: _sent, ...rest } = rejection
      await db.rejections.put({
        ...rest,
        resolution: rest.resolution ?? {
          kind: pending.kind,
          by: pending.by,
          at: pending.at,
          ...(pending.note === undefined ? {} : { note: pending.note }),
        },
      })
      continue
    }
    return answer
  }
  return null
}

/**
 * Records the person's action on a rejection on the device first (it leaves the inbox at once, and the queue
 * survives a reload); the next run sends it to the server.
 */
export async function queueResolution(
  db: CarnetDb,
  rejectionId: string,
  resolution: QueuedResolution,
): Promise<boolean> {
  return db.transaction('rw', db.rejections, async () => {
    const current = (await db.rejections.get(rejectionId)) as LocalRejection | undefined
    if (current === undefined || current.resolution !== undefined) return false
    const next: LocalRejection = { ...current, pendingResolution: resolution }
    await db.rejections.put(next)
    return true
  })
}

const pageLocks = new WeakMap<CarnetDb, boolean>()

/**
 * Runs `task` unless a sync already runs: across tabs with Web Locks (`ifAvailable`: a tab that finds the lock
 * taken does not queue behind it, the other tab's run covers it), else with an in-page flag.
 */
export async function withSyncLock<T>(db: CarnetDb, task: () => Promise<T>): Promise<T | { kind: 'busy' }> {
  const locks =
    typeof navigator === 'undefined'
      ? undefined
      : ((navigator.locks as LockManager | null | undefined) ?? undefined)
  if (pageLocks.get(db) === true) return { kind: 'busy' }
  pageLocks.set(db, true)
  try {
    if (locks === undefined) return await task()
    return (await locks.request('carnet-sync', { ifAvailable: true }, async (lock) =>
      lock === null ? { kind: 'busy' as const } : task(),
    )) as T | { kind: 'busy' }
  } finally {
    pageLocks.set(db, false)
  }
}

/** One sync run: push, roll back rejected effects, send resolutions, pull, finish rollbacks, stamp lastSyncAt. */
export async function runSync(deps: ReplayDeps): Promise<SyncRunOutcome> {
  return withSyncLock(deps.db, async (): Promise<SyncRunOutcome> => {
    const aliases = new Map<string, string>()
    const pushed = await pushOutbox(deps, aliases)
    if (pushed.kind !== 'ok') return pushed
    const { summary } = pushed
    await rollBackRejected(deps, { lastSeq: summary.lastSeq, aliases }, 'after-push')
    const resolutions = await sendResolutions(deps)
    if (resolutions !== null) return narrow(resolutions)
    const watch = new Set<string>()
    for (const { mutation } of await rejectedToRollBack(deps.db)) {
      const id = mutation.type === 'patient.update' ? patientIdOf(mutation, aliases) : undefined
      if (id !== undefined) watch.add(id)
    }
    const pulled = await pullAll({
      db: deps.db,
      transport: deps.transport,
      now: deps.now,
      deviceId: deps.deviceId,
      ...(deps.pullLimit === undefined ? {} : { limit: deps.pullLimit }),
      onProgress: (p) => deps.onProgress?.({ phase: 'pull', ...p }),
      watch,
      aliases,
    })
    if (pulled.kind !== 'ok') return narrow(pulled)
    if (pulled.isRevoked) {
      return pulled.revocation === undefined
        ? { kind: 'revoked' }
        : { kind: 'revoked', revocation: pulled.revocation }
    }
    const repaired = await rollBackRejected(
      deps,
      { lastSeq: Math.max(summary.lastSeq, pulled.lastSeq), aliases, pulledPatients: pulled.seenPatients },
      'after-pull',
    )
    if (repaired !== null) return narrow(repaired)
    await deps.db.meta.put({ key: 'lastSyncAt', value: deps.now() })
    return { kind: 'ok', pushed: summary.pushed, pulled: pulled.received, rejected: summary.rejected }
  })
}

function narrow(failure: TransportFailure): Exclude<TransportFailure, { kind: 'seq-gap' }> {
  return failure.kind === 'seq-gap'
    ? {
        kind: 'refused',
        status: 409,
        error: 'seq-gap',
        problems: [],
        detail: { expectedSeq: failure.expectedSeq },
      }
    : failure
}
