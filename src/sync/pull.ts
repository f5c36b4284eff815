// The pull (sync-protocol.md "Pull"): pages of the organisation's changes after the stored cursor, each page
// written in ONE Dexie transaction together with the page's cursor, so an interrupted first sync resumes at the
// last committed page and a page is never half applied.
//
// The server's version is the truth for every record, including the ones this device pushed (they come back
// with their server version; writing them again is idempotent). What the device has queued and the server has
// not applied yet — outbox entries still unsettled and past the page's `lastSeq`, read in the same snapshot —
// must stay visible: that is the pending overlay. Rather than skipping a touched record (which would lose the
// server's version, e.g. another device's edit, with nothing to bring it back if our entry is later rejected
// or changes nothing), the page writes the server version and then re-runs the pending entries of that patient
// file through the same domain rule (applyCommand) on top of it, like a rebase. Entries up to the page's
// `lastSeq` are already in the server's versions, so they drop out of the overlay by that comparison alone.
//
// Speed: a first sync brings ~300,000 records and Chromium writes ~5,000 IndexedDB rows/s, so writes set the
// pace: a page's records are gathered by patient into one file row each (src/db/files.ts), each touched file is
// read once and written once, in one transaction per page, and the next page is fetched and parsed while the
// current one is being written.
import { z } from 'zod'
import { applyCommand, remapMutation } from '../domain/commands/apply-command'
import { CATALOGUE } from '../domain/vaccines/catalogue'
import type { Mutation } from '../shared/commands'
import {
  AdverseEventRecordSchema,
  LotRecordSchema,
  PatientRecordSchema,
  RejectionRecordSchema,
  RoleGrantRecordSchema,
  StepRecordSchema,
  UserRecordSchema,
  type AdverseEventRecord,
  type LotRecord,
  type PatientRecord,
  type RejectionRecord,
  type RejectionResolution,
  type RoleGrantRecord,
  type StepRecord,
  type UserRecord,
} from '../shared/records'
import {
  DeviceRevocationSchema,
  MAX_PULL_LIMIT,
  OrganisationSchema,
  type DeviceRevocation,
  type Organisation,
  type PullChange,
  type PullResponse,
} from '../shared/sync-api'
import { VaccineSchema, type Vaccine } from '../shared/vaccine'
import { UNSYNCED_STATUSES, type CarnetDb, type OutboxRow } from '../db/carnet-db'
import { emptyFile, toPatientFile, withAdverseEvent, withStep, type StoredFile } from '../db/files'
import { deleteFiles, readFiles, writeFiles } from '../db/patients-repo'
import { parseOutboxRow } from './outbox'
import type { SyncTransport, TransportFailure } from './transport'

/** Pull progress for the progress bar: changes received so far and, while the server says there is more, an estimate. */
export type PullProgress = { received: number; total?: number }

/** A rejection as kept on the device: the server's record, plus the person's action while it waits to be sent. */
export type LocalRejection = RejectionRecord & {
  pendingResolution?: { kind: RejectionResolution; note?: string; by: string; at: string }
}

/** What a pull did. */
export type PullOutcome =
  | {
      kind: 'ok'
      received: number
      /** The device's last applied seq on the server, as of the last page. */
      lastSeq: number
      /** The server revoked this device (entity `device-revoked` with its id). */
      isRevoked: boolean
      /** Who revoked it, when and how, when the change says (older servers' changes do not). */
      revocation?: DeviceRevocation
      /** The patient ids of `watch` that a page wrote a server version of. */
      seenPatients: Set<string>
    }
  | (TransportFailure & { received: number })

/** The device tables a pull writes. */
export type PullDeps = {
  db: CarnetDb
  transport: Pick<SyncTransport, 'pull'>
  /** The device clock (ISO 8601) for re-running pending entries. */
  now: () => string
  deviceId: string
  /** Page size (≤ 5000). */
  limit?: number
  onProgress?: (progress: PullProgress) => void
  /** Patient ids whose server version the caller waits for (rollback of a rejected update). */
  watch?: ReadonlySet<string>
  /** Device patient ids merged into existing ones, from this run's push results. */
  aliases?: ReadonlyMap<string, string>
}

const DeviceRevokedSchema = z.object({ id: z.string().min(1) })

