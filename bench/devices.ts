// Many devices at once: devices signed in through the real login push small batches and pull after their
// cursor, with a think time, against the real server in its own process (SQLite), so the load generator and
// the server each have a core of this 2-core machine.
import { mkdtempSync, rmSync } from 'node:fs'
import { Agent } from 'node:http'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { hashPassword } from '../sync-server/src/auth/passwords'
import { systemClock } from '../sync-server/src/clock'
import { seedDemo } from '../sync-server/src/demo'
import { openSqliteStore } from '../sync-server/src/store/sqlite'
import { luhnCheckDigit } from '../src/domain/identifiers'
import { generatePatients, generateSteps, mulberry32 } from '../tests/fixtures/generator'
import { demoPassword, startServer } from '../tests/e2e/support/server'
import { httpJson } from './lib/http'
import {
  deviceHeaders,
  patientMutations,
  signInDevice,
  stepsByPatient,
  type BenchDevice,
} from './lib/mutations'
import { sleep, summarize, type Summary } from './lib/stats'

const DEMO_VACCINATORS = ['medecin.demo', 'infirmier.demo']
// The login limit is 10 a minute per login and per client address: 8 devices per login, and each group of 8
// sign-ins leaves from its own loopback address (127.0.0.2, .3, …), stays under both.
const DEVICES_PER_LOGIN = 8
const PATIENTS_PER_CHUNK = 40
const PULL_LIMIT = 1000
const REQUEST_TIMEOUT_MS = 10_000

export type DevicesFigures = {
  devices: number
  logins: number
  addresses: number
  seconds: number
  loginSeconds: number
  requests: number
  errors: number
  errorKinds: string[]
  push: Summary
  pull: Summary
  all: Summary
  applied: number
  rejected: number
  pulledChanges: number
}

type Tally = {
  requests: number
  push: number[]
  pull: number[]
  errors: Map<string, number>
  applied: number
  rejected: number
  pulled: number
}

function fail(tally: Tally, kind: string): void {
  tally.errors.set(kind, (tally.errors.get(kind) ?? 0) + 1)
}

/**
 * Creates the bench's vaccinators in the store before the server starts: login k (after the demo's two) joins
 * organisation k mod `organisations` (0 = the demo mobile team, others created here).
 */
export async function seedUsers(file: string, extra: number, organisations = 1): Promise<string[]> {
  const store = openSqliteStore({ file, clock: systemClock })
  try {
    await store.migrate()
    await seedDemo(store, { password: demoPassword })
    const demo = await store.getOrganisationByFiness('010000016')
    if (demo === null) throw new Error('no demo mobile team')
    const orgs = [demo]
    for (let i = 1; i < organisations; i += 1) {
      const created = await store.createOrganisation({
        name: `Équipe bench ${i}`,
        kind: 'mobile-team',
        country: 'FR',
      })
      if (!created.ok) throw new Error(`organisation ${i}: ${created.error}`)
      orgs.push(created.value)
    }
    const passwordHash = await hashPassword(demoPassword)
    const logins: string[] = []
    for (let i = 0; i < extra; i += 1) {
      const login = `bench.infirmier.${String(i + 1).padStart(2, '0')}`
      const body = `100${String(7_000_000 + i).padStart(7, '0')}`
      const organisation = orgs[(i + DEMO_VACCINATORS.length) % orgs.length] ?? demo
      const user = await store.createUser({
        organisationId: organisation.id,
        login,
        displayName: `Infirmier·e bench ${i + 1}`,
        profession: 'infirmier',
        professionalId: { kind: 'rpps', value: body + luhnCheckDigit(body) },
        passwordHash,
      })
      if (!user.ok) throw new Error(`user ${login}: ${user.error}`)
      await store.grantRole({ userId: user.value.id, organisationId: organisation.id, role: 'vaccinator' })
      logins.push(login)
    }
    return logins
  } finally {
    await store.close()
  }
}

class MutationQueue {
  private readonly queue: Record<string, unknown>[] = []
  private chunk = 0

  constructor(
    private readonly device: BenchDevice,
    private readonly seed: number,
  ) {}

