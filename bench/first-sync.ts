// A device's first sync: the real server in its own process (SQLite) is loaded with generated patients through
// the real push path (signed mutations in batches of 500, timed apart as setup), then a fresh Chromium profile
// signed in through the real login pulls everything from an empty cursor with the device's own code
// (src/sync/pull.ts over src/sync/transport.ts, bundled by bench/vite.bench.config.ts and served by the sync
// server itself, so the page and the API share one origin as in production).
import { spawnSync } from 'node:child_process'
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { chromium } from 'playwright-core'
import { chromiumArgs, findChromium } from '../scripts/lib/chromium'
import type { PatientRecord, StepRecord } from '../src/shared/records'
import { MAX_PUSH_MUTATIONS, PushResponseSchema } from '../src/shared/sync-api'
import { uuidv7 } from '../src/sync/ids'
import { generatePatients, generateSteps } from '../tests/fixtures/generator'
import { demoPassword, startServer } from '../tests/e2e/support/server'
import type { BenchWindow, FirstSyncPage, FirstSyncResource } from './browser/main'
import { httpJson } from './lib/http'
import { deviceHeaders, patientMutations, signInDevice, stepsByPatient } from './lib/mutations'
import { summarize, type Summary } from './lib/stats'

const SEED = 20_260_305
const PUSHER = 'medecin.demo'
const PULLER = 'infirmier.demo'
/** Linux's USER_HZ: /proc/<pid>/stat counts CPU time in 1/100 s. */
const CLOCK_TICKS = 100

export type FirstSyncFigures = {
  chromium: string
  patients: number
  steps: number
  generateSeconds: number
  setup: {
    mutations: number
    pushes: number
    seconds: number
    applied: number
    rejected: number
    errors: string[]
    serverBytes: number
  }
  /** One pull from zero per storage form, one after the other in the same page, after the same setup. */
  pulls: {
    /** 'sealed': rows encrypted at rest (src/db/vault), as after an online sign-in; 'clear': as before. */
    mode: 'clear' | 'sealed'
    outcome: string
    limit: number | undefined
    received: number
    seconds: number
    pages: number
    /** Changes per page (median, max). */
    pageChanges: Summary
    /** Request sent → answer parsed by the transport (ms), per page. */
    fetchMs: Summary
    /** Answer parsed → page committed (ms): record parsing, waiting for the previous page, the transaction. */
    applyMs: Summary
    /** Wall time during which no page was being written: the device waited for the server (ms, summed). */
    waitMs: number
    wireBytes: number
    decodedBytes: number
    serverCpuSeconds: number
    chromiumCpuSeconds: number
    /** Chromium's CPU by process kind (browser, renderer, network/storage services…). */
    chromiumCpuByKind: Record<string, number>
    stored: Record<string, number>
    storage: { estimateBefore: number; estimateAfter: number; diskBytes: number }
  }[]
  /** With BENCH_PROFILE=1: the page's main thread, sampled by the V8 profiler during the pull (unminified build). */
  profile?: PageProfile
}

function dirBytes(dir: string): number {
  if (!existsSync(dir)) return 0
  return readdirSync(dir).reduce((sum, entry) => {
    const path = join(dir, entry)
    const stat = statSync(path)
    return sum + (stat.isDirectory() ? dirBytes(path) : stat.size)
  }, 0)
}

/** The pids of a process and all its descendants (Linux /proc). */
function processTree(pid: number): number[] {
  const out = [pid]
  const taskDir = `/proc/${pid}/task`
  if (!existsSync(taskDir)) return out
  for (const task of readdirSync(taskDir)) {
    let children = ''
    try {
      children = readFileSync(join(taskDir, task, 'children'), 'utf8')
    } catch {
      continue
    }
    for (const child of children.trim().split(/\s+/).filter(Boolean)) out.push(...processTree(Number(child)))
  }
  return out
}

/** utime + stime of each pid, in seconds (a process gone meanwhile counts 0). */
function cpuOf(pids: readonly number[]): Map<number, number> {
  const out = new Map<number, number>()
  for (const pid of pids) {
    try {
      const stat = readFileSync(`/proc/${pid}/stat`, 'utf8')
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ')
      out.set(pid, (Number(fields[11]) + Number(fields[12])) / CLOCK_TICKS)
    } catch {
      out.set(pid, 0)
    }
  }
  return out
}

