// The documents with the network off: after a dose recorded offline, its summary is printed (a PDF in a new tab)
// and the vaccination certificate downloaded, both made on the device from precached code; the certificate says it
// is provisional (nothing reached the server), and each document handed out waits in the outbox as an audit event,
// which the server stores in its audit log once the network is back.
import { execFileSync } from 'node:child_process'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import Database from '../../sync-server/src/store/sqlite-driver'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Browser, BrowserContext, Page } from 'playwright-core'
import { computeNirKey } from '../../src/domain/identifiers'
import {
  POLL,
  localIsoDate,
  openAppWithServiceWorker,
  readOutbox,
  recordDose,
  recordEligibility,
  registerPatient,
  signIn,
  signOut,
  waitUntilSynced,
} from './support/app'
import { launchBrowser } from './support/browser'
import { demoPassword, startServer, type RunningServer } from './support/server'

const DOCTOR = { login: 'medecin.demo', name: 'Dr Camille Martin' }

// A man born in March 1972 in Orléans (45, INSEE 234): the NIR agrees with sex and birth date.
const NIR_BODY = '1720345234117'
const PATIENT = {
  nir: `${NIR_BODY}${computeNirKey(NIR_BODY) ?? ''}`,
  birthName: 'Garnier',
  firstNames: 'Louis',
  sex: 'Masculin',
  birthDate: '15/03/1972',
  postalCodeTyped: '450',
  postalCodeSuggestion: '45000 Orléans',
} as const

let server: RunningServer
let browser: Browser
let context: BrowserContext
let page: Page
let workDir = ''
const pageErrors: string[] = []

beforeAll(async () => {
  ;[server, browser] = await Promise.all([startServer(), launchBrowser()])
  context = await browser.newContext({ locale: 'fr-FR', acceptDownloads: true })
  await context.addInitScript(keepObjectUrlBlobs)
  page = await context.newPage()
  page.on('pageerror', (error) => pageErrors.push(error.message))
  workDir = mkdtempSync(join(tmpdir(), 'carnet-documents-'))
})

afterAll(async () => {
  await context?.close()
  await browser?.close()
  await server?.stop()
  if (workDir !== '') rmSync(workDir, { recursive: true, force: true })
})

/** The text of a PDF file, as poppler's pdftotext reads it (line breaks and spacing flattened). */
function pdfText(file: string): string {
  return execFileSync('pdftotext', ['-enc', 'UTF-8', file, '-'], { encoding: 'utf8' }).replace(/\s+/g, ' ')
}

type BlobRegistry = { carnetBlobs: Map<string, Blob> }

/**
 * Keeps every blob the app makes an object URL of, so the test can read a PDF the app opened in a tab: with the
 * network emulated off, Chromium refuses even a fetch of a blob: URL.
 */
function keepObjectUrlBlobs(): void {
  const blobs = new Map<string, Blob>()
  const create = URL.createObjectURL.bind(URL)
  URL.createObjectURL = (object: Blob | MediaSource) => {
    const url = create(object)
    if (object instanceof Blob) blobs.set(url, object)
    return url
  }
  ;(window as unknown as BlobRegistry).carnetBlobs = blobs
}

/** Writes the blob behind an object URL the app made to `file`. */
async function saveBlobUrl(url: string, file: string): Promise<void> {
  const base64 = await page.evaluate(async (blobUrl) => {
    const blob = (window as unknown as BlobRegistry).carnetBlobs.get(blobUrl)
    if (blob === undefined) throw new Error(`no blob behind ${blobUrl}`)
    const bytes = new Uint8Array(await blob.arrayBuffer())
    let binary = ''
    for (const byte of bytes) binary += String.fromCharCode(byte)
    return btoa(binary)
  }, url)
  writeFileSync(file, Buffer.from(base64, 'base64'))
}

/** This device's id, as the app keeps it in its database (the envelopes themselves are sealed at rest). */
async function deviceIdOf(): Promise<string> {
  return page.evaluate(async () => {
    const database = await new Promise<IDBDatabase>((resolve, reject) => {
      const request = indexedDB.open('carnet')
      request.onsuccess = () => resolve(request.result)
      request.onerror = () => reject(request.error ?? new Error('indexedDB.open failed'))
    })
    try {
      const row = await new Promise<unknown>((resolve, reject) => {
        const request = database.transaction('meta', 'readonly').objectStore('meta').get('deviceId')
        request.onsuccess = () => resolve(request.result)
        request.onerror = () => reject(request.error ?? new Error('meta get failed'))
      })
      return (row as { value: string }).value
    } finally {
      database.close()
    }
  })
}

