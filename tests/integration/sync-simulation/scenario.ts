// A simulated scenario as plain data (so fast-check can generate, print, shrink and replay it), and the
// interpreter that plays it on the world: people act on their devices through recordChange (the device rule
// refusing what it refuses, as the UI would), devices go offline and online, sync through a faulty network, and
// the server restarts. Picks (`patient`, `step`, …) are indexes taken modulo what the device holds when the
// action runs, so every generated scenario is playable and shrinking keeps it playable.
import fc from 'fast-check'
import { expectedNextStep } from '../../../src/domain/steps/chain'
import { currentVersion } from '../../../src/domain/steps/step'
import { allPatients, stepsOfPatient } from '../../../src/db/testing'
import type { MutationType } from '../../../src/shared/commands'
import type { PatientRecord, StepRecord } from '../../../src/shared/records'
import { recordChange, type RecordChangeInput } from '../../../src/sync/outbox'
import type { LocalRejection } from '../../../src/sync/pull'
import { queueResolution } from '../../../src/sync/replayer'
import { CATALOGUE } from '../../../src/domain/vaccines/catalogue'
import { eligibilityFields, START } from '../sync-helpers'
import type { Fault, SimDevice, SimServer } from './world'
import { DEVICE_USERS, IDENTITY_POOL } from './world'

const MINUTE = 60_000
const HOUR = 60 * MINUTE
const DAY = 24 * HOUR

const VACCINES = ['comirnaty', 'comirnaty', 'spikevax', 'jcovden', 'vidprevtyn-beta'] as const
const SITES = ['deltoid-left', 'deltoid-right', 'thigh-left'] as const
const PHONES = ['0601020304', '0611223344', '0755667788']

export type Action =
  | { kind: 'register'; device: number; identity: number; withContact: boolean }
  | { kind: 'eligibility'; device: number; patient: number }
  | {
      kind: 'dose'
      device: number
      patient: number
      /** 'next' records the step the chain expects as the device sees it (eligibility first); 'raw' the generated dose slot. */
      mode: 'next' | 'raw'
      doseNumber: number
      vaccine: number
      isBooster: boolean
      site: number
    }
  | { kind: 'amend'; device: number; patient: number; step: number; change: number }
  | { kind: 'contact'; device: number; patient: number; field: 'phone' | 'email' | 'niss'; value: number }
  | { kind: 'offline'; device: number }
  | { kind: 'online'; device: number }
  | { kind: 'sync'; device: number; faults: (Fault | null)[] }
  | { kind: 'resolve'; device: number; rejection: number }
  | { kind: 'restart' }

/** One step of the scenario: the server clock moves `minutes`, then the action runs. */
export type Move = { minutes: number; action: Action }

export type Scenario = {
  /** Device slots of the template (DEVICE_USERS), 3 to 5 distinct. */
  slots: number[]
  /** Each device's clock skew, ms (device clock − server clock). */
  skews: number[]
  moves: Move[]
}

const device = fc.nat({ max: 4 })
const pick = fc.nat({ max: 7 })
const fault = fc.constantFrom<Fault | null>(
  'lose-request',
  'lose-response',
  'duplicate',
  'duplicate-parallel',
  null,
  null,
)

const actionArb: fc.Arbitrary<Action> = fc.oneof(
  {
    weight: 2,
    arbitrary: fc.record({
      kind: fc.constant('register' as const),
      device,
      identity: fc.nat({ max: IDENTITY_POOL.length - 1 }),
      withContact: fc.boolean(),
    }),
  },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('eligibility' as const), device, patient: pick }) },
  {
    weight: 7,
    arbitrary: fc.record({
      kind: fc.constant('dose' as const),
      device,
      patient: pick,
      mode: fc.constantFrom('next' as const, 'next' as const, 'next' as const, 'raw' as const),
      doseNumber: fc.integer({ min: 1, max: 3 }),
      vaccine: fc.nat({ max: VACCINES.length - 1 }),
      isBooster: fc.boolean(),
      site: fc.nat({ max: SITES.length - 1 }),
    }),
  },
  {
    weight: 3,
    arbitrary: fc.record({
      kind: fc.constant('amend' as const),
      device,
      patient: pick,
      step: pick,
      change: pick,
    }),
  },
  {
    weight: 1,
    arbitrary: fc.record({
      kind: fc.constant('contact' as const),
      device,
      patient: pick,
      field: fc.constantFrom('phone' as const, 'email' as const, 'niss' as const),
      value: pick,
    }),
  },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('offline' as const), device }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('online' as const), device }) },
  {
    weight: 5,
    arbitrary: fc.record({
      kind: fc.constant('sync' as const),
      device,
      faults: fc.array(fault, { maxLength: 3 }),
    }),
  },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('resolve' as const), device, rejection: pick }) },
  { weight: 1, arbitrary: fc.constant({ kind: 'restart' as const }) },
)

