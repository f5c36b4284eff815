// applyCommand: the one function the device (optimistically, on its local copy) and the sync server
// (authoritatively, in the push transaction) run for every mutation. Pure: same state, mutation and ctx give
// the same outcome. It never writes; it returns the effects to write, or the rule's code and detail.
//
// State the server loads per mutation (see `recordsToLoad`), in a few indexed queries:
//   - the organisation's users and role grants (small, cacheable per organisation);
//   - the catalogue (cacheable);
//   - `files`: the patient file(s) concerned, each = patient row + its steps (+ adverse events) by patient id:
//     the payload's `patientId` for patient.update / step.* / adverse-event.*, and for patient.register the
//     files whose strong identity keys (NIR, NISS, beneficiary key: an indexed column) match the payload's.
import type { Mutation, MutationOf, MutationType } from '../../shared/commands'
import { DoseFieldsSchema, EligibilityFieldsSchema, PATIENT_FIELDS } from '../../shared/commands'
import type { RuleErrorCode, WarningCode } from '../../shared/errors'
import type { Actor } from '../../shared/primitives'
import type {
  AdverseEventRecord,
  LotRecord,
  PatientRecord,
  RoleGrantRecord,
  StepRecord,
  UserRecord,
} from '../../shared/records'
import type { Catalogue, Vaccine } from '../../shared/vaccine'
import { canEnterData, canValidateSteps, type AccessError } from '../access/roles'
import { parseAdeli, parseFiness, parseNam, parseRpps } from '../identifiers'
import { findLikelyDuplicates, identityKeys, validateIdentity } from '../patients/identity'
import { mergePatientUpdate } from '../patients/merge'
import { normalizeName } from '../patients/names'
import type { PatientFile } from '../patients/patient-file'
import { doseSeries, doseStepAt, eligibilityStep } from '../steps/chain'
import { canEditStep } from '../steps/edit-rule'
import { currentDoseFields, currentVersion, professionalOf, type DoseStep, type Step } from '../steps/step'
import { compareDates, localDateOf, millisBetween, type IsoDateTime } from '../time/calendar'
import { findVaccine, nextDoseFrom } from '../vaccines/schedule'

/** How far ahead of the receiving clock an `at` or an injection time may be before it counts as "in the future". */
export const CLOCK_SKEW_TOLERANCE_MS = 2 * 60 * 1000

/** What applyCommand reads: the organisation's members, grants and catalogue, and the patient file(s) concerned. */
export type CommandState = {
  readonly catalogue: Catalogue
  readonly users: readonly UserRecord[]
  readonly grants: readonly RoleGrantRecord[]
  readonly files: readonly PatientFile[]
}

/** The receiving side's facts: its clock at receipt, and when the actor signed in (bounds `at` from below). */
export type CommandContext = {
  readonly now: IsoDateTime
  readonly signInAt?: IsoDateTime
  readonly clockSkewToleranceMs?: number
}

/** One audit row (who, on whose behalf, what, which fields — never values —, when on the device and on receipt). */
export type AuditEntry = {
  readonly id: string
  readonly mutationId: string
  readonly deviceId: string
  readonly actor: Actor
  readonly action: string
  readonly entity: 'patient' | 'step' | 'adverse-event' | 'lot' | 'certificate' | 'activity'
  readonly entityId?: string
  readonly fields?: readonly string[]
  readonly at: IsoDateTime
  readonly recordedAt: IsoDateTime
  readonly outcome: 'done' | 'refused'
  readonly reason?: RuleErrorCode
}

/** What to write when a mutation is applied; `mappedIds` maps a merged patient's device id to the existing id. */
export type CommandEffects = {
  readonly patient?: PatientRecord
  readonly step?: StepRecord
  readonly adverseEvent?: AdverseEventRecord
  readonly lot?: LotRecord
  readonly audit: readonly AuditEntry[]
  readonly mappedIds?: Readonly<Record<string, string>>
  readonly warnings: readonly WarningCode[]
}

/** The outcome of applyCommand: effects to write, or a rule's refusal. */
export type ApplyOutcome =
  | { readonly ok: true; readonly effects: CommandEffects }
  | { readonly ok: false; readonly error: RuleErrorCode; readonly detail?: Readonly<Record<string, unknown>> }

