import { describe, expect, it } from 'vitest'
import type { Mutation } from '../../shared/commands'
import type { StepRecord } from '../../shared/records'
import {
  AT,
  buildDoseFields,
  buildDoseStep,
  buildEligibilityFields,
  buildEligibilityStep,
  buildFile,
  buildGrant,
  buildGrants,
  buildMutation,
  buildPatient,
  buildState,
  NOW,
  USERS,
  VALID,
} from '../testing/builders'
import { applyCommand, recordsToLoad, remapMutation, type CommandState } from './apply-command'

const ctx = { now: NOW }
const elig = buildEligibilityStep()
const dose1 = buildDoseStep()
const dose2 = buildDoseStep({
  id: 's-dose-2',
  doseNumber: 2,
  at: '2026-02-22T10:00:00+01:00',
  fields: { injectionSite: 'deltoid-right' },
})

const withSteps = (steps: StepRecord[]) => buildState({ files: [buildFile({ steps })] })

const recordElig = (over: Partial<Mutation> = {}) =>
  buildMutation(
    'step.record',
    { kind: 'eligibility', stepId: 's-new', patientId: 'p-1', fields: buildEligibilityFields() },
    over,
  )
const recordDose = (doseNumber: number, fields = {}, isBooster = false, over: Partial<Mutation> = {}) =>
  buildMutation(
    'step.record',
    {
      kind: 'dose',
      stepId: 's-new',
      patientId: 'p-1',
      doseNumber,
      isBooster,
      fields: buildDoseFields({
        injectedAt: '2026-03-04T10:00:00+01:00',
        injectionSite: 'thigh-left',
        ...fields,
      }),
    },
    over,
  )
const amend = (
  stepId: string,
  changes: Record<string, unknown>,
  over: Partial<Mutation> = {},
  baseVersion = 1,
  kind: 'dose' | 'eligibility' = 'dose',
) => buildMutation('step.amend', { kind, stepId, patientId: 'p-1', baseVersion, changes } as never, over)

type Row = [string, CommandState, Mutation, string | null]