type ParsedPage = {
  patients: Map<string, PatientRecord>
  steps: Map<string, StepRecord>
  adverseEvents: Map<string, AdverseEventRecord>
  lots: Map<string, LotRecord>
  vaccines: Map<string, Vaccine>
  users: Map<string, UserRecord>
  grants: Map<string, RoleGrantRecord>
  rejections: Map<string, RejectionRecord>
  /** Revoked devices by id, with their revocation when the change describes it. */
  revokedDevices: Map<string, DeviceRevocation | null>
  /** The organisation's record (its settings), when it changed. */
  organisation: Organisation | null
}

/** Parses every change of a page with the record schemas (later positions win within a page); throws on a bad one. */
export function parsePage(changes: readonly PullChange[]): ParsedPage {
  const page: ParsedPage = {
    patients: new Map(),
    steps: new Map(),
    adverseEvents: new Map(),
    lots: new Map(),
    vaccines: new Map(),
    users: new Map(),
    grants: new Map(),
    rejections: new Map(),
    revokedDevices: new Map(),
    organisation: null,
  }
  for (const change of changes) {
    switch (change.entity) {
      case 'patient': {
        const record = PatientRecordSchema.parse(change.data)
        page.patients.set(record.id, record)
        break
      }
      case 'step': {
        const record = StepRecordSchema.parse(change.data)
        page.steps.set(record.id, record)
        break
      }
      case 'adverse-event': {
        const record = AdverseEventRecordSchema.parse(change.data)
        page.adverseEvents.set(record.id, record)
        break
      }
      case 'lot': {
        const record = LotRecordSchema.parse(change.data)
        page.lots.set(`${record.vaccineId}\u0000${record.lotNumber}`, record)
        break
      }
      case 'vaccine': {
        const record = VaccineSchema.parse(change.data)
        page.vaccines.set(record.id, record)
        break
      }
      case 'user': {
        const record = UserRecordSchema.parse(change.data)
        page.users.set(record.id, record)
        break
      }
      case 'role-grant': {
        const record = RoleGrantRecordSchema.parse(change.data)
        page.grants.set(record.id, record)
        break
      }
      case 'rejection': {
        const record = RejectionRecordSchema.parse(change.data)
        page.rejections.set(record.id, record)
        break
      }
      case 'device-revoked': {
        // Older changes carried the revoker as a bare id: the id alone is what must parse.
        const revocation = DeviceRevocationSchema.safeParse(change.data)
        page.revokedDevices.set(
          DeviceRevokedSchema.parse(change.data).id,
          revocation.success ? revocation.data : null,
        )
        break
      }
      case 'organisation':
        page.organisation = OrganisationSchema.parse(change.data)
        break
    }
  }
  return page
}

/** The patient file a mutation concerns (after a merge, the existing patient's id). */
export function patientIdOf(mutation: Mutation, aliases?: ReadonlyMap<string, string>): string | undefined {
  const id = (mutation.payload as { patientId?: string }).patientId
  return id === undefined ? undefined : (aliases?.get(id) ?? id)
}

/**
 * Takes out of a file what `mutation` added optimistically and can be told apart by id: the step it created (its
 * first version carries the mutation id), the version it appended, the adverse event it recorded; a rejected
 * registration takes the whole local-only file (answered as null). A `patient.update` is not undone here:
 * re-running the pending updates is idempotent (same stamps), and a rejected one needs the server's version
 * (see the replayer).
 */
function stripEffects(file: StoredFile, mutation: Mutation, isRejected: boolean): StoredFile | null {
  switch (mutation.type) {
    case 'patient.register':
      // Only a rejected registration is undone: a pending one is a local-only file the server has not seen yet.
      return isRejected ? null : file
    case 'step.record': {
      const { stepId } = mutation.payload
      return {
        ...file,
        steps: file.steps.filter((s) => !(s.id === stepId && s.versions[0]?.mutationId === mutation.id)),
      }
    }
    case 'step.amend': {
      const { stepId } = mutation.payload
      const steps = file.steps.flatMap((step): StepRecord[] => {
        if (step.id !== stepId || !step.versions.some((v) => v.mutationId === mutation.id)) return [step]
        const versions = step.versions.filter((v) => v.mutationId !== mutation.id)
        return versions.length === 0 ? [] : [{ ...step, versions } as StepRecord]
      })
      return { ...file, steps }
    }
    case 'adverse-event.record': {
      const { eventId } = mutation.payload
      return {
        ...file,
        adverseEvents: file.adverseEvents.filter((e) => !(e.id === eventId && e.at === mutation.at)),
      }
    }
    default:
      return file
  }
}

