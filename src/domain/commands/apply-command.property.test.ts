// Properties of applyCommand over random histories: random records and amendments by random actors at random
// times, applied in arrival order like the server does, each accepted effect written back into the state.
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import type { Mutation } from '../../shared/commands'
import type { Actor } from '../../shared/primitives'
import type { StepRecord } from '../../shared/records'
import { recordedNextStep } from '../steps/chain'
import { professionalOf } from '../steps/step'
import {
  buildDoseFields,
  buildEligibilityFields,
  buildFile,
  buildMutation,
  buildState,
  NOW,
  USERS,
} from '../testing/builders'
import { addDays } from '../time/calendar'
import { applyCommand, type CommandState } from './apply-command'

const actors: Actor[] = [
  { userId: USERS.medecin },
  { userId: USERS.medecin2 },
  { userId: USERS.infirmier },
  { userId: USERS.secretaire, onBehalfOf: USERS.medecin },
  { userId: USERS.secretaire, onBehalfOf: USERS.medecin2 },
  { userId: USERS.secretaire },
]

type Op =
  | { op: 'eligibility'; actor: number; minutes: number }
  | {
      op: 'dose'
      actor: number
      minutes: number
      doseNumber: number
      vaccineId: string
      isBooster: boolean
      site: number
      day: number
    }
  | { op: 'amend'; actor: number; minutes: number; target: number; stale: boolean; lot: string }

const opArb: fc.Arbitrary<Op> = fc.oneof(
  fc.record({ op: fc.constant('eligibility' as const), actor: fc.nat(5), minutes: fc.nat(600) }),
  fc.record({
    op: fc.constant('dose' as const),
    actor: fc.nat(5),
    minutes: fc.nat(600),
    doseNumber: fc.integer({ min: 1, max: 4 }),
    vaccineId: fc.constantFrom('comirnaty', 'spikevax', 'jcovden', 'bimervax', 'efluelda', 'shingrix'),
    isBooster: fc.boolean(),
    site: fc.nat(5),
    day: fc.nat(60),
  }),
  fc.record({
    op: fc.constant('amend' as const),
    actor: fc.nat(5),
    minutes: fc.nat(600),
    target: fc.nat(10),
    stale: fc.boolean(),
    lot: fc.stringMatching(/^[A-Z0-9]{1,8}$/),
  }),
)

const SITES = [
  'deltoid-left',
  'deltoid-right',
  'thigh-left',
  'thigh-right',
  'buttock-left',
  'buttock-right',
] as const

function toMutation(op: Op, steps: readonly StepRecord[], index: number): Mutation {
  const over = {
    actor: actors[op.actor]!,
    at: `2026-03-04T${String(Math.floor(op.minutes / 60)).padStart(2, '0')}:${String(op.minutes % 60).padStart(2, '0')}:00+01:00`,
  }
  const stepId = `s-${index}`
  if (op.op === 'eligibility') {
    return buildMutation(
      'step.record',
      { kind: 'eligibility', stepId, patientId: 'p-1', fields: buildEligibilityFields() },
      over,
    )
  }
  if (op.op === 'dose') {
    const fields = buildDoseFields({
      vaccineId: op.vaccineId,
      injectionSite: SITES[op.site]!,
      injectedAt: `${addDays('2026-01-01', op.day)}T09:00:00+01:00`,
    })
    return buildMutation(
      'step.record',
      { kind: 'dose', stepId, patientId: 'p-1', doseNumber: op.doseNumber, isBooster: op.isBooster, fields },
      over,
    )
  }
  const target = steps.length === 0 ? undefined : steps[op.target % steps.length]
  const base = target === undefined ? 1 : target.versions.length + (op.stale ? 1 : 0)
  const changes =
    target?.kind === 'eligibility'
      ? { prescriptionDate: addDays('2026-02-01', op.lot.length) }
      : { lotNumber: op.lot }
  return buildMutation(
    'step.amend',
    {
      kind: target?.kind ?? 'dose',
      stepId: target?.id ?? 's-none',
      patientId: 'p-1',
      baseVersion: base,
      changes,
    } as never,
    over,
  )
}

type Event = {
  before: CommandState
  mutation: Mutation
  outcome: ReturnType<typeof applyCommand>
  after: CommandState
}

