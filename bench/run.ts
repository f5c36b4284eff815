// `npm run bench`: prints each figure with what produced it. Figures, not assertions: the targets are
// read against them in the closing notes of the work, never asserted in the test suite.
import { fileURLToPath } from 'node:url'
import { ensureBuild } from '../scripts/lib/build'
import { measureBundle } from './bundle'
import { DASHBOARD_VOLUME, measureDashboard } from './dashboard'
import { measureDevice } from './device'
import { measureDocuments } from './documents'
import { loadDevices } from './devices'
import { measureCuts, measurePartition } from './faults'
import { measureFirstSync } from './first-sync'
import { loadHealth } from './health'
import { count, machine, ms, summarize } from './lib/stats'
import { isPostgresReachable, postgresUrl, pushPostgres, pushSqlite, type PushFigures } from './push'

const root = fileURLToPath(new URL('..', import.meta.url))
const only = process.argv.slice(2)
const wants = (name: string) => only.length === 0 || only.includes(name)
const kb = (bytes: number) => `${(bytes / 1024).toFixed(1)} KB`
const mb = (bytes: number) => `${(bytes / 2 ** 20).toFixed(1)} MB`

function printPush(figures: PushFigures, target: number): void {
  console.log(`  ${figures.store}: ${figures.detail}`)
  for (const run of figures.runs) {
    const rejected = run.rejected === 0 ? '' : ` (${run.errors.join(', ')})`
    console.log(
      `    ${count(run.mutations)} mutations in ${run.requests} push${run.requests === 1 ? '' : 'es'} of ≤ 500: ${count(run.perSecond)} mutations/s (${run.seconds.toFixed(2)} s; applied ${count(run.applied)}, rejected ${count(run.rejected)}${rejected})  target ≥ ${count(target)}/s`,
    )
  }
  console.log(
    `    raw insert, same database: ${count(figures.rawRowsPerSecond)} rows/s (${figures.rawDetail})`,
  )
}

