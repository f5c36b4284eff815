import { beforeEach, describe, expect, it } from 'vitest'
import { effectScope } from 'vue'
import { buildEligibilityFields, buildEligibilityStep } from '../domain/testing/builders'
import { UUID_PATTERN } from '../sync/ids'
import { readFile, seedDb, settle, signIn } from '../components/step/test-helpers'
import { EXTRA_TAB, usePatientFile, usePatientFileStore } from './patient-file'

beforeEach(async () => {
  await seedDb()
})

describe('usePatientFileStore', () => {
  it('records a step with a new UUID v7 and shows its summary', async () => {
    const { session } = await signIn()
    const store = usePatientFileStore()
    store.open('p-1')

    const result = await store.recordStep({
      kind: 'eligibility',
      patientId: 'p-1',
      fields: buildEligibilityFields(),
    })

    expect(result.ok).toBe(true)
    const stepId = result.ok ? result.stepId : ''
    expect(stepId).toMatch(UUID_PATTERN)
    expect(session.record).toHaveBeenCalledWith('step.record', expect.objectContaining({ stepId }))
    expect(store.selectedTab).toBe(stepId)
    expect(store.justSaved).toEqual({ stepId, kind: 'recorded' })
    expect((await readFile()).steps.map((s) => s.id)).toEqual([stepId])
  })

  it('leaves the screen as it was when the rules refuse', async () => {
    await seedDb({ steps: [buildEligibilityStep()] })
    await signIn()
    const store = usePatientFileStore()
    store.open('p-1')
    store.selectTab('s-elig')

    const result = await store.recordStep({
      kind: 'eligibility',
      patientId: 'p-1',
      fields: buildEligibilityFields(),
    })

    expect(result).toMatchObject({ ok: false, error: 'step-already-recorded' })
    expect(store.justSaved).toBeNull()
    expect(store.selectedTab).toBe('s-elig')
  })

  it('resets the screen state when another patient is opened, and keeps the last place', async () => {
    await signIn()
    const store = usePatientFileStore()
    store.open('p-1')
    store.openExtra()
    store.lastPlace = { type: 'ehpad', postalCode: '75012', name: 'EHPAD Les Tilleuls' }
    expect(store.selectedTab).toBe(EXTRA_TAB)

    store.open('p-2')
    expect(store.selectedTab).toBeNull()
    expect(store.isExtraOpen).toBe(false)
    expect(store.lastPlace?.name).toBe('EHPAD Les Tilleuls')
  })
})

describe('usePatientFile', () => {
  it('follows the file live, without copying it into the store', async () => {
    const scope = effectScope()
    const state = scope.run(() => usePatientFile('p-1'))
    await settle()
    expect(state?.data.value?.file?.steps).toEqual([])

    await seedDb({ steps: [buildEligibilityStep()] })
    await settle()
    expect(state?.data.value?.file?.steps.map((s) => s.id)).toEqual(['s-elig'])
    expect(state?.data.value?.catalogue.length).toBeGreaterThan(5)
    scope.stop()
  })
})