type Refusal = Extract<ApplyOutcome, { ok: false }>

function refuse(error: RuleErrorCode, detail?: Readonly<Record<string, unknown>>): Refusal {
  return detail === undefined ? { ok: false, error } : { ok: false, error, detail }
}

type Env = {
  readonly state: CommandState
  readonly ctx: CommandContext
  readonly user: UserRecord
  readonly represented: UserRecord | undefined
}

function audit(
  m: Mutation,
  ctx: CommandContext,
  entity: AuditEntry['entity'],
  entityId: string | undefined,
  fields?: readonly string[],
): AuditEntry {
  return {
    id: `${m.id}:0`,
    mutationId: m.id,
    deviceId: m.deviceId,
    actor: m.actor,
    action: m.type,
    entity,
    ...(entityId === undefined ? {} : { entityId }),
    ...(fields === undefined ? {} : { fields }),
    at: m.at,
    recordedAt: ctx.now,
    outcome: 'done',
  }
}

function applied(
  effects: Omit<CommandEffects, 'warnings'> & { warnings?: readonly WarningCode[] },
): ApplyOutcome {
  return { ok: true, effects: { ...effects, warnings: effects.warnings ?? [] } }
}

function fromAccess(result: {
  ok: false
  error: AccessError
  detail?: Readonly<Record<string, unknown>>
}): Refusal {
  return refuse(result.error, result.detail)
}

function findFile(state: CommandState, patientId: string): PatientFile | undefined {
  return state.files.find((f) => f.patient.id === patientId)
}

function userName(state: CommandState, userId: string): string | undefined {
  return state.users.find((u) => u.id === userId)?.name
}

function recordedBy(state: CommandState, step: Step): Record<string, unknown> {
  const professional = professionalOf(step.author)
  return {
    stepId: step.id,
    author: { userId: professional, name: userName(state, professional) ?? null },
    enteredBy: step.author.userId,
    at: step.at,
    recordedAt: step.recordedAt,
  }
}

function isAfterNow(env: Env, time: IsoDateTime): boolean {
  return millisBetween(env.ctx.now, time) > (env.ctx.clockSkewToleranceMs ?? CLOCK_SKEW_TOLERANCE_MS)
}

/** Refuses identifiers of the eligibility and dose forms whose key is wrong (RPPS/ADELI, FINESS, N°AM). */
function checkFieldIdentifiers(
  fields: {
    prescriber?: { rpps?: string | undefined; adeli?: string | undefined }
    place?: { finess?: string | undefined; nam?: string | undefined }
  },
  warnings: WarningCode[],
): Refusal | null {
  const checks: [
    string,
    string | undefined,
    (v: string) => { ok: boolean; error?: string; warnings?: readonly string[] },
  ][] = [
    ['prescriber.rpps', fields.prescriber?.rpps, parseRpps],
    ['prescriber.adeli', fields.prescriber?.adeli, parseAdeli],
    ['place.finess', fields.place?.finess, parseFiness],
    ['place.nam', fields.place?.nam, parseNam],
  ]
  for (const [field, value, parse] of checks) {
    if (value === undefined) continue
    const result = parse(value)
    if (!result.ok) return refuse('invalid-identifier', { field, reason: result.error })
    warnings.push(...((result.warnings ?? []) as WarningCode[]))
  }
  return null
}

function checkInjection(
  env: Env,
  file: PatientFile,
  stepId: string,
  fields: DoseStep['versions'][number]['fields'],
): Refusal | null {
  if (isAfterNow(env, fields.injectedAt)) {
    return refuse('injection-in-future', { injectedAt: fields.injectedAt, now: env.ctx.now })
  }
  if (!env.state.users.some((u) => u.id === fields.vaccinatorUserId)) {
    return refuse('unknown-user', { field: 'vaccinatorUserId', userId: fields.vaccinatorUserId })
  }
  const day = localDateOf(fields.injectedAt)
  for (const other of file.steps) {
    if (other.kind !== 'dose' || other.id === stepId) continue
    const o = currentDoseFields(other)
    if (localDateOf(o.injectedAt) === day && o.injectionSite === fields.injectionSite) {
      return refuse('duplicate-injection-site', {
        injectionSite: fields.injectionSite,
        otherStepId: other.id,
      })
    }
  }
  return null
}

