// The sync suites' harness: the real server app in-process (SQLite, or PostgreSQL in a fresh schema when
// DATABASE_URL is set), demo organisations, sign-in through the real login route, and mutations signed as the
// PWA signs them (HMAC-SHA256 keyed by the deviceKey string's UTF-8 bytes, over the canonical envelope).
import { createHmac, randomBytes } from 'node:crypto'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { FastifyInstance } from 'fastify'
import pg from 'pg'
import { pino } from 'pino'
import { expect } from 'vitest'
import { buildApp } from '../../sync-server/src/app'
import type { Clock } from '../../sync-server/src/clock'
import { seedDemo } from '../../sync-server/src/demo'
import type { Store } from '../../sync-server/src/store'
import { openPostgresStore } from '../../sync-server/src/store/postgres'
import { openSqliteStore } from '../../sync-server/src/store/sqlite'
import { signingInput } from '../../src/shared/canonical-json'
import type { DoseFields, EligibilityFields, MutationInput, PatientIdentity } from '../../src/shared/commands'
import { ErrorResponseSchema } from '../../src/shared/errors'
import type { PatientRecord } from '../../src/shared/records'
import {
  LoginResponseSchema,
  PullResponseSchema,
  PushResponseSchema,
  type PullResponse,
  type PushResponse,
} from '../../src/shared/sync-api'

export const DEMO_PASSWORD = 'demo-password'
/** Sign-ins happen at START; mutations are made after it and pushed later (the clock moves). */
export const START = Date.parse('2026-03-04T08:00:00.000Z')
/** The server's clock while devices push. */
export const NOW = START + 60 * 60_000
export const DATABASE_URL = process.env.DATABASE_URL ?? ''

export type StoreKind = 'sqlite' | 'postgres'
export const STORE_KINDS: readonly StoreKind[] = DATABASE_URL === '' ? ['sqlite'] : ['sqlite', 'postgres']

export type MovableClock = Clock & { advance(ms: number): void; set(ms: number): void }

export function movableClock(start = START): MovableClock {
  let now = start
  return { now: () => new Date(now), advance: (ms) => (now += ms), set: (ms) => (now = ms) }
}

export type SyncHarness = {
  readonly kind: StoreKind
  readonly app: FastifyInstance
  readonly store: Store
  readonly clock: MovableClock
  /** Another app instance on the same database (PostgreSQL scale-out, concurrent pushes). */
  openInstance(): Promise<{ app: FastifyInstance; store: Store }>
  close(): Promise<void>
}

const logger = pino({ level: 'silent' })

