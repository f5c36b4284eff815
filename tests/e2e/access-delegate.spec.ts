// A delegate's role, from the access manager's dashboard to a rejected change. The manager creates an account
// and grants it a delegate role acting for the doctor; the delegate chooses a password through the one-time
// link, signs in and records on the doctor's behalf online. While the delegate's tablet is offline the manager
// brings the role's end forward to tomorrow; two days later (the server's clock and the tablet's moved
// together) the delegate records a dose offline, as the tablet still believes the role runs: the server judges
// the role at the time of action, rejects the dose, and the rejection reaches the delegate's « À traiter »
// inbox and the sync administrator's « Rejets et conflits » page.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Browser, BrowserContext, Page } from 'playwright-core'
import { computeNirKey } from '../../src/domain/identifiers'
import { workflow } from '../../src/i18n/locales/fr/workflow'
import {
  POLL,
  inboxLink,
  localIsoDate,
  openAppWithServiceWorker,
  recordDose,
  recordEligibility,
  registerPatient,
  signIn,
  waitUntilSynced,
} from './support/app'
import { launchBrowser } from './support/browser'
import { startClockServer, type ClockServer } from './support/clock-server'
import { demoPassword } from './support/server'

const TWO_DAYS_MS = 2 * 24 * 3600 * 1000
const DELEGATE = { login: 'delegue.bus', name: 'Inès Garnier', password: 'Bus-Vaccin-2026!' }
const DOCTOR_NAME = 'Dr Camille Martin'
const NIR_BODY = '1750363120005'
const PATIENT = {
  nir: `${NIR_BODY}${computeNirKey(NIR_BODY) ?? ''}`,
  birthName: 'Garcia',
  firstNames: 'Paul',
  sex: 'Masculin',
  birthDate: '12/03/1975',
  postalCodeTyped: '450',
  postalCodeSuggestion: '45000 Orléans',
} as const
const roleNotValid = workflow.errors['role-not-valid']

let server: ClockServer
let browser: Browser
const contexts: BrowserContext[] = []
const pageErrors: string[] = []

async function newPage(
  options: { fakeClock?: boolean } = {},
): Promise<{ context: BrowserContext; page: Page }> {
  const context = await browser.newContext({ locale: 'fr-FR', timezoneId: 'Europe/Paris' })
  contexts.push(context)
  // The delegate's clock is Playwright's from the start, so that moving it later shifts every Date of the app.
  if (options.fakeClock === true) await context.clock.install()
  const page = await context.newPage()
  page.on('pageerror', (error) => pageErrors.push(error.message))
  return { context, page }
}

async function openAdministration(page: Page, heading: string): Promise<void> {
  await page.getByRole('banner').getByRole('link', { name: 'Administration' }).click()
  await page.getByRole('heading', { level: 1, name: heading }).waitFor()
}

beforeAll(async () => {
  ;[server, browser] = await Promise.all([startClockServer(), launchBrowser()])
})

afterAll(async () => {
  for (const context of contexts) await context.close()
  await browser?.close()
  await server?.stop()
})

