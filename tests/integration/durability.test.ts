// Guarantee 3 (acknowledged = durable) against the real server process: devices push over HTTP, the process is
// SIGKILLed while pushes are in flight, restarted on the same data, and every acknowledged mutation must be
// there (its stored result replayed), while the devices' retries of the same envelopes complete the rest once.
import { spawn, type ChildProcess } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { mkdtempSync, rmSync } from 'node:fs'
import { createServer } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import pg from 'pg'
import { afterAll, describe, expect, it } from 'vitest'
import type { MutationInput } from '../../src/shared/commands'
import {
  LoginResponseSchema,
  PullResponseSchema,
  PushResponseSchema,
  type PullResponse,
  type PushResult,
} from '../../src/shared/sync-api'
import {
  DATABASE_URL,
  eligibilityFields,
  mutation,
  newDeviceId,
  newId,
  registerPayload,
} from './sync-helpers'

const root = fileURLToPath(new URL('../..', import.meta.url))
const PASSWORD = 'durability-password'
const SEED = Number(process.env.CARNET_DURABILITY_SEED ?? Date.now() % 2 ** 31)
const PATIENTS_PER_DEVICE = 40
const BATCH = 8

/** mulberry32: a small seeded generator, so a failing kill moment can be replayed with CARNET_DURABILITY_SEED. */
function seeded(seed: number): () => number {
  let a = seed >>> 0
  return () => {
    a = (a + 0x6d2b79f5) >>> 0
    let t = a
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer()
    probe.once('error', reject)
    probe.listen(0, '127.0.0.1', () => {
      const address = probe.address()
      probe.close(() =>
        typeof address === 'object' && address ? resolve(address.port) : reject(new Error()),
      )
    })
  })
}

type RealServer = { readonly url: string; readonly child: ChildProcess; output(): string }

// node --import tsx, not the tsx binary: the binary runs the server in a child process, which a SIGKILL of the
// binary would leave running.
async function startRealServer(env: Record<string, string>): Promise<RealServer> {
  const port = await freePort()
  let output = ''
  const child = spawn(process.execPath, ['--import', 'tsx', 'sync-server/src/main.ts'], {
    cwd: root,
    env: {
      ...process.env,
      PORT: String(port),
      HOST: '127.0.0.1',
      CARNET_DEMO_PASSWORD: PASSWORD,
      LOG_LEVEL: 'error',
      STATIC_DIR: join(tmpdir(), 'carnet-no-static'),
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()))
  child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()))
  const url = `http://127.0.0.1:${port}`
  const deadline = Date.now() + 20_000
  for (;;) {
    if (child.exitCode !== null) throw new Error(`the server exited early:\n${output}`)
    try {
      if ((await fetch(`${url}/api/health`)).ok) break
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) throw new Error(`no /api/health answer in 20 s:\n${output}`)
    await new Promise((resolve) => setTimeout(resolve, 50))
  }
  return { url, child, output: () => output }
}

async function stopServer(server: RealServer, signal: NodeJS.Signals): Promise<void> {
  if (server.child.exitCode !== null || server.child.signalCode !== null) return
  const exited = new Promise((resolve) => server.child.once('exit', resolve))
  server.child.kill(signal)
  await exited
}

/** A device as the PWA keeps it: its outbox (seq order) and the results it got answers for. */
type Device = {
  readonly deviceId: string
  readonly deviceToken: string
  readonly deviceKey: string
  readonly userId: string
  readonly organisationId: string
  nextSeq: number
  readonly outbox: MutationInput[]
  readonly patientIds: string[]
  readonly stepIds: string[]
  readonly acknowledged: Map<number, PushResult>
}

