// Two devices of « Équipe mobile » against the real sync server: what one records offline reaches the other
// after it syncs, locked to its author; and when both record the same next step offline, the first to reach the
// server wins and the other's author finds the refusal, in French, in their « À traiter » inbox, and acts on it.
// Two browser contexts = two devices (each its own IndexedDB, service worker and network switch).
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Browser, BrowserContext, Page } from 'playwright-core'
import { computeNirKey } from '../../src/domain/identifiers'
import { workflow } from '../../src/i18n/locales/fr/workflow'
import {
  POLL,
  activePanel,
  frenchDate,
  goHome,
  inboxLink,
  localIsoDate,
  openAppWithServiceWorker,
  openTab,
  recordDose,
  recordEligibility,
  registerPatient,
  searchUntilFound,
  signIn,
  syncIndicator,
  waitUntilSynced,
} from './support/app'
import { launchBrowser } from './support/browser'
import { demoPassword, startServer, type RunningServer } from './support/server'

const DOCTOR = { login: 'medecin.demo', name: 'Dr Camille Martin' }
const NURSE = { login: 'infirmier.demo', name: 'Julien Bernard' }

// A man born in May 1979 in Orléans (45, INSEE 234): the NIR agrees with sex and birth date.
const NIR_BODY = '1790545234118'
const PATIENT = {
  nir: `${NIR_BODY}${computeNirKey(NIR_BODY) ?? ''}`,
  birthName: 'Garnier',
  firstNames: 'Étienne Paul',
  sex: 'Masculin',
  birthDate: '14/05/1979',
  postalCodeTyped: '450',
  postalCodeSuggestion: '45000 Orléans',
} as const
const FILE_TITLE = 'Garnier Étienne Paul'

const TODAY = localIsoDate(0)
// Dose 1 a month ago, so that dose 2 today respects Comirnaty's 21-day minimum interval.
const DOSE_1_ON = localIsoDate(-30)
const LOT = 'FK5678'

const validatedByDoctor = new RegExp(`Validé par ${DOCTOR.name} le \\d{2}/\\d{2}/\\d{4} à \\d{2}:\\d{2}`)
const lockedByAuthor = workflow.errors['step-locked-by-author'].replace('{author}', DOCTOR.name)
const alreadyRecorded = workflow.errors['step-already-recorded'].replace('{author}', DOCTOR.name)

type Device = { context: BrowserContext; page: Page; errors: string[] }

let server: RunningServer
let browser: Browser
let a: Device
let b: Device
let codeDeCiblage = ''

async function newDevice(): Promise<Device> {
  const context = await browser.newContext({ locale: 'fr-FR' })
  const page = await context.newPage()
  const errors: string[] = []
  page.on('pageerror', (error) => errors.push(error.message))
  return { context, page, errors }
}

beforeAll(async () => {
  ;[server, browser] = await Promise.all([startServer(), launchBrowser()])
  ;[a, b] = await Promise.all([newDevice(), newDevice()])
})

afterAll(async () => {
  await a?.context.close()
  await b?.context.close()
  await browser?.close()
  await server?.stop()
})

// ---- The server's side, read through the wire contract by a third device (sync-protocol.md "Pull"). ----

type Change = { entity: string; id: string; data: Record<string, unknown> }
type ServerStep = {
  id: string
  patientId: string
  kind: string
  doseNumber?: number
  author: { userId: string }
}
type ServerRejection = {
  id: string
  error: string
  mutation: { actor: { userId: string }; payload: { patientId?: string; doseNumber?: number } }
  resolution?: { kind: string }
}

let observer: { deviceToken: string; doctorId: string } | undefined

