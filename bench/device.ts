// The device workflows in Chromium, through the device's real code (bench/browser bundles src/db and
// src/sync): load generated patients and steps with putPatients/putSteps, then time local search, a dose
// recorded through recordChange (signed, strict durability), and the IndexedDB bytes per patient.
import { spawnSync } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync } from 'node:fs'
import { createServer, type Server } from 'node:http'
import { tmpdir } from 'node:os'
import { extname, join, normalize } from 'node:path'
import { chromium } from 'playwright-core'
import { chromiumArgs, findChromium } from '../scripts/lib/chromium'
import type { DoseFields } from '../src/shared/commands'
import type { PatientRecord, StepRecord } from '../src/shared/records'
import { uuidv7 } from '../src/sync/ids'
import {
  generateOrganisation,
  generatePatients,
  generateSteps,
  mulberry32,
} from '../tests/fixtures/generator'
import type { BenchWindow, DoseToRecord } from './browser/main'
import { summarize, type Summary } from './lib/stats'

const SEED = 20_260_305
const PAGE_SIZE = 1000
const QUERIES = 200
const WARM_UP = 10
const DOSES = 100

export type DeviceFigures = {
  /** 'sealed': rows encrypted at rest (src/db/vault), as on a device that signed in online; 'clear': as before. */
  mode: 'clear' | 'sealed'
  /** Sealed only: lock, then password → keys → name index loaded. */
  unlock?: { totalMs: number; keysMs: number; nameIndexMs: number; nameIndexRows: number; indexed: number }
  chromium: string
  patients: number
  steps: number
  generateSeconds: number
  load: { pageSeconds: number; wallSeconds: number; pages: number }
  search: Record<'nir' | 'code' | 'name', Summary & { medianHits: number }>
  dose: Summary & { refused: string[] }
  storage: {
    estimateBefore: number
    estimateAfter: number
    diskBytes: number
    /** How long LevelDB took to finish its background compactions once the load was committed. */
    settleSeconds: number
    patientJsonBytes: number
    stepJsonBytes: number
  }
}

const CONTENT_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
}

function buildPage(root: string): void {
  const result = spawnSync(
    'npx',
    ['vite', 'build', '--config', 'bench/vite.bench.config.ts', '--logLevel', 'error'],
    { cwd: root, stdio: 'inherit' },
  )
  if (result.status !== 0) throw new Error('the bench page build (bench/vite.bench.config.ts) failed')
}

/** A tiny static server for dist-bench/ on loopback (the page needs an http origin for IndexedDB). */
function serve(dir: string): Promise<{ server: Server; url: string }> {
  const server = createServer((req, res) => {
    const path = normalize(decodeURIComponent((req.url ?? '/').split('?')[0] ?? '/'))
    const file = join(dir, path === '/' ? 'index.html' : path)
    if (!file.startsWith(dir) || !existsSync(file) || statSync(file).isDirectory()) {
      res.writeHead(404).end('Not found')
      return
    }
    res.writeHead(200, { 'content-type': CONTENT_TYPES[extname(file)] ?? 'application/octet-stream' })
    res.end(readFileSync(file))
  })
  return new Promise((resolve) =>
    server.listen(0, '127.0.0.1', () => {
      const address = server.address()
      const port = typeof address === 'object' && address !== null ? address.port : 0
      resolve({ server, url: `http://127.0.0.1:${port}/` })
    }),
  )
}

function dirBytes(dir: string): number {
  if (!existsSync(dir)) return 0
  return readdirSync(dir).reduce((sum, entry) => {
    const path = join(dir, entry)
    const stat = statSync(path)
    return sum + (stat.isDirectory() ? dirBytes(path) : stat.size)
  }, 0)
}

/**
 * Waits until LevelDB's background compactions are done: the folder's size unchanged over three looks two
 * seconds apart (compactions pause between levels), two minutes at most. Measured in the middle of one, the
 * folder holds a compaction's input and output at once and the figure swings by half from one run to the next.
 */
async function settle(dir: string): Promise<number> {
  const started = performance.now()
  let last = -1
  let unchanged = 0
  for (let i = 0; i < 60 && unchanged < 3; i += 1) {
    await new Promise((resolve) => setTimeout(resolve, 2000))
    const size = dirBytes(dir)
    unchanged = size === last ? unchanged + 1 : 0
    last = size
  }
  return (performance.now() - started) / 1000
}

function spacedNir(nir: string): string {
  return [
    nir.slice(0, 1),
    nir.slice(1, 3),
    nir.slice(3, 5),
    nir.slice(5, 7),
    nir.slice(7, 10),
    nir.slice(10, 13),
    nir.slice(13),
  ].join(' ')
}

function sample<T>(seed: number, list: readonly T[], n: number): T[] {
  const rng = mulberry32(seed)
  return Array.from({ length: n }, () => list[Math.floor(rng() * list.length)] as T)
}