async function main(): Promise<void> {
  console.log(`Carnet bench — node ${process.version}, ${new Date().toISOString()}`)

  if (wants('bundle')) {
    if (!ensureBuild(root)) throw new Error('the build failed')
    const bundle = measureBundle(`${root}/dist`)
    console.log('\n[bundle] gzip -9 of dist/ files (vite build)')
    console.log(
      `  initial JavaScript: ${kb(bundle.initialJsGzip)} gzip (${bundle.initialJsFiles.join(', ')})  target ≤ 150 KB`,
    )
    console.log(
      `  precache: ${bundle.precacheFiles} files, ${kb(bundle.precacheGzip)} gzip, ${kb(bundle.precacheRaw)} raw`,
    )
  }

  if (wants('health')) {
    const seconds = Number(process.env.BENCH_SECONDS ?? 10)
    const load = await loadHealth(seconds)
    console.log(
      `\n[health] autocannon, 50 connections, ${seconds} s, GET /api/health, server in its own process (SQLite)`,
    )
    console.log(
      `  ${Math.round(load.requestsPerSecond)} requests/s, p50 ${load.p50Ms} ms, p99 ${load.p99Ms} ms, errors ${load.errors}, non-2xx ${load.non2xx}  target ≥ 5,000 requests/s`,
    )
  }

  if (wants('device')) {
    const patients = Number(process.env.BENCH_PATIENTS ?? 100_000)
    // Both storage forms in the same run, one after the other in fresh profiles: the sealed figures read against
    // the clear ones measured minutes before on the same machine.
    const modes = (process.env.BENCH_DEVICE_MODES ?? 'clear,sealed').split(',') as ('clear' | 'sealed')[]
    const figures: Awaited<ReturnType<typeof measureDevice>>[] = []
    for (const [i, mode] of modes.entries()) {
      figures.push(
        await measureDevice(root, patients, mode, { build: i === 0, keepPage: i < modes.length - 1 }),
      )
    }
    const clear = figures.find((f) => f.mode === 'clear')
    const vs = (value: number, anchor: number | undefined) =>
      anchor === undefined || anchor === 0 ? '' : ` (×${(value / anchor).toFixed(2)} of clear)`
    for (const d of figures) {
      const records = d.patients + d.steps
      const anchorOf = (pick: (f: typeof d) => number) =>
        d === clear || clear === undefined ? undefined : pick(clear)
      console.log(
        `\n[device, ${d.mode === 'sealed' ? 'sealed at rest (AES-GCM rows, blind tokens, name index in memory)' : 'clear rows (as before encryption)'}] Chromium ${d.chromium} headless, persistent profile on disk, Dexie 4 'strict' durability, the device's own code bundled by bench/vite.bench.config.ts; ${machine()}`,
      )
      console.log(
        `  load: ${count(d.patients)} patients + ${count(d.steps)} steps (generator seed, eligibility + dose 1 each) through putPatients/putSteps in ${d.load.pages} pages of 1,000 patients: ${count(records / d.load.pageSeconds)} records/s in the page (${d.load.pageSeconds.toFixed(1)} s${vs(
          d.load.pageSeconds,
          anchorOf((f) => f.load.pageSeconds),
        )}), ${count(records / d.load.wallSeconds)} records/s wall incl. transfer (${d.load.wallSeconds.toFixed(1)} s); generated in ${d.generateSeconds.toFixed(1)} s`,
      )
      const labels = {
        nir: 'NIR (15 digits, spaced)',
        code: 'code de ciblage',
        name: 'name prefix (4 letters)',
      }
      for (const kind of ['nir', 'code', 'name'] as const) {
        const s = d.search[kind]
        console.log(
          `  search by ${labels[kind]}: median ${ms(s.median)}, p95 ${ms(s.p95)}${vs(
            s.p95,
            anchorOf((f) => f.search[kind].p95),
          )}, max ${ms(s.max)} over ${s.count} queries (searchPatients, performance.now, after 10 warm-up; median ${s.medianHits} hits)  target p95 ≤ 20 ms`,
        )
      }
      const refused =
        d.dose.refused.length === 0
          ? ''
          : `, refused ${d.dose.refused.length}: ${[...new Set(d.dose.refused)].join(', ')}`
      console.log(
        `  dose 2 recorded through recordChange (submit → committed, HMAC key from importSigningKey, vaccinator grant valid): median ${ms(d.dose.median)}, p95 ${ms(d.dose.p95)}${vs(
          d.dose.p95,
          anchorOf((f) => f.dose.p95),
        )}, max ${ms(d.dose.max)} over ${d.dose.count}${refused}  target p95 ≤ 50 ms`,
      )
      const st = d.storage
      const perPatient = (bytes: number) => `${(bytes / d.patients / 1024).toFixed(2)} KB`
      const estimated = st.estimateAfter - st.estimateBefore
      console.log(
        `  storage per patient (with its two steps): ${perPatient(estimated)} by navigator.storage.estimate()${vs(
          estimated,
          anchorOf((f) => f.storage.estimateAfter - f.storage.estimateBefore),
        )} (${kb(st.estimateBefore)} → ${kb(st.estimateAfter)}), ${perPatient(st.diskBytes)} on disk (profile's IndexedDB folder), ${perPatient(st.patientJsonBytes + st.stepJsonBytes)} as JSON of the stored rows (patient ${(st.patientJsonBytes / d.patients).toFixed(0)} B + steps ${(st.stepJsonBytes / d.patients).toFixed(0)} B)  target ≤ 1.5 KB`,
      )
      if (d.unlock !== undefined) {
        const u = d.unlock
        console.log(
          `  unlock after the lock (password → PBKDF2-SHA256 600,000 + unwrap → name index of ${count(u.indexed)} patients from ${u.nameIndexRows} sealed rows): ${ms(u.totalMs)} (keys ${ms(u.keysMs)}, name index ${ms(u.nameIndexMs)})  target ≤ 1.5 s`,
        )
      }
    }
  }

  if (wants('push')) {
    const sizes = [500, 20_000]
    console.log(
      `\n[push] POST /api/sync/push over HTTP on loopback to the real app (buildApp, listen on port 0, in this process); one device signed in as medecin.demo pushes generated patients (patient.register + step.record eligibility + dose 1, HMAC-signed), batches of 500 sent one after another; ${machine()}`,
    )
    printPush(await pushSqlite(sizes), 5_000)
    const url = postgresUrl()
    if (await isPostgresReachable(url)) printPush(await pushPostgres(url, sizes), 2_000)
    else
      console.log(
        `  postgres: not reachable at ${url.replace(/:[^:@/]*@/, ':***@')}, skipped  target ≥ 2,000/s`,
      )
  }

  if (wants('first-sync')) {
    const patients = Number(process.env.BENCH_PATIENTS ?? 100_000)
    const limit =
      process.env.BENCH_PULL_LIMIT === undefined ? undefined : Number(process.env.BENCH_PULL_LIMIT)
    const modes = (process.env.BENCH_FIRST_SYNC_MODES ?? 'clear,sealed').split(',') as ('clear' | 'sealed')[]
    const f = await measureFirstSync(root, patients, limit, process.env.BENCH_PROFILE === '1', modes)
    const s = f.setup
    console.log(
      `\n[first-sync] a fresh device pulls everything from zero: real server in its own process (startServer, SQLite), Chromium ${f.chromium} headless with a persistent profile on disk, the device's own pull (src/sync/pull.ts pullAll over src/sync/transport.ts, page served by the sync server: same origin), device token from POST /api/auth/login as infirmier.demo; ${machine()}`,
    )
    const rejected = s.rejected === 0 ? '' : ` (${s.errors.join(', ')})`
    console.log(
      `  setup (not the figure): ${count(f.patients)} patients + ${count(f.steps)} steps (generator, generated in ${f.generateSeconds.toFixed(1)} s) pushed by medecin.demo as ${count(s.mutations)} signed mutations in ${count(s.pushes)} pushes of ≤ 500 through POST /api/sync/push: ${s.seconds.toFixed(1)} s, ${count(s.mutations / s.seconds)} mutations/s; applied ${count(s.applied)}, rejected ${count(s.rejected)}${rejected}; server data folder ${mb(s.serverBytes)}`,
    )
    const clearPull = f.pulls.find((x) => x.mode === 'clear')
    for (const p of f.pulls) {
      const rate = p.received / p.seconds
      const against =
        p.mode === 'sealed' && clearPull !== undefined
          ? ` (×${(p.seconds / clearPull.seconds).toFixed(2)} of the clear pull just before; target ≤ ×1.15)`
          : ''
      console.log(
        `  first sync, ${p.mode === 'sealed' ? 'sealed at rest' : 'clear rows'}: ${count(p.received)} changes in ${p.seconds.toFixed(1)} s${against} = ${count(rate)} records/s, ${p.pages} pages (${p.limit === undefined ? "the app's page size" : `limit ${p.limit}`}: median ${count(p.pageChanges.median)} changes), outcome ${p.outcome}  target ≤ 60 s`,
      )
      console.log(
        `    stored: ${Object.entries(p.stored)
          .filter(([, n]) => n > 0)
          .map(([table, n]) => `${table} ${count(n)}`)
          .join(', ')}`,
      )
      const st = p.storage
      console.log(
        `    IndexedDB afterwards: ${mb(st.diskBytes)} on disk (profile's IndexedDB folder), ${mb(st.estimateAfter - st.estimateBefore)} by navigator.storage.estimate() (${kb(st.estimateBefore)} → ${mb(st.estimateAfter)})`,
      )
      console.log(
        `    per page: request → answer parsed median ${ms(p.fetchMs.median)} (max ${ms(p.fetchMs.max)}); answer → committed (record parsing + transaction) median ${ms(p.applyMs.median)} (max ${ms(p.applyMs.max)}); device idle waiting for the server ${(p.waitMs / 1000).toFixed(1)} s; ${mb(p.wireBytes)} on the wire, ${mb(p.decodedBytes)} decoded; CPU during the pull: server ${p.serverCpuSeconds.toFixed(1)} s, Chromium ${p.chromiumCpuSeconds.toFixed(1)} s (${Object.entries(
          p.chromiumCpuByKind,
        )
          .filter(([, seconds]) => seconds >= 0.05)
          .sort((a, b) => b[1] - a[1])
          .map(([kind, seconds]) => `${kind} ${seconds.toFixed(1)} s`)
          .join(', ')})`,
      )
    }
    if (f.profile !== undefined) {
      const pr = f.profile
      console.log(
        `  BENCH_PROFILE=1 (V8 sampling profiler on the page, 1 ms, unminified build: slows the pull) ${(pr.sampledMs / 1000).toFixed(1)} s sampled; inclusive: ${pr.inclusive.map((e) => `${e.name} ${(e.ms / 1000).toFixed(1)} s`).join(', ')}`,
      )
      console.log(
        `    self time: ${pr.self.map((e) => `${e.name} ${(e.ms / 1000).toFixed(2)} s`).join('; ')}`,
      )
    }
    console.log(
      `  reference, NOT measured here (shared/docs/architecture.md, same kind of machine): PouchDB replication moved 300,000 documents in 449 s = ${count(300_000 / 449)} docs/s`,
    )
  }

  if (wants('devices')) {
    const devices = Number(process.env.BENCH_DEVICES ?? 200)
    const seconds = Number(process.env.BENCH_SECONDS ?? 30)
    const organisations = Number(process.env.BENCH_ORGS ?? 1)
    const d = await loadDevices(devices, seconds, organisations)
    console.log(
      `\n[devices] ${d.devices} simulated devices in ${d.organisations === 1 ? 'one organisation (each pulls every other device’s changes)' : `${d.organisations} organisations`}, ${seconds} s of load (${d.seconds.toFixed(1)} s until the last answer) on loopback, real server in its own process (SQLite), load generator in this process (node:http, keep-alive); ${machine()}`,
    )
    console.log(
      `  devices registered through POST /api/auth/login in ${d.loginSeconds.toFixed(1)} s: ${d.logins} vaccinators (medecin.demo, infirmier.demo + bench users created in the store before start), 8 devices per login, sign-ins from ${d.addresses} loopback addresses (login limit 10/min per login and per address); one first pull each before the load`,
    )
    console.log(
      `  loop per device: push 1–5 mutations (register, eligibility, dose 1 of generated patients, HMAC-signed), pull ≤ 1,000 after its cursor, think 0–200 ms; a push without an answer is retried as is; request timeout 10 s`,
    )
    console.log(
      `  ${count(d.requests)} requests (${count(d.requests / d.seconds)}/s), errors ${d.errors}${d.errorKinds.length === 0 ? '' : ` (${d.errorKinds.join(', ')})`}  target 0`,
    )
    console.log(
      `  latency per request (a request with no answer counts as 10 s) all: p50 ${ms(d.all.median)}, p99 ${ms(d.all.p99)}, max ${ms(d.all.max)}  target p99 ≤ 1 s; push p50 ${ms(d.push.median)} p99 ${ms(d.push.p99)}; pull p50 ${ms(d.pull.median)} p99 ${ms(d.pull.p99)}`,
    )
    console.log(
      `  mutations applied ${count(d.applied)} (${count(d.applied / d.seconds)}/s), rejected ${count(d.rejected)}; changes pulled ${count(d.pulledChanges)}`,
    )
  }

  if (wants('dashboard')) {
    const v = DASHBOARD_VOLUME
    const d = await measureDashboard(root)
    console.log(
      `\n[dashboard] GET /api/admin/* over HTTP on loopback to the real app (buildApp, listen on port 0, in this process) as admin.demo (users and access requests as gestionnaire.demo), after ${count(v.devices)} devices, ${count(v.rejections)} rejections and ${count(v.auditEvents)} audit events and ${count(v.doseSteps)} dose steps over ${v.doseDays} days (through writePush) written into the store; median and p95 over ${v.samples} requests after 2 warm-up; ${machine()}`,
    )
    for (const f of d.figures) {
      console.log(`  ${f.store}: ${f.detail}; volume written in ${f.seedSeconds.toFixed(1)} s`)
      for (const t of f.timings) {
        console.log(
          `    ${t.label}: median ${ms(t.summary.median)}, p95 ${ms(t.summary.p95)}, max ${ms(t.summary.max)}${t.items === null ? '' : ` (${t.items} items)`}  target ≤ 1 s`,
        )
      }
    }
    if (d.skipped !== null) console.log(`  postgres: not reachable at ${d.skipped}, skipped  target ≤ 1 s`)
  }

  if (wants('faults')) await faults()

  if (wants('documents')) {
    const d = await measureDocuments(root)
    console.log(
      `\n[documents] src/pdf bundled by Vite (jsPDF, jspdf-autotable, qrcode loaded on first use), Chromium ${d.chromium} headless, performance.now() in the page; ${machine()}`,
    )
    for (const [label, f] of [
      ['step summary PDF (dose 2)', d.summary],
      ['four-dose certificate PDF with QR code', d.certificate],
    ] as const) {
      console.log(
        `  ${label}: median ${ms(f.median)}, p95 ${ms(f.p95)}, max ${ms(f.max)} over ${f.count}; first call (loads the renderer chunk) ${ms(f.first)}; ${(f.bytes / 1024).toFixed(1)} KB  target ≤ 300 ms`,
      )
    }
  }
}

