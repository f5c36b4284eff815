// The simulation's world: the REAL sync server in-process on a SQLite file, and devices running the REAL device
// sync code (recordChange, runSync: transport, replayer, pull) on fake-indexeddb, each talking to the server
// through a `fetch` that calls `app.inject` and lets the network lose a request, lose a response or deliver a
// request twice. Sign-ins are expensive (password hashing), so they happen once: a template database holds the
// demo organisation with every simulated device already signed in, and each run starts from a copy of it.
import 'fake-indexeddb/auto'
import { copyFileSync, existsSync, mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import Database from '../../../sync-server/src/store/sqlite-driver'
import type { FastifyInstance } from 'fastify'
import { pino } from 'pino'
import { buildApp } from '../../../sync-server/src/app'
import { seedDemo } from '../../../sync-server/src/demo'
import type { Store } from '../../../sync-server/src/store'
import { openSqliteStore } from '../../../sync-server/src/store/sqlite'
import { createCarnetDb, type CarnetDb } from '../../../src/db/carnet-db'
import { MutationSchema, type Mutation } from '../../../src/shared/commands'
import { importSigningKey } from '../../../src/db/vault/device-key'
import { pendingCount } from '../../../src/sync/outbox'
import { runSync, type SyncRunOutcome } from '../../../src/sync/replayer'
import { createTransport, type FetchLike } from '../../../src/sync/transport'
import {
  DEMO_PASSWORD,
  eligibilityFields,
  movableClock,
  mutation,
  NOW,
  pushOk,
  registerPayload,
  signIn,
  START,
  type DeviceSession,
  type MovableClock,
} from '../sync-helpers'

const BASE_URL = 'http://carnet.test'
const logger = pino({ level: 'silent' })

/** What the network does to one request. */
export type Fault = 'lose-request' | 'lose-response' | 'duplicate' | 'duplicate-parallel'

/** A simulated device's user: who signs in, and for whom a delegate acts. */
export type SimUser = { readonly login: string; readonly onBehalfOf?: string }

/** The device slots of the template: the demo organisation's people, two of them on a second device. */
export const DEVICE_USERS: readonly SimUser[] = [
  { login: 'medecin.demo' },
  { login: 'infirmier.demo' },
  { login: 'secretaire.demo', onBehalfOf: 'medecin.demo' },
  { login: 'medecin.demo' },
  { login: 'infirmier.demo' },
]

/** Identities the devices register: a small pool, so two devices often register the same person. */
export const IDENTITY_POOL = [400, 401, 402, 403].map((n) => {
  const body = `850730${n}`
  return body + String(97 - (Number(body) % 97)).padStart(2, '0')
})

/** The patients every run starts with (registered by a device outside the simulation, the first one eligible). */
export const PRELUDE_PATIENTS = ['p-prelude-1', 'p-prelude-2']

type TemplateDevice = {
  readonly user: SimUser
  readonly session: DeviceSession
  readonly key: CryptoKey
  /** The user id of the professional a delegate acts for. */
  readonly onBehalfOf?: string
}

/** The migrated, seeded database with every device slot signed in at START; copied for each run. */
export type Template = {
  readonly dir: string
  readonly file: string
  readonly devices: readonly TemplateDevice[]
  /** The mutations of the prelude, already applied in the template. */
  readonly prelude: readonly Mutation[]
  close(): void
}

async function openApp(file: string, clock: MovableClock): Promise<{ app: FastifyInstance; store: Store }> {
  const store = openSqliteStore({ file, clock })
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
  return { app, store }
}

/** Builds the template once per test file. */
export async function createTemplate(): Promise<Template> {
  // A RAM disk where there is one: the store commits with synchronous=FULL, and a run is a few dozen commits.
  const dir = mkdtempSync(join(existsSync('/dev/shm') ? '/dev/shm' : tmpdir(), 'carnet-sim-'))
  const file = join(dir, 'template.sqlite')
  const clock = movableClock(START - 24 * 60 * 60_000)
  const { app, store } = await openApp(file, clock)
  // The demo roles start a day before the sign-ins, as in the other sync suites.
  await seedDemo(store, { password: DEMO_PASSWORD })
  clock.set(START)
  const sessions: DeviceSession[] = []
  for (const user of DEVICE_USERS) sessions.push(await signIn({ app, clock }, user.login))
  const ids = new Map<string, string>()
  for (const [i, user] of DEVICE_USERS.entries()) ids.set(user.login, sessions[i]?.userId ?? '')
  const devices: TemplateDevice[] = []
  for (const [i, user] of DEVICE_USERS.entries()) {
    const session = sessions[i]
    if (session === undefined) throw new Error('no session')
    const onBehalfOf = user.onBehalfOf === undefined ? undefined : ids.get(user.onBehalfOf)
    devices.push({
      user,
      session,
      key: await importSigningKey(session.deviceKey),
      ...(onBehalfOf === undefined ? {} : { onBehalfOf }),
    })
  }
  // Patients already on the server, so that the devices' first actions meet shared files (and conflicts).
  clock.set(START + 30 * 60_000)
  const setup = await signIn({ app, clock }, 'medecin.demo')
  const [first, second] = PRELUDE_PATIENTS as [string, string]
  const prelude = [
    mutation(setup, 'patient.register', registerPayload(first, { nir: undefined, niss: IDENTITY_POOL[0] })),
    mutation(setup, 'step.record', {
      kind: 'eligibility',
      stepId: 's-prelude-1',
      patientId: first,
      fields: eligibilityFields(),
    }),
    mutation(setup, 'patient.register', registerPayload(second, { nir: undefined, niss: IDENTITY_POOL[1] })),
  ]
  await pushOk(app, setup, prelude)
  await app.close()
  await store.close()
  // One self-contained file (no -wal beside it) to copy.
  const db = new Database(file)
  db.pragma('wal_checkpoint(TRUNCATE)')
  db.pragma('journal_mode = DELETE')
  db.close()
  return {
    dir,
    file,
    devices,
    prelude: prelude.map((m) => MutationSchema.parse(m)),
    close: () => rmSync(dir, { recursive: true, force: true }),
  }
}

/** The in-process server of one run; `restart` closes the app and the store and opens them again on the same file. */
export type SimServer = {
  readonly file: string
  readonly clock: MovableClock
  app(): FastifyInstance
  store(): Store
  restart(): Promise<void>
  close(): Promise<void>
}

export async function startServer(template: Template, run: number): Promise<SimServer> {
  const file = join(template.dir, `run-${run}.sqlite`)
  copyFileSync(template.file, file)
  const clock = movableClock(NOW)
  let current = await openApp(file, clock)
  const shut = async () => {
    await current.app.close()
    await current.store.close()
  }
  return {
    file,
    clock,
    app: () => current.app,
    store: () => current.store,
    async restart() {
      await shut()
      current = await openApp(file, clock)
    },
    async close() {
      await shut()
      for (const suffix of ['', '-wal', '-shm']) rmSync(file + suffix, { force: true })
    },
  }
}

/** One exchange as the network saw it (for the failure report). */
export type Exchange = { device: number; method: string; path: string; status: number | 'lost' }

/** A simulated device: its database, its session, its clock skew, and the network between it and the server. */
export type SimDevice = {
  readonly index: number
  readonly user: SimUser
  readonly session: DeviceSession
  readonly key: CryptoKey
  readonly onBehalfOf?: string
  readonly db: CarnetDb
  /** Device clock minus server clock, constant for the run. */
  readonly skewMs: number
  isOnline: boolean
  /** Faults for this device's next requests, taken in order (undefined = delivered normally). */
  faults: (Fault | undefined)[]
  localNow(): string
  sync(): Promise<SyncRunOutcome>
}

/** A fetch into the server of `server`, for device `index`, that applies the device's planned faults. */
function createAdapter(server: SimServer, d: SimDevice, log: Exchange[]): FetchLike {
  const inject = async (method: string, url: string, init: RequestInit, body?: string) =>
    server.app().inject({
      method: method as 'GET' | 'POST',
      url,
      headers: init.headers as Record<string, string>,
      ...(body === undefined ? {} : { payload: body }),
    })
  return async (input, init) => {
    const parsed = new URL(input)
    const url = parsed.pathname + parsed.search
    const method = init.method ?? 'GET'
    const body = typeof init.body === 'string' ? init.body : undefined
    if (!d.isOnline) {
      log.push({ device: d.index, method, path: parsed.pathname, status: 'lost' })
      throw new TypeError('Failed to fetch')
    }
    const fault = d.faults.shift()
    if (fault === 'lose-request') {
      log.push({ device: d.index, method, path: parsed.pathname, status: 'lost' })
      throw new TypeError('Failed to fetch')
    }
    // The same request delivered twice: both at once (the device sees the first answer), or one after the
    // other (a retrying proxy; the device sees the second).
    const res =
      fault === 'duplicate-parallel'
        ? (await Promise.all([inject(method, url, init, body), inject(method, url, init, body)]))[0]
        : fault === 'duplicate'
          ? await inject(method, url, init, body).then(() => inject(method, url, init, body))
          : await inject(method, url, init, body)
    log.push({ device: d.index, method, path: parsed.pathname, status: res.statusCode })
    if (fault === 'lose-response') throw new TypeError('Failed to fetch')
    const headers = new Headers()
    for (const [name, value] of Object.entries(res.headers)) {
      if (value !== undefined) headers.set(name, Array.isArray(value) ? value.join(', ') : String(value))
    }
    return new Response(res.body, { status: res.statusCode, headers })
  }
}

/** Opens device `slot` of the template on a fresh local database for this run. */
export async function openDevice(
  template: Template,
  server: SimServer,
  slot: number,
  index: number,
  run: number,
  skewMs: number,
  log: Exchange[],
): Promise<SimDevice> {
  const t = template.devices[slot]
  if (t === undefined) throw new Error(`no device slot ${slot}`)
  const db = createCarnetDb(`sim-${run}-${index}`)
  await db.meta.put({ key: 'deviceId', value: t.session.deviceId })
  const localNow = () => new Date(server.clock.now().getTime() + skewMs).toISOString()
  const device: SimDevice = {
    index,
    user: t.user,
    session: t.session,
    key: t.key,
    ...(t.onBehalfOf === undefined ? {} : { onBehalfOf: t.onBehalfOf }),
    db,
    skewMs,
    isOnline: true,
    faults: [],
    localNow,
    sync: () => runSync({ db, transport, deviceId: t.session.deviceId, now: localNow }),
  }
  const transport = createTransport({
    fetch: createAdapter(server, device, log),
    baseUrl: BASE_URL,
    deviceToken: t.session.deviceToken,
    appVersion: 'test',
    deviceState: async () => ({ pending: await pendingCount(db), storage: { used: 1000, quota: 10_000 } }),
  })
  return device
}