function namePrefix(patient: PatientRecord): string {
  const word = patient.birthName.split(/[\s'’-]+/).find((w) => w.length >= 3) ?? patient.birthName
  return word.slice(0, 4)
}

function median(values: readonly number[]): number {
  return summarize(values).median
}

/** Runs the device bench with `patientCount` patients (two steps each) in a fresh Chromium profile. */
export async function measureDevice(
  root: string,
  patientCount: number,
  mode: 'clear' | 'sealed' = 'sealed',
  options: { build?: boolean; keepPage?: boolean } = {},
): Promise<DeviceFigures> {
  const executablePath = findChromium()
  if (executablePath === undefined)
    throw new Error("No Chromium found: install Debian's chromium or set CHROME_PATH.")
  if (options.build !== false) buildPage(root)

  let started = performance.now()
  const patients = generatePatients(SEED, patientCount)
  const steps = generateSteps(SEED, patients, 2)
  const { users, grants } = generateOrganisation(SEED)
  const generateSeconds = (performance.now() - started) / 1000

  const { server, url } = await serve(join(root, 'dist-bench'))
  // A persistent profile on disk, not an incognito context: IndexedDB then lives in files (as on a tablet),
  // strict-durability commits really flush, and navigator.storage.estimate() measures them.
  const profile = mkdtempSync(join(tmpdir(), 'carnet-bench-chromium-'))
  const context = await chromium.launchPersistentContext(profile, {
    executablePath,
    headless: true,
    args: chromiumArgs,
  })
  try {
    const page = context.pages()[0] ?? (await context.newPage())
    await page.goto(url)
    await page.waitForFunction(() => 'carnetBench' in window)
    const version = context.browser()?.version() ?? (await page.evaluate(() => navigator.userAgent))

    await page.evaluate(
      ({ name, sealed }) => (window as unknown as BenchWindow).carnetBench.open(name, sealed),
      { name: 'carnet-bench', sealed: mode === 'sealed' },
    )
    const before = await page.evaluate(() => (window as unknown as BenchWindow).carnetBench.estimate())
    await page.evaluate(
      (org) => (window as unknown as BenchWindow).carnetBench.putOrganisation(org.users, org.grants),
      { users, grants },
    )

    const stepsOf = new Map<string, StepRecord[]>()
    for (const step of steps) stepsOf.set(step.patientId, [...(stepsOf.get(step.patientId) ?? []), step])
    let pageMs = 0
    let pages = 0
    started = performance.now()
    for (let i = 0; i < patients.length; i += PAGE_SIZE) {
      const chunk = patients.slice(i, i + PAGE_SIZE)
      const chunkSteps = chunk.flatMap((p) => stepsOf.get(p.id) ?? [])
      // Sent as one JSON string: Playwright's structured serialisation of 3,000 objects costs more than the writes.
      const json = JSON.stringify({ patients: chunk, steps: chunkSteps })
      pageMs += await page.evaluate((text) => {
        const records = JSON.parse(text) as { patients: PatientRecord[]; steps: StepRecord[] }
        return (window as unknown as BenchWindow).carnetBench.load(records.patients, records.steps)
      }, json)
      pages += 1
    }
    const wallSeconds = (performance.now() - started) / 1000
    const indexedDbDir = join(profile, 'Default', 'IndexedDB')
    const settleSeconds = await settle(indexedDbDir)
    const after = await page.evaluate(() => (window as unknown as BenchWindow).carnetBench.estimate())
    const stored = await page.evaluate(() => (window as unknown as BenchWindow).carnetBench.storedJson())

    const withNir = patients.filter((p) => p.nir !== undefined)
    const queries = {
      nir: sample(SEED + 1, withNir, WARM_UP + QUERIES).map((p) => spacedNir(p.nir ?? '')),
      code: sample(SEED + 2, patients, WARM_UP + QUERIES).map((p) => p.codeDeCiblage),
      name: sample(SEED + 3, patients, WARM_UP + QUERIES).map(namePrefix),
    }
    const search = {} as DeviceFigures['search']
    for (const kind of ['nir', 'code', 'name'] as const) {
      const timed = await page.evaluate(
        (q) => (window as unknown as BenchWindow).carnetBench.search(q),
        queries[kind],
      )
      search[kind] = {
        ...summarize(timed.ms.slice(WARM_UP)),
        medianHits: median(timed.hits.slice(WARM_UP)),
      }
    }

    const doses: DoseToRecord[] = sample(SEED + 4, patients, DOSES * 3)
      .filter((p, i, all) => all.findIndex((q) => q.id === p.id) === i)
      .slice(0, DOSES)
      .map((p) => {
        const first = (stepsOf.get(p.id) ?? []).find((s) => s.kind === 'dose')
        const fields = first?.versions[0]?.fields as DoseFields
        return {
          patientId: p.id,
          fields: {
            vaccineId: fields.vaccineId,
            lotNumber: fields.lotNumber,
            injectionSite: fields.injectionSite === 'deltoid-left' ? 'deltoid-right' : 'deltoid-left',
            route: fields.route,
            vaccinatorUserId: users[0]?.id ?? '',
            place: fields.place,
          },
        }
      })
    const recorded = await page.evaluate(
      (input) => (window as unknown as BenchWindow).carnetBench.recordDoses(input),
      {
        deviceKey: randomBytes(32).toString('base64'),
        deviceId: uuidv7(),
        userId: users[0]?.id ?? '',
        doses,
      },
    )

    const unlock =
      mode === 'sealed'
        ? await page.evaluate(() => (window as unknown as BenchWindow).carnetBench.measureUnlock())
        : undefined

    return {
      mode,
      ...(unlock === undefined ? {} : { unlock }),
      chromium: version,
      patients: stored.patients,
      steps: stored.steps,
      generateSeconds,
      load: { pageSeconds: pageMs / 1000, wallSeconds, pages },
      search,
      dose: { ...summarize(recorded.ms), refused: recorded.refused },
      storage: {
        estimateBefore: before.usage,
        estimateAfter: after.usage,
        diskBytes: dirBytes(indexedDbDir),
        settleSeconds,
        patientJsonBytes: stored.patientBytes,
        stepJsonBytes: stored.stepBytes,
      },
    }
  } finally {
    await context.close()
    server.close()
    rmSync(profile, { recursive: true, force: true })
    // Built for this run only: not left where `eslint .` would lint it.
    if (options.keepPage !== true) rmSync(join(root, 'dist-bench'), { recursive: true, force: true })
  }
}