describe('documents offline', () => {
  it('prints the dose summary and downloads a provisional certificate with no network, both audited', async () => {
    await openAppWithServiceWorker(page, server.url)
    await signIn(page, DOCTOR.login, demoPassword, { mode: 'online', ...DOCTOR })
    await signOut(page)

    await context.setOffline(true)
    await signIn(page, DOCTOR.login, demoPassword, { mode: 'offline', ...DOCTOR })
    const code = await registerPatient(page, PATIENT)
    await page.getByRole('button', { name: 'Ouvrir le dossier du patient' }).click()
    await page.getByRole('heading', { level: 1, name: 'Garnier Louis' }).waitFor()
    await recordEligibility(page, { prescriptionDate: localIsoDate(-1) })
    const dose = await recordDose(page, {
      tab: '1ère vaccination',
      vaccine: 'Comirnaty (Pfizer-BioNTech) — COVID-19',
      lotTyped: 'FK1234',
      injectionSite: 'Deltoïde gauche',
      placeType: 'Centre de vaccination',
      placePostalCodeTyped: '450',
      placeSuggestion: '45000 Orléans',
      placeName: 'Salle des fêtes',
    })

    const popup = page.waitForEvent('popup')
    await dose.getByRole('button', { name: 'Imprimer la synthèse' }).click()
    const tab = await popup
    await expect.poll(() => tab.url(), POLL).toMatch(/^blob:/)
    const summaryFile = join(workDir, 'synthese.pdf')
    await saveBlobUrl(tab.url(), summaryFile)
    await tab.close()
    const summary = pdfText(summaryFile)
    expect(summary).toContain('Synthèse de la vaccination')
    expect(summary).toContain(code)
    expect(summary).toContain('FK1234')

    await page.getByText('Bilan provisoire').waitFor()
    const download = page.waitForEvent('download')
    await page.getByRole('button', { name: 'Bilan de vaccination (PDF)' }).click()
    const certificateFile = join(workDir, 'bilan.pdf')
    await (await download).saveAs(certificateFile)
    const certificate = pdfText(certificateFile)
    expect(certificate).toContain('Bilan de vaccination')
    expect(certificate).toContain(code)
    expect(certificate).toContain('PROVISOIRE')

    // What each event names is sealed on the device: the server's audit log shows it once synced (below).
    await expect
      .poll(async () => (await readOutbox(page)).filter((r) => r.type === 'audit.append').length, POLL)
      .toBe(2)
    const outbox = await readOutbox(page)
    expect(outbox.every((row) => row.sealed)).toBe(true)
    // Waiting for the server: 'pending', or 'sending' while a push attempt with no network is under way.
    const auditRows = outbox.filter((row) => row.type === 'audit.append')
    expect(auditRows).toHaveLength(2)
    expect(auditRows.every((row) => row.status === 'pending' || row.status === 'sending')).toBe(true)
    expect(outbox.map((row) => row.seq)).toEqual(outbox.map((_, index) => index + 1))
    expect(pageErrors).toEqual([])
  })

  it('sends the audit events with the records once online, and the server keeps them in its audit log', async () => {
    const deviceIds = [await deviceIdOf()]

    await context.setOffline(false)
    await waitUntilSynced(page)
    await page.getByText('Toutes les doses ont été transmises au serveur.').waitFor()

    const serverDb = new Database(join(server.dataDir, 'carnet.sqlite'), { readonly: true })
    try {
      const rows = serverDb
        .prepare(
          `SELECT action, entity, device_id AS deviceId, outcome FROM audit_events
           WHERE action IN ('print:pdf', 'export:pdf') ORDER BY chain_position`,
        )
        .all()
      expect(rows).toEqual([
        { action: 'print:pdf', entity: 'step', deviceId: deviceIds[0], outcome: 'done' },
        { action: 'export:pdf', entity: 'certificate', deviceId: deviceIds[0], outcome: 'done' },
      ])
    } finally {
      serverDb.close()
    }
    expect(deviceIds).toHaveLength(1)
    expect(pageErrors).toEqual([])
  })
})