function doseWarnings(
  file: PatientFile,
  seriesVaccine: Vaccine | undefined,
  doseNumber: number,
  fields: DoseStep['versions'][number]['fields'],
  warnings: WarningCode[],
  targetDisease: Vaccine['targetDisease'],
): void {
  const day = localDateOf(fields.injectedAt)
  if (fields.lotExpiry !== undefined && compareDates(fields.lotExpiry, day) < 0) warnings.push('lot-expired')
  const previous = doseNumber > 1 ? doseStepAt(file, targetDisease, doseNumber - 1) : undefined
  if (previous !== undefined && seriesVaccine !== undefined) {
    const hint = nextDoseFrom(seriesVaccine, {
      doseNumber: previous.doseNumber,
      date: localDateOf(currentDoseFields(previous).injectedAt),
      isBooster: previous.isBooster,
    })
    if (hint !== null && compareDates(day, hint.from) < 0) warnings.push('dose-before-minimum-interval')
  }
}

function registerPatient(env: Env, m: MutationOf<'patient.register'>): ApplyOutcome {
  const { payload } = m
  const identity = payload.identity
  const checked = validateIdentity(identity, { today: localDateOf(env.ctx.now) })
  if (!checked.ok) return refuse(checked.error, checked.detail)
  const warnings: WarningCode[] = [...checked.warnings]
  if (findFile(env.state, payload.patientId) !== undefined) {
    return applied({ audit: [audit(m, env.ctx, 'patient', payload.patientId)], warnings })
  }
  const others = env.state.files.map((f) => f.patient)
  const duplicates = findLikelyDuplicates(identity, others)
  const same = duplicates.find((d) => d.reason === 'same-identifier')
  if (same !== undefined) {
    return applied({
      audit: [audit(m, env.ctx, 'patient', same.patient.id)],
      mappedIds: { [payload.patientId]: same.patient.id },
      warnings,
    })
  }
  if (duplicates.length > 0) warnings.push('possible-duplicate')
  const stamp = { at: m.at, deviceId: m.deviceId }
  const values: Record<string, unknown> = {
    codeDeCiblage: payload.codeDeCiblage,
    ...identity,
    birthName: normalizeName(identity.birthName),
    firstNames: normalizeName(identity.firstNames),
    ...(identity.usualName === undefined ? {} : { usualName: normalizeName(identity.usualName) }),
    ...payload.contact,
  }
  const stamps = Object.fromEntries(
    PATIENT_FIELDS.filter((f) => values[f] !== undefined).map((f) => [f, stamp] as const),
  )
  const patient = {
    ...values,
    id: payload.patientId,
    version: 1,
    stamps,
    createdAt: env.ctx.now,
    updatedAt: env.ctx.now,
  } as PatientRecord
  return applied({
    patient,
    audit: [audit(m, env.ctx, 'patient', patient.id, Object.keys(stamps))],
    warnings,
  })
}

function updatePatient(env: Env, m: MutationOf<'patient.update'>): ApplyOutcome {
  const file = findFile(env.state, m.payload.patientId)
  if (file === undefined) return refuse('patient-not-found', { patientId: m.payload.patientId })
  const merge = mergePatientUpdate(
    file.patient,
    { changes: m.payload.changes, stamp: { at: m.at, deviceId: m.deviceId } },
    env.ctx.now,
  )
  const checked = validateIdentity(merge.patient, { today: localDateOf(env.ctx.now) })
  if (!checked.ok) return refuse(checked.error, checked.detail)
  const keys = identityKeys(merge.patient).strong
  const conflict = env.state.files.find(
    (f) => f.patient.id !== file.patient.id && identityKeys(f.patient).strong.some((k) => keys.includes(k)),
  )
  if (conflict !== undefined) return refuse('identity-conflict', { patientId: conflict.patient.id })
  return applied({
    ...(merge.applied.length > 0 ? { patient: merge.patient } : {}),
    audit: [audit(m, env.ctx, 'patient', file.patient.id, merge.applied)],
    warnings: [...checked.warnings],
  })
}

function authorOf(m: Mutation): Actor {
  return m.actor.onBehalfOf === undefined || m.actor.onBehalfOf === m.actor.userId
    ? { userId: m.actor.userId }
    : { userId: m.actor.userId, onBehalfOf: m.actor.onBehalfOf }
}