/**
 * Clock skews: mostly none or within the rules' tolerance (2 min), some up to an hour (judged by arrival: an
 * action ahead of the server's clock is "in the future" only if it arrives before the server's clock catches up), a few of about a day (refused: in the future, or before the
 * sign-in as the server saw it).
 */
const skewArb = fc.oneof(
  { weight: 6, arbitrary: fc.constant(0) },
  { weight: 3, arbitrary: fc.integer({ min: -90_000, max: 90_000 }) },
  { weight: 2, arbitrary: fc.integer({ min: -HOUR, max: HOUR }) },
  { weight: 1, arbitrary: fc.constantFrom(-DAY, DAY, -20 * HOUR, 20 * HOUR) },
)

export function scenarioArb(options: { minMoves: number; maxMoves: number }): fc.Arbitrary<Scenario> {
  return fc.record({
    slots: fc.uniqueArray(fc.nat({ max: DEVICE_USERS.length - 1 }), { minLength: 3, maxLength: 5 }),
    skews: fc.array(skewArb, { minLength: 5, maxLength: 5 }),
    moves: fc.array(fc.record({ minutes: fc.integer({ min: 0, max: 20 }), action: actionArb }), {
      minLength: options.minMoves,
      maxLength: options.maxMoves,
    }),
  })
}

/** What happened while playing, for the failure report and the coverage tally. */
export type PlayLog = { lines: string[]; localRefusals: string[] }

/** What the moves of one run share: the world, the log, and a counter for ids (deterministic, for replays). */
export type PlayContext = {
  run: number
  server: SimServer
  devices: SimDevice[]
  log: PlayLog
  counter: number
}
type Ctx = PlayContext

async function patientsOf(d: SimDevice): Promise<PatientRecord[]> {
  return allPatients(d.db)
}

async function stepsOf(d: SimDevice, patientId: string): Promise<StepRecord[]> {
  const steps = await stepsOfPatient(d.db, patientId)
  return steps.sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0))
}

function at<T>(items: readonly T[], index: number): T | undefined {
  return items.length === 0 ? undefined : items[index % items.length]
}

function professional(d: SimDevice): string {
  return d.onBehalfOf ?? d.session.userId
}

async function record<T extends MutationType>(
  ctx: Ctx,
  d: SimDevice,
  type: T,
  payload: RecordChangeInput<T>['payload'],
): Promise<void> {
  ctx.counter += 1
  const now = d.localNow()
  const result = await recordChange(d.db, {
    type,
    payload,
    actor:
      d.onBehalfOf === undefined
        ? { userId: d.session.userId }
        : { userId: d.session.userId, onBehalfOf: d.onBehalfOf },
    at: now,
    now,
    // The device read its own clock at sign-in (the server read START).
    signInAt: new Date(START + d.skewMs).toISOString(),
    deviceId: d.session.deviceId,
    signingKey: d.key,
    id: `m-${ctx.run}-${ctx.counter}`,
  })
  if (result.ok) ctx.log.lines.push(`  queued #${result.mutation.seq} ${type} ${result.mutation.id}`)
  else {
    ctx.log.lines.push(`  refused on the device: ${result.error}`)
    ctx.log.localRefusals.push(result.error)
  }
}

function doseFieldsFor(d: SimDevice, vaccineId: string, site: string) {
  return {
    vaccineId,
    lotNumber: 'FK1234',
    injectionSite: site as (typeof SITES)[number],
    route: 'intramuscular' as const,
    injectedAt: d.localNow(),
    vaccinatorUserId: professional(d),
    place: { type: 'ehpad' as const, postalCode: '75012', name: 'EHPAD Les Tilleuls', finess: '010000016' },
  }
}

async function playDose(ctx: Ctx, d: SimDevice, a: Extract<Action, { kind: 'dose' }>): Promise<void> {
  const patient = at(await patientsOf(d), a.patient)
  if (patient === undefined) return
  let doseNumber = a.doseNumber
  let isBooster = a.isBooster
  let vaccineId: string = VACCINES[a.vaccine] ?? 'comirnaty'
  if (a.mode === 'next') {
    const steps = await stepsOf(d, patient.id)
    const next = expectedNextStep({ patient, steps }, CATALOGUE, 'covid-19')
    if (next === null) return
    if (next.kind === 'eligibility') {
      await record(ctx, d, 'step.record', {
        kind: 'eligibility',
        stepId: `s-${ctx.run}-${ctx.counter + 1}`,
        patientId: patient.id,
        fields: eligibilityFields(),
      })
      return
    }
    doseNumber = next.doseNumber
    isBooster = next.isBooster
    if (next.vaccineId !== null) vaccineId = next.vaccineId
    else if (isBooster) vaccineId = 'comirnaty'
    else if (vaccineId === 'vidprevtyn-beta') vaccineId = 'comirnaty'
  }
  await record(ctx, d, 'step.record', {
    kind: 'dose',
    stepId: `s-${ctx.run}-${ctx.counter + 1}`,
    patientId: patient.id,
    doseNumber,
    isBooster,
    fields: doseFieldsFor(d, vaccineId, SITES[a.site] ?? 'deltoid-left'),
  })
}

