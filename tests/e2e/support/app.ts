// Page helpers for the browser suite: what a vaccinator does on the screens, through the French labels and roles
// a person (or a screen reader) meets, never through CSS classes. Each helper waits for the screen it leads to.
import { expect } from 'vitest'
import type { Locator, Page } from 'playwright-core'

/** How long a poll on the page may take: PBKDF2 unwrapping and the first IndexedDB reads run on 2 slow cores. */
export const POLL = { timeout: 15_000, interval: 100 } as const

/** A calendar day of the machine's clock (Chromium shares its time zone), `daysFromToday` away, as 'YYYY-MM-DD'. */
export function localIsoDate(daysFromToday = 0): string {
  const day = new Date()
  day.setDate(day.getDate() + daysFromToday)
  const pad = (n: number) => String(n).padStart(2, '0')
  return `${day.getFullYear()}-${pad(day.getMonth() + 1)}-${pad(day.getDate())}`
}

/** Adds calendar days to 'YYYY-MM-DD'. */
export function addDays(iso: string, days: number): string {
  const [y, m, d] = iso.split('-').map(Number)
  const day = new Date(Date.UTC(y ?? 0, (m ?? 1) - 1, (d ?? 1) + days))
  return day.toISOString().slice(0, 10)
}

/** Writes 'YYYY-MM-DD' as the app shows it, JJ/MM/AAAA. */
export function frenchDate(iso: string): string {
  const [y, m, d] = iso.split('-')
  return `${d}/${m}/${y}`
}

/**
 * Opens the app in a fresh page and waits until its service worker controls it (installed, shell precached),
 * so that the next loads work with the network off.
 */
export async function openAppWithServiceWorker(page: Page, url: string): Promise<void> {
  await page.goto(url)
  await page.getByRole('heading', { name: 'Connexion' }).waitFor()
  await page.evaluate(async () => {
    await navigator.serviceWorker.ready
  })
  await page.reload()
  await expect.poll(() => page.evaluate(() => navigator.serviceWorker.controller !== null), POLL).toBe(true)
  await page.getByRole('heading', { name: 'Connexion' }).waitFor()
}

/** Signs in from the sign-in page and waits for the home page; checks the mode the header reports. */
export async function signIn(
  page: Page,
  login: string,
  password: string,
  expected: { mode: 'online' | 'offline'; name: string },
): Promise<void> {
  await page.getByRole('heading', { name: 'Connexion' }).waitFor()
  await page.getByLabel('Identifiant').fill(login)
  await page.getByLabel('Mot de passe').fill(password)
  await page.getByRole('button', { name: 'Se connecter', exact: true }).click()
  const header = page.getByRole('banner')
  await header.getByText(expected.name, { exact: true }).waitFor()
  const offlineMention = header.getByText('connexion hors ligne')
  await expect.poll(() => offlineMention.count(), POLL).toBe(expected.mode === 'offline' ? 1 : 0)
}

/**
 * Unlocks a locked session (after the idle time, or a reload) with its password and waits for the lock to go: the
 * page underneath is the one that was there, or the one a reload asked for.
 */
export async function unlock(page: Page, password: string): Promise<void> {
  await page.getByRole('heading', { name: 'Session verrouillée' }).waitFor()
  await page.getByLabel('Mot de passe').fill(password)
  await page.getByRole('button', { name: 'Déverrouiller' }).click()
  await page.getByRole('heading', { name: 'Session verrouillée' }).waitFor({ state: 'detached', ...POLL })
}

/** Signs out from the header and waits for the sign-in page. */
export async function signOut(page: Page): Promise<void> {
  await page.getByRole('button', { name: 'Se déconnecter' }).click()
  await page.getByRole('heading', { name: 'Connexion' }).waitFor()
}

/** Goes back to the search page through the header's home link. */
export async function goHome(page: Page): Promise<void> {
  await page.getByRole('link', { name: 'Carnet, accueil' }).click()
  await page.getByRole('heading', { name: 'Rechercher un patient' }).waitFor()
}

/** A patient as typed in the registration form. */
export type NewPatient = {
  nir: string
  birthName: string
  firstNames: string
  sex: 'Masculin' | 'Féminin'
  /** JJ/MM/AAAA, as typed. */
  birthDate: string
  /** What is typed in « Code postal » (2+ characters) before picking a suggestion. */
  postalCodeTyped: string
  /** The suggestion picked, « 45000 Orléans ». */
  postalCodeSuggestion: string
  address?: string
  phone?: string
}

/**
 * Registers a patient from the search page's link, picking the commune among the postal code's suggestions;
 * returns the code de ciblage the app issued and leaves the « Patient enregistré » page open.
 */