function versionOf<F>(m: Mutation, ctx: CommandContext, version: number, fields: F) {
  return {
    version,
    at: m.at,
    recordedAt: ctx.now,
    actor: authorOf(m),
    deviceId: m.deviceId,
    mutationId: m.id,
    fields,
  }
}

function recordStep(env: Env, m: MutationOf<'step.record'>): ApplyOutcome {
  const { payload } = m
  const access = canValidateSteps(env.user, env.state.grants, m.at, env.represented)
  if (!access.ok) return fromAccess(access)
  const file = findFile(env.state, payload.patientId)
  if (file === undefined) return refuse('patient-not-found', { patientId: payload.patientId })
  const sameId = file.steps.find((s) => s.id === payload.stepId)
  if (sameId !== undefined) return refuse('step-already-recorded', recordedBy(env.state, sameId))
  const warnings: WarningCode[] = []
  const base = {
    id: payload.stepId,
    patientId: file.patient.id,
    author: authorOf(m),
    at: m.at,
    recordedAt: env.ctx.now,
  }

  if (payload.kind === 'eligibility') {
    const existing = eligibilityStep(file)
    if (existing !== undefined) return refuse('step-already-recorded', recordedBy(env.state, existing))
    const bad = checkFieldIdentifiers(payload.fields, warnings)
    if (bad !== null) return bad
    const step: StepRecord = {
      ...base,
      kind: 'eligibility',
      versions: [versionOf(m, env.ctx, 1, payload.fields)],
    }
    return applied({ step, audit: [audit(m, env.ctx, 'step', step.id)], warnings })
  }

  const fields = { ...payload.fields, lotNumber: payload.fields.lotNumber.toUpperCase() }
  const vaccine = findVaccine(env.state.catalogue, fields.vaccineId)
  if (vaccine === undefined) return refuse('unknown-vaccine', { vaccineId: fields.vaccineId })
  const disease = vaccine.targetDisease
  const { doseNumber, isBooster } = payload
  const occupied = doseStepAt(file, disease, doseNumber)
  if (occupied !== undefined) return refuse('step-already-recorded', recordedBy(env.state, occupied))
  if (eligibilityStep(file) === undefined)
    return refuse('previous-step-missing', { missing: { kind: 'eligibility' } })
  if (doseNumber > 1 && doseStepAt(file, disease, doseNumber - 1) === undefined) {
    return refuse('previous-step-missing', {
      missing: { kind: 'dose', targetDisease: disease, doseNumber: doseNumber - 1 },
    })
  }

  let seriesVaccine: Vaccine | undefined
  if (doseNumber === 1) {
    if (isBooster || vaccine.isBoosterOnly) return refuse('booster-only-vaccine', { vaccineId: vaccine.id })
    seriesVaccine = vaccine
  } else {
    const first = doseStepAt(file, disease, 1)
    const firstVaccineId = first === undefined ? fields.vaccineId : currentDoseFields(first).vaccineId
    seriesVaccine = findVaccine(env.state.catalogue, firstVaccineId)
    if (seriesVaccine === undefined) return refuse('unknown-vaccine', { vaccineId: firstVaccineId })
    const primary = seriesVaccine.dosesInPrimarySeries
    const afterBooster = doseSeries(file, disease).some((s) => s.isBooster && s.doseNumber < doseNumber)
    if (!isBooster) {
      if (doseNumber > primary || afterBooster) {
        return primary === 1
          ? refuse('single-dose-series', { vaccineId: seriesVaccine.id })
          : refuse('series-complete', { vaccineId: seriesVaccine.id, dosesInPrimarySeries: primary })
      }
      if (vaccine.id !== seriesVaccine.id) {
        return refuse('vaccine-mismatch', { expected: seriesVaccine.id, received: vaccine.id })
      }
    } else {
      if (!seriesVaccine.booster.allowed || !vaccine.booster.allowed) {
        return refuse('series-complete', { vaccineId: seriesVaccine.id, dosesInPrimarySeries: primary })
      }
      if (doseNumber <= primary && !afterBooster) warnings.push('primary-series-cut-short')
    }
  }

  const bad = checkFieldIdentifiers(fields, warnings) ?? checkInjection(env, file, payload.stepId, fields)
  if (bad !== null) return bad
  doseWarnings(file, seriesVaccine, doseNumber, fields, warnings, disease)
  const step: StepRecord = {
    ...base,
    kind: 'dose',
    targetDisease: disease,
    doseNumber,
    isBooster,
    versions: [versionOf(m, env.ctx, 1, fields)],
  }
  return applied({ step, audit: [audit(m, env.ctx, 'step', step.id)], warnings })
}

