// The push of sync-protocol.md, as a service the HTTP routes (push, import) call:
//   1. framing: ≤ 500 mutations (413), known envelope versions (426), PushRequestSchema (400 with the issues):
//      a refused request applies nothing;
//   2. every actor a member of the device's organisation (one that is not refuses the whole request, nothing
//      applied), and every signature checked over the envelope as received, with the key of (actor, device): a
//      mutation whose signature does not match is not applied but rejected on its own (`signature-mismatch`),
//      like a rule refusal, so the device's queue moves on and the dashboard sees it (docs/device-encryption.md);
//   3. one transaction per request, holding the organisation's position lock (which serialises the
//      organisation's writers on PostgreSQL as SQLite's single writer does): mutations are taken in order,
//      each either a replay (seq ≤ lastSeq: its stored result again, `replayed: true`, nothing changes) or the
//      next seq (applied or rejected by the same src/domain rules the device ran, against the server's state);
//   4. the first mutation that is neither (a gap, or an id/seq already bound to another mutation) ends the
//      batch: when it is the first of the request the answer is `409 seq-gap` (or `mutation-id-reused`) and
//      nothing is applied; otherwise the prefix before it is committed and answered `200`, with results for that
//      prefix only and `lastSeq` telling the device where the server stands (its next push then meets the 409);
//   5. effects, change-log rows with their positions, results, rejections, audit rows and devices.last_seq are
//      written together and committed before the answer is sent.
import type { AuditEntry, CommandEffects, CommandState } from '../../../src/domain/commands/apply-command'
import {
  applyCommand,
  auditRefusal,
  CLOCK_SKEW_TOLERANCE_MS,
  recordsToLoad,
  remapMutation,
} from '../../../src/domain/commands/apply-command'
import { identityKeys } from '../../../src/domain/patients/identity'
import type { PatientFile } from '../../../src/domain/patients/patient-file'
import { CATALOGUE } from '../../../src/domain/vaccines/catalogue'
import { ENVELOPE_VERSIONS, type Mutation } from '../../../src/shared/commands'
import type { ErrorResponse, RuleErrorCode } from '../../../src/shared/errors'
import {
  AdverseEventRecordSchema,
  PatientRecordSchema,
  StepRecordSchema,
  type AdverseEventRecord,
  type PatientRecord,
  type RejectionRecord,
  type StepRecord,
} from '../../../src/shared/records'
import {
  MAX_PUSH_MUTATIONS,
  PushRequestSchema,
  PushResultSchema,
  type PushResponse,
  type PushResult,
} from '../../../src/shared/sync-api'
import type { Catalogue } from '../../../src/shared/vaccine'
import type { Clock } from '../clock'
import { issuesOf, protocolError } from '../http-errors'
import type { Store, StoreQueries } from '../store'
import type {
  AliasWrite,
  AuditWrite,
  LotWrite,
  NewChange,
  PatientWrite,
  RejectionWrite,
  ResultWrite,
  StepWrite,
  AdverseEventWrite,
} from '../store/sync-queries'
import { roleGrantRecordOf, userRecordOf } from '../store/sync-records'
import { auditFactsOf, chainAudit, type AuditFacts } from './sync-audit'
import { signingKeyOf, verifyEnvelope } from './sync-signatures'

export type PushDeps = { readonly store: Store; readonly clock: Clock; readonly catalogue?: Catalogue }

/** The device whose queue is pushed (the authenticated device, or an imported file's device). */
export type PushDevice = { readonly id: string; readonly organisationId: string }

export type Refusal = { readonly status: number; readonly body: ErrorResponse }

export type PushOutcome =
  | { readonly ok: true; readonly response: PushResponse; readonly changed: boolean }
  | { readonly ok: false; readonly refusal: Refusal }

const MAX_KNOWN_VERSION = Math.max(...ENVELOPE_VERSIONS)

function refused(refusal: Refusal): PushOutcome {
  return { ok: false, refusal }
}

/** Refuses what the framing forbids before anything is parsed in depth (sizes, envelope versions). */
export function checkFraming(body: unknown, bytes: number, maxBytes: number): Refusal | null {
  if (bytes > maxBytes) return protocolError('payload-too-large', { maxBytes })
  const mutations = (body as { mutations?: unknown } | null)?.mutations
  if (!Array.isArray(mutations)) return null
  if (mutations.length > MAX_PUSH_MUTATIONS) {
    return protocolError('payload-too-large', { maxMutations: MAX_PUSH_MUTATIONS })
  }
  for (const m of mutations) {
    const v = (m as { v?: unknown } | null)?.v
    if (typeof v === 'number' && Number.isInteger(v) && v > MAX_KNOWN_VERSION) {
      return protocolError('upgrade-required', { envelopeVersion: v, known: [...ENVELOPE_VERSIONS] })
    }
  }
  return null
}

