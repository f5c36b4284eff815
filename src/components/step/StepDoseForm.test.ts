import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { mount, type VueWrapper } from '@vue/test-utils'
import type { Pinia } from 'pinia'
import { i18n } from '../../i18n'
import type { PatientFile } from '../../domain/patients/patient-file'
import { expectedNextStep } from '../../domain/steps/chain'
import { currentDoseFields } from '../../domain/steps/step'
import {
  buildDoseStep,
  buildEligibilityStep,
  buildUser,
  buildUsers,
  USERS,
  VALID,
} from '../../domain/testing/builders'
import { CATALOGUE } from '../../domain/vaccines/catalogue'
import { usePatientFileStore } from '../../stores/patient-file'
import StepDoseForm from './StepDoseForm.vue'
import { control, errorOf, hasControl, readFile, seedDb, settle, signIn, stubCommunes } from './test-helpers'

let wrapper: VueWrapper | undefined

async function mountForm(pinia: Pinia, file: PatientFile, props: Record<string, unknown> = {}) {
  const expected = expectedNextStep(file, CATALOGUE)
  wrapper = mount(StepDoseForm, {
    props: {
      file,
      catalogue: CATALOGUE,
      ...(expected?.kind === 'dose' ? { expected } : {}),
      ...props,
    },
    global: { plugins: [pinia, i18n] },
    attachTo: document.body,
  })
  await settle()
  return wrapper
}

async function fillPlace(form: VueWrapper, type = 'domicile'): Promise<void> {
  await control(form, 'Type de lieu').setValue(type)
  await control(form, 'Code postal du lieu').setValue('75012')
  await control(form, 'Nom du lieu de vaccination').setValue('Domicile du patient')
}

async function submit(form: VueWrapper): Promise<void> {
  await form.get('form').trigger('submit')
  await settle()
}

function valueOf(form: VueWrapper, label: string): string {
  return (control(form, label).element as HTMLInputElement).value
}

beforeEach(() => {
  i18n.global.locale.value = 'fr'
  stubCommunes()
})

afterEach(() => {
  wrapper?.unmount()
  wrapper = undefined
  vi.unstubAllGlobals()
})