export async function registerPatient(page: Page, patient: NewPatient): Promise<string> {
  await page.getByRole('link', { name: 'Enregistrer un nouveau patient' }).first().click()
  await page.getByRole('heading', { name: 'Enregistrer un nouveau patient' }).waitFor()
  await page.getByLabel('NIR (15 caractères').fill(patient.nir)
  await page.getByLabel('Nom de naissance').fill(patient.birthName)
  await page.getByLabel('Prénom(s)').fill(patient.firstNames)
  await page.getByRole('radio', { name: patient.sex }).check()
  await page.getByLabel('Date de naissance').fill(patient.birthDate)
  await page.getByRole('combobox', { name: 'Code postal' }).fill(patient.postalCodeTyped)
  await page.getByRole('option', { name: patient.postalCodeSuggestion }).click()
  const [postalCode = '', commune = ''] = patient.postalCodeSuggestion.split(/ (.*)/)
  await expect
    .poll(() => page.getByRole('combobox', { name: 'Code postal' }).inputValue(), POLL)
    .toBe(postalCode)
  await expect.poll(() => page.getByRole('combobox', { name: 'Commune' }).inputValue(), POLL).toBe(commune)
  if (patient.address !== undefined) await page.getByLabel('Adresse', { exact: true }).fill(patient.address)
  if (patient.phone !== undefined) await page.getByLabel('Téléphone', { exact: true }).fill(patient.phone)
  await page.getByRole('button', { name: 'Vérifier et enregistrer' }).click()
  await page.getByRole('heading', { name: 'Patient enregistré' }).waitFor()
  const code = (await page.getByTestId('code-de-ciblage').textContent())?.trim() ?? ''
  return code
}

/** The panel of the selected tab of the patient file (the others are hidden). */
export function activePanel(page: Page): Locator {
  return page.getByRole('tabpanel')
}

/** Selects a tab of the patient file by the start of its name (« 1ère vaccination », « Éligibilité vaccination »). */
export async function openTab(page: Page, nameStart: string): Promise<Locator> {
  const tab = page.getByRole('tab', { name: new RegExp(`^${nameStart}`) })
  await tab.click()
  await expect.poll(() => tab.getAttribute('aria-selected'), POLL).toBe('true')
  return activePanel(page)
}

/** The radio of a yes/no question, found by the question (its fieldset's legend). */
function answer(scope: Locator, question: string, choice: 'Oui' | 'Non'): Locator {
  return scope.getByRole('group', { name: question }).getByRole('radio', { name: choice, exact: true })
}

/**
 * Declares the patient's eligibility in the open tab: the declarant is the prescriber, the prescription date,
 * the patient is not a health professional, both consents; waits for the summary.
 */
export async function recordEligibility(page: Page, fields: { prescriptionDate: string }): Promise<Locator> {
  const panel = await openTab(page, 'Éligibilité vaccination')
  await answer(panel, 'Le déclarant est-il le prescripteur ?', 'Oui').check()
  await panel.getByLabel('Date de l’ordonnance').fill(fields.prescriptionDate)
  await answer(panel, 'Le patient est-il un professionnel de santé ?', 'Non').check()
  await panel.getByRole('checkbox', { name: 'Le patient accepte d’entrer dans le processus' }).check()
  await panel.getByRole('checkbox', { name: 'Le déclarant accepte les conditions' }).check()
  await panel.getByRole('button', { name: 'Valider l’éligibilité' }).click()
  await activePanel(page).getByRole('heading', { name: 'Synthèse de la déclaration d’éligibilité' }).waitFor()
  return activePanel(page)
}

/** A dose as typed in the vaccination form; what is left out keeps the form's value (prefilled or fixed). */
export type DoseEntry = {
  /** The start of the open tab's name: « 1ère vaccination », « 2ème vaccination ». */
  tab: string
  /** The vaccine's option, « Comirnaty (Pfizer-BioNTech) — COVID-19 »; left out when the form fixes it. */
  vaccine?: string
  /** What is typed in « Numéro de lot ». */
  lotTyped: string
  /** A known lot to pick among the suggestions after typing `lotTyped`. */
  lotSuggestion?: string
  injectionSite: string
  /** 'YYYY-MM-DD'; the form's default (today) when left out. */
  date?: string
  placeType?: string
  /** Typed in « Code postal du lieu », then `placeSuggestion` is picked. */
  placePostalCodeTyped?: string
  placeSuggestion?: string
  placeName?: string
}

