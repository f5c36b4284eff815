// What a lost tablet or a copied profile gives away: nothing personal in clear. A real Chromium profile on disk,
// the built app and the real server; after registering patients and signing out, the profile's IndexedDB files
// and the database read by a page with no key are searched for every personal value and token the run used, in
// their one-byte (Latin-1, as V8 stores most strings) and UTF-16 forms. A control database written in clear by
// the same page shows that the search does find clear values in those files.
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { chromium, type BrowserContext, type Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { chromiumArgs, findChromium } from '../../scripts/lib/chromium'
import {
  POLL,
  goHome,
  openAppWithServiceWorker,
  registerPatient,
  searchUntilFound,
  signIn,
  signOut,
  type NewPatient,
} from './support/app'
import { demoPassword, startServer, type RunningServer } from './support/server'

const DOCTOR = { login: 'medecin.demo', name: 'Dr Camille Martin' }
const PATIENTS: (NewPatient & { address: string; phone: string })[] = [
  {
    nir: '2 55 08 14 168 025 38',
    birthName: 'Quimperlé',
    firstNames: 'Gwenaëlle',
    sex: 'Féminin',
    birthDate: '14/08/1955',
    postalCodeTyped: '290',
    postalCodeSuggestion: '29000 Quimper',
    address: '7 impasse des Goélands',
    phone: '0698765432',
  },
  {
    nir: '1 89 12 03 001 002 33',
    birthName: 'Œttinger',
    firstNames: 'Théophraste',
    sex: 'Masculin',
    birthDate: '03/12/1989',
    postalCodeTyped: '450',
    postalCodeSuggestion: '45000 Orléans',
    address: '41 boulevard Rocheplatte',
    phone: '0611223344',
  },
]
const CONTROL = ['CONTRÔLE-EN-CLAIR-0001', 'Contrôle œuvre 0002']

let server: RunningServer
let profile: string
let context: BrowserContext
let page: Page
const secrets = new Set<string>()

async function launch(): Promise<void> {
  const executablePath = findChromium()
  if (executablePath === undefined) throw new Error('No Chromium found')
  context = await chromium.launchPersistentContext(profile, {
    executablePath,
    headless: true,
    args: chromiumArgs,
  })
  page = context.pages()[0] ?? (await context.newPage())
  page.on('response', (response) => {
    if (!response.url().endsWith('/api/auth/login') || response.status() !== 200) return
    void response.json().then((body: Record<string, unknown>) => {
      for (const key of ['accessToken', 'deviceToken', 'deviceKey', 'dataKey']) {
        const value = body[key]
        if (typeof value === 'string') secrets.add(value)
      }
    })
  })
}

function filesUnder(dir: string): string[] {
  return readdirSync(dir).flatMap((entry) => {
    const path = join(dir, entry)
    return statSync(path).isDirectory() ? filesUnder(path) : [path]
  })
}

/** The files of the profile's IndexedDB folder (LevelDB log and tables, blobs). */
function profileBytes(): Buffer[] {
  return filesUnder(join(profile, 'Default', 'IndexedDB')).map((file) => readFileSync(file))
}

function forms(value: string): Buffer[] {
  const upper = value.toUpperCase()
  return [value, upper].flatMap((v) => [
    Buffer.from(v, 'latin1'),
    Buffer.from(v, 'utf16le'),
    Buffer.from(v, 'utf8'),
  ])
}

function foundIn(haystacks: readonly Buffer[], value: string): boolean {
  return forms(value).some((needle) => haystacks.some((h) => h.includes(needle)))
}

/** Every personal value the run typed, and the variants the app stores (NIR without spaces, code issued). */
function personalValues(codes: readonly string[]): string[] {
  return [
    ...PATIENTS.flatMap((p) => [
      p.nir.replace(/ /g, ''),
      p.nir.replace(/ /g, '').slice(0, 13),
      p.birthName,
      p.firstNames,
      p.address,
      p.phone,
      p.birthDate.split('/').reverse().join('-'),
    ]),
    ...codes,
  ]
}

/** Reads the app's database from the page as anyone with the profile could: every row of every store, raw. */
async function dumpWithoutKey(): Promise<Buffer> {
  const dump = await page.evaluate(async () => {
    const database = await new Promise<IDBDatabase>((resolve, reject) => {
      const request = indexedDB.open('carnet')
      request.onsuccess = () => resolve(request.result)
      request.onerror = () => reject(request.error ?? new Error('open failed'))
    })
    const parts: string[] = []
    const walk = (value: unknown): void => {
      if (typeof value === 'string') parts.push(value)
      else if (value instanceof ArrayBuffer || ArrayBuffer.isView(value)) {
        const bytes = value instanceof ArrayBuffer ? new Uint8Array(value) : new Uint8Array(value.buffer)
        let latin1 = ''
        for (const b of bytes) latin1 += String.fromCharCode(b)
        parts.push(latin1, new TextDecoder('utf-16le').decode(bytes), new TextDecoder().decode(bytes))
      } else if (Array.isArray(value)) value.forEach(walk)
      else if (typeof value === 'object' && value !== null) Object.values(value).forEach(walk)
      else parts.push(String(value))
    }
    try {
      for (const name of Array.from(database.objectStoreNames)) {
        const rows = await new Promise<unknown[]>((resolve, reject) => {
          const request = database.transaction(name).objectStore(name).getAll()
          request.onsuccess = () => resolve(request.result as unknown[])
          request.onerror = () => reject(request.error ?? new Error('getAll failed'))
        })
        walk(rows)
      }
    } finally {
      database.close()
    }
    return parts.join('\n')
  })
  return Buffer.from(dump, 'utf8')
}

beforeAll(async () => {
  server = await startServer()
  profile = mkdtempSync(join(tmpdir(), 'carnet-e2e-profile-'))
  await launch()
})

afterAll(async () => {
  await context?.close().catch(() => undefined)
  await server?.stop()
  rmSync(profile, { recursive: true, force: true })
})

describe('patient data at rest on the device', () => {
  const codes: string[] = []

  it('registers patients online, then signs out', async () => {
    await openAppWithServiceWorker(page, server.url)
    await signIn(page, DOCTOR.login, demoPassword, { mode: 'online', name: DOCTOR.name })
    for (const patient of PATIENTS) {
      await goHome(page)
      codes.push(await registerPatient(page, patient))
    }
    await page.evaluate(async (values) => {
      const database = await new Promise<IDBDatabase>((resolve, reject) => {
        const request = indexedDB.open('control', 1)
        request.onupgradeneeded = () => request.result.createObjectStore('values')
        request.onsuccess = () => resolve(request.result)
        request.onerror = () => reject(request.error ?? new Error('open failed'))
      })
      await new Promise<void>((resolve, reject) => {
        const tx = database.transaction('values', 'readwrite')
        values.forEach((v, i) => tx.objectStore('values').put({ v }, i))
        tx.oncomplete = () => resolve()
        tx.onerror = () => reject(tx.error ?? new Error('put failed'))
      })
      database.close()
    }, CONTROL)
    await signOut(page)
    expect(codes).toHaveLength(2)
    await expect.poll(() => secrets.size, POLL).toBeGreaterThanOrEqual(4)
  })

  it('leaves no name, NIR, address, phone, birth date, code or token in the profile’s files', async () => {
    await context.close()
    const files = profileBytes()
    // The search does see clear values where IndexedDB writes them.
    for (const control of CONTROL) expect(foundIn(files, control), control).toBe(true)
    for (const value of [...personalValues(codes), ...secrets])
      expect(foundIn(files, value), value).toBe(false)
  })

  it('gives a page with no key nothing personal either, and opens again with the password', async () => {
    await launch()
    await page.goto(server.url)
    await page.getByRole('heading', { name: 'Connexion' }).waitFor()
    const dump = [await dumpWithoutKey()]
    for (const value of [...personalValues(codes), ...secrets])
      expect(foundIn(dump, value), value).toBe(false)
    await context.setOffline(true)
    await signIn(page, DOCTOR.login, demoPassword, { mode: 'offline', name: DOCTOR.name })
    const found = await searchUntilFound(page, codes[1] ?? '')
    expect(await found.textContent()).toContain('ŒTTINGER')
  })
})