  take(n: number): Record<string, unknown>[] {
    while (this.queue.length < n) {
      const patients = generatePatients(this.seed * 1000 + this.chunk, PATIENTS_PER_CHUNK)
      const steps = stepsByPatient(generateSteps(this.seed * 1000 + this.chunk, patients, 2))
      this.chunk += 1
      // Signed when queued, like the outbox; `at` is then a few seconds before the push, after the sign-in.
      const at = new Date().toISOString()
      for (const p of patients)
        this.queue.push(...patientMutations(this.device, p, steps.get(p.id) ?? [], at))
    }
    return this.queue.splice(0, n)
  }

  get length(): number {
    return this.queue.length
  }
}

async function pull(baseUrl: string, device: BenchDevice, agent: Agent, pending: number) {
  const answer = await httpJson(
    `${baseUrl}/api/sync/pull?${new URLSearchParams({ after: device.cursor, limit: String(PULL_LIMIT) })}`,
    { headers: deviceHeaders(device, pending), agent, timeoutMs: REQUEST_TIMEOUT_MS },
  )
  if (answer.status !== 200) return { answer, changes: 0, hasMore: false }
  const page = readPage(answer.text)
  device.cursor = page.cursor
  return { answer, changes: page.changes, hasMore: page.hasMore }
}

/**
 * What the bench needs of a pull page: its cursor, `hasMore` and how many changes it holds. A device parses its
 * own pages on its own processor; here 200 devices share one core, and parsing every page whole took two thirds
 * of the load generator's time (it saturated its core, and its own delays showed up as server latency). So the
 * fields after `changes` are parsed and the changes counted by their opening (`{"position":`, which the server
 * writes first in each change), without parsing what they hold.
 */
function readPage(text: string): { changes: number; cursor: string; hasMore: boolean } {
  const at = text.lastIndexOf('],"cursor":')
  if (!text.startsWith('{"changes":[') || at < 0)
    throw new Error(`pull: unexpected page ${text.slice(0, 80)}`)
  const tail = JSON.parse(`{${text.slice(at + 2)}`) as { cursor: string; hasMore: boolean }
  let changes = 0
  for (let i = text.indexOf(CHANGE_OPENING); i >= 0 && i < at; i = text.indexOf(CHANGE_OPENING, i + 1)) {
    changes += 1
  }
  return { changes, cursor: tail.cursor, hasMore: tail.hasMore }
}

const CHANGE_OPENING = '{"position":'

async function runDevice(
  baseUrl: string,
  device: BenchDevice,
  index: number,
  agent: Agent,
  until: number,
  tally: Tally,
): Promise<void> {
  const rng = mulberry32(index + 1)
  const queue = new MutationQueue(device, index + 1)
  // Like the replayer: a batch that got no answer (network error, timeout, 5xx) is sent again as is, so the
  // server answers a replay instead of meeting a seq gap.
  let batch: Record<string, unknown>[] = []
  while (performance.now() < until) {
    if (batch.length === 0) batch = queue.take(1 + Math.floor(rng() * 5))
    tally.requests += 2
    try {
      const answer = await httpJson(`${baseUrl}/api/sync/push`, {
        body: { deviceId: device.deviceId, mutations: batch },
        headers: deviceHeaders(device, batch.length + queue.length),
        agent,
        timeoutMs: REQUEST_TIMEOUT_MS,
      })
      tally.push.push(answer.ms)
      if (answer.status !== 200) fail(tally, `push ${answer.status}`)
      if (answer.status === 200 || (answer.status >= 400 && answer.status < 500)) {
        if (answer.status === 200) {
          const results = (JSON.parse(answer.text) as { results: { status: string }[] }).results
          for (const r of results) {
            if (r.status === 'applied') tally.applied += 1
            else tally.rejected += 1
          }
        }
        batch = []
      }
    } catch (error) {
      // A request with no answer counts in the latencies at the timeout, a lower bound of what the device saw.
      tally.push.push(REQUEST_TIMEOUT_MS)
      fail(tally, `push ${error instanceof Error ? error.message : 'network error'}`)
    }
    try {
      const { answer, changes } = await pull(baseUrl, device, agent, queue.length)
      tally.pull.push(answer.ms)
      if (answer.status !== 200) fail(tally, `pull ${answer.status}`)
      tally.pulled += changes
    } catch (error) {
      tally.pull.push(REQUEST_TIMEOUT_MS)
      fail(tally, `pull ${error instanceof Error ? error.message : 'network error'}`)
    }
    await sleep(rng() * 200)
  }
}