describe('a delegate role ended while the delegate was offline', () => {
  it('rejects the change recorded after the end, in the delegate’s inbox and on the dashboard', async () => {
    const manager = await newPage()
    await manager.page.goto(server.url)
    await signIn(manager.page, 'gestionnaire.demo', demoPassword, { mode: 'online', name: 'Nadia Roux' })
    await openAdministration(manager.page, 'Utilisateurs et rôles')

    await manager.page.getByRole('button', { name: 'Créer un utilisateur' }).click()
    await manager.page.getByLabel('Nom et prénom').fill(DELEGATE.name)
    await manager.page.getByLabel('Identifiant de connexion').fill(DELEGATE.login)
    await manager.page.getByLabel('Profession').selectOption({ label: 'Secrétaire médical·e' })
    await manager.page.getByRole('button', { name: 'Créer l’utilisateur' }).click()
    const linkField = manager.page.getByLabel('Lien de choix du mot de passe')
    await linkField.waitFor()
    const passwordLink = await linkField.inputValue()
    expect(passwordLink).toMatch(new RegExp(`^${server.url}/mot-de-passe/`))

    const card = manager.page.getByRole('article', { name: new RegExp(DELEGATE.name) })
    await card.getByRole('button', { name: 'Attribuer un rôle' }).click()
    await card.getByRole('combobox', { name: /^Rôle/ }).selectOption({ label: 'Délégué·e' })
    await card.getByRole('button', { name: 'Attribuer le rôle' }).click()
    await card
      .getByText('Choisissez au moins un professionnel pour le compte duquel la personne saisit.')
      .waitFor()
    await card.getByRole('checkbox', { name: DOCTOR_NAME }).check()
    await card.getByLabel('Date de fin (facultative)').fill(localIsoDate(7))
    await card.getByRole('button', { name: 'Attribuer le rôle' }).click()
    await manager.page.getByText(`Rôle « Délégué·e » attribué à ${DELEGATE.name}.`).waitFor()

    const delegate = await newPage({ fakeClock: true })
    await delegate.page.goto(passwordLink)
    await delegate.page.getByRole('heading', { name: 'Choisir votre mot de passe' }).waitFor()
    await delegate.page.getByLabel('Nouveau mot de passe').fill(DELEGATE.password)
    await delegate.page.getByLabel('Confirmer le mot de passe').fill(DELEGATE.password)
    await delegate.page.getByRole('button', { name: 'Enregistrer le mot de passe' }).click()
    await delegate.page.getByRole('heading', { name: 'Mot de passe enregistré' }).waitFor()

    await openAppWithServiceWorker(delegate.page, server.url)
    await signIn(delegate.page, DELEGATE.login, DELEGATE.password, { mode: 'online', name: DELEGATE.name })
    const doctorChoice = delegate.page.getByRole('radio', { name: DOCTOR_NAME })
    await doctorChoice.waitFor(POLL)
    await doctorChoice.check()
    await delegate.page.getByRole('button', { name: 'Continuer' }).click()
    await registerPatient(delegate.page, PATIENT)
    await delegate.page.getByRole('button', { name: 'Ouvrir le dossier du patient' }).click()
    await delegate.page.getByRole('heading', { level: 1, name: 'Garcia Paul' }).waitFor()
    const eligibility = await recordEligibility(delegate.page, { prescriptionDate: localIsoDate(-1) })
    expect(await eligibility.textContent()).toContain(
      `Saisi par ${DELEGATE.name} pour le compte de ${DOCTOR_NAME}`,
    )
    await waitUntilSynced(delegate.page)

    await delegate.context.setOffline(true)
    const history = card.getByRole('button', { name: 'Historique des rôles' })
    await history.click()
    const delegateRow = card.getByRole('row', { name: /Délégué·e/ })
    await delegateRow.getByRole('button', { name: 'Fixer la fin' }).click()
    await expect
      .poll(() => card.getByLabel('Date de fin (facultative)').inputValue(), POLL)
      .toBe(localIsoDate(1))
    await card.getByRole('button', { name: 'Enregistrer la fin' }).click()
    await card.getByText('Fin du rôle enregistrée.').waitFor()

    server.clock.advance(TWO_DAYS_MS)
    await delegate.page.clock.setSystemTime(Date.now() + TWO_DAYS_MS)
    await recordDose(delegate.page, {
      tab: '1ère vaccination',
      vaccine: 'Comirnaty (Pfizer-BioNTech) — COVID-19',
      lotTyped: 'FK1234',
      injectionSite: 'Deltoïde gauche',
      placeType: 'Centre de vaccination',
      placePostalCodeTyped: '450',
      placeSuggestion: '45000 Orléans',
      placeName: 'Salle des fêtes',
    })

    await delegate.context.setOffline(false)
    // The dose and the new lot it brought are both refused: neither may be entered without a valid role.
    await expect.poll(() => inboxLink(delegate.page).textContent(), POLL).toMatch(/À traiter \(\d\)/)
    await inboxLink(delegate.page).click()
    const inboxDose = delegate.page
      .getByRole('list', { name: 'Modifications refusées' })
      .getByRole('listitem')
      .filter({ hasText: '1ère vaccination' })
    await expect.poll(() => inboxDose.textContent(), POLL).toContain(roleNotValid)

    const admin = await newPage()
    await admin.page.goto(server.url)
    await signIn(admin.page, 'admin.demo', demoPassword, { mode: 'online', name: 'Thomas Leroy' })
    await openAdministration(admin.page, 'Appareils')
    await admin.page
      .getByRole('navigation', { name: 'Pages d’administration' })
      .getByRole('link', { name: 'Rejets et conflits' })
      .click()
    await admin.page.getByRole('heading', { level: 1, name: 'Rejets et conflits' }).waitFor()
    const doseRejection = admin.page
      .getByRole('list', { name: 'Liste des rejets' })
      .getByRole('listitem')
      .filter({ hasText: 'Enregistrement d’une étape — 1ère vaccination' })
    await expect.poll(() => doseRejection.count(), POLL).toBe(1)
    const rejectionText = (await doseRejection.textContent()) ?? ''
    expect(rejectionText).toContain(roleNotValid)
    expect(rejectionText).toContain(DELEGATE.name)
    expect(rejectionText).toContain(DOCTOR_NAME)
    expect(rejectionText).toMatch(/Garcia/i)
    expect(pageErrors).toEqual([])
  })
})