async function signInOverHttp(url: string, login: string): Promise<Device> {
  const deviceId = newDeviceId()
  const res = await fetch(`${url}/api/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ login, password: PASSWORD, deviceId, deviceName: `Tablette ${login}` }),
  })
  expect(res.status).toBe(200)
  const answer = LoginResponseSchema.parse(await res.json())
  if (answer.deviceToken === undefined) throw new Error('no device token on a first sign-in')
  return {
    deviceId,
    deviceToken: answer.deviceToken,
    deviceKey: answer.deviceKey,
    userId: answer.user.id,
    organisationId: answer.organisation.id,
    nextSeq: 1,
    outbox: [],
    patientIds: [],
    stepIds: [],
    acknowledged: new Map(),
  }
}

let nissSerial = 0
/** A valid NISS no other patient of the run shares (so no registration merges into another). */
function uniqueNiss(): string {
  nissSerial += 1
  const body = `${String(600101 + Math.floor(nissSerial / 997)).padStart(6, '0')}${String((nissSerial % 997) + 1).padStart(3, '0')}`
  return body + String(97 - (Number(body) % 97)).padStart(2, '0')
}

/** Queues, at the device's clock, a registration and its eligibility step per patient. */
function queue(device: Device, patients: number): void {
  const at = new Date().toISOString()
  const today = at.slice(0, 10)
  for (let i = 0; i < patients; i += 1) {
    const patientId = newId('p')
    const stepId = newId('s')
    device.patientIds.push(patientId)
    device.stepIds.push(stepId)
    device.outbox.push(
      mutation(
        device,
        'patient.register',
        registerPayload(patientId, { nir: undefined, niss: uniqueNiss() }),
        {
          at,
        },
      ),
      mutation(
        device,
        'step.record',
        { kind: 'eligibility', stepId, patientId, fields: eligibilityFields({ prescriptionDate: today }) },
        { at },
      ),
    )
  }
}

type PushAnswer = { readonly status: number; readonly body: unknown }

async function pushOverHttp(
  url: string,
  device: Device,
  batch: readonly MutationInput[],
): Promise<PushAnswer> {
  const res = await fetch(`${url}/api/sync/push`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${device.deviceToken}` },
    body: JSON.stringify({ deviceId: device.deviceId, mutations: batch }),
  })
  return { status: res.status, body: await res.json() }
}

/** The device's push loop: from its first unanswered seq, in batches, until done or the server is gone. */
async function pushUntilDone(url: string, device: Device, onAnswer: () => void = () => undefined) {
  let next = device.acknowledged.size
  while (next < device.outbox.length) {
    let answer: PushAnswer
    try {
      answer = await pushOverHttp(url, device, device.outbox.slice(next, next + BATCH))
    } catch {
      return 'server-gone' as const
    }
    if (answer.status === 503) continue
    expect(answer.status, JSON.stringify(answer.body)).toBe(200)
    const response = PushResponseSchema.parse(answer.body)
    for (const result of response.results) {
      if (!result.replayed) device.acknowledged.set(result.seq, result)
      else if (!device.acknowledged.has(result.seq)) device.acknowledged.set(result.seq, stripReplay(result))
    }
    next = response.lastSeq
    onAnswer()
  }
  return 'done' as const
}

function stripReplay(result: PushResult): PushResult {
  const { replayed: _replayed, ...rest } = result
  return rest
}

async function pullEverything(url: string, device: Device) {
  const changes: PullResponse['changes'] = []
  let cursor = ''
  let lastSeq = 0
  for (;;) {
    const res = await fetch(`${url}/api/sync/pull?after=${cursor}&limit=500`, {
      headers: { authorization: `Bearer ${device.deviceToken}` },
    })
    expect(res.status).toBe(200)
    const page = PullResponseSchema.parse(await res.json())
    changes.push(...page.changes)
    cursor = page.cursor
    lastSeq = page.lastSeq
    if (!page.hasMore) return { changes, lastSeq }
  }
}

type Backend = { readonly env: Record<string, string>; cleanup(): Promise<void> }

function sqliteBackend(): Backend {
  const dataDir = mkdtempSync(join(tmpdir(), 'carnet-durability-'))
  return {
    env: { DATA_DIR: dataDir, DATABASE_URL: '' },
    cleanup: async () => rmSync(dataDir, { recursive: true, force: true }),
  }
}