function cpuDelta(before: Map<number, number>, after: Map<number, number>): number {
  let sum = 0
  for (const [pid, seconds] of after) sum += seconds - (before.get(pid) ?? 0)
  return sum
}

/** What a Chromium process is, from its command line: browser, renderer, or the utility service it runs. */
function chromiumKind(pid: number): string {
  let args: string[] = []
  try {
    args = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split(/[\0 ]/)
  } catch {
    return 'gone'
  }
  const flag = (name: string) => args.find((a) => a.startsWith(`--${name}=`))?.slice(name.length + 3)
  const type = flag('type')
  if (type === undefined) return args[0]?.includes('chrom') === true ? 'browser' : 'other'
  const sub = flag('utility-sub-type')
  return sub === undefined ? type : sub.replace(/\.mojom\./, '.').replace(/^(\w+)\.\1/, '$1')
}

/** CPU seconds spent by each kind of Chromium process between two snapshots. */
function cpuByKind(before: Map<number, number>, after: Map<number, number>): Record<string, number> {
  const out: Record<string, number> = {}
  for (const [pid, seconds] of after) {
    const kind = chromiumKind(pid)
    out[kind] = (out[kind] ?? 0) + seconds - (before.get(pid) ?? 0)
  }
  return out
}

/** Builds the bench page into `outDir` (its own folder: a `device` run elsewhere keeps dist-bench/). */
function buildPage(root: string, outDir: string, minify: boolean): void {
  const result = spawnSync(
    'npx',
    [
      'vite',
      ...(minify ? [] : ['--minify', 'false']),
      'build',
      '--config',
      'bench/vite.bench.config.ts',
      '--outDir',
      outDir,
      '--emptyOutDir',
      '--logLevel',
      'error',
    ],
    { cwd: root, stdio: 'inherit' },
  )
  if (result.status !== 0) throw new Error('the bench page build (bench/vite.bench.config.ts) failed')
}

/** Pushes every patient's register + eligibility + dose 1 through POST /api/sync/push, 500 per push. */
async function loadServer(
  baseUrl: string,
  patients: readonly PatientRecord[],
  steps: readonly StepRecord[],
): Promise<Omit<FirstSyncFigures['setup'], 'serverBytes'>> {
  const device = await signInDevice(baseUrl, PUSHER, demoPassword)
  const byPatient = stepsByPatient(steps)
  const total = patients.length * 3
  const queue: Record<string, unknown>[] = []
  let nextPatient = 0
  // Signed as the device would sign them, a batch at a time; `at` is taken when the batch is built (after the
  // sign-in, before the push that carries it).
  const nextBatch = (): Record<string, unknown>[] => {
    const at = new Date().toISOString()
    while (queue.length < MAX_PUSH_MUTATIONS && nextPatient < patients.length) {
      const patient = patients[nextPatient] as PatientRecord
      nextPatient += 1
      queue.push(...patientMutations(device, patient, byPatient.get(patient.id) ?? [], at))
    }
    return queue.splice(0, MAX_PUSH_MUTATIONS)
  }
  let applied = 0
  let rejected = 0
  let pushes = 0
  let sent = 0
  const errors = new Map<string, number>()
  const started = performance.now()
  let batch = nextBatch()
  while (batch.length > 0) {
    const answering = httpJson(`${baseUrl}/api/sync/push`, {
      body: { deviceId: device.deviceId, mutations: batch },
      headers: deviceHeaders(device, total - sent),
      timeoutMs: 120_000,
    })
    sent += batch.length
    // The next batch is signed while the server works on this one; it leaves only after this one's answer.
    const next = nextBatch()
    const answer = await answering
    pushes += 1
    if (answer.status !== 200) throw new Error(`push: ${answer.status} ${answer.text.slice(0, 300)}`)
    for (const result of PushResponseSchema.parse(JSON.parse(answer.text)).results) {
      if (result.status === 'applied') applied += 1
      else {
        rejected += 1
        errors.set(result.error, (errors.get(result.error) ?? 0) + 1)
      }
    }
    if (pushes % 100 === 0)
      process.stderr.write(
        `  [first-sync] setup: ${sent.toLocaleString('en-GB')} / ${total.toLocaleString('en-GB')} mutations pushed\n`,
      )
    batch = next
  }
  return {
    mutations: sent,
    pushes,
    seconds: (performance.now() - started) / 1000,
    applied,
    rejected,
    errors: [...errors].map(([code, n]) => `${code} ×${n}`),
  }
}