function amendStep(env: Env, m: MutationOf<'step.amend'>): ApplyOutcome {
  const { payload } = m
  const access = canValidateSteps(env.user, env.state.grants, m.at, env.represented)
  if (!access.ok) return fromAccess(access)
  const file = findFile(env.state, payload.patientId)
  if (file === undefined) return refuse('patient-not-found', { patientId: payload.patientId })
  const editable = canEditStep(file, payload.stepId, m.actor)
  if (!editable.ok) {
    if (editable.error === 'step-locked-by-author') {
      const step = file.steps.find((s) => s.id === payload.stepId)
      return refuse(editable.error, step === undefined ? editable.detail : recordedBy(env.state, step))
    }
    return refuse(editable.error, editable.detail)
  }
  const step = editable.value
  if (step.kind !== payload.kind) return refuse('step-kind-mismatch', { stepId: step.id, kind: step.kind })
  const current = currentVersion(step)
  if (payload.baseVersion !== current.version) {
    return refuse('stale-base-version', {
      stepId: step.id,
      baseVersion: payload.baseVersion,
      currentVersion: current.version,
    })
  }
  const warnings: WarningCode[] = []
  const changed = Object.keys(payload.changes)

  if (step.kind === 'eligibility' && payload.kind === 'eligibility') {
    const parsed = EligibilityFieldsSchema.safeParse({
      ...step.versions[step.versions.length - 1]?.fields,
      ...payload.changes,
    })
    if (!parsed.success)
      return refuse('invalid-fields', { fields: parsed.error.issues.map((i) => i.path.join('.')) })
    const bad = checkFieldIdentifiers(parsed.data, warnings)
    if (bad !== null) return bad
    const next: StepRecord = {
      ...step,
      versions: [...step.versions, versionOf(m, env.ctx, current.version + 1, parsed.data)],
    }
    return applied({ step: next, audit: [audit(m, env.ctx, 'step', step.id, changed)], warnings })
  }
  if (step.kind !== 'dose' || payload.kind !== 'dose')
    return refuse('step-kind-mismatch', { stepId: step.id })

  const parsed = DoseFieldsSchema.safeParse({ ...currentDoseFields(step), ...payload.changes })
  if (!parsed.success)
    return refuse('invalid-fields', { fields: parsed.error.issues.map((i) => i.path.join('.')) })
  const fields = { ...parsed.data, lotNumber: parsed.data.lotNumber.toUpperCase() }
  const vaccine = findVaccine(env.state.catalogue, fields.vaccineId)
  if (vaccine === undefined) return refuse('unknown-vaccine', { vaccineId: fields.vaccineId })
  if (vaccine.targetDisease !== step.targetDisease) {
    return refuse('vaccine-mismatch', { expected: currentDoseFields(step).vaccineId, received: vaccine.id })
  }
  let seriesVaccine: Vaccine | undefined = vaccine
  if (step.doseNumber === 1 && vaccine.isBoosterOnly)
    return refuse('booster-only-vaccine', { vaccineId: vaccine.id })
  if (step.doseNumber > 1) {
    const first = doseStepAt(file, step.targetDisease, 1)
    seriesVaccine =
      first === undefined ? undefined : findVaccine(env.state.catalogue, currentDoseFields(first).vaccineId)
    if (!step.isBooster && first !== undefined && currentDoseFields(first).vaccineId !== vaccine.id) {
      return refuse('vaccine-mismatch', {
        expected: currentDoseFields(first).vaccineId,
        received: vaccine.id,
      })
    }
    if (step.isBooster && !vaccine.booster.allowed) {
      return refuse('series-complete', { vaccineId: vaccine.id })
    }
  }
  const bad = checkFieldIdentifiers(fields, warnings) ?? checkInjection(env, file, step.id, fields)
  if (bad !== null) return bad
  doseWarnings(file, seriesVaccine, step.doseNumber, fields, warnings, step.targetDisease)
  const next: StepRecord = {
    ...step,
    versions: [...step.versions, versionOf(m, env.ctx, current.version + 1, fields)],
  }
  return applied({ step: next, audit: [audit(m, env.ctx, 'step', step.id, changed)], warnings })
}