async function postgresBackend(): Promise<Backend> {
  const admin = new pg.Client({ connectionString: DATABASE_URL })
  await admin.connect()
  const schema = `carnet_durability_${randomBytes(6).toString('hex')}`
  await admin.query(`CREATE SCHEMA ${schema}`)
  const url = new URL(DATABASE_URL)
  url.searchParams.set('options', `-c search_path=${schema}`)
  const dataDir = mkdtempSync(join(tmpdir(), 'carnet-durability-'))
  return {
    env: { DATA_DIR: dataDir, DATABASE_URL: url.toString() },
    async cleanup() {
      await admin.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`)
      await admin.end()
      rmSync(dataDir, { recursive: true, force: true })
    },
  }
}

async function crashAndRecover(backend: Backend, seed: number): Promise<void> {
  const random = seeded(seed)
  const servers: RealServer[] = []
  try {
    const first = await startRealServer(backend.env)
    servers.push(first)
    const devices = [
      await signInOverHttp(first.url, 'medecin.demo'),
      await signInOverHttp(first.url, 'infirmier.demo'),
      await signInOverHttp(first.url, 'medecin.demo'),
    ]
    for (const device of devices) queue(device, PATIENTS_PER_DEVICE)
    const batchesPerDevice = Math.ceil((2 * PATIENTS_PER_DEVICE) / BATCH)
    const killAfter = 2 + Math.floor(random() * (batchesPerDevice * devices.length - 6))
    const killDelayMs = Math.floor(random() * 8)
    const context = `seed ${seed}: SIGKILL after ${killAfter} answers + ${killDelayMs} ms`

    let answers = 0
    let killed = false
    const outcomes = await Promise.all(
      devices.map((device) =>
        pushUntilDone(first.url, device, () => {
          answers += 1
          if (answers === killAfter)
            setTimeout(() => {
              killed = first.child.kill('SIGKILL')
            }, killDelayMs)
        }),
      ),
    )
    await stopServer(first, 'SIGKILL')
    expect(killed, context).toBe(true)
    expect(outcomes, context).toContain('server-gone')
    const acknowledgedBefore = devices.map((d) => new Map(d.acknowledged))
    expect(
      acknowledgedBefore.reduce((n, m) => n + m.size, 0),
      context,
    ).toBeLessThan(devices.length * 2 * PATIENTS_PER_DEVICE)

    const second = await startRealServer(backend.env)
    servers.push(second)

    // Every acknowledged mutation is there: its effects are pulled, and re-sending it answers its stored result.
    const afterRestart = await pullEverything(second.url, devices[0] as Device)
    const ids = new Set(afterRestart.changes.map((c) => `${c.entity}:${c.id}`))
    for (const [i, device] of devices.entries()) {
      const acknowledged = acknowledgedBefore[i] ?? new Map<number, PushResult>()
      for (const [seq, result] of acknowledged) {
        expect(result.status, context).toBe('applied')
        const index = Math.floor((seq - 1) / 2)
        const key = seq % 2 === 1 ? `patient:${device.patientIds[index]}` : `step:${device.stepIds[index]}`
        expect(ids.has(key), `${context}: ${key} (seq ${seq}) acknowledged but lost`).toBe(true)
      }
      const acknowledgedEnvelopes = device.outbox.slice(0, acknowledged.size)
      for (let from = 0; from < acknowledgedEnvelopes.length; from += BATCH) {
        const answer = await pushOverHttp(second.url, device, acknowledgedEnvelopes.slice(from, from + BATCH))
        expect(answer.status, context).toBe(200)
        for (const result of PushResponseSchema.parse(answer.body).results) {
          expect(result, context).toEqual({ ...acknowledged.get(result.seq), replayed: true })
        }
      }
    }

    // The devices retry the same envelopes from their first unanswered seq: the rest completes exactly once.
    expect(await Promise.all(devices.map((d) => pushUntilDone(second.url, d))), context).toEqual(
      devices.map(() => 'done'),
    )
    const final = await pullEverything(second.url, devices[0] as Device)
    const positions = final.changes.map((c) => c.position)
    expect(new Set(positions).size, context).toBe(positions.length)
    expect(positions, context).toEqual([...positions].sort((a, b) => a - b))
    expect(
      final.changes.filter((c) => c.entity === 'rejection'),
      context,
    ).toEqual([])
    const count = (entity: string, id: string) =>
      final.changes.filter((c) => c.entity === entity && c.id === id).length
    for (const device of devices) {
      expect(device.acknowledged.size, context).toBe(device.outbox.length)
      expect(
        [...device.acknowledged.values()].every((r) => r.status === 'applied'),
        context,
      ).toBe(true)
      expect(
        device.patientIds.map((id) => count('patient', id)),
        context,
      ).toEqual(device.patientIds.map(() => 1))
      expect(
        device.stepIds.map((id) => count('step', id)),
        context,
      ).toEqual(device.stepIds.map(() => 1))
      expect((await pullEverything(second.url, device)).lastSeq, context).toBe(device.outbox.length)
    }
  } catch (error) {
    for (const server of servers) process.stderr.write(server.output())
    throw error
  } finally {
    for (const server of servers) await stopServer(server, 'SIGKILL')
  }
}

describe('acknowledged = durable: the real server SIGKILLed in the middle of pushes', () => {
  const backends: Backend[] = []
  afterAll(async () => {
    for (const backend of backends) await backend.cleanup()
  })

  it('SQLite: every acknowledged push survives; retries complete the rest exactly once', async () => {
    const backend = sqliteBackend()
    backends.push(backend)
    await crashAndRecover(backend, SEED)
  }, 30_000)

  if (DATABASE_URL === '') {
    console.warn('durability on PostgreSQL skipped: DATABASE_URL is not set')
  }
  it.skipIf(DATABASE_URL === '')(
    'PostgreSQL: every acknowledged push survives; retries complete the rest exactly once',
    async () => {
      const backend = await postgresBackend()
      backends.push(backend)
      await crashAndRecover(backend, SEED + 1)
    },
    30_000,
  )
})