/** What the rule reads besides the file: the catalogue, the members and their grants. */
type Reference = { catalogue: Vaccine[]; users: UserRecord[]; grants: RoleGrantRecord[] }

async function readReference(db: CarnetDb): Promise<Reference> {
  const [vaccines, users, grants] = await Promise.all([
    db.vaccines.toArray(),
    db.users.toArray(),
    db.roleGrants.toArray(),
  ])
  return { catalogue: vaccines.length > 0 ? vaccines : [...CATALOGUE], users, grants }
}

/**
 * Rebuilds files in memory as "server version + pending overlay": strips what rejected and pending entries
 * added, then re-runs the pending ones (in seq order) through the domain rule. Answers the files to write, and
 * null for a file to delete.
 */
function rebaseInMemory(
  files: ReadonlyMap<string, StoredFile>,
  pending: ReadonlyMap<string, readonly Mutation[]>,
  rejected: ReadonlyMap<string, readonly Mutation[]>,
  reference: Reference,
  options: { now: string; aliases?: ReadonlyMap<string, string> },
): Map<string, StoredFile | null> {
  const out = new Map<string, StoredFile | null>()
  const mapped = options.aliases === undefined ? undefined : Object.fromEntries(options.aliases)
  for (const [patientId, original] of files) {
    const mine = pending.get(patientId) ?? []
    const refused = rejected.get(patientId) ?? []
    if (mine.length === 0 && refused.length === 0) continue
    let file: StoredFile | null = original
    for (const mutation of refused) if (file !== null) file = stripEffects(file, mutation, true)
    for (const mutation of mine) if (file !== null) file = stripEffects(file, mutation, false)
    for (const entry of mine) {
      if (file === null) break
      if (entry.type === 'patient.register') continue
      const mutation = mapped === undefined ? entry : remapMutation(entry, mapped)
      const patientFile = toPatientFile(file)
      if (patientFile === undefined) break
      const outcome = applyCommand({ ...reference, files: [patientFile] }, mutation, { now: options.now })
      // A pending entry the server's version now refuses stays queued: the server will judge it and, if it
      // refuses too, the rejection reaches the inbox. The local view shows the server's version meanwhile.
      if (!outcome.ok) continue
      const { effects } = outcome
      if (effects.patient !== undefined) file = { ...file, patient: effects.patient }
      if (effects.step !== undefined) file = withStep(file, effects.step)
      if (effects.adverseEvent !== undefined) file = withAdverseEvent(file, effects.adverseEvent)
    }
    out.set(patientId, file)
  }
  return out
}

/** Groups mutations by the patient file they concern (after merges, the existing patient's id). */
function byPatient(
  mutations: readonly Mutation[],
  patientIds: ReadonlySet<string>,
  aliases?: ReadonlyMap<string, string>,
): Map<string, Mutation[]> {
  const out = new Map<string, Mutation[]>()
  for (const mutation of mutations) {
    const id = patientIdOf(mutation, aliases)
    if (id !== undefined && patientIds.has(id)) out.set(id, [...(out.get(id) ?? []), mutation])
  }
  return out
}

/** Pending overlays of `patientIds`: the unsettled outbox entries past `lastSeq`, in seq order, by patient. */
async function pendingOf(
  db: CarnetDb,
  patientIds: ReadonlySet<string>,
  lastSeq: number,
  aliases?: ReadonlyMap<string, string>,
): Promise<Map<string, Mutation[]>> {
  const unsettled = await pendingPast(db, lastSeq)
  return byPatient(
    unsettled.map((row) => parseOutboxRow(row).mutation),
    patientIds,
    aliases,
  )
}

/**
 * Rebuilds the local view of patient files as "server version + pending overlay" (see `rebaseInMemory`) and
 * writes them. Call inside a read-write transaction over the files, the name index, the reference tables and
 * the outbox.
 */