async function observerToken(): Promise<{ deviceToken: string; doctorId: string }> {
  if (observer !== undefined) return observer
  const response = await fetch(`${server.url}/api/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ login: DOCTOR.login, password: demoPassword, deviceId: 'e2e-observer' }),
  })
  expect(response.status).toBe(200)
  const body = (await response.json()) as { deviceToken?: string; user: { id: string } }
  expect(body.deviceToken).toBeTypeOf('string')
  observer = { deviceToken: body.deviceToken ?? '', doctorId: body.user.id }
  return observer
}

/** Every change of the organisation from the start of its log, latest version of each record. */
async function serverState(): Promise<Map<string, Change>> {
  const { deviceToken } = await observerToken()
  const latest = new Map<string, Change>()
  let cursor = ''
  for (;;) {
    const response = await fetch(
      `${server.url}/api/sync/pull?after=${encodeURIComponent(cursor)}&limit=5000`,
      {
        headers: { authorization: `Bearer ${deviceToken}` },
      },
    )
    expect(response.status).toBe(200)
    const page = (await response.json()) as { changes: Change[]; cursor: string; hasMore: boolean }
    for (const change of page.changes) latest.set(`${change.entity}:${change.id}`, change)
    cursor = page.cursor
    if (!page.hasMore) return latest
  }
}

function patientIdOf(state: Map<string, Change>): string | undefined {
  for (const change of state.values()) {
    if (change.entity === 'patient' && change.data.birthName === PATIENT.birthName) return change.id
  }
  return undefined
}

async function serverSteps(): Promise<ServerStep[]> {
  const state = await serverState()
  const patientId = patientIdOf(state)
  return [...state.values()]
    .filter((c) => c.entity === 'step' && c.data.patientId === patientId)
    .map((c) => c.data as unknown as ServerStep)
}

async function serverRejections(): Promise<ServerRejection[]> {
  const state = await serverState()
  return [...state.values()]
    .filter((c) => c.entity === 'rejection')
    .map((c) => c.data as unknown as ServerRejection)
}

const stepsSummary = (steps: ServerStep[]) =>
  steps.map((s) => `${s.kind}${s.doseNumber === undefined ? '' : ` ${s.doseNumber}`}`).sort()

// ---- The journey. ----

/** Opens the patient's file from the search page, by its code de ciblage. */
async function openFile(page: Page): Promise<void> {
  const hits = await searchUntilFound(page, codeDeCiblage)
  await expect.poll(() => hits.allTextContents(), POLL).toEqual([expect.stringContaining('code de ciblage')])
  await hits.first().click()
  await page.getByRole('heading', { level: 1, name: FILE_TITLE }).waitFor()
}

describe('two devices of one team, synced through the server', () => {
  it('device A signs in online once, then registers and vaccinates a patient with no network', async () => {
    await Promise.all([
      openAppWithServiceWorker(a.page, server.url),
      openAppWithServiceWorker(b.page, server.url),
    ])
    await signIn(a.page, DOCTOR.login, demoPassword, { mode: 'online', ...DOCTOR })
    await signIn(b.page, NURSE.login, demoPassword, { mode: 'online', ...NURSE })
    await Promise.all([waitUntilSynced(a.page), waitUntilSynced(b.page)])

    await a.context.setOffline(true)
    codeDeCiblage = await registerPatient(a.page, PATIENT)
    await a.page.getByRole('button', { name: 'Ouvrir le dossier du patient' }).click()
    await a.page.getByRole('heading', { level: 1, name: FILE_TITLE }).waitFor()
    await recordEligibility(a.page, { prescriptionDate: localIsoDate(-31) })
    const dose1 = await recordDose(a.page, {
      tab: '1ère vaccination',
      vaccine: 'Comirnaty (Pfizer-BioNTech) — COVID-19',
      lotTyped: LOT,
      injectionSite: 'Deltoïde gauche',
      date: DOSE_1_ON,
      placeType: 'Centre de vaccination',
      placePostalCodeTyped: '450',
      placeSuggestion: '45000 Orléans',
      placeName: 'Salle des fêtes',
    })
    await expect.poll(() => dose1.textContent(), POLL).toMatch(validatedByDoctor)
    await expect
      .poll(() => syncIndicator(a.page).textContent(), POLL)
      .toMatch(/[3-9] modifications en attente/)

    // Nothing of it reached device B, online all along.
    expect(await serverSteps()).toEqual([])
    const box = b.page.getByRole('combobox', { name: 'Code de ciblage, NIR ou nom' })
    await box.fill(codeDeCiblage)
    await b.page.getByText(`Aucun patient ne correspond à « ${codeDeCiblage} ».`).waitFor()
  })

  it('device A back online pushes everything: nothing waits, and the header tells when it synced', async () => {
    await a.context.setOffline(false)
    expect(await waitUntilSynced(a.page)).toContain(frenchDate(TODAY))
    await expect.poll(async () => stepsSummary(await serverSteps()), POLL).toEqual(['dose 1', 'eligibility'])
    const { doctorId } = await observerToken()
    expect((await serverSteps()).every((s) => s.author.userId === doctorId)).toBe(true)
  })

  it('device B, online, finds the patient within seconds, with the doctor’s steps locked to her', async () => {
    // B did nothing: the server's event made it pull.
    const byName = await searchUntilFound(b.page, 'garnier etienne')
    await expect
      .poll(() => byName.allTextContents(), POLL)
      .toEqual([expect.stringMatching(/^GARNIER Étienne Paul.*nom$/)])
    await goHome(b.page)
    await openFile(b.page)

    for (const tab of ['Éligibilité vaccination', '1ère vaccination — COVID-19']) {
      const panel = await openTab(b.page, tab)
      await expect.poll(() => panel.textContent(), POLL).toMatch(validatedByDoctor)
      expect(await panel.textContent()).toContain(lockedByAuthor)
      expect(await panel.getByRole('button', { name: /^Modifier/ }).count()).toBe(0)
    }
    expect(await activePanel(b.page).textContent()).toContain(LOT)
  })

  it('both record dose 2 offline: the first to reach the server lands, the other goes to its author’s inbox', async () => {
    await Promise.all([a.context.setOffline(true), b.context.setOffline(true)])
    const doseA = await recordDose(a.page, {
      tab: '2ème vaccination',
      lotTyped: LOT,
      injectionSite: 'Deltoïde droit',
    })
    await expect.poll(() => doseA.textContent(), POLL).toMatch(validatedByDoctor)
    await expect
      .poll(() => syncIndicator(a.page).textContent(), POLL)
      .toMatch(/\d+ modifications? en attente/)
    // The lot recorded on A reached B with the pull: B picks it among the suggestions.
    const doseB = await recordDose(b.page, {
      tab: '2ème vaccination',
      lotTyped: LOT.slice(0, 3),
      lotSuggestion: LOT,
      injectionSite: 'Deltoïde droit',
      // The place is remembered per device: B vaccinates here for the first time.
      placeType: 'Centre de vaccination',
      placePostalCodeTyped: '450',
      placeSuggestion: '45000 Orléans',
      placeName: 'Salle des fêtes',
    })
    await expect.poll(() => doseB.textContent(), POLL).toContain(`Validé par ${NURSE.name}`)
    await expect
      .poll(() => syncIndicator(b.page).textContent(), POLL)
      .toMatch(/\d+ modifications? en attente/)

    // A reaches the server first, then B.
    await a.context.setOffline(false)
    await waitUntilSynced(a.page)
    await b.context.setOffline(false)
    await waitUntilSynced(b.page)

    // Exactly one dose 2 on the server: the doctor's. The nurse's is kept as a rejection, with its reason.
    const { doctorId } = await observerToken()
    const steps = await serverSteps()
    expect(stepsSummary(steps)).toEqual(['dose 1', 'dose 2', 'eligibility'])
    expect(steps.find((s) => s.doseNumber === 2)?.author.userId).toBe(doctorId)
    const rejections = await serverRejections()
    expect(rejections.map((r) => [r.error, r.mutation.payload.doseNumber])).toEqual([
      ['step-already-recorded', 2],
    ])
    expect(rejections[0]?.mutation.actor.userId).not.toBe(doctorId)

    // B now shows what the server holds: the doctor's dose 2, locked to her.
    const dose2OnB = await openTab(b.page, '2ème vaccination — COVID-19')
    await expect.poll(() => dose2OnB.textContent(), POLL).toMatch(validatedByDoctor)
    expect(await dose2OnB.textContent()).not.toContain(NURSE.name)
    expect(await dose2OnB.getByRole('button', { name: /^Modifier/ }).count()).toBe(0)

    // The nurse finds the refusal in « À traiter », in French: what, why, who recorded it and when.
    await expect.poll(() => inboxLink(b.page).textContent(), POLL).toBe('À traiter (1)')
    await expect.poll(() => inboxLink(a.page).textContent(), POLL).toBe('À traiter')
    await inboxLink(b.page).click()
    await b.page.getByRole('heading', { level: 1, name: 'À traiter' }).waitFor()
    const items = b.page.getByRole('list', { name: 'Modifications refusées' }).getByRole('listitem')
    await expect.poll(() => items.count(), POLL).toBe(1)
    const item = items.first()
    await item.getByRole('heading', { name: /^2ème vaccination/ }).waitFor()
    const itemText = (await item.textContent()) ?? ''
    expect(itemText).toContain(alreadyRecorded)
    expect(itemText).toMatch(
      new RegExp(`Enregistrée par ${DOCTOR.name} le ${frenchDate(TODAY)} à \\d{2}:\\d{2}`),
    )
    await item.getByRole('link', { name: 'Ouvrir le dossier de GARNIER Étienne Paul' }).waitFor()

    // « Ignorer »: it leaves the inbox, and the server records the decision.
    await item.getByRole('button', { name: 'Ignorer' }).click()
    await b.page.getByText('Rien à traiter : toutes vos modifications ont été acceptées.').waitFor()
    await expect.poll(() => inboxLink(b.page).textContent(), POLL).toBe('À traiter')
    await expect
      .poll(async () => (await serverRejections()).map((r) => r.resolution?.kind), POLL)
      .toEqual(['discarded'])

    expect([...a.errors, ...b.errors]).toEqual([])
  })
})