function recordAdverseEvent(env: Env, m: MutationOf<'adverse-event.record'>): ApplyOutcome {
  const { payload } = m
  const access = canEnterData(env.user, env.state.grants, m.at, env.represented)
  if (!access.ok) return fromAccess(access)
  const file = findFile(env.state, payload.patientId)
  if (file === undefined) return refuse('patient-not-found', { patientId: payload.patientId })
  const step = file.steps.find((s) => s.id === payload.stepId)
  if (step === undefined) return refuse('step-not-found', { stepId: payload.stepId })
  if (step.kind !== 'dose') return refuse('step-kind-mismatch', { stepId: step.id, kind: step.kind })
  if ((file.adverseEvents ?? []).some((e) => e.id === payload.eventId)) {
    return refuse('duplicate-id', { id: payload.eventId })
  }
  if (payload.observedAt !== undefined && isAfterNow(env, payload.observedAt)) {
    return refuse('action-in-future', { observedAt: payload.observedAt, now: env.ctx.now })
  }
  const adverseEvent: AdverseEventRecord = {
    id: payload.eventId,
    patientId: file.patient.id,
    stepId: step.id,
    description: payload.description,
    severity: payload.severity,
    ...(payload.observedAt === undefined ? {} : { observedAt: payload.observedAt }),
    reportedBy: authorOf(m),
    at: m.at,
    recordedAt: env.ctx.now,
  }
  return applied({ adverseEvent, audit: [audit(m, env.ctx, 'adverse-event', adverseEvent.id)] })
}

function upsertLot(env: Env, m: MutationOf<'lot.upsert'>): ApplyOutcome {
  const access = canEnterData(env.user, env.state.grants, m.at, env.represented)
  if (!access.ok) return fromAccess(access)
  const { vaccineId, lotNumber, expiry } = m.payload
  if (findVaccine(env.state.catalogue, vaccineId) === undefined)
    return refuse('unknown-vaccine', { vaccineId })
  const lot: LotRecord = {
    vaccineId,
    lotNumber: lotNumber.toUpperCase(),
    ...(expiry === undefined ? {} : { expiry }),
    updatedAt: env.ctx.now,
  }
  return applied({ lot, audit: [audit(m, env.ctx, 'lot', `${vaccineId}:${lot.lotNumber}`)] })
}

function appendAudit(env: Env, m: MutationOf<'audit.append'>): ApplyOutcome {
  const entries: AuditEntry[] = m.payload.events.map((e, i) => ({
    id: `${m.id}:${i}`,
    mutationId: m.id,
    deviceId: m.deviceId,
    actor: m.actor,
    action: e.format === undefined ? e.action : `${e.action}:${e.format}`,
    entity: e.entity,
    ...(e.entityId === undefined ? {} : { entityId: e.entityId }),
    at: e.at,
    recordedAt: env.ctx.now,
    outcome: 'done',
  }))
  return applied({ audit: entries })
}

/**
 * Applies one mutation under every workflow rule of sync-protocol.md: `at` not after the receipt time (nor before
 * sign-in), roles valid at `at`, then the type's own rules (chain order, already recorded, vaccine consistency,
 * single-dose, the edit rule and base version, identity merge, field-level LWW, injection time and sites).
 */
