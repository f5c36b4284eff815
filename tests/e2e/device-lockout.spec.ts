// Patient data protected on a shared device, as an EHPAD desktop lives it: the idle lock over a half-filled form,
// unlocked by the same password to the form as it was, or left for the next person who never sees it; then the
// device revoked « après export »: it says who revoked it, exports its pending change sealed for the server (which
// imports it), is wiped, and refuses any sign-in from then on, offline too. Playwright's clock drives the idle time.
import { randomUUID } from 'node:crypto'
import { readFile } from 'node:fs/promises'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Browser, BrowserContext, Page } from 'playwright-core'
import { computeNirKey } from '../../src/domain/identifiers'
import {
  AdminDeviceSchema,
  AdminOrganisationSchema,
  ImportOutboxResponseSchema,
} from '../../src/shared/admin-api'
import { LoginResponseSchema, OutboxExportSchema } from '../../src/shared/sync-api'
import {
  POLL,
  openAppWithServiceWorker,
  readOutbox,
  registerPatient,
  signIn,
  unlock,
  waitUntilSynced,
  type NewPatient,
} from './support/app'
import { launchBrowser } from './support/browser'
import { demoPassword, startServer, type RunningServer } from './support/server'

const DOCTOR = { login: 'medecin.demo', name: 'Dr Camille Martin' }
const NURSE = { login: 'infirmier.demo', name: 'Julien Bernard' }

function patient(nirBody: string, birthName: string, firstNames: string, birthDate: string): NewPatient {
  return {
    nir: `${nirBody}${computeNirKey(nirBody) ?? ''}`,
    birthName,
    firstNames,
    sex: 'Féminin',
    birthDate,
    postalCodeTyped: '450',
    postalCodeSuggestion: '45000 Orléans',
  }
}

// Women born in Orléans (45, INSEE 234): their NIR agrees with sex and birth date.
const FIRST = patient('2841245234052', 'Lefèvre', 'Hélène Zoé', '03/12/1984')
const OFFLINE = patient('2790645234117', 'Roussel', 'Agnès', '14/06/1979')

let server: RunningServer
let browser: Browser
let context: BrowserContext
let page: Page
let adminToken = ''
const pageErrors: string[] = []

async function admin(method: 'GET' | 'POST' | 'PATCH', path: string, body?: unknown): Promise<unknown> {
  const response = await fetch(`${server.url}${path}`, {
    method,
    headers: { authorization: `Bearer ${adminToken}`, 'content-type': 'application/json' },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  })
  expect(response.status, `${method} ${path}`).toBe(200)
  return response.json()
}