/** Starts the server in-process on a new database with the demo organisations. */
export async function startSyncServer(kind: StoreKind): Promise<SyncHarness> {
  const clock = movableClock(NOW)
  const cleanups: (() => Promise<void>)[] = []
  let open: () => Store
  if (kind === 'sqlite') {
    const dir = mkdtempSync(join(tmpdir(), 'carnet-sync-'))
    const file = join(dir, 'carnet.sqlite')
    open = () => openSqliteStore({ file, clock })
    cleanups.push(async () => rmSync(dir, { recursive: true, force: true }))
  } else {
    const admin = new pg.Client({ connectionString: DATABASE_URL })
    await admin.connect()
    const schema = `carnet_sync_${randomBytes(6).toString('hex')}`
    await admin.query(`CREATE SCHEMA ${schema}`)
    open = () => openPostgresStore({ url: DATABASE_URL, clock, schema })
    cleanups.push(async () => {
      await admin.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`)
      await admin.end()
    })
  }
  const instance = async () => {
    const store = open()
    await store.migrate()
    const app = await buildApp({
      store,
      clock,
      logger,
      staticDir: null,
      version: 'test',
      loginRateLimit: { max: 100_000, timeWindowMs: 60_000 },
    })
    await app.ready()
    cleanups.unshift(async () => {
      await app.close()
      await store.close()
    })
    return { app, store }
  }
  const main = await instance()
  // The demo roles start when they are granted: a day before the tests' sign-ins.
  clock.set(START - 24 * 60 * 60_000)
  await seedDemo(main.store, { password: DEMO_PASSWORD })
  clock.set(NOW)
  return {
    kind,
    app: main.app,
    store: main.store,
    clock,
    openInstance: instance,
    async close() {
      for (const cleanup of cleanups) await cleanup()
    },
  }
}

let deviceCounter = 0
/** A fresh device id (UUID v7 shaped). */
export function newDeviceId(): string {
  deviceCounter += 1
  return `0195a3b2-7c00-7000-8000-${randomBytes(3).toString('hex')}${String(deviceCounter).padStart(6, '0')}`
}

let idCounter = 0
/** A fresh id for a patient, step or mutation. */
export function newId(prefix = 'm'): string {
  idCounter += 1
  return `${prefix}-${randomBytes(4).toString('hex')}-${idCounter}`
}

/** A signed-in user on a device: what the PWA keeps (token of the device, key of the pair). */
export type DeviceSession = {
  readonly deviceId: string
  readonly deviceToken: string
  readonly deviceKey: string
  readonly userId: string
  readonly organisationId: string
  nextSeq: number
}

/** Signs in through the real login route (one at a time: it moves the clock); a second user on a device reuses the device's token. */
export async function signIn(
  h: Pick<SyncHarness, 'app' | 'clock'>,
  login: string,
  deviceId = newDeviceId(),
  deviceToken?: string,
): Promise<DeviceSession> {
  // Sign-ins happen at START, before the mutations' time of action (`at` may not precede the sign-in).
  const now = h.clock.now().getTime()
  h.clock.set(START)
  const res = await h.app.inject({
    method: 'POST',
    url: '/api/auth/login',
    payload: { login, password: DEMO_PASSWORD, deviceId, deviceName: `Tablette ${login}` },
  })
  h.clock.set(now)
  expect(res.statusCode, res.body).toBe(200)
  const answer = LoginResponseSchema.parse(res.json())
  const token = answer.deviceToken ?? deviceToken
  if (token === undefined) throw new Error(`no device token for ${deviceId}`)
  return {
    deviceId,
    deviceToken: token,
    deviceKey: answer.deviceKey,
    userId: answer.user.id,
    organisationId: answer.organisation.id,
    nextSeq: 1,
  }
}

/** Another user signing in on the same device (pass `seqCounter: device` to share the device's seq). */
export async function signInOnSameDevice(
  h: Pick<SyncHarness, 'app' | 'clock'>,
  login: string,
  device: DeviceSession,
): Promise<DeviceSession> {
  return signIn(h, login, device.deviceId, device.deviceToken)
}

/** HMAC-SHA256 of the canonical envelope, keyed by the deviceKey's raw bytes (as the PWA does). */
export function sign(envelope: Record<string, unknown>, deviceKey: string): string {
  return createHmac('sha256', Buffer.from(deviceKey, 'base64'))
    .update(signingInput(envelope), 'utf8')
    .digest('base64')
}

type Unsigned = Omit<MutationInput, 'sig'>

/** Builds and signs the next mutation of a device (seq from the session unless given). */
export function mutation(
  session: DeviceSession,
  type: MutationInput['type'],
  payload: Record<string, unknown>,
  overrides: Partial<Omit<Unsigned, 'type' | 'payload'>> & { seqCounter?: { nextSeq: number } } = {},
): MutationInput {
  const { seqCounter, ...rest } = overrides
  const counter = seqCounter ?? session
  const seq = rest.seq ?? counter.nextSeq
  if (rest.seq === undefined) counter.nextSeq += 1
  const envelope = {
    v: 1,
    id: newId('m'),
    deviceId: session.deviceId,
    seq,
    at: new Date(START + 30 * 60_000).toISOString(),
    actor: { userId: session.userId },
    ...rest,
    type,
    payload,
  } as Record<string, unknown>
  return { ...envelope, sig: sign(envelope, session.deviceKey) } as MutationInput
}

export const bearer = (token: string) => ({ authorization: `Bearer ${token}` })

export async function push(
  app: FastifyInstance,
  session: Pick<DeviceSession, 'deviceId' | 'deviceToken'>,
  mutations: readonly unknown[],
  deviceId = session.deviceId,
) {
  return app.inject({
    method: 'POST',
    url: '/api/sync/push',
    headers: bearer(session.deviceToken),
    payload: { deviceId, mutations },
  })
}

/** Pushes and expects 200; the answer parsed with PushResponseSchema. */
export async function pushOk(
  app: FastifyInstance,
  session: Pick<DeviceSession, 'deviceId' | 'deviceToken'>,
  mutations: readonly unknown[],
): Promise<PushResponse> {
  const res = await push(app, session, mutations)
  expect(res.statusCode, res.body).toBe(200)
  return PushResponseSchema.parse(res.json())
}

export async function pullPage(
  app: FastifyInstance,
  session: Pick<DeviceSession, 'deviceToken'>,
  after = '',
  limit?: number,
): Promise<PullResponse> {
  const query = new URLSearchParams({ after, ...(limit === undefined ? {} : { limit: String(limit) }) })
  const res = await app.inject({
    method: 'GET',
    url: `/api/sync/pull?${query}`,
    headers: bearer(session.deviceToken),
  })
  expect(res.statusCode, res.body).toBe(200)
  return PullResponseSchema.parse(res.json())
}

/** Pulls every page from the beginning (or `after`), checking positions only ever increase. */
export async function pullAll(
  app: FastifyInstance,
  session: Pick<DeviceSession, 'deviceToken'>,
  after = '',
  limit = 1000,
): Promise<{ changes: PullResponse['changes']; cursor: string; lastSeq: number }> {
  const changes: PullResponse['changes'] = []
  let cursor = after
  let lastSeq = 0
  for (;;) {
    const page = await pullPage(app, session, cursor, limit)
    changes.push(...page.changes)
    cursor = page.cursor
    lastSeq = page.lastSeq
    if (!page.hasMore) break
  }
  const positions = changes.map((c) => c.position)
  expect(positions).toEqual([...positions].sort((a, b) => a - b))
  return { changes, cursor, lastSeq }
}

export function expectError(res: { statusCode: number; json(): unknown }, status: number, error: string) {
  expect(res.statusCode, JSON.stringify(res.json())).toBe(status)
  const body = ErrorResponseSchema.parse(res.json())
  expect(body.error).toBe(error)
  return body
}

/** A valid identity: the builders' patient (NIR 2 55 08 14 168 025 38, born 1955-08-20). */
export const IDENTITY: PatientIdentity = {
  birthName: 'Dupré',
  firstNames: 'Éloïse',
  sex: 'female',
  birthDate: '1955-08-20',
  birthRank: 1,
  nir: '255081416802538',
}

/** The register payload of a generated patient (valid identifiers, contact). */
export function registerPayloadOf(patient: PatientRecord, patientId = patient.id) {
  const identity: Record<string, unknown> = {
    birthName: patient.birthName,
    firstNames: patient.firstNames,
    sex: patient.sex,
    birthDate: patient.birthDate,
    birthRank: patient.birthRank,
  }
  for (const key of ['usualName', 'nir', 'niss', 'nirOuvrantDroit'] as const) {
    if (patient[key] !== undefined) identity[key] = patient[key]
  }
  const contact: Record<string, unknown> = {}
  for (const key of ['address', 'postalCode', 'commune', 'phone', 'email'] as const) {
    if (patient[key] !== undefined) contact[key] = patient[key]
  }
  return { patientId, codeDeCiblage: patient.codeDeCiblage, identity, contact }
}

export function registerPayload(patientId: string, identity: Partial<PatientIdentity> = {}) {
  return { patientId, codeDeCiblage: '0123456789P', identity: { ...IDENTITY, ...identity }, contact: {} }
}

export function eligibilityFields(overrides: Partial<EligibilityFields> = {}): EligibilityFields {
  return {
    declarantIsPrescriber: true,
    prescriber: { name: 'Dr Camille Martin', profession: 'medecin', rpps: '10012345673' },
    prescriptionDate: '2026-03-01',
    patientIsHealthProfessional: false,
    patientConsents: true,
    declarantAcceptsTransmission: true,
    ...overrides,
  }
}

export function doseFields(vaccinatorUserId: string, overrides: Partial<DoseFields> = {}): DoseFields {
  return {
    vaccineId: 'comirnaty',
    lotNumber: 'FK1234',
    injectionSite: 'deltoid-left',
    route: 'intramuscular',
    injectedAt: new Date(START + 30 * 60_000).toISOString(),
    vaccinatorUserId,
    place: { type: 'ehpad', postalCode: '75012', name: 'EHPAD Les Tilleuls', finess: '010000016' },
    ...overrides,
  }
}