export async function rebaseFiles(
  db: CarnetDb,
  patientIds: ReadonlySet<string>,
  options: {
    lastSeq: number
    now: string
    aliases?: ReadonlyMap<string, string>
    rejected?: readonly Mutation[]
  },
): Promise<void> {
  if (patientIds.size === 0) return
  const pending = await pendingOf(db, patientIds, options.lastSeq, options.aliases)
  const rejected = byPatient(options.rejected ?? [], patientIds, options.aliases)
  if (pending.size === 0 && rejected.size === 0) return
  const files = await readFiles(db, new Set([...pending.keys(), ...rejected.keys()]))
  const rebased = rebaseInMemory(files, pending, rejected, await readReference(db), options)
  await writeRebased(db, rebased)
}

async function writeRebased(db: CarnetDb, rebased: ReadonlyMap<string, StoredFile | null>): Promise<void> {
  const gone = [...rebased].filter(([, file]) => file === null).map(([id]) => id)
  await writeFiles(
    db,
    [...rebased.values()].filter((file): file is StoredFile => file !== null),
  )
  await deleteFiles(db, gone)
}

/** Outbox rows the server has not applied as of `lastSeq` (still unsettled and past it), in seq order. */
async function pendingPast(db: CarnetDb, lastSeq: number): Promise<OutboxRow[]> {
  const rows = await db.outbox.where('status').anyOf(UNSYNCED_STATUSES).toArray()
  return rows.filter((r) => r.seq > lastSeq).sort((a, b) => a.seq - b.seq)
}

function touchedPatients(page: ParsedPage): Set<string> {
  const ids = new Set<string>(page.patients.keys())
  for (const step of page.steps.values()) ids.add(step.patientId)
  for (const event of page.adverseEvents.values()) ids.add(event.patientId)
  return ids
}

/**
 * Writes one parsed page and its cursor in one transaction; answers whether this device is revoked (with the
 * revocation when the change describes it) or `false`. Each file the page touches is read once, takes the
 * server's records, gets its pending overlay re-run on top, and is written once.
 */
async function applyPage(
  deps: PullDeps,
  response: PullResponse,
  page: ParsedPage,
  seen: Set<string>,
): Promise<false | { revocation: DeviceRevocation | null }> {
  const { db } = deps
  return db.transaction(
    'rw',
    [
      db.files,
      db.nameIndex,
      db.lots,
      db.vaccines,
      db.users,
      db.roleGrants,
      db.rejections,
      db.outbox,
      db.meta,
    ],
    async () => {
      if (page.lots.size > 0) await db.lots.bulkPut([...page.lots.values()])
      if (page.vaccines.size > 0) await db.vaccines.bulkPut([...page.vaccines.values()])
      if (page.users.size > 0) await db.users.bulkPut([...page.users.values()])
      if (page.grants.size > 0) await db.roleGrants.bulkPut([...page.grants.values()])
      if (page.rejections.size > 0) await putRejections(db, [...page.rejections.values()])
      if (page.organisation !== null) await db.meta.put({ key: 'organisation', value: page.organisation })
      const ids = touchedPatients(page)
      if (ids.size > 0) {
        const [files, pending] = await Promise.all([
          readFiles(db, ids),
          pendingOf(db, ids, response.lastSeq, deps.aliases),
        ])
        const fileOf = (id: string) => files.get(id) ?? emptyFile(id)
        for (const patient of page.patients.values())
          files.set(patient.id, { ...fileOf(patient.id), patient })
        for (const step of page.steps.values())
          files.set(step.patientId, withStep(fileOf(step.patientId), step))
        for (const event of page.adverseEvents.values())
          files.set(event.patientId, withAdverseEvent(fileOf(event.patientId), event))
        const rebased =
          pending.size === 0
            ? new Map<string, StoredFile | null>()
            : rebaseInMemory(files, pending, new Map(), await readReference(db), {
                now: deps.now(),
                ...(deps.aliases === undefined ? {} : { aliases: deps.aliases }),
              })
        for (const [id, file] of rebased) if (file !== null) files.set(id, file)
        await writeFiles(db, files.values())
      }
      await db.meta.put({ key: 'pullCursor', value: response.cursor })
      if (deps.watch !== undefined)
        for (const id of page.patients.keys()) if (deps.watch.has(id)) seen.add(id)
      const revoked = page.revokedDevices.get(deps.deviceId)
      return revoked === undefined ? false : { revocation: revoked }
    },
  )
}