async function faults(): Promise<void> {
  const url = postgresUrl()
  const cuts = Number(process.env.BENCH_CUTS ?? 50)
  const outageMs = Number(process.env.BENCH_OUTAGE_MS ?? 5_000)
  console.log(
    `\n[faults] the real server in its own process on PostgreSQL through a TCP proxy (tests/integration/faults/); ${machine()}`,
  )
  if (!(await isPostgresReachable(url))) {
    console.log(`  postgres: not reachable at ${url.replace(/:[^:@/]*@/, ':***@')}, skipped`)
    return
  }
  console.log(
    `  ${cuts} outages of ${outageMs / 1000} s: the proxy resets every connection and refuses new ones, at a random moment of a push (within 1.5 × the median push time after one is sent; one in five as the database answers a COMMIT, the answer lost); 3 devices push 9 mutations at a time without pause, retrying every 100 ms while refused`,
  )
  const f = await measureCuts(url, cuts, outageMs, (_i, line) => {
    if (process.env.BENCH_VERBOSE === '1') console.log(`    ${line}`)
  })
  const answered = Object.values(f.outcomes).reduce((n, k) => n + k, 0)
  const recovery = summarize(f.cuts.map((c) => c.recoveryMs))
  const slowest = Math.max(0, ...f.cuts.map((c) => c.slowestMs))
  const inTransaction = f.cuts.filter((c) => c.at.inTransaction > 0).length
  const onCommit = f.cuts.filter((c) => c.at.onCommit > 0).length
  console.log(
    `  process exits: ${f.exit === null ? 0 : `1 (${JSON.stringify(f.exit)})`} in ${f.cuts.length} cuts  target 0 in 50; cuts that fell inside an open transaction ${inTransaction}, on a COMMIT ${onCommit}`,
  )
  console.log(
    `  pushes sent during the outages: ${count(answered)}, answered ${Object.entries(f.outcomes)
      .map(([status, n]) => `${status} × ${count(n)}`)
      .join(
        ', ',
      )}; without Retry-After ${f.withoutRetryAfter}; over 2 s or unanswered ${f.late}; slowest ${ms(slowest)}  target every request answered within 2 s`,
  )
  console.log(
    `  service back after the database (first push answered 200, retried every 100 ms): median ${ms(recovery.median)}, p95 ${ms(recovery.p95)}, max ${ms(recovery.max)}  target ≤ 1 s`,
  )
  console.log(
    `  ledger after the run: ${count(f.mutations)} mutations answered; ${f.ledgerProblems.length === 0 ? 'sound (each device’s results 1..n once, every answered mutation stored with its answer and replayed unchanged, audit chains consecutive and linked)' : `${f.ledgerProblems.length} problems: ${f.ledgerProblems.slice(0, 5).join('; ')}`}  target 0 acknowledged mutations lost; ${f.seconds.toFixed(0)} s in all`,
  )

  const p = await measurePartition(url)
  console.log(
    `  silent partition (nothing forwarded, nothing refused), default limits (DATABASE_STATEMENT_TIMEOUT_MS 15 s + 1 s client margin, DATABASE_CONNECT_TIMEOUT_MS 5 s): 3 pushes sent into it answered ${p.statuses.join(', ')} after ${p.answeredMs.map((m) => `${(m / 1000).toFixed(1)} s`).join(', ')}; healed, pushes through after ${ms(p.recoveryMs)}; process ${p.exited ? 'EXITED' : 'still up'}`,
  )
}

main().catch((error: unknown) => {
  console.error(`bench failed: ${error instanceof Error ? error.message : String(error)}`)
  process.exit(1)
})