beforeAll(async () => {
  ;[server, browser] = await Promise.all([startServer(), launchBrowser()])
  const login = await fetch(`${server.url}/api/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ login: 'admin.demo', password: demoPassword, deviceId: randomUUID() }),
  })
  adminToken = LoginResponseSchema.parse(await login.json()).accessToken
  context = await browser.newContext({ locale: 'fr-FR', acceptDownloads: true })
  // Playwright's clock from the start: the idle time passes when the test says so.
  await context.clock.install()
  page = await context.newPage()
  page.on('pageerror', (error) => pageErrors.push(error.message))
})

afterAll(async () => {
  await context?.close()
  await browser?.close()
  await server?.stop()
})

/** The field of the registration form, whether on screen or hidden under the lock. */
const birthNameField = () => page.getByLabel('Nom de naissance')

describe('a shared desktop', () => {
  it('locks after the organisation’s idle time over a half-filled form, and unlocks to it unchanged', async () => {
    // The EHPAD's administrator chose a short idle time for its shared desktops.
    const organisation = AdminOrganisationSchema.parse(
      await admin('PATCH', '/api/admin/organisation', { idleLockMinutes: 2 }),
    )
    expect(organisation.idleLockMinutes).toBe(2)

    await openAppWithServiceWorker(page, server.url)
    await signIn(page, DOCTOR.login, demoPassword, { mode: 'online', ...DOCTOR })
    await registerPatient(page, FIRST)
    await waitUntilSynced(page)

    await page.getByRole('banner').getByRole('link', { name: 'Carnet, accueil' }).click()
    await page.getByRole('link', { name: 'Enregistrer un nouveau patient' }).first().click()
    await birthNameField().fill('Martin')

    await page.clock.fastForward('02:30')
    await page.getByRole('heading', { name: 'Session verrouillée' }).waitFor(POLL)
    expect(await page.getByText('Verrouillée après 2 minutes sans activité.').count()).toBe(1)
    expect(await birthNameField().isVisible()).toBe(false)

    await page.getByLabel('Mot de passe').fill('pas-le-bon')
    await page.getByRole('button', { name: 'Déverrouiller' }).click()
    await page.getByRole('alert').filter({ hasText: 'Mot de passe incorrect.' }).waitFor(POLL)

    await unlock(page, demoPassword)
    await expect.poll(() => birthNameField().inputValue(), POLL).toBe('Martin')
    expect(await page.getByRole('heading', { name: 'Enregistrer un nouveau patient' }).isVisible()).toBe(true)
  })

  it('lets the next person sign in instead, without ever seeing the previous one’s form', async () => {
    await page.clock.fastForward('02:30')
    await page.getByRole('heading', { name: 'Session verrouillée' }).waitFor(POLL)
    // The desktop's clock back in step with the server's: what the next person records is judged on real times.
    await page.clock.setSystemTime(new Date())
    await page.getByRole('button', { name: 'Se connecter avec un autre compte' }).click()
    await page.getByRole('heading', { name: 'Connexion' }).waitFor(POLL)
    expect(new URL(page.url()).search).toBe('')
    expect(await page.content()).not.toContain('Martin')

    await signIn(page, NURSE.login, demoPassword, { mode: 'online', ...NURSE })
    await page.getByRole('link', { name: 'Enregistrer un nouveau patient' }).first().click()
    await page.getByRole('heading', { name: 'Enregistrer un nouveau patient' }).waitFor()
    expect(await birthNameField().inputValue()).toBe('')
  })
})

describe('a device revoked « après export »', () => {
  it('says who revoked it, exports its pending change sealed for the server, then is wiped', async () => {
    // A registration made with the network off stays in the outbox.
    await context.setOffline(true)
    await page.getByRole('banner').getByRole('link', { name: 'Carnet, accueil' }).click()
    await registerPatient(page, OFFLINE)
    const pending = (await readOutbox(page)).filter((e) => e.status === 'pending' || e.status === 'sending')
    expect(pending.map((e) => [e.type, e.sealed])).toEqual([['patient.register', true]])

    const deviceId = await page.evaluate(
      () =>
        new Promise<string>((resolve, reject) => {
          const request = indexedDB.open('carnet')
          request.onerror = () => reject(request.error ?? new Error('open failed'))
          request.onsuccess = () => {
            const get = request.result.transaction('meta').objectStore('meta').get('deviceId')
            get.onsuccess = () => {
              request.result.close()
              resolve(String((get.result as { value: string }).value))
            }
          }
        }),
    )
    const revoked = AdminDeviceSchema.parse(
      await admin('POST', `/api/admin/devices/${deviceId}/revoke`, { mode: 'after-export' }),
    )
    expect(revoked).toMatchObject({ revokeMode: 'after-export', keysDestroyedAt: null })

    // Back online, its next sync learns it: the session ends and the notice replaces the sign-in form.
    await context.setOffline(false)
    await page.getByRole('heading', { name: 'Appareil révoqué' }).waitFor(POLL)
    const notice = page.getByRole('main')
    await expect
      .poll(() => notice.textContent(), POLL)
      .toMatch(/Cet appareil a été révoqué par Thomas Leroy le \d{2}\/\d{2}\/\d{4} à \d{2}:\d{2}\./)
    await expect
      .poll(() => notice.textContent(), POLL)
      .toContain('1 modification n’a pas pu être envoyée au serveur.')
    expect(await page.getByLabel('Identifiant').count()).toBe(0)

    const download = page.waitForEvent('download')
    await page.getByRole('button', { name: 'Exporter les modifications en attente' }).click()
    const text = await readFile(await (await download).path(), 'utf8')
    expect(text).not.toContain('Roussel')
    const file = OutboxExportSchema.parse(JSON.parse(text))
    expect(file).toMatchObject({ deviceId, mutations: [] })
    expect(file.sealed.map((e) => e.type)).toEqual(['patient.register'])
    await notice.getByText(/Fichier enregistré : carnet-outbox-/).waitFor(POLL)

    // The administrator imports it: the server opens it with the device's key, then destroys the keys.
    const imported = ImportOutboxResponseSchema.parse(
      await admin('POST', `/api/admin/devices/${deviceId}/import`, JSON.parse(text)),
    )
    expect(imported).toMatchObject({ applied: 1, rejected: 0, device: { keysKeptUntil: null } })
    expect(imported.device.keysDestroyedAt).not.toBeNull()

    await page.getByRole('button', { name: 'Effacer les données de cet appareil' }).click()
    await notice.getByText('ont été effacées de l’appareil').waitFor(POLL)
    const left = await page.evaluate(
      () =>
        new Promise<{ outbox: number; patients: number; meta: string[] }>((resolve, reject) => {
          const request = indexedDB.open('carnet')
          request.onerror = () => reject(request.error ?? new Error('open failed'))
          request.onsuccess = () => {
            const tx = request.result.transaction(['outbox', 'files', 'meta'])
            const counts = { outbox: 0, patients: 0, meta: [] as string[] }
            tx.objectStore('outbox').count().onsuccess = (e) => {
              counts.outbox = (e.target as IDBRequest<number>).result
            }
            tx.objectStore('files').count().onsuccess = (e) => {
              counts.patients = (e.target as IDBRequest<number>).result
            }
            tx.objectStore('meta').getAllKeys().onsuccess = (e) => {
              counts.meta = (e.target as IDBRequest<IDBValidKey[]>).result.map(String).sort()
            }
            tx.oncomplete = () => {
              request.result.close()
              resolve(counts)
            }
          }
        }),
    )
    expect(left).toEqual({ outbox: 0, patients: 0, meta: ['deviceId', 'revoked'] })
  })

  it('refuses any sign-in from then on, offline too, and still says who revoked it', async () => {
    await context.setOffline(true)
    await page.reload()
    await page.getByRole('heading', { name: 'Appareil révoqué' }).waitFor(POLL)
    const notice = page.getByRole('main')
    await expect.poll(() => notice.textContent(), POLL).toContain('révoqué par Thomas Leroy')
    expect(await notice.textContent()).toContain('Plus aucune connexion n’est possible sur cet appareil.')
    expect(await page.getByLabel('Identifiant').count()).toBe(0)
    expect(await page.getByLabel('Mot de passe').count()).toBe(0)
    expect(pageErrors).toEqual([])
  })
})