function replay(ops: readonly Op[]): Event[] {
  let state = buildState({ files: [buildFile()] })
  const events: Event[] = []
  ops.forEach((op, i) => {
    const file = state.files[0]!
    const mutation = toMutation(op, file.steps, i)
    const outcome = applyCommand(state, mutation, { now: NOW })
    const before = state
    if (outcome.ok && outcome.effects.step !== undefined) {
      const step = outcome.effects.step
      const steps = file.steps.some((s) => s.id === step.id)
        ? file.steps.map((s) => (s.id === step.id ? step : s))
        : [...file.steps, step]
      state = { ...state, files: [{ ...file, steps }] }
    }
    events.push({ before, mutation, outcome, after: state })
  })
  return events
}

const histories = fc.array(opArb, { minLength: 1, maxLength: 40 })

describe('applyCommand over random histories', () => {
  it('a locked step stays locked: once the next step exists, no amendment of it is ever applied', () => {
    fc.assert(
      fc.property(histories, (ops) => {
        for (const { before, mutation, outcome } of replay(ops)) {
          if (mutation.type !== 'step.amend' || !outcome.ok) continue
          const file = before.files[0]!
          const step = file.steps.find((s) => s.id === mutation.payload.stepId)!
          expect(recordedNextStep(file, step)).toBeUndefined()
          expect(professionalOf(mutation.actor)).toBe(professionalOf(step.author))
        }
      }),
    )
  })

  it('no step is recorded before its predecessor', () => {
    fc.assert(
      fc.property(histories, (ops) => {
        for (const { before, outcome } of replay(ops)) {
          const step = outcome.ok ? outcome.effects.step : undefined
          if (step === undefined || step.versions.length > 1) continue
          const steps = before.files[0]!.steps
          if (step.kind === 'dose') {
            expect(steps.some((s) => s.kind === 'eligibility')).toBe(true)
            if (step.doseNumber > 1) {
              expect(
                steps.some(
                  (s) =>
                    s.kind === 'dose' &&
                    s.targetDisease === step.targetDisease &&
                    s.doseNumber === step.doseNumber - 1,
                ),
              ).toBe(true)
            }
          }
          expect(steps.some((s) => s.id === step.id)).toBe(false)
        }
      }),
    )
  })

  it('every amendment keeps all previous versions: versions only grow, old contents unchanged', () => {
    fc.assert(
      fc.property(histories, (ops) => {
        const events = replay(ops)
        for (const { before, after } of events) {
          for (const old of before.files[0]!.steps) {
            const now = after.files[0]!.steps.find((s) => s.id === old.id)
            expect(now).toBeDefined()
            expect(
              now!.versions.length === old.versions.length ||
                now!.versions.length === old.versions.length + 1,
            ).toBe(true)
            expect(now!.versions.slice(0, old.versions.length)).toEqual(old.versions)
            expect(now!.author).toEqual(old.author)
          }
        }
      }),
    )
  })

  it('is deterministic: the same state, mutation and ctx give the same outcome', () => {
    fc.assert(
      fc.property(histories, (ops) => {
        for (const { before, mutation, outcome } of replay(ops)) {
          expect(applyCommand(structuredClone(before), structuredClone(mutation), { now: NOW })).toEqual(
            outcome,
          )
        }
      }),
      { numRuns: 50 },
    )
  })

  it('never records two steps in one slot', () => {
    fc.assert(
      fc.property(histories, (ops) => {
        const events = replay(ops)
        const steps = events[events.length - 1]!.after.files[0]!.steps
        const slots = steps.map((s) =>
          s.kind === 'eligibility' ? 'eligibility' : `${s.targetDisease}:${s.doseNumber}`,
        )
        expect(new Set(slots).size).toBe(slots.length)
      }),
    )
  })
})

describe('the history generator', () => {
  it('reaches accepted records, accepted amendments and both locks (the properties are not vacuous)', () => {
    const seen = new Set<string>()
    for (const ops of fc.sample(histories, { numRuns: 300, seed: 42 })) {
      for (const { mutation, outcome } of replay(ops))
        seen.add(outcome.ok ? `${mutation.type}:ok` : outcome.error)
    }
    expect([...seen]).toEqual(
      expect.arrayContaining([
        'step.record:ok',
        'step.amend:ok',
        'step-locked-by-author',
        'step-locked-by-next-step',
        'previous-step-missing',
      ]),
    )
  })
})