/** Registers `deviceCount` devices through the real login on a running server, then runs them for `seconds`. */
export async function runDevices(
  baseUrl: string,
  logins: readonly string[],
  deviceCount: number,
  seconds: number,
): Promise<DevicesFigures> {
  const agent = new Agent({ keepAlive: true, maxSockets: Infinity })
  try {
    const started = performance.now()
    const devices: BenchDevice[] = []
    // Two sign-ins at a time: each costs the server an scrypt verification.
    for (let i = 0; i < deviceCount; i += 2) {
      const pair = [i, i + 1].filter((n) => n < deviceCount)
      devices.push(
        ...(await Promise.all(
          pair.map((n) =>
            signInDevice(baseUrl, logins[n % logins.length] ?? '', demoPassword, {
              localAddress: `127.0.0.${2 + Math.floor(n / DEVICES_PER_LOGIN)}`,
            }),
          ),
        )),
      )
    }
    const loginSeconds = (performance.now() - started) / 1000
    // First sync of every device (not timed): afterwards each one pulls only what is new. The devices sync at
    // once, so each has its own connection when the load starts, as a device that has been syncing has: one
    // after the other they would share one keep-alive socket, and the load would open 199 connections in the same
    // millisecond (a reconnection storm, not the steady load this section measures).
    await Promise.all(
      devices.map(async (device) => {
        for (;;) {
          const { answer, hasMore } = await pull(baseUrl, device, agent, 0)
          if (answer.status !== 200) throw new Error(`first pull: ${answer.status} ${answer.text}`)
          if (!hasMore) break
        }
      }),
    )

    const tally: Tally = {
      requests: 0,
      push: [],
      pull: [],
      errors: new Map(),
      applied: 0,
      rejected: 0,
      pulled: 0,
    }
    const loadStarted = performance.now()
    const until = loadStarted + seconds * 1000
    await Promise.all(devices.map((device, i) => runDevice(baseUrl, device, i, agent, until, tally)))
    const elapsed = (performance.now() - loadStarted) / 1000
    const errors = [...tally.errors.values()].reduce((a, b) => a + b, 0)
    return {
      devices: devices.length,
      logins: new Set(devices.map((_, n) => logins[n % logins.length])).size,
      addresses: Math.ceil(deviceCount / DEVICES_PER_LOGIN),
      seconds: elapsed,
      loginSeconds,
      requests: tally.requests,
      errors,
      errorKinds: [...tally.errors].map(([kind, n]) => `${kind} ×${n}`),
      push: summarize(tally.push),
      pull: summarize(tally.pull),
      all: summarize([...tally.push, ...tally.pull]),
      applied: tally.applied,
      rejected: tally.rejected,
      pulledChanges: tally.pulled,
    }
  } finally {
    agent.destroy()
  }
}

/** Seeds the bench's vaccinators, starts the real server in its own process, and runs the devices against it. */
export async function loadDevices(
  deviceCount: number,
  seconds: number,
  organisations = 1,
): Promise<DevicesFigures & { organisations: number }> {
  const dataDir = mkdtempSync(join(tmpdir(), 'carnet-bench-devices-'))
  try {
    const loginCount = Math.ceil(deviceCount / DEVICES_PER_LOGIN)
    const logins = [
      ...DEMO_VACCINATORS,
      ...(await seedUsers(
        join(dataDir, 'carnet.sqlite'),
        Math.max(0, loginCount - DEMO_VACCINATORS.length),
        organisations,
      )),
    ]
    const server = await startServer({ DATA_DIR: dataDir, LOG_LEVEL: 'warn' })
    try {
      return { ...(await runDevices(server.url, logins, deviceCount, seconds)), organisations }
    } finally {
      await server.stop()
    }
  } finally {
    rmSync(dataDir, { recursive: true, force: true })
  }
}
