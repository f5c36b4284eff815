// The vaccination workflow with the network off from the first record to the last: register, eligibility,
// dose 1, dose 2, reload, search, the outbox waiting in order, and the edit rule as two professionals see it.
// One journey in steps that build on each other (one browser context, one device), as on a mobile site.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Browser, BrowserContext, Page } from 'playwright-core'
import { computeNirKey } from '../../src/domain/identifiers'
import { workflow } from '../../src/i18n/locales/fr/workflow'
import {
  POLL,
  activePanel,
  addDays,
  frenchDate,
  goHome,
  localIsoDate,
  openAppWithServiceWorker,
  openTab,
  readOutbox,
  recordDose,
  recordEligibility,
  registerPatient,
  searchPatients,
  signIn,
  signOut,
  unlock,
} from './support/app'
import { launchBrowser } from './support/browser'
import { demoPassword, startServer, type RunningServer } from './support/server'

const DOCTOR = { login: 'medecin.demo', name: 'Dr Camille Martin' }
const NURSE = { login: 'infirmier.demo', name: 'Julien Bernard' }

// A woman born in December 1984 in Orléans (45, INSEE 234): the NIR agrees with sex and birth date.
const NIR_BODY = '2841245234052'
const PATIENT = {
  nir: `${NIR_BODY}${computeNirKey(NIR_BODY) ?? ''}`,
  birthName: 'Lefèvre',
  firstNames: 'Hélène Zoé',
  sex: 'Féminin',
  birthDate: '03/12/1984',
  postalCodeTyped: '450',
  postalCodeSuggestion: '45000 Orléans',
} as const

const TODAY = localIsoDate(0)
const PRESCRIBED_ON = localIsoDate(-31)
// Dose 1 a month ago, so that dose 2 today respects Comirnaty's 21-day minimum interval.
const DOSE_1_ON = localIsoDate(-30)
const LOT = 'FK1234'

const lockedByAuthor = workflow.errors['step-locked-by-author'].replace('{author}', DOCTOR.name)
const lockedByNextStep = workflow.errors['step-locked-by-next-step']
const validatedToday = new RegExp(`Validé par ${DOCTOR.name} le ${frenchDate(TODAY)} à \\d{2}:\\d{2}`)

let server: RunningServer
let browser: Browser
let context: BrowserContext
let page: Page
let codeDeCiblage = ''
const pageErrors: string[] = []

beforeAll(async () => {
  ;[server, browser] = await Promise.all([startServer(), launchBrowser()])
  context = await browser.newContext({ locale: 'fr-FR' })
  page = await context.newPage()
  page.on('pageerror', (error) => pageErrors.push(error.message))
})

afterAll(async () => {
  await context?.close()
  await browser?.close()
  await server?.stop()
})

/** Opens the patient's file from the search page by its code de ciblage. */
async function openFileByCode(): Promise<void> {
  const hits = await searchPatients(page, codeDeCiblage)
  await expect.poll(() => hits.allTextContents(), POLL).toEqual([expect.stringContaining('code de ciblage')])
  await hits.first().click()
  await page.getByRole('heading', { level: 1, name: 'Lefèvre Hélène Zoé' }).waitFor()
}

const editButton = () => activePanel(page).getByRole('button', { name: /^Modifier/ })