const rows: Row[] = [
  // time of action
  [
    'at after the server receipt',
    withSteps([]),
    recordElig({ at: '2026-03-04T13:00:00+01:00' }),
    'action-in-future',
  ],
  [
    'at within the clock-skew tolerance',
    withSteps([]),
    recordElig({ at: '2026-03-04T12:01:00+01:00' }),
    null,
  ],
  // roles
  ['an unknown actor', withSteps([]), recordElig({ actor: { userId: 'u-ghost' } }), 'unknown-user'],
  [
    'a secretary validating as herself',
    withSteps([]),
    recordElig({ actor: { userId: USERS.secretaire } }),
    'not-a-professional',
  ],
  [
    'a delegate for the médecin',
    withSteps([]),
    recordElig({ actor: { userId: USERS.secretaire, onBehalfOf: USERS.medecin } }),
    null,
  ],
  [
    'a delegate for another médecin',
    withSteps([]),
    recordElig({ actor: { userId: USERS.secretaire, onBehalfOf: USERS.medecin2 } }),
    'delegate-not-acting-for',
  ],
  [
    'a role expired before at',
    buildState({ grants: [buildGrant({ endsAt: '2026-03-04T10:00:00+01:00' })] }),
    recordElig(),
    'role-not-valid',
  ],
  // step.record
  ['eligibility on an unknown patient', buildState({ files: [] }), recordElig(), 'patient-not-found'],
  ['eligibility twice', withSteps([elig]), recordElig(), 'step-already-recorded'],
  [
    'a step id already used',
    withSteps([elig]),
    buildMutation('step.record', {
      kind: 'dose',
      stepId: 's-elig',
      patientId: 'p-1',
      doseNumber: 1,
      isBooster: false,
      fields: buildDoseFields(),
    }),
    'step-already-recorded',
  ],
  ['dose 1 before eligibility', withSteps([]), recordDose(1), 'previous-step-missing'],
  ['dose 1 after eligibility', withSteps([elig]), recordDose(1), null],
  ['dose 2 without dose 1', withSteps([elig]), recordDose(2), 'previous-step-missing'],
  ['dose 2 with dose 1’s vaccine', withSteps([elig, dose1]), recordDose(2), null],
  [
    'dose 2 with another vaccine',
    withSteps([elig, dose1]),
    recordDose(2, { vaccineId: 'spikevax' }),
    'vaccine-mismatch',
  ],
  ['dose 1 twice', withSteps([elig, dose1]), recordDose(1), 'step-already-recorded'],
  ['an unknown vaccine', withSteps([elig]), recordDose(1, { vaccineId: 'nope' }), 'unknown-vaccine'],
  [
    'a booster-only vaccine as dose 1',
    withSteps([elig]),
    recordDose(1, { vaccineId: 'bimervax' }),
    'booster-only-vaccine',
  ],
  [
    'dose 2 after Jcovden',
    withSteps([elig, buildDoseStep({ fields: { vaccineId: 'jcovden' } })]),
    recordDose(2, { vaccineId: 'jcovden' }),
    'single-dose-series',
  ],
  [
    'a booster after Jcovden',
    withSteps([elig, buildDoseStep({ fields: { vaccineId: 'jcovden' } })]),
    recordDose(2, { vaccineId: 'comirnaty' }, true),
    null,
  ],
  [
    'a booster-only booster after a primary series',
    withSteps([elig, dose1, dose2]),
    recordDose(3, { vaccineId: 'vidprevtyn-beta' }, true),
    null,
  ],
  ['dose 3 as primary after 2 doses', withSteps([elig, dose1, dose2]), recordDose(3), 'series-complete'],
  [
    'a third Shingrix dose',
    withSteps([
      elig,
      buildDoseStep({ targetDisease: 'zoster', fields: { vaccineId: 'shingrix' } }),
      buildDoseStep({
        id: 's-z2',
        targetDisease: 'zoster',
        doseNumber: 2,
        fields: { vaccineId: 'shingrix', injectionSite: 'deltoid-right' },
      }),
    ]),
    recordDose(3, { vaccineId: 'shingrix' }, true),
    'series-complete',
  ],
  [
    'an injection in the future',
    withSteps([elig]),
    recordDose(1, { injectedAt: '2026-03-05T09:00:00+01:00' }),
    'injection-in-future',
  ],
  [
    'flu at the same site as COVID the same day',
    withSteps([
      elig,
      buildDoseStep({ fields: { injectedAt: '2026-03-04T09:00:00+01:00', injectionSite: 'thigh-left' } }),
    ]),
    recordDose(1, { vaccineId: 'efluelda' }),
    'duplicate-injection-site',
  ],
  [
    'flu at another site the same day',
    withSteps([
      elig,
      buildDoseStep({ fields: { injectedAt: '2026-03-04T09:00:00+01:00', injectionSite: 'deltoid-left' } }),
    ]),
    recordDose(1, { vaccineId: 'efluelda' }),
    null,
  ],
  [
    'a wrong FINESS key',
    withSteps([elig]),
    recordDose(1, { place: { type: 'ehpad', postalCode: '01000', name: 'X', finess: '010000017' } }),
    'invalid-identifier',
  ],
  [
    'an unknown vaccinator',
    withSteps([elig]),
    recordDose(1, { vaccinatorUserId: 'u-ghost' }),
    'unknown-user',
  ],
  // step.amend (the edit rule)
  ['amend by the author', withSteps([elig, dose1]), amend('s-dose-1', { lotNumber: 'ZZ99' }), null],
  [
    'amend by another professional',
    withSteps([elig, dose1]),
    amend('s-dose-1', { lotNumber: 'ZZ99' }, { actor: { userId: USERS.medecin2 } }),
    'step-locked-by-author',
  ],
  [
    'amend by the author’s delegate',
    withSteps([elig, dose1]),
    amend(
      's-dose-1',
      { lotNumber: 'ZZ99' },
      { actor: { userId: USERS.secretaire, onBehalfOf: USERS.medecin } },
    ),
    null,
  ],
  [
    'amend once the next step exists',
    withSteps([elig, dose1, dose2]),
    amend('s-dose-1', { lotNumber: 'ZZ99' }),
    'step-locked-by-next-step',
  ],
  [
    'amend eligibility once dose 1 exists',
    withSteps([elig, dose1]),
    amend('s-elig', { prescriptionDate: '2026-02-02' }, {}, 1, 'eligibility'),
    'step-locked-by-next-step',
  ],
  [
    'amend over a stale version',
    withSteps([elig, dose1]),
    amend('s-dose-1', { lotNumber: 'ZZ99' }, {}, 2),
    'stale-base-version',
  ],
  ['amend an unknown step', withSteps([elig]), amend('s-nope', { lotNumber: 'ZZ99' }), 'step-not-found'],
  [
    'amend with the wrong kind',
    withSteps([elig]),
    amend('s-elig', { lotNumber: 'ZZ99' }),
    'step-kind-mismatch',
  ],
  [
    'amend dose 2 to another vaccine',
    withSteps([elig, dose1, dose2]),
    amend('s-dose-2', { vaccineId: 'spikevax' }),
    'vaccine-mismatch',
  ],
  [
    'amend dose 1 to another COVID vaccine',
    withSteps([elig, dose1]),
    amend('s-dose-1', { vaccineId: 'spikevax' }),
    null,
  ],
  [
    'amend dose 1 to a flu vaccine',
    withSteps([elig, dose1]),
    amend('s-dose-1', { vaccineId: 'efluelda' }),
    'vaccine-mismatch',
  ],
  [
    'amend eligibility into an incoherent form',
    withSteps([elig]),
    amend('s-elig', { patientIsHealthProfessional: true }, {}, 1, 'eligibility'),
    'invalid-fields',
  ],
  // patient.register / update
  [
    'register with a wrong NIR key',
    buildState({ files: [] }),
    buildMutation('patient.register', {
      patientId: 'p-2',
      codeDeCiblage: '123456789AB',
      identity: {
        birthName: 'X',
        firstNames: 'Y',
        sex: 'male',
        birthDate: '1989-12-01',
        birthRank: 1,
        nir: '189127512501283',
      },
      contact: {},
    }),
    'invalid-identifier',
  ],
  [
    'register by an access manager',
    buildState({ files: [] }),
    buildMutation(
      'patient.register',
      {
        patientId: 'p-2',
        codeDeCiblage: '123456789AB',
        identity: {
          birthName: 'X',
          firstNames: 'Y',
          sex: 'male',
          birthDate: '1989-12-01',
          birthRank: 1,
          nir: VALID.otherNir,
        },
        contact: {},
      },
      { actor: { userId: USERS.gestionnaire } },
    ),
    'role-not-valid',
  ],
  [
    'update an unknown patient',
    buildState({ files: [] }),
    buildMutation('patient.update', { patientId: 'p-9', changes: { phone: '0611111111' } }),
    'patient-not-found',
  ],
  [
    'update to another patient’s NIR',
    buildState({
      files: [buildFile(), buildFile({ patient: buildPatient({ id: 'p-2', nir: VALID.otherNir }) })],
    }),
    buildMutation('patient.update', { patientId: 'p-1', changes: { nir: VALID.otherNir } }),
    'identity-conflict',
  ],
  [
    'update to a wrong NIR',
    buildState(),
    buildMutation('patient.update', { patientId: 'p-1', changes: { nir: '255081416802539' } }),
    'invalid-identifier',
  ],
  // adverse events, lots, audit
  [
    'an adverse event on a dose',
    withSteps([elig, dose1]),
    buildMutation('adverse-event.record', {
      eventId: 'e-1',
      patientId: 'p-1',
      stepId: 's-dose-1',
      description: 'Malaise',
      severity: 'non-serious',
    }),
    null,
  ],
  [
    'an adverse event on an unknown step',
    withSteps([elig]),
    buildMutation('adverse-event.record', {
      eventId: 'e-1',
      patientId: 'p-1',
      stepId: 's-x',
      description: 'Malaise',
      severity: 'serious',
    }),
    'step-not-found',
  ],
  [
    'a lot of an unknown vaccine',
    buildState(),
    buildMutation('lot.upsert', { vaccineId: 'nope', lotNumber: 'A1' }),
    'unknown-vaccine',
  ],
  ['a lot', buildState(), buildMutation('lot.upsert', { vaccineId: 'comirnaty', lotNumber: 'fk12' }), null],
  [
    'an audit batch',
    buildState(),
    buildMutation('audit.append', {
      events: [{ id: 'a1', action: 'read', entity: 'patient', entityId: 'p-1', at: AT }],
    }),
    null,
  ],
]