describe('StepDoseForm', () => {
  it('from dose 2 on, the vaccine is the one of dose 1 and cannot be changed', async () => {
    await seedDb({ steps: [buildEligibilityStep(), buildDoseStep()] })
    const { pinia } = await signIn()
    const form = await mountForm(pinia, await readFile())

    expect(form.get('[data-test="vaccine-fixed"]').text()).toBe('Comirnaty (Pfizer-BioNTech)')
    expect(form.text()).toContain('Vaccin de la 1ère vaccination : il ne peut pas être changé.')
    expect(form.findAll('select').some((s) => s.find('option[value="spikevax"]').exists())).toBe(false)
    expect(form.get('[data-test="dose-number"]').text()).toBe('Dose n° 2')
    expect(valueOf(form, "Voie d'administration")).toBe('intramuscular')
    expect(form.get('[data-test="vaccinator"]').text()).toBe('Dr Martin')
  })

  it('refuses an injection date in the future, in French, and saves nothing', async () => {
    await seedDb({ steps: [buildEligibilityStep()] })
    const { pinia, session } = await signIn()
    const form = await mountForm(pinia, await readFile())
    await control(form, 'Nom du vaccin').setValue('comirnaty')
    await control(form, 'Numéro de lot').setValue('FK1234')
    await control(form, "Zone d'injection").setValue('deltoid-left')
    await control(form, "Date de l'injection").setValue('2099-01-01')
    await fillPlace(form)
    await submit(form)

    expect(errorOf(form, "Date de l'injection")).toContain("La date d'injection est dans le futur.")
    expect(session.record).not.toHaveBeenCalled()
  })

  it('warns, without blocking, when the dose comes before the minimum interval', async () => {
    await seedDb({ steps: [buildEligibilityStep(), buildDoseStep()] })
    const { pinia } = await signIn()
    const form = await mountForm(pinia, await readFile())
    await control(form, "Date de l'injection").setValue('2026-02-10')
    await control(form, "Heure de l'injection").setValue('11:30')

    expect(form.text()).toContain(
      'Dose administrée avant l’intervalle minimal recommandé : la prochaine dose était possible à partir du 22/02/2026.',
    )
    await control(form, 'Numéro de lot').setValue('fk5678')
    await control(form, "Zone d'injection").setValue('deltoid-right')
    await fillPlace(form)
    await submit(form)

    const dose2 = (await readFile()).steps.find((s) => s.kind === 'dose' && s.doseNumber === 2)
    expect(dose2?.kind === 'dose' && currentDoseFields(dose2)).toMatchObject({
      vaccineId: 'comirnaty',
      lotNumber: 'FK5678',
      injectionSite: 'deltoid-right',
    })
    expect(form.emitted('saved')).toHaveLength(1)
  })

  it('asks the FINESS only for an establishment, checked with its key', async () => {
    await seedDb({ steps: [buildEligibilityStep()] })
    const { pinia } = await signIn()
    const form = await mountForm(pinia, await readFile())

    await control(form, 'Type de lieu').setValue('domicile')
    expect(hasControl(form, 'N° FINESS')).toBe(false)
    await control(form, 'Type de lieu').setValue('cabinet')
    expect(hasControl(form, 'N° FINESS')).toBe(false)
    await control(form, 'Type de lieu').setValue('ehpad')
    expect(hasControl(form, 'N° FINESS')).toBe(true)

    await control(form, 'N° FINESS').setValue('010000017')
    await submit(form)
    expect(errorOf(form, 'N° FINESS')).toContain('La clé du numéro FINESS est incorrecte')
    await control(form, 'N° FINESS').setValue(VALID.finess)
    await submit(form)
    expect(errorOf(form, 'N° FINESS')).toBeUndefined()
  })

  it('prefills the N°AM from the professional when the place is « Au cabinet »', async () => {
    const users = buildUsers().map((u) => (u.id === USERS.medecin ? buildUser({ nam: '100000009' }) : u))
    await seedDb({ users, steps: [buildEligibilityStep()] })
    const { pinia } = await signIn()
    const form = await mountForm(pinia, await readFile())

    expect(hasControl(form, 'N°AM')).toBe(false)
    await control(form, 'Type de lieu').setValue('cabinet')
    expect(valueOf(form, 'N°AM')).toBe('100000009')
  })

  it('refuses a second injection at the same site during the same visit', async () => {
    const visitAt = '2026-11-02T09:30:00+00:00'
    await seedDb({ steps: [buildEligibilityStep(), buildDoseStep({ at: visitAt })] })
    const { pinia, session } = await signIn()
    const file = await readFile()
    const first = file.steps.find((s) => s.kind === 'dose')
    if (first?.kind !== 'dose') throw new Error('no dose')
    const visit = { fromStepId: first.id, injectedAt: visitAt, place: currentDoseFields(first).place }
    const form = await mountForm(pinia, file, { expected: null, visit })

    const vaccines = control(form, 'Nom du vaccin')
      .findAll('option')
      .map((o) => o.attributes('value'))
    expect(vaccines).not.toContain('comirnaty')
    expect(vaccines).toContain('efluelda')
    expect(valueOf(form, "Date de l'injection")).toBe('2026-11-02')
    expect(valueOf(form, 'Nom du lieu de vaccination')).toBe('EHPAD Les Tilleuls')

    await control(form, 'Nom du vaccin').setValue('efluelda')
    await control(form, 'Numéro de lot').setValue('GR42')
    await control(form, "Zone d'injection").setValue('deltoid-left')
    await submit(form)
    expect(errorOf(form, "Zone d'injection")).toContain(
      "Une autre injection a déjà eu lieu à ce site lors de cette visite : choisissez un autre site d'injection.",
    )
    expect(session.record).not.toHaveBeenCalled()

    await control(form, "Zone d'injection").setValue('deltoid-right')
    await submit(form)
    const flu = (await readFile()).steps.find((s) => s.kind === 'dose' && s.targetDisease === 'influenza')
    expect(flu?.kind === 'dose' && currentDoseFields(flu).injectionSite).toBe('deltoid-right')
    expect(usePatientFileStore().lastPlace?.name).toBe('EHPAD Les Tilleuls')
  })

  it('fills lot and expiry from a pasted GS1 DataMatrix scan, and makes the lot known for the next patients', async () => {
    await seedDb({ steps: [buildEligibilityStep()] })
    const { pinia } = await signIn()
    const form = await mountForm(pinia, await readFile())
    await control(form, 'Nom du vaccin').setValue('comirnaty')
    await control(form, 'Numéro de lot').setValue('(01)03453120000011(17)291030(10)abc123')

    expect(valueOf(form, 'Numéro de lot')).toBe('ABC123')
    expect(form.text()).toContain('Code DataMatrix lu : lot ABC123, péremption le 30/10/2029.')
    await control(form, "Zone d'injection").setValue('deltoid-left')
    await fillPlace(form)
    await submit(form)

    const [dose] = (await readFile()).steps.filter((s) => s.kind === 'dose')
    expect(dose?.kind === 'dose' && currentDoseFields(dose)).toMatchObject({
      lotNumber: 'ABC123',
      lotExpiry: '2029-10-30',
    })
    expect(await usePatientFileStore().searchLots('comirnaty', 'AB')).toMatchObject([
      { vaccineId: 'comirnaty', lotNumber: 'ABC123', expiry: '2029-10-30' },
    ])
  })

  it('suggests communes after two characters and fills the postal code and the place name', async () => {
    await seedDb({ steps: [buildEligibilityStep()] })
    const { pinia } = await signIn()
    const form = await mountForm(pinia, await readFile())
    const input = control(form, 'Code postal du lieu')
    await input.setValue('ly')
    await settle()

    const option = form.findAll('[role="option"]').find((o) => o.text().includes('Lyon 1er'))
    expect(option).toBeDefined()
    await option?.trigger('click')
    await settle()
    expect(valueOf(form, 'Code postal du lieu')).toBe('69001')
    expect(valueOf(form, 'Nom du lieu de vaccination')).toBe('Lyon 1er Arrondissement')
  })
})