/** A push that passed parsing and authentication: ready to run in one transaction. */
export type PreparedPush = {
  readonly device: PushDevice
  readonly mutations: readonly Mutation[]
  readonly raws: readonly unknown[]
  /** Indexes of the mutations whose signature does not match their author's key on the device (or who has none). */
  readonly unverified: ReadonlySet<number>
}

/**
 * Parses a push body (already framed) for `device` and authenticates every envelope; nothing is read from or
 * written to the sync tables yet, so a refusal here applies nothing.
 */
export async function preparePush(
  deps: PushDeps,
  device: PushDevice,
  body: unknown,
): Promise<{ ok: true; push: PreparedPush } | { ok: false; refusal: Refusal }> {
  const parsed = PushRequestSchema.safeParse(body)
  if (!parsed.success) {
    return {
      ok: false,
      refusal: { status: 400, body: { error: 'invalid-request', issues: issuesOf(parsed.error) } },
    }
  }
  const request = parsed.data
  if (request.deviceId !== device.id) {
    return { ok: false, refusal: protocolError('device-mismatch', { deviceId: request.deviceId }) }
  }
  const raws = (body as { mutations: unknown[] }).mutations

  const keys = new Map<string, Buffer | null>()
  const unverified = new Set<number>()
  for (const [i, m] of request.mutations.entries()) {
    let key = keys.get(m.actor.userId)
    if (key === undefined) {
      const stored = await deps.store.getDeviceKey(m.actor.userId, device.id)
      key = stored === null ? null : signingKeyOf(stored)
      keys.set(m.actor.userId, key)
    }
    if (key === null || !verifyEnvelope(raws[i], key)) unverified.add(i)
  }
  for (const userId of keys.keys()) {
    const user = await deps.store.getUser(userId)
    if (user === null || user.organisationId !== device.organisationId) {
      return { ok: false, refusal: protocolError('forbidden', { userId }) }
    }
  }
  return { ok: true, push: { device, mutations: request.mutations, raws, unverified } }
}

/** Applies a prepared push in one transaction, committed before this resolves. */
export function commitPush(deps: PushDeps, push: PreparedPush): Promise<PushOutcome> {
  const now = deps.clock.now().toISOString()
  const catalogue = deps.catalogue ?? CATALOGUE
  return deps.store.withTransaction((tx) =>
    applyBatch(tx, { device: push.device, now, catalogue }, push.mutations, push.raws, push.unverified),
  )
}

/** Parses, authenticates and applies a push body (already framed) for `device`. */
export async function pushMutations(deps: PushDeps, device: PushDevice, body: unknown): Promise<PushOutcome> {
  const prepared = await preparePush(deps, device, body)
  return prepared.ok ? commitPush(deps, prepared.push) : refused(prepared.refusal)
}

type BatchEnv = { readonly device: PushDevice; readonly now: string; readonly catalogue: Catalogue }

type MutableFile = { patient: PatientRecord; steps: StepRecord[]; adverseEvents: AdverseEventRecord[] }

type KeyColumns = { nir: string[]; niss: string[]; beneficiary: string[] }

function keyColumns(keys: readonly string[]): KeyColumns {
  const out: KeyColumns = { nir: [], niss: [], beneficiary: [] }
  for (const key of keys) {
    if (key.startsWith('NIR:')) out.nir.push(key)
    else if (key.startsWith('NISS:')) out.niss.push(key)
    else out.beneficiary.push(key)
  }
  return out
}

function strongKeysOf(patient: PatientRecord): string[] {
  return identityKeys(patient).strong
}

const patientIdOf = (m: Mutation): string | undefined => (m.payload as { patientId?: string }).patientId

/** The steps a device's audit events (prints, exports) name, whose patient the audit row must carry. */
const auditedStepIds = (m: Mutation): string[] =>
  m.type === 'audit.append'
    ? m.payload.events.flatMap((e) => (e.entity === 'step' && e.entityId !== undefined ? [e.entityId] : []))
    : []

/**
 * The patient an audit row concerns, so that « every read, print and export of this patient » is one indexed
 * query: a device's audit events name a patient, a certificate (by patient id) or a step (whose owner is known).
 */