describe('applyCommand rules', () => {
  it.each(rows)('%s', (_name, state, mutation, error) => {
    const outcome = applyCommand(state, mutation, ctx)
    expect(outcome.ok ? null : outcome.error).toBe(error)
  })

  it('refuses an at before the sign-in', () => {
    const outcome = applyCommand(withSteps([]), recordElig(), {
      now: NOW,
      signInAt: '2026-03-04T11:00:00+01:00',
    })
    expect(outcome.ok ? null : outcome.error).toBe('action-before-sign-in')
  })

  it('says who recorded a step already recorded, and when', () => {
    const outcome = applyCommand(withSteps([elig]), recordElig({ actor: { userId: USERS.medecin2 } }), ctx)
    expect(outcome.ok ? null : outcome.detail).toMatchObject({
      author: { userId: USERS.medecin, name: 'Dr Martin' },
      at: elig.at,
    })
  })

  it('names the author holding the lock', () => {
    const outcome = applyCommand(
      withSteps([elig, dose1]),
      amend('s-dose-1', { lotNumber: 'ZZ99' }, { actor: { userId: USERS.medecin2 } }),
      ctx,
    )
    expect(outcome.ok ? null : outcome.detail).toMatchObject({
      stepId: 's-dose-1',
      author: { userId: USERS.medecin, name: 'Dr Martin' },
    })
  })

  it('appends a version, keeps the previous one and makes the step a rectificatif', () => {
    const outcome = applyCommand(withSteps([elig, dose1]), amend('s-dose-1', { lotNumber: 'zz99' }), ctx)
    if (!outcome.ok || outcome.effects.step?.kind !== 'dose') throw new Error('expected an amended dose')
    const versions = outcome.effects.step.versions
    expect(versions).toHaveLength(2)
    expect(versions[0]).toEqual(dose1.versions[0])
    expect(versions[1]).toMatchObject({
      version: 2,
      recordedAt: NOW,
      fields: { lotNumber: 'ZZ99', vaccineId: 'comirnaty' },
    })
  })

  it('records a dose with the author, the series and warnings', () => {
    const outcome = applyCommand(
      withSteps([elig, dose1]),
      recordDose(2, { injectedAt: '2026-02-10T10:00:00+01:00', lotExpiry: '2026-01-31' }, false, {
        actor: { userId: USERS.secretaire, onBehalfOf: USERS.medecin },
      }),
      ctx,
    )
    if (!outcome.ok) throw new Error(outcome.error)
    expect(outcome.effects.step).toMatchObject({
      kind: 'dose',
      targetDisease: 'covid-19',
      doseNumber: 2,
      author: { userId: USERS.secretaire, onBehalfOf: USERS.medecin },
    })
    expect(outcome.effects.warnings).toEqual(['lot-expired', 'dose-before-minimum-interval'])
    expect(outcome.effects.audit[0]).toMatchObject({
      action: 'step.record',
      entity: 'step',
      outcome: 'done',
      recordedAt: NOW,
    })
  })

  it('merges a registration with a known NIR (mappedIds) and creates an unknown one', () => {
    const identity = {
      birthName: ' Dupré ',
      firstNames: 'Éloïse  Marie',
      sex: 'female' as const,
      birthDate: '1955-08-20',
      birthRank: 1,
      nir: '2 55 08 14 168 025 38',
    }
    const merged = applyCommand(
      buildState(),
      buildMutation('patient.register', {
        patientId: 'p-local',
        codeDeCiblage: '123456789AB',
        identity,
        contact: {},
      }),
      ctx,
    )
    expect(merged.ok && merged.effects).toMatchObject({ mappedIds: { 'p-local': 'p-1' } })
    expect(merged.ok && merged.effects.patient).toBeUndefined()
    const created = applyCommand(
      buildState({ files: [] }),
      buildMutation('patient.register', {
        patientId: 'p-local',
        codeDeCiblage: '123456789AB',
        identity,
        contact: { postalCode: '75012' },
      }),
      ctx,
    )
    if (!created.ok) throw new Error(created.error)
    expect(created.effects.patient).toMatchObject({
      id: 'p-local',
      version: 1,
      birthName: 'Dupré',
      firstNames: 'Éloïse Marie',
      postalCode: '75012',
    })
    expect(Object.keys(created.effects.patient?.stamps ?? {})).toContain('postalCode')
  })

  it('warns of a likely duplicate by names + birth date + rang without merging', () => {
    const identity = {
      birthName: 'DUPRE',
      firstNames: 'eloise',
      sex: 'female' as const,
      birthDate: '1955-08-20',
      birthRank: 1,
      nir: VALID.otherNir,
    }
    const outcome = applyCommand(
      buildState(),
      buildMutation('patient.register', {
        patientId: 'p-2',
        codeDeCiblage: '123456789AB',
        identity,
        contact: {},
      }),
      ctx,
    )
    expect(outcome.ok && outcome.effects.warnings).toContain('possible-duplicate')
    expect(outcome.ok && outcome.effects.patient?.id).toBe('p-2')
  })

  it('tells the server what to load, and remaps merged ids', () => {
    const m = recordDose(1)
    expect(recordsToLoad(m)).toEqual({ patientIds: ['p-1'], identityKeys: [] })
    expect(remapMutation(m, { 'p-1': 'p-9' }).payload).toMatchObject({ patientId: 'p-9' })
  })

  it('a delegate grant that no longer lists the professional refuses', () => {
    const grants = buildGrants().map((g) => (g.role === 'delegate' ? { ...g, actingFor: [] } : g))
    const outcome = applyCommand(
      buildState({ grants }),
      recordElig({ actor: { userId: USERS.secretaire, onBehalfOf: USERS.medecin } }),
      ctx,
    )
    expect(outcome.ok ? null : outcome.error).toBe('delegate-not-acting-for')
  })
})