export function applyCommand(state: CommandState, mutation: Mutation, ctx: CommandContext): ApplyOutcome {
  if (millisBetween(ctx.now, mutation.at) > (ctx.clockSkewToleranceMs ?? CLOCK_SKEW_TOLERANCE_MS)) {
    return refuse('action-in-future', { at: mutation.at, now: ctx.now })
  }
  if (ctx.signInAt !== undefined && millisBetween(mutation.at, ctx.signInAt) > 0) {
    return refuse('action-before-sign-in', { at: mutation.at, signInAt: ctx.signInAt })
  }
  const user = state.users.find((u) => u.id === mutation.actor.userId)
  if (user === undefined) return refuse('unknown-user', { userId: mutation.actor.userId })
  const onBehalfOf = mutation.actor.onBehalfOf
  const represented = onBehalfOf === undefined ? undefined : state.users.find((u) => u.id === onBehalfOf)
  if (onBehalfOf !== undefined && represented === undefined)
    return refuse('unknown-user', { userId: onBehalfOf })
  const env: Env = { state, ctx, user, represented }
  switch (mutation.type) {
    case 'patient.register': {
      const access = canEnterData(user, state.grants, mutation.at, represented)
      return access.ok ? registerPatient(env, mutation) : fromAccess(access)
    }
    case 'patient.update': {
      const access = canEnterData(user, state.grants, mutation.at, represented)
      return access.ok ? updatePatient(env, mutation) : fromAccess(access)
    }
    case 'step.record':
      return recordStep(env, mutation)
    case 'step.amend':
      return amendStep(env, mutation)
    case 'adverse-event.record':
      return recordAdverseEvent(env, mutation)
    case 'lot.upsert':
      return upsertLot(env, mutation)
    case 'audit.append':
      return appendAudit(env, mutation)
  }
}

/** Builds the audit row of a refused mutation (the rejection is audited like any change: who, what, when, why). */
export function auditRefusal(mutation: Mutation, error: RuleErrorCode, now: IsoDateTime): AuditEntry {
  const payload = mutation.payload as { patientId?: string; stepId?: string }
  const entity: AuditEntry['entity'] = mutation.type.startsWith('step.')
    ? 'step'
    : mutation.type === 'lot.upsert'
      ? 'lot'
      : 'patient'
  const entityId = entity === 'step' ? payload.stepId : payload.patientId
  return {
    id: `${mutation.id}:refused`,
    mutationId: mutation.id,
    deviceId: mutation.deviceId,
    actor: mutation.actor,
    action: mutation.type,
    entity,
    ...(entityId === undefined ? {} : { entityId }),
    at: mutation.at,
    recordedAt: now,
    outcome: 'refused',
    reason: error,
  }
}

/** Tells the server which records a mutation needs (patient ids, strong identity keys) to build its CommandState. */
export function recordsToLoad(mutation: Mutation): { patientIds: string[]; identityKeys: string[] } {
  switch (mutation.type) {
    case 'patient.register':
      return {
        patientIds: [mutation.payload.patientId],
        identityKeys: identityKeys(mutation.payload.identity).strong,
      }
    case 'patient.update': {
      const c = mutation.payload.changes
      const touchesIdentity = c.nir != null || c.niss != null || c.nirOuvrantDroit != null
      return {
        patientIds: [mutation.payload.patientId],
        identityKeys: touchesIdentity ? identityKeysOfChanges(c) : [],
      }
    }
    case 'step.record':
    case 'step.amend':
    case 'adverse-event.record':
      return { patientIds: [mutation.payload.patientId], identityKeys: [] }
    case 'lot.upsert':
    case 'audit.append':
      return { patientIds: [], identityKeys: [] }
  }
}

function identityKeysOfChanges(c: MutationOf<'patient.update'>['payload']['changes']): string[] {
  const keys: string[] = []
  if (c.nir != null)
    keys.push(
      ...identityKeys({ birthName: '', firstNames: '', birthDate: '', sex: 'unknown', nir: c.nir }).strong,
    )
  if (c.niss != null)
    keys.push(
      ...identityKeys({ birthName: '', firstNames: '', birthDate: '', sex: 'unknown', niss: c.niss }).strong,
    )
  return keys
}

/** Rewrites the patient id of a mutation after a merge (`mappedIds`), so later mutations using the old id follow it. */
export function remapMutation<M extends Mutation>(
  mutation: M,
  mappedIds: Readonly<Record<string, string>>,
): M {
  const payload = mutation.payload as { patientId?: string }
  const mapped = payload.patientId === undefined ? undefined : mappedIds[payload.patientId]
  if (mapped === undefined || mutation.type === 'patient.register') return mutation
  return { ...mutation, payload: { ...mutation.payload, patientId: mapped } }
}

/** The mutation types that concern one patient file (and carry `patientId`). */
export const PATIENT_SCOPED_TYPES = [
  'patient.update',
  'step.record',
  'step.amend',
  'adverse-event.record',
] as const satisfies readonly MutationType[]
