import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { mount, type VueWrapper } from '@vue/test-utils'
import type { Pinia } from 'pinia'
import { i18n } from '../../i18n'
import { buildEligibilityStep, USERS, VALID } from '../../domain/testing/builders'
import { useSessionStore } from '../../stores/session'
import StepEligibilityForm from './StepEligibilityForm.vue'
import { choose, control, errorOf, readFile, seedDb, settle, signIn } from './test-helpers'

let wrapper: VueWrapper | undefined

async function mountForm(pinia: Pinia, props: Record<string, unknown> = {}): Promise<VueWrapper> {
  wrapper = mount(StepEligibilityForm, {
    props: { patientId: 'p-1', ...props },
    global: { plugins: [pinia, i18n] },
    attachTo: document.body,
  })
  await settle()
  return wrapper
}

async function fillValidExceptConsents(form: VueWrapper): Promise<void> {
  await choose(form, 'Le déclarant est-il le prescripteur ?', 'Oui')
  await control(form, 'Date de l’ordonnance').setValue('2026-03-01')
  await choose(form, 'Le patient est-il un professionnel de santé ?', 'Non')
}

async function submit(form: VueWrapper): Promise<void> {
  await form.get('form').trigger('submit')
  await settle()
}

beforeEach(async () => {
  i18n.global.locale.value = 'fr'
  await seedDb()
})

afterEach(() => {
  wrapper?.unmount()
  wrapper = undefined
})

describe('StepEligibilityForm', () => {
  it('refuses to save without the two consents, saying so next to each box', async () => {
    const { pinia, session } = await signIn()
    const form = await mountForm(pinia)
    await fillValidExceptConsents(form)
    await submit(form)

    const message = 'Cette case doit être cochée pour valider la déclaration.'
    expect(errorOf(form, 'Le patient accepte d’entrer dans le processus de vaccination')).toContain(message)
    expect(
      errorOf(
        form,
        'Le déclarant accepte les conditions de transmissions des données et qu’il a informé son patient sur le traitement de ses données',
      ),
    ).toContain(message)
    expect(form.get('[role="alert"]').text()).toContain('Le formulaire comporte 2 erreurs')
    expect(session.record).not.toHaveBeenCalled()
    expect((await readFile()).steps).toHaveLength(0)
    expect(document.activeElement?.getAttribute('type')).toBe('checkbox')
  })

  it('fills the prescriber from the connected professional, asks only the prescription date, and saves', async () => {
    const { pinia, session } = await signIn()
    const form = await mountForm(pinia)
    await choose(form, 'Le déclarant est-il le prescripteur ?', 'Oui')

    expect(form.get('[data-test="prescriber-name"]').text()).toBe('Dr Martin')
    expect(form.get('[data-test="prescriber-rpps"]').text()).toBe(VALID.rpps)
    expect(form.find('input[type="date"]').exists()).toBe(true)

    await submit(form)
    expect(errorOf(form, 'Date de l’ordonnance')).toContain('Ce champ est obligatoire.')

    await control(form, 'Date de l’ordonnance').setValue('2026-03-01')
    await choose(form, 'Le patient est-il un professionnel de santé ?', 'Non')
    await control(form, 'Le patient accepte').setValue(true)
    await control(form, 'Le déclarant accepte').setValue(true)
    await submit(form)

    expect(session.record).toHaveBeenCalledTimes(1)
    const [step] = (await readFile()).steps
    expect(step?.kind).toBe('eligibility')
    expect(step?.author).toEqual({ userId: USERS.medecin })
    expect(step?.kind === 'eligibility' && step.versions[0]?.fields).toEqual({
      declarantIsPrescriber: true,
      prescriber: { name: 'Dr Martin', profession: 'medecin', rpps: VALID.rpps },
      prescriptionDate: '2026-03-01',
      patientIsHealthProfessional: false,
      patientConsents: true,
      declarantAcceptsTransmission: true,
    })
    expect(form.emitted('saved')?.[0]).toEqual([step?.id])
  })

  it("checks the prescriber's RPPS key and says so in French", async () => {
    const { pinia, session } = await signIn()
    const form = await mountForm(pinia)
    await choose(form, 'Le déclarant est-il le prescripteur ?', 'Non')
    await control(form, 'Nom et prénom du prescripteur').setValue('Dr Claire Durand')
    await control(form, 'Profession du prescripteur').setValue('medecin')
    await control(form, 'N° RPPS du prescripteur').setValue('10012345674')
    await control(form, 'Date de l’ordonnance').setValue('2026-03-01')
    await choose(form, 'Le patient est-il un professionnel de santé ?', 'Non')
    await control(form, 'Le patient accepte').setValue(true)
    await control(form, 'Le déclarant accepte').setValue(true)
    await submit(form)

    expect(errorOf(form, 'N° RPPS du prescripteur')).toContain(
      'La clé du numéro RPPS est incorrecte : vérifiez le numéro saisi.',
    )
    expect(session.record).not.toHaveBeenCalled()

    await control(form, 'N° RPPS du prescripteur').setValue('1001 2345 673')
    await submit(form)
    const [step] = (await readFile()).steps
    expect(step?.kind === 'eligibility' && step.versions[0]?.fields.prescriber).toEqual({
      name: 'Dr Claire Durand',
      profession: 'medecin',
      rpps: VALID.rpps,
    })
  })

  it('asks the main activity (4 choices) and the profession of a patient who is a health professional', async () => {
    const { pinia } = await signIn()
    const form = await mountForm(pinia)
    await fillValidExceptConsents(form)
    await choose(form, 'Le patient est-il un professionnel de santé ?', 'Oui')

    const activities = form
      .findAll('fieldset')
      .find((f) => f.find('legend').text().startsWith('Activité principale'))
    expect(activities?.findAll('input[type="radio"]')).toHaveLength(4)
    expect(
      control(form, 'Profession')
        .findAll('option')
        .map((o) => o.text()),
    ).toContain('Aide-soignant·e')

    await submit(form)
    expect(errorOf(form, 'Profession')).toContain('Ce champ est obligatoire.')
    expect(activities?.text()).toContain('Ce champ est obligatoire.')
  })

  it('a delegate declares for the professional they act for', async () => {
    const { pinia } = await signIn(USERS.secretaire, { actingFor: USERS.medecin })
    expect(useSessionStore().actor).toEqual({ userId: USERS.secretaire, onBehalfOf: USERS.medecin })
    const form = await mountForm(pinia)
    await choose(form, 'Le déclarant est-il le prescripteur ?', 'Oui')
    expect(form.get('[data-test="prescriber-name"]').text()).toBe('Dr Martin')
  })

  it('modifies a step through step.amend with only the changed fields', async () => {
    await seedDb({ steps: [buildEligibilityStep()] })
    const { pinia, session } = await signIn()
    const file = await readFile()
    const step = file.steps[0]
    const form = await mountForm(pinia, { step })

    await submit(form)
    expect(form.text()).toContain('Aucune modification à enregistrer.')
    expect(session.record).not.toHaveBeenCalled()

    await control(form, 'Date de l’ordonnance').setValue('2026-02-28')
    await submit(form)
    expect(session.record).toHaveBeenCalledWith('step.amend', {
      kind: 'eligibility',
      stepId: 's-elig',
      patientId: 'p-1',
      baseVersion: 1,
      changes: { prescriptionDate: '2026-02-28' },
    })
    expect((await readFile()).steps[0]?.versions).toHaveLength(2)
  })
})