async function playAmend(ctx: Ctx, d: SimDevice, a: Extract<Action, { kind: 'amend' }>): Promise<void> {
  const patient = at(await patientsOf(d), a.patient)
  if (patient === undefined) return
  const step = at(await stepsOf(d, patient.id), a.step)
  if (step === undefined) return
  const baseVersion = currentVersion(step).version
  if (step.kind === 'eligibility') {
    await record(ctx, d, 'step.amend', {
      kind: 'eligibility',
      stepId: step.id,
      patientId: patient.id,
      baseVersion,
      changes: { prescriptionDate: `2026-02-${String(10 + (a.change % 9)).padStart(2, '0')}` },
    })
    return
  }
  const choice = a.change % 3
  const changes =
    choice === 0
      ? { lotNumber: `LOT${a.change}` }
      : choice === 1
        ? {
            injectionSite: SITES[(SITES.indexOf(currentVersion(step).fields.injectionSite as never) + 1) % 3],
          }
        : { vaccineId: a.change % 2 === 0 ? 'spikevax' : 'comirnaty' }
  await record(ctx, d, 'step.amend', {
    kind: 'dose',
    stepId: step.id,
    patientId: patient.id,
    baseVersion,
    changes,
  })
}

async function playContact(ctx: Ctx, d: SimDevice, a: Extract<Action, { kind: 'contact' }>): Promise<void> {
  const patient = at(await patientsOf(d), a.patient)
  if (patient === undefined) return
  const changes =
    a.field === 'phone'
      ? { phone: a.value === 7 ? null : PHONES[a.value % PHONES.length] }
      : a.field === 'email'
        ? { email: `patient${a.value}@example.org` }
        : { niss: IDENTITY_POOL[a.value % IDENTITY_POOL.length] }
  await record(ctx, d, 'patient.update', { patientId: patient.id, changes })
}

/** Plays one move; the returned promise settles when the action is done (a sync's failure is an outcome). */
export async function playMove(ctx: Ctx, move: Move): Promise<void> {
  ctx.server.clock.advance(move.minutes * MINUTE)
  const a = move.action
  if (a.kind === 'restart') {
    ctx.log.lines.push('server restart')
    await ctx.server.restart()
    return
  }
  const d = at(ctx.devices, a.device)
  if (d === undefined) return
  ctx.log.lines.push(`device ${d.index} (${d.user.login}) ${JSON.stringify(a)}`)
  switch (a.kind) {
    case 'register': {
      const patientId = `p-${ctx.run}-${ctx.counter + 1}`
      const identity = IDENTITY_POOL[a.identity] ?? IDENTITY_POOL[0]
      await record(ctx, d, 'patient.register', {
        patientId,
        codeDeCiblage: '0123456789P',
        identity: {
          birthName: 'Dupré',
          firstNames: 'Éloïse',
          sex: 'female',
          birthDate: '1955-08-20',
          birthRank: 1,
          niss: identity,
        },
        contact: a.withContact ? { phone: PHONES[0], commune: 'Paris' } : {},
      })
      return
    }
    case 'eligibility': {
      const patient = at(await patientsOf(d), a.patient)
      if (patient === undefined) return
      await record(ctx, d, 'step.record', {
        kind: 'eligibility',
        stepId: `s-${ctx.run}-${ctx.counter + 1}`,
        patientId: patient.id,
        fields: eligibilityFields(),
      })
      return
    }
    case 'dose':
      return playDose(ctx, d, a)
    case 'amend':
      return playAmend(ctx, d, a)
    case 'contact':
      return playContact(ctx, d, a)
    case 'offline':
      d.isOnline = false
      return
    case 'online':
      d.isOnline = true
      return
    case 'sync': {
      d.faults = a.faults.map((f) => f ?? undefined)
      const outcome = await d.sync()
      d.faults = []
      ctx.log.lines.push(`  sync: ${JSON.stringify(outcome)}`)
      return
    }
    case 'resolve': {
      const open = ((await d.db.rejections.orderBy('id').toArray()) as LocalRejection[]).filter(
        (r) => r.resolution === undefined && r.pendingResolution === undefined,
      )
      const target = at(open, a.rejection)
      if (target === undefined) return
      await queueResolution(d.db, target.id, { kind: 'discarded', by: d.session.userId, at: d.localNow() })
      return
    }
  }
}