function patientOfAuditEntry(
  records: BatchRecords,
  mutation: Mutation,
  entry: AuditEntry,
  concerned: string | null,
): string | null {
  if (mutation.type !== 'audit.append') {
    return entry.entity === 'lot' || entry.entity === 'activity' ? null : concerned
  }
  if (entry.entityId === undefined) return null
  if (entry.entity === 'patient' || entry.entity === 'certificate') return records.resolve(entry.entityId)
  if (entry.entity === 'step') return records.stepOwner.get(entry.entityId) ?? null
  return null
}

/**
 * What the batch knows of the organisation's records: loaded once, then kept current in memory as mutations
 * apply, so each mutation sees its predecessors' effects without re-reading, and all writes go out at the end.
 */
class BatchRecords {
  readonly files = new Map<string, MutableFile>()
  private readonly absent = new Set<string>()
  private readonly queriedKeys = new Set<string>()
  private readonly keyOwner = new Map<string, string>()
  readonly aliases = new Map<string, string>()
  private readonly aliasQueried = new Set<string>()
  readonly stepOwner = new Map<string, string>()
  private readonly stepQueried = new Set<string>()
  readonly eventOwner = new Map<string, string>()
  private readonly eventQueried = new Set<string>()

  constructor(
    private readonly tx: StoreQueries,
    private readonly organisationId: string,
  ) {}

  resolve(id: string): string {
    return this.aliases.get(id) ?? id
  }

  async load(ids: readonly string[], keys: readonly string[]): Promise<void> {
    const org = this.organisationId
    const aliasNeeded = ids.filter((id) => !this.aliasQueried.has(id))
    if (aliasNeeded.length > 0) {
      for (const a of await this.tx.aliases(org, aliasNeeded)) this.aliases.set(a.aliasId, a.patientId)
      for (const id of aliasNeeded) this.aliasQueried.add(id)
    }
    const resolved = ids.map((id) => this.resolve(id))
    const idsNeeded = [...new Set(resolved.filter((id) => !this.files.has(id) && !this.absent.has(id)))]
    const keysNeeded = [...new Set(keys.filter((k) => !this.queriedKeys.has(k)))]
    if (idsNeeded.length === 0 && keysNeeded.length === 0) return
    const rows = await this.tx.patientsByIdsOrKeys(org, idsNeeded, keyColumns(keysNeeded))
    const fresh = rows.filter((r) => !this.files.has(r.id))
    for (const row of fresh) {
      const patient = PatientRecordSchema.parse(JSON.parse(row.data))
      this.files.set(patient.id, { patient, steps: [], adverseEvents: [] })
      for (const key of strongKeysOf(patient)) this.keyOwner.set(key, patient.id)
    }
    const freshIds = fresh.map((r) => r.id)
    for (const step of await this.tx.stepsOf(org, freshIds)) {
      const record = StepRecordSchema.parse(JSON.parse(step.data))
      this.files.get(step.patientId)?.steps.push(record)
      this.stepOwner.set(step.id, step.patientId)
    }
    for (const event of await this.tx.adverseEventsOf(org, freshIds)) {
      const record = AdverseEventRecordSchema.parse(JSON.parse(event.data))
      this.files.get(event.patientId)?.adverseEvents.push(record)
      this.eventOwner.set(event.id, event.patientId)
    }
    for (const id of idsNeeded) if (!this.files.has(id)) this.absent.add(id)
    for (const key of keysNeeded) this.queriedKeys.add(key)
  }

  async loadOwners(stepIds: readonly string[], eventIds: readonly string[]): Promise<void> {
    const org = this.organisationId
    const steps = stepIds.filter((id) => !this.stepQueried.has(id) && !this.stepOwner.has(id))
    if (steps.length > 0) {
      for (const s of await this.tx.stepOwners(org, steps)) this.stepOwner.set(s.id, s.patientId)
      for (const id of steps) this.stepQueried.add(id)
    }
    const events = eventIds.filter((id) => !this.eventQueried.has(id) && !this.eventOwner.has(id))
    if (events.length > 0) {
      for (const e of await this.tx.adverseEventOwners(org, events)) this.eventOwner.set(e.id, e.patientId)
      for (const id of events) this.eventQueried.add(id)
    }
  }