describe('the vaccination workflow offline', () => {
  it('signs in online once per professional, so that both may sign in offline later', async () => {
    await openAppWithServiceWorker(page, server.url)
    await signIn(page, DOCTOR.login, demoPassword, { mode: 'online', ...DOCTOR })
    await signOut(page)
    await signIn(page, NURSE.login, demoPassword, { mode: 'online', ...NURSE })
    await signOut(page)
  })

  it('registers a patient, declares eligibility and records both Comirnaty doses with no network', async () => {
    await context.setOffline(true)
    await signIn(page, DOCTOR.login, demoPassword, { mode: 'offline', ...DOCTOR })

    codeDeCiblage = await registerPatient(page, PATIENT)
    expect(codeDeCiblage).toMatch(/^[0-9A-HJKMNP-TV-Z]{10}[0-9A-HJKMNP-TV-Z*~$=U]$/)
    await page.getByText('LEFÈVRE Hélène Zoé est enregistré·e sur cet appareil').waitFor()
    await page.getByRole('button', { name: 'Ouvrir le dossier du patient' }).click()
    await page.getByRole('heading', { level: 1, name: 'Lefèvre Hélène Zoé' }).waitFor()

    const eligibility = await recordEligibility(page, { prescriptionDate: PRESCRIBED_ON })
    await expect.poll(() => eligibility.textContent(), POLL).toMatch(validatedToday)
    const eligibilityText = (await eligibility.textContent()) ?? ''
    expect(eligibilityText).toContain(frenchDate(PRESCRIBED_ON))
    expect(eligibilityText).toContain(codeDeCiblage)

    const dose1 = await recordDose(page, {
      tab: '1ère vaccination',
      vaccine: 'Comirnaty (Pfizer-BioNTech) — COVID-19',
      lotTyped: LOT.toLowerCase(),
      injectionSite: 'Deltoïde gauche',
      date: DOSE_1_ON,
      placeType: 'Centre de vaccination',
      placePostalCodeTyped: '450',
      placeSuggestion: '45000 Orléans',
      placeName: 'Salle des fêtes',
    })
    const dose1Text = (await dose1.textContent()) ?? ''
    expect(dose1Text).toContain(`Prochaine dose possible à partir du ${frenchDate(addDays(DOSE_1_ON, 21))}`)
    expect(dose1Text).toContain(LOT)
    expect(dose1Text).toContain('Deltoïde gauche')

    const dose2Form = await openTab(page, '2ème vaccination — COVID-19')
    await expect.poll(() => dose2Form.getByLabel('Nom du vaccin').textContent(), POLL).toContain('Comirnaty')
    await dose2Form.getByText('il ne peut pas être changé').waitFor()
    expect(await dose2Form.getByRole('combobox', { name: 'Nom du vaccin' }).count()).toBe(0)
    // The place of the dose just given is kept for the next injection on this site.
    expect(await dose2Form.getByLabel('Type de lieu').inputValue()).toBe('centre-de-vaccination')

    const dose2 = await recordDose(page, {
      tab: '2ème vaccination',
      lotTyped: 'FK',
      lotSuggestion: LOT,
      injectionSite: 'Deltoïde droit',
    })
    const dose2Text = (await dose2.textContent()) ?? ''
    expect(dose2Text).toContain('Dose n° 2')
    expect(dose2Text).not.toContain('intervalle minimal')
    expect(dose2Text).toMatch(validatedToday)
  })

  it('opens again from the service worker after a reload, and finds the file with its three steps', async () => {
    await goHome(page)
    await page.reload()
    // The session was not signed out: the reload locks it, and its password opens it again, offline.
    await page.getByText('La page a été rechargée').waitFor()
    expect(await page.evaluate(() => navigator.serviceWorker.controller !== null)).toBe(true)
    await unlock(page, demoPassword)
    await page.getByRole('banner').getByText(DOCTOR.name, { exact: true }).waitFor()
    await page.getByRole('banner').getByText('connexion hors ligne').waitFor()

    const byName = await searchPatients(page, 'lefevre helene')
    await expect
      .poll(() => byName.allTextContents(), POLL)
      .toEqual([expect.stringMatching(/^LEFÈVRE Hélène Zoé.*nom$/)])
    await openFileByCode()

    const eligibility = await openTab(page, 'Éligibilité vaccination')
    await expect.poll(() => eligibility.textContent(), POLL).toMatch(validatedToday)
    const dose1 = await openTab(page, '1ère vaccination — COVID-19')
    await expect.poll(() => dose1.textContent(), POLL).toMatch(validatedToday)
    expect(await dose1.textContent()).toContain(frenchDate(DOSE_1_ON))
    const dose2 = await openTab(page, '2ème vaccination — COVID-19')
    await expect.poll(() => dose2.textContent(), POLL).toMatch(validatedToday)
    expect(await dose2.textContent()).toContain(frenchDate(TODAY))
  })

  it('keeps every change in the outbox, in order, waiting for the network', async () => {
    const outbox = await readOutbox(page)
    expect(outbox.map((row) => row.seq)).toEqual(outbox.map((_, index) => index + 1))
    expect(outbox.every((row) => row.status === 'pending')).toBe(true)
    // Registration, eligibility, dose 1, dose 2: what each records is sealed at rest, only its type is not.
    expect(outbox.filter((row) => row.type !== 'lot.upsert').map((row) => row.type)).toEqual([
      'patient.register',
      'step.record',
      'step.record',
      'step.record',
    ])
    expect(outbox.every((row) => row.sealed)).toBe(true)
    const sync = page.getByRole('status', { name: 'Synchronisation' })
    await expect.poll(() => sync.textContent(), POLL).toContain(`${outbox.length} modifications en attente`)
  })

  it('lets only the doctor modify, and only the last step', async () => {
    await signOut(page)
    await signIn(page, NURSE.login, demoPassword, { mode: 'offline', ...NURSE })
    await openFileByCode()
    for (const tab of [
      'Éligibilité vaccination',
      '1ère vaccination — COVID-19',
      '2ème vaccination — COVID-19',
    ]) {
      const panel = await openTab(page, tab)
      await expect.poll(() => panel.textContent(), POLL).toContain(lockedByAuthor)
      expect(await editButton().count()).toBe(0)
    }

    await signOut(page)
    await signIn(page, DOCTOR.login, demoPassword, { mode: 'offline', ...DOCTOR })
    await openFileByCode()
    const dose2 = await openTab(page, '2ème vaccination — COVID-19')
    await dose2.getByRole('button', { name: 'Modifier l’étape « 2ème vaccination — COVID-19 »' }).waitFor()
    expect(await dose2.textContent()).not.toContain(lockedByNextStep)
    for (const tab of ['1ère vaccination — COVID-19', 'Éligibilité vaccination']) {
      const panel = await openTab(page, tab)
      await expect.poll(() => panel.textContent(), POLL).toContain(lockedByNextStep)
      expect(await editButton().count()).toBe(0)
    }
    expect(pageErrors).toEqual([])
  })
})