/** Records a dose in its open tab and waits for the summary of the vaccination. */
export async function recordDose(page: Page, dose: DoseEntry): Promise<Locator> {
  const panel = await openTab(page, `${dose.tab}.*à saisir`)
  if (dose.vaccine !== undefined) {
    await panel.getByLabel('Nom du vaccin').selectOption({ label: dose.vaccine })
  }
  const lot = panel.getByRole('combobox', { name: 'Numéro de lot' })
  await lot.fill(dose.lotTyped)
  if (dose.lotSuggestion !== undefined) {
    await panel.getByRole('option', { name: dose.lotSuggestion }).click()
  }
  await panel.getByLabel("Zone d'injection").selectOption({ label: dose.injectionSite })
  if (dose.date !== undefined) await panel.getByLabel("Date de l'injection").fill(dose.date)
  if (dose.placeType !== undefined) {
    await panel.getByLabel('Type de lieu').selectOption({ label: dose.placeType })
  }
  if (dose.placePostalCodeTyped !== undefined && dose.placeSuggestion !== undefined) {
    await panel.getByRole('combobox', { name: 'Code postal du lieu' }).fill(dose.placePostalCodeTyped)
    await panel.getByRole('option', { name: dose.placeSuggestion }).click()
  }
  if (dose.placeName !== undefined) await panel.getByLabel('Nom du lieu de vaccination').fill(dose.placeName)
  await panel.getByRole('button', { name: 'Valider la vaccination' }).click()
  await activePanel(page).getByRole('heading', { name: 'Synthèse de la vaccination' }).waitFor()
  return activePanel(page)
}

/** Searches from the home page and gives the list of hits once the search has answered. */
export async function searchPatients(page: Page, query: string): Promise<Locator> {
  const box = page.getByRole('combobox', { name: 'Code de ciblage, NIR ou nom' })
  await box.fill(query)
  const results = page.getByRole('listbox', { name: 'Patients trouvés' }).getByRole('option')
  await expect.poll(() => results.count(), POLL).toBeGreaterThan(0)
  return results
}

/** One outbox row as read back from IndexedDB: its place in the queue, what it records, where it stands. */
export type OutboxEntry = {
  seq: number
  type: string
  status: string
  /** The envelope is sealed at rest: only seq, id, status and type are stored in clear. */
  sealed: boolean
}

/** Reads the outbox store of the app's IndexedDB database (in seq order), as the replayer will send it. */
export async function readOutbox(page: Page, databaseName = 'carnet'): Promise<OutboxEntry[]> {
  return page.evaluate(async (name) => {
    const database = await new Promise<IDBDatabase>((resolve, reject) => {
      const request = indexedDB.open(name)
      request.onsuccess = () => resolve(request.result)
      request.onerror = () => reject(request.error ?? new Error('indexedDB.open failed'))
    })
    try {
      const rows = await new Promise<unknown[]>((resolve, reject) => {
        const request = database.transaction('outbox', 'readonly').objectStore('outbox').getAll()
        request.onsuccess = () => resolve(request.result as unknown[])
        request.onerror = () => reject(request.error ?? new Error('outbox getAll failed'))
      })
      return rows.map((raw) => {
        const row = raw as { seq: number; type: string; status: string; c?: unknown; payload?: unknown }
        return {
          seq: row.seq,
          type: row.type,
          status: row.status,
          sealed: row.c instanceof ArrayBuffer && row.payload === undefined,
        }
      })
    } finally {
      database.close()
    }
  }, databaseName)
}

/** The header's sync indicator: how many changes wait on the device and when it last synced. */
export function syncIndicator(page: Page): Locator {
  return page.getByRole('banner').getByRole('status', { name: 'Synchronisation' })
}

/** Waits until the header says nothing waits any more and shows a last sync time (JJ/MM/AAAA HH:MM). */
export async function waitUntilSynced(page: Page): Promise<string> {
  const indicator = syncIndicator(page)
  await expect
    .poll(() => indicator.textContent(), POLL)
    .toMatch(/Aucune modification en attente\s*Dernière synchronisation : \d{2}\/\d{2}\/\d{4} \d{2}:\d{2}/)
  return (await indicator.textContent()) ?? ''
}

/**
 * Searches from the home page until the patient is there, typing the search again each time it answers with
 * nothing (the hits are those of the moment it was typed; a patient pulled afterwards needs a new search).
 */
export async function searchUntilFound(page: Page, query: string): Promise<Locator> {
  const box = page.getByRole('combobox', { name: 'Code de ciblage, NIR ou nom' })
  const results = page.getByRole('listbox', { name: 'Patients trouvés' }).getByRole('option')
  const answered = page
    .getByRole('status')
    .filter({ hasText: /patients? trouvés?/ })
    .or(page.getByText(`Aucun patient ne correspond à « ${query} ».`))
  await expect
    .poll(async () => {
      await box.fill('')
      await box.fill(query)
      await answered.first().waitFor({ timeout: POLL.timeout })
      return results.count()
    }, POLL)
    .toBeGreaterThan(0)
  return results
}

/** The header's link to the « À traiter » inbox, « À traiter (2) » while rejected changes wait there. */
export function inboxLink(page: Page): Locator {
  return page.getByRole('banner').getByRole('link', { name: /^À traiter/ })
}