  /** The files a mutation concerns: its patient (after aliases) and those sharing a strong identity key. */
  filesFor(patientIds: readonly string[], keys: readonly string[]): PatientFile[] {
    const ids = new Set(patientIds.map((id) => this.resolve(id)))
    for (const key of keys) {
      const owner = this.keyOwner.get(key)
      if (owner !== undefined) ids.add(owner)
    }
    return [...ids].flatMap((id) => {
      const file = this.files.get(id)
      return file === undefined ? [] : [file]
    })
  }

  putPatient(patient: PatientRecord): void {
    const existing = this.files.get(patient.id)
    if (existing !== undefined) {
      for (const key of strongKeysOf(existing.patient)) {
        if (this.keyOwner.get(key) === patient.id) this.keyOwner.delete(key)
      }
      existing.patient = patient
    } else {
      this.files.set(patient.id, { patient, steps: [], adverseEvents: [] })
      this.absent.delete(patient.id)
    }
    for (const key of strongKeysOf(patient)) this.keyOwner.set(key, patient.id)
  }

  putStep(step: StepRecord): void {
    const file = this.files.get(step.patientId)
    if (file === undefined) throw new Error(`step ${step.id} of an unloaded patient ${step.patientId}`)
    const at = file.steps.findIndex((s) => s.id === step.id)
    if (at >= 0) file.steps[at] = step
    else file.steps.push(step)
    this.stepOwner.set(step.id, step.patientId)
  }

  putAdverseEvent(event: AdverseEventRecord): void {
    const file = this.files.get(event.patientId)
    if (file === undefined) throw new Error(`event ${event.id} of an unloaded patient ${event.patientId}`)
    file.adverseEvents.push(event)
    this.eventOwner.set(event.id, event.patientId)
  }
}

function currentStepVersion(step: StepRecord): number {
  return step.versions[step.versions.length - 1]?.version ?? 1
}

function keyOfKind(keys: readonly string[], prefix: 'NIR:' | 'NISS:' | 'OD:'): string | null {
  return keys.find((k) => k.startsWith(prefix)) ?? null
}

function patientWrite(patient: PatientRecord): PatientWrite {
  const keys = strongKeysOf(patient)
  return {
    id: patient.id,
    version: patient.version,
    codeDeCiblage: patient.codeDeCiblage,
    nirKey: keyOfKind(keys, 'NIR:'),
    nissKey: keyOfKind(keys, 'NISS:'),
    beneficiaryKey: keys.find((k) => !k.startsWith('NIR:') && !k.startsWith('NISS:')) ?? null,
    data: patient,
    createdAt: new Date(patient.createdAt).toISOString(),
    updatedAt: new Date(patient.updatedAt).toISOString(),
  }
}

type StoredResult = PushResult