/** The renderer's main thread during the pull, from a V8 CPU profile: the heaviest functions. */
export type PageProfile = {
  sampledMs: number
  /** Self time by function (name @ line of the unminified bundle), heaviest first. */
  self: { name: string; ms: number }[]
  /** Inclusive time of the functions the pull is made of (a sample counts once per function). */
  inclusive: { name: string; ms: number }[]
}

type CpuProfile = {
  nodes: { id: number; callFrame: { functionName: string; lineNumber: number }; children?: number[] }[]
  samples: number[]
  timeDeltas: number[]
}

/** Functions whose inclusive time tells where the pull spends the page's CPU. */
const INCLUSIVE = [
  'pullAll',
  'fetchPage',
  'readJson',
  'parsePage',
  'applyPage',
  'putPatients',
  'putSteps',
  'toPatientRow',
  'toStepRow',
  'rebaseFiles',
  'bulkPut',
  'safeParse',
  'parse',
  '(garbage collector)',
  '(program)',
  '(idle)',
]

function summarizeProfile(profile: CpuProfile): PageProfile {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]))
  const parent = new Map<number, number>()
  for (const node of profile.nodes) for (const child of node.children ?? []) parent.set(child, node.id)
  const label = (id: number) => {
    const frame = byId.get(id)?.callFrame
    return frame === undefined ? '?' : frame.functionName || `(anonymous)@${frame.lineNumber + 1}`
  }
  const self = new Map<string, number>()
  const inclusive = new Map<string, number>()
  let sampledUs = 0
  profile.samples.forEach((id, i) => {
    const us = profile.timeDeltas[i] ?? 0
    sampledUs += us
    const own = byId.get(id)?.callFrame
    const key =
      own === undefined ? '?' : `${label(id)}${own.functionName === '' ? '' : ` @${own.lineNumber + 1}`}`
    self.set(key, (self.get(key) ?? 0) + us)
    const names = new Set<string>()
    for (let at: number | undefined = id; at !== undefined; at = parent.get(at)) names.add(label(at))
    for (const name of names)
      if (INCLUSIVE.includes(name)) inclusive.set(name, (inclusive.get(name) ?? 0) + us)
  })
  return {
    sampledMs: sampledUs / 1000,
    self: [...self]
      .sort((a, b) => b[1] - a[1])
      .slice(0, 20)
      .map(([name, us]) => ({ name, ms: us / 1000 })),
    inclusive: INCLUSIVE.filter((n) => inclusive.has(n)).map((name) => ({
      name,
      ms: (inclusive.get(name) ?? 0) / 1000,
    })),
  }
}

function pageFigures(pages: readonly FirstSyncPage[]): { fetch: number[]; apply: number[]; waitMs: number } {
  const fetch: number[] = []
  const apply: number[] = []
  let waitMs = 0
  let previousCommit = pages[0]?.requestedAt ?? 0
  for (const page of pages) {
    fetch.push(page.answeredAt - page.requestedAt)
    apply.push(page.committedAt - page.answeredAt)
    // Time between the previous commit and this page's answer: the device had nothing to write.
    waitMs += Math.max(0, page.answeredAt - previousCommit)
    previousCommit = page.committedAt
  }
  return { fetch, apply, waitMs }
}

function sumOf(resources: readonly FirstSyncResource[], key: keyof FirstSyncResource): number {
  return resources.reduce((sum, r) => sum + r[key], 0)
}

