import { describe, expect, it } from 'vitest'
import { buildDoseStep, buildEligibilityStep, buildFile, USERS } from '../testing/builders'
import { CATALOGUE } from '../vaccines/catalogue'
import { expectedNextStep, stepTabs } from './chain'
import { canEditStep } from './edit-rule'
import { isRectificatif } from './step'

const elig = buildEligibilityStep()
const dose1 = buildDoseStep()
const dose2 = buildDoseStep({ id: 's-dose-2', doseNumber: 2, at: '2026-02-22T10:00:00+01:00' })

describe('expectedNextStep', () => {
  it.each([
    ['an empty file', [], { kind: 'eligibility' }],
    [
      'eligibility only',
      [elig],
      { kind: 'dose', targetDisease: null, doseNumber: 1, isBooster: false, vaccineId: null, from: null },
    ],
    [
      'dose 1 of Comirnaty',
      [elig, dose1],
      {
        kind: 'dose',
        targetDisease: 'covid-19',
        doseNumber: 2,
        isBooster: false,
        vaccineId: 'comirnaty',
        from: '2026-02-22',
      },
    ],
    [
      'a complete Comirnaty series',
      [elig, dose1, dose2],
      {
        kind: 'dose',
        targetDisease: 'covid-19',
        doseNumber: 3,
        isBooster: true,
        vaccineId: null,
        from: '2026-08-22',
      },
    ],
    [
      'Jcovden (single dose): a booster, never a dose 2',
      [elig, buildDoseStep({ fields: { vaccineId: 'jcovden' } })],
      {
        kind: 'dose',
        targetDisease: 'covid-19',
        doseNumber: 2,
        isBooster: true,
        vaccineId: null,
        from: '2026-08-01',
      },
    ],
    [
      'Prevenar 20 (single dose, no booster): nothing',
      [elig, buildDoseStep({ targetDisease: 'pneumococcal', fields: { vaccineId: 'prevenar-20' } })],
      null,
    ],
  ])('after %s', (_name, steps, expected) => {
    expect(expectedNextStep(buildFile({ steps }), CATALOGUE)).toEqual(expected)
  })
})

describe('stepTabs', () => {
  it('lists the recorded steps then the open one', () => {
    const tabs = stepTabs(buildFile({ steps: [dose1, elig] }), CATALOGUE)
    expect(tabs.map((t) => (t.state === 'recorded' ? t.step.id : `open:${t.expected.kind}`))).toEqual([
      's-elig',
      's-dose-1',
      'open:dose',
    ])
  })

  it('shows no next tab after a single-dose vaccine without booster', () => {
    const tabs = stepTabs(
      buildFile({ steps: [elig, buildDoseStep({ targetDisease: 'rsv', fields: { vaccineId: 'arexvy' } })] }),
      CATALOGUE,
    )
    expect(tabs.every((t) => t.state === 'recorded')).toBe(true)
  })
})

describe('canEditStep (the edit rule)', () => {
  const delegated = buildEligibilityStep({ author: { userId: USERS.secretaire, onBehalfOf: USERS.medecin } })
  it.each([
    ['its author, next step not recorded', [elig], 's-elig', { userId: USERS.medecin }, null],
    [
      'the delegate acting for the author',
      [elig],
      's-elig',
      { userId: USERS.secretaire, onBehalfOf: USERS.medecin },
      null,
    ],
    ['the author of a delegate’s entry', [delegated], 's-elig', { userId: USERS.medecin }, null],
    ['another professional', [elig], 's-elig', { userId: USERS.medecin2 }, 'step-locked-by-author'],
    [
      'the delegate acting for someone else',
      [elig],
      's-elig',
      { userId: USERS.secretaire, onBehalfOf: USERS.medecin2 },
      'step-locked-by-author',
    ],
    [
      'the delegate without onBehalfOf',
      [delegated],
      's-elig',
      { userId: USERS.secretaire },
      'step-locked-by-author',
    ],
    [
      'its author once dose 1 is recorded',
      [elig, dose1],
      's-elig',
      { userId: USERS.medecin },
      'step-locked-by-next-step',
    ],
    [
      'dose 1 once dose 2 is recorded',
      [elig, dose1, dose2],
      's-dose-1',
      { userId: USERS.medecin },
      'step-locked-by-next-step',
    ],
    ['dose 2, the last one', [elig, dose1, dose2], 's-dose-2', { userId: USERS.medecin }, null],
    ['an unknown step', [elig], 's-nope', { userId: USERS.medecin }, 'step-not-found'],
  ])('%s', (_name, steps, stepId, actor, error) => {
    const result = canEditStep(buildFile({ steps }), stepId, actor)
    expect(result.ok ? null : result.error).toBe(error)
  })

  it('names the author and the locking step in the detail', () => {
    const byAuthor = canEditStep(buildFile({ steps: [elig] }), 's-elig', { userId: USERS.medecin2 })
    expect(byAuthor.ok ? null : byAuthor.detail).toMatchObject({ author: { userId: USERS.medecin } })
    const byNext = canEditStep(buildFile({ steps: [elig, dose1] }), 's-elig', { userId: USERS.medecin })
    expect(byNext.ok ? null : byNext.detail).toMatchObject({
      nextStep: { stepId: 's-dose-1', doseNumber: 1 },
    })
  })

  it('a step with more than one version is a rectificatif', () => {
    expect(isRectificatif(elig)).toBe(false)
    const v1 = elig.versions[0]!
    expect(isRectificatif({ ...elig, versions: [v1, { ...v1, version: 2 }] })).toBe(true)
  })
})