async function applyBatch(
  tx: StoreQueries,
  env: BatchEnv,
  mutations: readonly Mutation[],
  raws: readonly unknown[],
  unverified: ReadonlySet<number>,
): Promise<PushOutcome> {
  const org = env.device.organisationId
  let position = await tx.lockPositions(org)
  const lastSeqBefore = await tx.deviceLastSeq(env.device.id)
  if (lastSeqBefore === null) throw new Error(`device ${env.device.id} vanished during a push`)

  const replaySeqs = mutations.filter((m) => m.seq <= lastSeqBefore).map((m) => m.seq)
  const stored = new Map<number, { mutationId: string; result: StoredResult }>()
  for (const row of await tx.storedResults(env.device.id, replaySeqs)) {
    stored.set(row.seq, {
      mutationId: row.mutationId,
      result: PushResultSchema.parse(JSON.parse(row.result)),
    })
  }
  const candidates = mutations.filter((m) => m.seq > lastSeqBefore)
  const usedIds = new Map(
    (await tx.usedMutationIds(candidates.map((m) => m.id))).map((u) => [u.mutationId, u]),
  )

  const records = new BatchRecords(tx, org)
  const loads = candidates.map((m) => recordsToLoad(m))
  await records.load(
    loads.flatMap((l) => l.patientIds),
    loads.flatMap((l) => l.identityKeys),
  )
  await records.loadOwners(
    candidates.flatMap((m) => (m.type === 'step.record' ? [m.payload.stepId] : [])),
    candidates.flatMap((m) => (m.type === 'adverse-event.record' ? [m.payload.eventId] : [])),
  )

  const users = (await tx.listUsers(org)).map(userRecordOf)
  const grants = (await tx.organisationGrants(org)).map(roleGrantRecordOf)
  const actors = [...new Set(candidates.map((m) => m.actor.userId))]
  const signIns = new Map(
    (await tx.signInTimes(env.device.id, actors)).map((s) => [
      s.userId,
      new Date(Date.parse(s.at) - CLOCK_SKEW_TOLERANCE_MS).toISOString(),
    ]),
  )

  const results: PushResult[] = []
  const resultWrites: ResultWrite[] = []
  const patients = new Map<string, PatientWrite>()
  const steps = new Map<string, StepWrite>()
  const adverseEvents: AdverseEventWrite[] = []
  const lots = new Map<string, LotWrite>()
  const aliases: AliasWrite[] = []
  const changes: NewChange[] = []
  const rejections: RejectionWrite[] = []
  const audit: AuditFacts[] = []
  const inBatch = new Map<number, StoredResult>()
  const idsInBatch = new Set<string>()
  let lastSeq = lastSeqBefore
  let stop: Refusal | null = null

  const change = (entity: NewChange['entity'], entityId: string, version: number | null, data: unknown) => {
    position += 1
    changes.push({ position, entity, entityId, version, data })
    return position
  }

  for (const [index, original] of mutations.entries()) {
    const isUnverified = unverified.has(index)
    if (original.seq <= lastSeq) {
      const previous = inBatch.get(original.seq) ?? stored.get(original.seq)?.result
      if (previous === undefined || previous.id !== original.id) {
        stop = protocolError('mutation-id-reused', { id: original.id, seq: original.seq })
        break
      }
      // An unverified copy is answered only the refusal it met: what was applied is not told to a forger.
      if (isUnverified && !(previous.status === 'rejected' && previous.error === 'signature-mismatch')) {
        stop = protocolError('invalid-signature', { id: original.id, seq: original.seq })
        break
      }
      results.push({ ...previous, replayed: true })
      continue
    }
    if (original.seq !== lastSeq + 1) {
      stop = protocolError('seq-gap', { expectedSeq: lastSeq + 1, lastSeq })
      break
    }
    const used = usedIds.get(original.id)
    if (used !== undefined || idsInBatch.has(original.id)) {
      stop = protocolError('mutation-id-reused', { id: original.id, seq: original.seq })
      break
    }

    const need = recordsToLoad(original)
    await records.load(need.patientIds, need.identityKeys)
    const pid = patientIdOf(original)
    const target = pid === undefined ? undefined : records.aliases.get(pid)
    const mutation =
      target === undefined || pid === undefined ? original : remapMutation(original, { [pid]: target })
    const remapped = recordsToLoad(mutation)
    if (mutation.type === 'step.record') await records.loadOwners([mutation.payload.stepId], [])
    if (mutation.type === 'adverse-event.record') await records.loadOwners([], [mutation.payload.eventId])
    if (mutation.type === 'audit.append') await records.loadOwners(auditedStepIds(mutation), [])

    const state: CommandState = {
      catalogue: env.catalogue,
      users,
      grants,
      files: records.filesFor(remapped.patientIds, remapped.identityKeys),
    }
    const signInAt = signIns.get(mutation.actor.userId)
    // A mutation nobody can vouch for is never run: set aside whole, with its reason, like a refused one.
    const outcome: ReturnType<typeof applyCommand> = isUnverified
      ? { ok: false, error: 'signature-mismatch' }
      : applyCommand(state, mutation, {
          now: env.now,
          ...(signInAt === undefined ? {} : { signInAt }),
        })
    const verdict = outcome.ok ? serverChecks(records, mutation, outcome.effects) : outcome
    let result: StoredResult
    if (verdict.ok) {
      const effects = verdict.effects
      let last: number | null = null
      if (effects.patient !== undefined) {
        records.putPatient(effects.patient)
        patients.set(effects.patient.id, patientWrite(effects.patient))
        last = change('patient', effects.patient.id, effects.patient.version, effects.patient)
      }
      if (effects.step !== undefined) {
        const step = effects.step
        records.putStep(step)
        steps.set(step.id, {
          id: step.id,
          patientId: step.patientId,
          kind: step.kind,
          version: currentStepVersion(step),
          data: step,
          updatedAt: env.now,
        })
        last = change('step', step.id, currentStepVersion(step), step)
      }
      if (effects.adverseEvent !== undefined) {
        const event = effects.adverseEvent
        records.putAdverseEvent(event)
        adverseEvents.push({
          id: event.id,
          patientId: event.patientId,
          stepId: event.stepId,
          data: event,
          recordedAt: env.now,
        })
        last = change('adverse-event', event.id, 1, event)
      }
      if (effects.lot !== undefined) {
        const lot = effects.lot
        const id = `${lot.vaccineId}:${lot.lotNumber}`
        lots.set(id, {
          vaccineId: lot.vaccineId,
          lotNumber: lot.lotNumber,
          expiry: lot.expiry ?? null,
          data: lot,
          updatedAt: env.now,
        })
        last = change('lot', id, null, lot)
      }
      for (const [from, to] of Object.entries(effects.mappedIds ?? {})) {
        records.aliases.set(from, to)
        aliases.push({ aliasId: from, patientId: to, mutationId: mutation.id })
      }
      const concerned =
        effects.patient?.id ?? Object.values(effects.mappedIds ?? {})[0] ?? patientIdOf(mutation) ?? null
      for (const entry of effects.audit) {
        audit.push(auditFactsOf(entry, patientOfAuditEntry(records, mutation, entry, concerned)))
      }
      result = {
        id: mutation.id,
        seq: mutation.seq,
        status: 'applied',
        position: last ?? position,
        ...(effects.mappedIds === undefined || Object.keys(effects.mappedIds).length === 0
          ? {}
          : { mappedIds: { ...effects.mappedIds } }),
        ...(effects.warnings.length === 0 ? {} : { warnings: [...new Set(effects.warnings)] }),
      }
    } else {
      const rejection: RejectionRecord = {
        id: mutation.id,
        mutation: raws[index] as RejectionRecord['mutation'],
        error: verdict.error,
        ...(verdict.detail === undefined ? {} : { detail: { ...verdict.detail } }),
        rejectedAt: env.now,
      }
      rejections.push({
        mutationId: mutation.id,
        deviceId: env.device.id,
        userId: mutation.actor.userId,
        seq: mutation.seq,
        mutation: raws[index],
        error: verdict.error,
        detail: verdict.detail,
        rejectedAt: env.now,
      })
      change('rejection', mutation.id, null, rejection)
      audit.push(auditFactsOf(auditRefusal(mutation, verdict.error, env.now), patientIdOf(mutation) ?? null))
      result = {
        id: mutation.id,
        seq: mutation.seq,
        status: 'rejected',
        error: verdict.error,
        ...(verdict.detail === undefined ? {} : { detail: { ...verdict.detail } }),
      }
    }
    inBatch.set(mutation.seq, result)
    idsInBatch.add(mutation.id)
    resultWrites.push({ seq: mutation.seq, mutationId: mutation.id, status: result.status, result })
    results.push(result)
    lastSeq = mutation.seq
  }

  if (stop !== null && results.length === 0) return refused(stop)

  if (resultWrites.length > 0) {
    const chained: AuditWrite[] = chainAudit(org, await tx.lastAuditLink(org), audit)
    await tx.writePush({
      organisationId: org,
      deviceId: env.device.id,
      lastSeq,
      lastPosition: position,
      receivedAt: env.now,
      patients: [...patients.values()],
      steps: [...steps.values()],
      adverseEvents,
      lots: [...lots.values()],
      aliases,
      changes,
      results: resultWrites,
      rejections,
      audit: chained,
    })
  }
  return {
    ok: true,
    response: { results, lastSeq, serverTime: env.now },
    changed: changes.length > 0,
  }
}

type Verdict =
  | { readonly ok: true; readonly effects: CommandEffects }
  | { readonly ok: false; readonly error: RuleErrorCode; readonly detail?: Readonly<Record<string, unknown>> }

/**
 * What only the server can see: ids are device-made and unique per organisation, so a new step, event or
 * patient may not reuse an id held by another patient's record or by a merged registration.
 */
function serverChecks(records: BatchRecords, mutation: Mutation, effects: CommandEffects): Verdict {
  if (mutation.type === 'patient.register' && effects.patient !== undefined) {
    if (records.aliases.has(effects.patient.id))
      return { ok: false, error: 'duplicate-id', detail: { id: effects.patient.id } }
  }
  const step = effects.step
  if (step !== undefined) {
    const owner = records.stepOwner.get(step.id)
    if (owner !== undefined && owner !== step.patientId)
      return { ok: false, error: 'duplicate-id', detail: { id: step.id } }
  }
  const event = effects.adverseEvent
  if (event !== undefined && records.eventOwner.has(event.id)) {
    return { ok: false, error: 'duplicate-id', detail: { id: event.id } }
  }
  return { ok: true, effects }
}