/** Runs the first-sync bench: `patientCount` patients (two steps each) pushed, then pulled by a fresh device. */
export async function measureFirstSync(
  root: string,
  patientCount: number,
  limit: number | undefined,
  profilePage = false,
  modes: readonly ('clear' | 'sealed')[] = ['clear', 'sealed'],
): Promise<FirstSyncFigures> {
  const executablePath = findChromium()
  if (executablePath === undefined)
    throw new Error("No Chromium found: install Debian's chromium or set CHROME_PATH.")
  const pageDir = mkdtempSync(join(tmpdir(), 'carnet-bench-first-sync-page-'))
  const profile = mkdtempSync(join(tmpdir(), 'carnet-bench-first-sync-chromium-'))
  try {
    buildPage(root, pageDir, !profilePage)
    const started = performance.now()
    const patients = generatePatients(SEED, patientCount)
    const steps = generateSteps(SEED, patients, 2)
    const generateSeconds = (performance.now() - started) / 1000

    const server = await startServer({ STATIC_DIR: pageDir, LOG_LEVEL: 'warn' })
    try {
      // node:http resolves 'localhost' to ::1 first on some hosts; the server listens on 127.0.0.1.
      const baseUrl = server.url.replace('//localhost:', '//127.0.0.1:')
      const setup = await loadServer(baseUrl, patients, steps)
      const serverBytes = dirBytes(server.dataDir)

      const puller = await signInDevice(baseUrl, PULLER, demoPassword)
      // A persistent profile on disk (as bench/device.ts): IndexedDB in files, as on a tablet; an incognito
      // context would keep it in memory.
      const context = await chromium.launchPersistentContext(profile, {
        executablePath,
        headless: true,
        args: chromiumArgs,
      })
      try {
        const page = context.pages()[0] ?? (await context.newPage())
        await page.goto(`${baseUrl}/`)
        await page.waitForFunction(() => 'carnetBench' in window)
        const version = context.browser()?.version() ?? (await page.evaluate(() => navigator.userAgent))

        const serverPids = processTree(server.process.pid ?? 0)
        const otherPids = () =>
          processTree(process.pid).filter((pid) => pid !== process.pid && !serverPids.includes(pid))
        const cdp = profilePage ? await context.newCDPSession(page) : undefined
        if (cdp !== undefined) {
          await cdp.send('Profiler.enable')
          await cdp.send('Profiler.setSamplingInterval', { interval: 1000 })
          await cdp.send('Profiler.start')
        }
        const pulls: FirstSyncFigures['pulls'] = []
        let previous: string | undefined
        for (const mode of modes) {
          // Each pull starts from an empty profile database: the previous one is deleted first.
          if (previous !== undefined) {
            await page.evaluate((name) => (window as unknown as BenchWindow).carnetBench.drop(name), previous)
          }
          const dbName = `carnet-first-sync-${uuidv7()}`
          previous = dbName
          const serverBefore = cpuOf(serverPids)
          const chromiumBefore = cpuOf(otherPids())
          const result = await page.evaluate(
            (input) => (window as unknown as BenchWindow).carnetBench.firstSync(input),
            {
              dbName,
              deviceId: puller.deviceId,
              deviceToken: puller.deviceToken,
              sealed: mode === 'sealed',
              ...(limit === undefined ? {} : { limit }),
            },
          )
          const serverCpuSeconds = cpuDelta(serverBefore, cpuOf(serverPids))
          const chromiumAfter = cpuOf(otherPids())
          const chromiumCpuSeconds = cpuDelta(chromiumBefore, chromiumAfter)
          const { fetch, apply, waitMs } = pageFigures(result.pages)
          pulls.push({
            mode,
            outcome: result.outcome,
            limit,
            received: result.received,
            seconds: result.ms / 1000,
            pages: result.pages.length,
            pageChanges: summarize(result.pages.map((p) => p.changes)),
            fetchMs: summarize(fetch),
            applyMs: summarize(apply),
            waitMs,
            wireBytes: sumOf(result.resources, 'encodedBytes'),
            decodedBytes: sumOf(result.resources, 'decodedBytes'),
            serverCpuSeconds,
            chromiumCpuSeconds,
            chromiumCpuByKind: cpuByKind(chromiumBefore, chromiumAfter),
            stored: result.counts,
            storage: {
              estimateBefore: result.estimateBefore,
              estimateAfter: result.estimateAfter,
              diskBytes: dirBytes(join(profile, 'Default', 'IndexedDB')),
            },
          })
        }
        const pageProfile =
          cdp === undefined
            ? undefined
            : summarizeProfile((await cdp.send('Profiler.stop')).profile as unknown as CpuProfile)
        return {
          chromium: version,
          patients: patients.length,
          steps: steps.length,
          generateSeconds,
          setup: { ...setup, serverBytes },
          pulls,
          ...(pageProfile === undefined ? {} : { profile: pageProfile }),
        }
      } finally {
        await context.close()
      }
    } finally {
      await server.stop()
    }
  } finally {
    rmSync(profile, { recursive: true, force: true })
    rmSync(pageDir, { recursive: true, force: true })
  }
}
