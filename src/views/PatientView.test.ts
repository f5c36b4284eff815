import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { mount, type VueWrapper } from '@vue/test-utils'
import type { Pinia } from 'pinia'
import { i18n } from '../i18n'
import { buildDoseStep, buildEligibilityStep, buildPatient, USERS } from '../domain/testing/builders'
import {
  activePanel,
  choose,
  control,
  openTab,
  readFile,
  seedDb,
  settle,
  signIn,
  stubCommunes,
  tabLabels,
} from '../components/step/test-helpers'
import PatientView from './PatientView.vue'

let wrapper: VueWrapper | undefined

async function mountView(pinia: Pinia): Promise<VueWrapper> {
  wrapper = mount(PatientView, {
    props: { id: 'p-1' },
    global: { plugins: [pinia, i18n], stubs: { RouterLink: true } },
    attachTo: document.body,
  })
  await settle()
  return wrapper
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

describe('PatientView', () => {
  it('shows the identity and the code de ciblage to hand to the patient, then the eligibility form', async () => {
    await seedDb({ patients: [buildPatient({ usualName: 'Martin' })] })
    const { pinia } = await signIn()
    const view = await mountView(pinia)

    expect(view.get('[data-test="patient-name"]').text()).toBe('Martin Éloïse')
    expect(view.text()).toContain('Dupré')
    expect(view.text()).toContain('20/08/1955')
    expect(view.get('[data-test="patient-nir"]').text()).toBe('2 55 08 14 168 025 38')
    expect(view.get('[data-test="patient-code"]').text()).toBe('0123456789P')
    expect(view.text()).toContain('À remettre au patient')
    expect(tabLabels(view)).toEqual(['Éligibilité vaccinationà saisir'])
    expect(activePanel(view).text()).toContain('Le déclarant est-il le prescripteur ?')
  })

  it('lists recorded steps as tabs in chain order, read-only with their author and date', async () => {
    await seedDb({ steps: [buildEligibilityStep(), buildDoseStep()] })
    const { pinia } = await signIn(USERS.medecin2)
    const view = await mountView(pinia)

    expect(tabLabels(view)).toEqual([
      'Éligibilité vaccination01/02/2026',
      '1ère vaccination — COVID-1901/02/2026',
      '2ème vaccination — COVID-19à saisir',
    ])
    await openTab(view, '1ère vaccination')
    const panel = activePanel(view)
    expect(panel.get('[data-test="author"]').text()).toBe('Validé par Dr Martin le 01/02/2026 à 10:00')
    expect(panel.text()).toContain('Comirnaty (Pfizer-BioNTech)')
    expect(panel.text()).toContain('Deltoïde gauche')
  })

  it('a single-dose vaccine shows no dose-2 tab', async () => {
    await seedDb({
      steps: [buildEligibilityStep(), buildDoseStep({ fields: { vaccineId: 'jcovden' } })],
    })
    const { pinia } = await signIn()
    const view = await mountView(pinia)

    const labels = tabLabels(view)
    expect(labels.some((l) => l.includes('2ème vaccination'))).toBe(false)
    expect(labels).toEqual([
      'Éligibilité vaccination01/02/2026',
      '1ère vaccination — COVID-1901/02/2026',
      'Rappel — COVID-19à saisir',
    ])
  })

  it('the summary of a dose tells from when the next dose may be given, and links to adverse-effect reporting', async () => {
    await seedDb({ steps: [buildEligibilityStep(), buildDoseStep()] })
    const { pinia } = await signIn()
    const view = await mountView(pinia)
    await openTab(view, '1ère vaccination')

    const panel = activePanel(view)
    expect(panel.get('[data-test="next-dose"]').text()).toContain(
      'Prochaine dose possible à partir du 22/02/2026',
    )
    expect(panel.get('[data-test="summary-code"]').text()).toBe('0123456789P')
    const link = panel.get('a[href="https://signalement.social-sante.gouv.fr"]')
    expect(link.text()).toContain('Déclarer un effet indésirable')
  })

  it('says « Schéma complet » after a dose that nothing follows', async () => {
    await seedDb({
      steps: [
        buildEligibilityStep(),
        buildDoseStep({ targetDisease: 'pneumococcal', fields: { vaccineId: 'prevenar-20' } }),
      ],
    })
    const { pinia } = await signIn()
    const view = await mountView(pinia)
    await openTab(view, '1ère vaccination')
    expect(activePanel(view).get('[data-test="next-dose"]').text()).toBe('Schéma complet')
    expect(view.text()).toContain('le schéma vaccinal est complet')
  })

  describe('the edit rule', () => {
    it('another professional sees no « Modifier » but who holds the step', async () => {
      await seedDb({ steps: [buildEligibilityStep()] })
      const { pinia } = await signIn(USERS.medecin2)
      const view = await mountView(pinia)
      await openTab(view, 'Éligibilité')

      const panel = activePanel(view)
      expect(panel.find('[data-test="edit-step"]').exists()).toBe(false)
      expect(panel.get('[data-test="lock-reason"]').text()).toBe(
        'Cette étape a été validée par Dr Martin : seul·e cette personne peut la modifier.',
      )
    })

    it('the author sees « Modifier » until the next step is recorded, then the next-step sentence', async () => {
      await seedDb({ steps: [buildEligibilityStep()] })
      const { pinia } = await signIn(USERS.medecin)
      const view = await mountView(pinia)
      await openTab(view, 'Éligibilité')
      expect(activePanel(view).find('[data-test="edit-step"]').exists()).toBe(true)

      await seedDb({ steps: [buildEligibilityStep(), buildDoseStep()] })
      await settle()
      await openTab(view, 'Éligibilité')
      const panel = activePanel(view)
      expect(panel.find('[data-test="edit-step"]').exists()).toBe(false)
      expect(panel.get('[data-test="lock-reason"]').text()).toBe(
        "L'étape suivante a été enregistrée : cette étape ne peut plus être modifiée.",
      )
    })

    it('a modified step is marked « Rectificatif » and its history shows who changed what', async () => {
      await seedDb({ steps: [buildEligibilityStep(), buildDoseStep()] })
      const { pinia } = await signIn(USERS.medecin)
      const view = await mountView(pinia)
      await openTab(view, '1ère vaccination')

      await activePanel(view).get('[data-test="edit-step"]').trigger('click')
      await settle()
      const form = activePanel(view)
      const lot = control(form, 'Numéro de lot')
      await lot.setValue('fk9999')
      await form.get('form').trigger('submit')
      await settle()

      const file = await readFile()
      const dose = file.steps.find((s) => s.kind === 'dose')
      expect(dose?.versions).toHaveLength(2)
      expect(tabLabels(view)[1]).toContain('Rectificatif')
      const panel = activePanel(view)
      expect(panel.get('h3').text()).toBe("Rectificatif des données télétransmises à l'Assurance Maladie")
      expect(panel.text()).toContain('FK9999')

      await panel.get('[data-test="toggle-history"]').trigger('click')
      await settle()
      const history = activePanel(view).get('.step-history')
      expect(history.text()).toContain('Version 1')
      expect(history.text()).toContain('Saisie initiale')
      expect(history.text()).toContain('Version 2')
      const changed = history.get('[data-field="lotNumber"]')
      expect(changed.text()).toContain('FK1234')
      expect(changed.text()).toContain('FK9999')
      expect(history.findAll('tbody tr')).toHaveLength(1)
    })
  })

  describe('a delegate', () => {
    it('records for Dr Martin, who is the author; Dr Martin and the delegate may modify, Dr Bernard may not', async () => {
      await seedDb()
      const { pinia } = await signIn(USERS.secretaire, { actingFor: USERS.medecin })
      const view = await mountView(pinia)

      const form = activePanel(view)
      await choose(form, 'Le déclarant est-il le prescripteur ?', 'Oui')
      await control(form, 'Date de l’ordonnance').setValue('2026-03-01')
      await choose(form, 'Le patient est-il un professionnel de santé ?', 'Non')
      await control(form, 'Le patient accepte').setValue(true)
      await control(form, 'Le déclarant accepte').setValue(true)
      await form.get('form').trigger('submit')
      await settle()

      const file = await readFile()
      const step = file.steps[0]
      expect(step?.author).toEqual({ userId: USERS.secretaire, onBehalfOf: USERS.medecin })
      const panel = activePanel(view)
      expect(panel.get('[data-test="author"]').text()).toMatch(
        /^Saisi par Sam Leroy pour le compte de Dr Martin, le \d{2}\/\d{2}\/\d{4} à \d{2}:\d{2}$/,
      )
      expect(panel.find('[data-test="edit-step"]').exists()).toBe(true)
      view.unmount()

      const asAuthor = await signIn(USERS.medecin)
      const authorView = await mountView(asAuthor.pinia)
      await openTab(authorView, 'Éligibilité')
      expect(activePanel(authorView).find('[data-test="edit-step"]').exists()).toBe(true)
      authorView.unmount()

      const asOther = await signIn(USERS.medecin2)
      const otherView = await mountView(asOther.pinia)
      await openTab(otherView, 'Éligibilité')
      expect(activePanel(otherView).find('[data-test="edit-step"]').exists()).toBe(false)
      expect(activePanel(otherView).get('[data-test="lock-reason"]').text()).toContain('Dr Martin')
    })
  })

  it('after a dose, offers another injection of the same visit', async () => {
    await seedDb({ steps: [buildEligibilityStep()] })
    const { pinia } = await signIn(USERS.medecin)
    const view = await mountView(pinia)

    const form = activePanel(view)
    await control(form, 'Nom du vaccin').setValue('comirnaty')
    await control(form, 'Numéro de lot').setValue('FK1234')
    await control(form, "Zone d'injection").setValue('deltoid-left')
    await control(form, 'Type de lieu').setValue('domicile')
    await control(form, 'Code postal du lieu').setValue('75012')
    await control(form, 'Nom du lieu de vaccination').setValue('Domicile')
    await form.get('form').trigger('submit')
    await settle()

    const panel = activePanel(view)
    expect(panel.text()).toContain('Étape enregistrée')
    await panel.get('[data-test="another-injection"]').trigger('click')
    await settle()
    expect(tabLabels(view).at(-1)).toBe('Nouvelle vaccinationà saisir')
    const extra = activePanel(view)
    expect(extra.text()).toContain('Même visite')
    expect((control(extra, 'Nom du lieu de vaccination').element as HTMLInputElement).value).toBe('Domicile')
    expect(extra.text()).toContain('Déjà utilisé lors de cette visite : Deltoïde gauche.')
  })
})