/**
 * Stores server rejections, keeping the person's action that this device has not sent yet: the server's record
 * wins, except that an unresolved one does not erase a resolution waiting in this device's queue.
 */
export async function putRejections(db: CarnetDb, records: readonly RejectionRecord[]): Promise<void> {
  const existing = (await db.rejections.bulkGet(records.map((r) => r.id))) as (LocalRejection | undefined)[]
  const rows: LocalRejection[] = records.map((record, i) => {
    const waiting = existing[i]?.pendingResolution
    return record.resolution === undefined && waiting !== undefined
      ? { ...record, pendingResolution: waiting }
      : record
  })
  await db.rejections.bulkPut(rows)
}

/** The stored pull cursor ('' before the first page). */
export async function storedCursor(db: CarnetDb): Promise<string> {
  const row = await db.meta.get('pullCursor')
  return row?.key === 'pullCursor' ? row.value : ''
}

type Fetched = { response: PullResponse; page: ParsedPage } | TransportFailure

async function fetchPage(deps: PullDeps, after: string, limit: number): Promise<Fetched> {
  const result = await deps.transport.pull(after, limit)
  if (result.kind !== 'ok') return result
  try {
    return { response: result.value, page: parsePage(result.value.changes) }
  } catch {
    return { kind: 'transient', reason: 'invalid-response', status: 200 }
  }
}

/**
 * Pulls every page after the stored cursor. Each page is committed with its cursor before the next is
 * acted on; the next request is already in flight meanwhile (its cursor is known as soon as a page arrives).
 */
export async function pullAll(deps: PullDeps): Promise<PullOutcome> {
  const limit = Math.min(deps.limit ?? MAX_PULL_LIMIT, MAX_PULL_LIMIT)
  const seen = new Set<string>()
  let received = 0
  let isRevoked = false
  let revocation: DeviceRevocation | null = null
  let lastSeq = 0
  let next = fetchPage(deps, await storedCursor(deps.db), limit)
  for (;;) {
    const fetched = await next
    if ('kind' in fetched) return { ...fetched, received }
    const { response, page } = fetched
    if (response.hasMore) next = fetchPage(deps, response.cursor, limit)
    try {
      const revoked = await applyPage(deps, response, page, seen)
      if (revoked !== false) {
        isRevoked = true
        revocation = revoked.revocation
      }
    } catch (error) {
      // The prefetched page is dropped with the failure: the cursor stays at the last committed page.
      if (response.hasMore) void next.catch(() => undefined)
      throw error
    }
    received += response.changes.length
    lastSeq = response.lastSeq
    // The server tells only whether more follows: at least one more page is then a floor for the estimate.
    deps.onProgress?.(
      response.hasMore ? { received, total: received + limit } : { received, total: received },
    )
    if (!response.hasMore || isRevoked) break
  }
  return {
    kind: 'ok',
    received,
    lastSeq,
    isRevoked,
    ...(revocation === null ? {} : { revocation }),
    seenPatients: seen,
  }
}

/**
 * Reads the server's current version of some patients by walking the whole change log from the start without
 * touching the stored cursor (the log keeps only each record's latest change). Used only to roll back a
 * rejected `patient.update`, whose previous values the device no longer has; `null` = the server has none.
 */
export async function fetchServerPatients(
  transport: Pick<SyncTransport, 'pull'>,
  ids: ReadonlySet<string>,
): Promise<Map<string, PatientRecord | null> | TransportFailure> {
  const found = new Map<string, PatientRecord | null>([...ids].map((id) => [id, null]))
  let after = ''
  for (;;) {
    const result = await transport.pull(after, MAX_PULL_LIMIT)
    if (result.kind !== 'ok') return result
    for (const change of result.value.changes) {
      if (change.entity !== 'patient' || !ids.has(change.id)) continue
      const parsed = PatientRecordSchema.safeParse(change.data)
      if (parsed.success) found.set(change.id, parsed.data)
    }
    if (!result.value.hasMore) return found
    after = result.value.cursor
  }
}
