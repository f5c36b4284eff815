// The device's sync code (transport, replayer, pull, engine) against the REAL server in-process: each device
// has its own fake-indexeddb database and a `fetch` that calls `app.inject`, with hooks to lose a request or a
// response, deliver a push twice, or answer as an overloaded gateway would.
import 'fake-indexeddb/auto'
import type { FastifyInstance } from 'fastify'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createCarnetDb, type CarnetDb, type OutboxRow } from '../../src/db/carnet-db'
import { allPatients, patientOf, stepOf, stepsOfPatient } from '../../src/db/testing'
import { buildInboxItems, reasonText } from '../../src/components/inbox/inbox-items'
import { workflow } from '../../src/i18n/locales/fr/workflow'
import type { MutationType } from '../../src/shared/commands'
import { RejectionRecordSchema, type PatientRecord, type UserRecord } from '../../src/shared/records'
import { PushResponseSchema } from '../../src/shared/sync-api'
import { importSigningKey } from '../../src/db/vault/device-key'
import { createSyncEngine, type SyncState } from '../../src/sync/engine'
import { exportOutbox, pendingCount, recordChange, type RecordChangeInput } from '../../src/sync/outbox'
import type { LocalRejection } from '../../src/sync/pull'
import { queueResolution, runSync, type SettledOutboxRow } from '../../src/sync/replayer'
import type { Timers } from '../../src/sync/triggers'
import { createTransport, type FetchLike, type SyncTransport } from '../../src/sync/transport'
import {
  doseFields,
  eligibilityFields,
  newId,
  NOW,
  pullAll as serverPullAll,
  pullPage as serverPullPage,
  pushOk,
  mutation,
  registerPayload,
  signIn,
  START,
  startSyncServer,
  type DeviceSession,
  type SyncHarness,
} from './sync-helpers'

const MINUTE = 60_000
const at = (minutes: number) => new Date(START + minutes * MINUTE).toISOString()
const BASE_URL = 'http://carnet.test'

type Plan = 'lose-request' | 'lose-response' | 'duplicate' | Response | undefined
type Exchange = { method: string; path: string; url: string; status: number; body: string }

/** A fetch that hands each request to the in-process server, with a hook deciding what the network does. */
function createAdapter(app: FastifyInstance) {
  const log: Exchange[] = []
  const counts = new Map<string, number>()
  let plan: (request: { method: string; path: string; n: number; body?: string }) => Plan = () => undefined
  const inject = async (method: string, url: string, init: RequestInit, body?: string) => {
    const res = await app.inject({
      method: method as 'GET' | 'POST',
      url,
      headers: init.headers as Record<string, string>,
      ...(body === undefined ? {} : { payload: body }),
    })
    const path = url.split('?')[0] ?? url
    log.push({ method, path, url, status: res.statusCode, body: res.body })
    return res
  }
  const fetch: FetchLike = async (input, init) => {
    const parsed = new URL(input)
    const url = parsed.pathname + parsed.search
    const method = init.method ?? 'GET'
    const body = typeof init.body === 'string' ? init.body : undefined
    const key = `${method} ${parsed.pathname}`
    const n = (counts.get(key) ?? 0) + 1
    counts.set(key, n)
    const decided = plan({ method, path: parsed.pathname, n, ...(body === undefined ? {} : { body }) })
    if (decided instanceof Response) return decided
    if (decided === 'lose-request') throw new TypeError('Failed to fetch')
    const res =
      decided === 'duplicate'
        ? (await Promise.all([inject(method, url, init, body), inject(method, url, init, body)]))[1]
        : await inject(method, url, init, body)
    // The server handled it; the answer never reaches the device.
    if (decided === 'lose-response') throw new TypeError('Failed to fetch')
    const headers = new Headers()
    for (const [name, value] of Object.entries(res.headers)) {
      if (value !== undefined) headers.set(name, Array.isArray(value) ? value.join(', ') : String(value))
    }
    return new Response(res.body, { status: res.statusCode, headers })
  }
  return {
    fetch,
    log,
    plan(next: typeof plan) {
      plan = next
      counts.clear()
    },
    reset() {
      log.length = 0
      counts.clear()
      plan = () => undefined
    },
  }
}

type Device = {
  session: DeviceSession
  db: CarnetDb
  key: CryptoKey
  adapter: ReturnType<typeof createAdapter>
  transport: SyncTransport
  sync(options?: { pullLimit?: number }): ReturnType<typeof runSync>
}

const frenchT = (key: string, params: Record<string, unknown> = {}): string => {
  const [, group, code] = /^workflow\.(errors)\.(.+)$/.exec(key) ?? []
  const template =
    group === undefined ? key : ((workflow.errors as Record<string, string>)[code ?? ''] ?? key)
  return template.replace(/\{(\w+)\}/g, (_, name: string) => String(params[name] ?? `{${name}}`))
}

describe('device sync against the real server', () => {
  let h: SyncHarness
  let nissCounter = 400

  beforeAll(async () => {
    h = await startSyncServer('sqlite')
  })
  afterAll(async () => {
    await h.close()
  })

  function niss(): string {
    const body = `850730${String(nissCounter++).padStart(3, '0')}`
    return body + String(97 - (Number(body) % 97)).padStart(2, '0')
  }

  async function newDevice(login: string): Promise<Device> {
    const session = await signIn(h, login)
    const db = createCarnetDb(`device-${session.deviceId}`)
    await db.meta.put({ key: 'deviceId', value: session.deviceId })
    const key = await importSigningKey(session.deviceKey)
    const adapter = createAdapter(h.app)
    const transport = createTransport({
      fetch: adapter.fetch,
      baseUrl: BASE_URL,
      deviceToken: session.deviceToken,
      appVersion: 'test',
      deviceState: async () => ({ pending: await pendingCount(db), storage: { used: 1000, quota: 10_000 } }),
    })
    const device: Device = {
      session,
      db,
      key,
      adapter,
      transport,
      sync: (options = {}) =>
        runSync({
          db,
          transport,
          deviceId: session.deviceId,
          now: () => h.clock.now().toISOString(),
          ...options,
        }),
    }
    return device
  }

  /** A device signed in and synced once (it knows the organisation's members and roles). */
  async function readyDevice(login: string): Promise<Device> {
    const device = await newDevice(login)
    expect(await device.sync()).toMatchObject({ kind: 'ok' })
    device.adapter.reset()
    return device
  }

  async function record<T extends MutationType>(
    device: Device,
    type: T,
    payload: Record<string, unknown>,
    minutes = 30,
  ) {
    const result = await recordChange(device.db, {
      type,
      payload: payload as RecordChangeInput<T>['payload'],
      actor: { userId: device.session.userId },
      at: at(minutes),
      now: new Date(NOW).toISOString(),
      signInAt: new Date(START).toISOString(),
      deviceId: device.session.deviceId,
      signingKey: device.key,
    })
    expect(result.ok, JSON.stringify(result)).toBe(true)
    if (!result.ok) throw new Error(result.error)
    return result.mutation
  }

  const register = (device: Device, patientId = newId('p'), identity = { nir: undefined, niss: niss() }) =>
    record(device, 'patient.register', registerPayload(patientId, identity)).then(() => patientId)

  const eligibility = (device: Device, patientId: string, stepId = newId('s')) =>
    record(device, 'step.record', {
      kind: 'eligibility',
      stepId,
      patientId,
      fields: eligibilityFields(),
    }).then(() => stepId)

  const dose1 = (device: Device, patientId: string, stepId = newId('s')) =>
    record(device, 'step.record', {
      kind: 'dose',
      stepId,
      patientId,
      doseNumber: 1,
      fields: doseFields(device.session.userId, { injectedAt: at(25) }),
    }).then(() => stepId)

  const outbox = (device: Device) => device.db.outbox.orderBy('seq').toArray() as Promise<SettledOutboxRow[]>

  const serverLastSeq = async (device: Device) => (await h.store.getDevice(device.session.deviceId))?.lastSeq

  it('pushes before it pulls, marks each entry with its result, and brings the server version back', async () => {
    const a = await readyDevice('medecin.demo')
    const patientId = await register(a)
    const stepId = await eligibility(a, patientId)

    const outcome = await a.sync()

    expect(outcome).toMatchObject({ kind: 'ok', pushed: 2, rejected: 0 })
    const order = a.adapter.log.map((e) => `${e.method} ${e.path}`)
    expect(order[0]).toBe('POST /api/sync/push')
    expect(order.indexOf('POST /api/sync/push')).toBeLessThan(order.indexOf('GET /api/sync/pull'))
    const rows = await outbox(a)
    expect(rows.map((r) => r.status)).toEqual(['applied', 'applied'])
    expect(rows.every((r) => typeof r.position === 'number')).toBe(true)
    const patient = await patientOf(a.db, patientId)
    expect(patient?.id).toBe(patientId)
    const step = await stepOf(a.db, stepId)
    expect(step?.patientId).toBe(patientId)
    expect((await a.db.meta.get('lastSyncAt'))?.value).toBe(h.clock.now().toISOString())
    const device = await h.store.getDevice(a.session.deviceId)
    expect(device).toMatchObject({ lastSeq: 2, storageUsed: 1000, storageQuota: 10_000 })
  })

  it('recovers a lost response exactly once: the retry gets the replayed results', async () => {
    const a = await readyDevice('medecin.demo')
    const patientId = await register(a)
    a.adapter.plan(({ method, n }) => (method === 'POST' && n === 1 ? 'lose-response' : undefined))

    expect(await a.sync()).toMatchObject({ kind: 'transient', reason: 'network' })
    expect((await outbox(a)).map((r) => r.status)).toEqual(['sending'])
    expect(await serverLastSeq(a)).toBe(1)

    expect(await a.sync()).toMatchObject({ kind: 'ok', pushed: 1 })
    const pushes = a.adapter.log.filter((e) => e.path === '/api/sync/push')
    expect(pushes).toHaveLength(2)
    const second = PushResponseSchema.parse(JSON.parse(pushes[1]?.body ?? '{}'))
    expect(second.results).toMatchObject([{ seq: 1, status: 'applied', replayed: true }])
    expect((await outbox(a)).map((r) => r.status)).toEqual(['applied'])
    const other = await signIn(h, 'infirmier.demo')
    const copies = (await serverPullAll(h.app, other)).changes.filter((c) => c.id === patientId)
    expect(copies).toHaveLength(1)
    expect(copies[0]?.version).toBe(1)
  })

  it('applies a push delivered twice exactly once', async () => {
    const a = await readyDevice('medecin.demo')
    const patientId = await register(a)
    await eligibility(a, patientId)
    a.adapter.plan(({ method }) => (method === 'POST' ? 'duplicate' : undefined))

    expect(await a.sync()).toMatchObject({ kind: 'ok', pushed: 2 })

    expect(await serverLastSeq(a)).toBe(2)
    const bodies = a.adapter.log
      .filter((e) => e.path === '/api/sync/push')
      .map((e) => PushResponseSchema.parse(JSON.parse(e.body)))
    expect(bodies).toHaveLength(2)
    expect(bodies.flatMap((b) => b.results.map((r) => r.status))).toEqual([
      'applied',
      'applied',
      'applied',
      'applied',
    ])
    expect(bodies.some((b) => b.results.every((r) => r.replayed === true))).toBe(true)
    const other = await signIn(h, 'infirmier.demo')
    const steps = (await serverPullAll(h.app, other)).changes.filter(
      (c) => c.entity === 'step' && (c.data as { patientId: string }).patientId === patientId,
    )
    expect(steps).toHaveLength(1)
  })

  it('retries 503 with exponential backoff and full jitter, and resets the backoff after a success', async () => {
    const a = await readyDevice('medecin.demo')
    await register(a)
    const unavailable = () =>
      new Response(JSON.stringify({ error: 'unavailable' }), {
        status: 503,
        headers: { 'content-type': 'application/json' },
      })
    a.adapter.plan(({ method, n }) => (method === 'POST' && n <= 2 ? unavailable() : undefined))
    const timers = fakeTimers()
    const states: SyncState[] = []
    const engine = createSyncEngine({
      db: a.db,
      transport: a.transport,
      deviceId: a.session.deviceId,
      now: () => h.clock.now().toISOString(),
      random: () => 0.5,
      onState: (s) => states.push(s),
      timers,
      target: null,
      document: null,
      isOnline: () => true,
      useServerEvents: false,
    })

    engine.start()
    await waitFor(() => timers.delays.length === 1)
    expect(engine.getState()).toMatchObject({
      status: 'error',
      lastError: { kind: 'transient', status: 503 },
    })
    expect(timers.delays).toEqual([500])
    await timers.fire()
    await waitFor(() => timers.delays.length === 2)
    expect(timers.delays).toEqual([500, 1000])
    await timers.fire()
    await waitFor(() => engine.getState().status === 'idle' && engine.getState().pending === 0)
    expect((await outbox(a)).map((r) => r.status)).toEqual(['applied'])
    expect(states.some((s) => s.status === 'syncing')).toBe(true)

    a.adapter.plan(({ method, n }) => (method === 'POST' && n === 1 ? unavailable() : undefined))
    await register(a)
    engine.notifyChange()
    await waitFor(() => timers.delays.length === 3)
    expect(timers.delays[2]).toBe(500)
    engine.stop()
  })

  it('recovers from a seq gap by sending again from the seq the server expects', async () => {
    const a = await readyDevice('medecin.demo')
    const patientId = await register(a)
    await eligibility(a, patientId)
    await record(a, 'patient.update', { patientId, changes: { phone: '0601020304' } })
    // A device restored from a backup: it believes its first two entries settled, the server never saw them.
    await a.db.outbox.where('seq').anyOf([1, 2]).modify({ status: 'applied' })

    expect(await a.sync()).toMatchObject({ kind: 'ok' })

    const pushes = a.adapter.log.filter((e) => e.path === '/api/sync/push')
    expect(pushes.map((p) => p.status)).toEqual([409, 200])
    expect(JSON.parse(pushes[0]?.body ?? '{}')).toMatchObject({
      error: 'seq-gap',
      detail: { expectedSeq: 1 },
    })
    expect(await serverLastSeq(a)).toBe(3)
    expect((await outbox(a)).map((r) => [r.seq, r.status, typeof r.position])).toEqual([
      [1, 'applied', 'number'],
      [2, 'applied', 'number'],
      [3, 'applied', 'number'],
    ])
  })

  it('resumes an interrupted first sync from the cursor stored with the last committed page', async () => {
    const writer = await signIn(h, 'infirmier.demo')
    await pushOk(
      h.app,
      writer,
      Array.from({ length: 12 }, () =>
        mutation(writer, 'patient.register', registerPayload(newId('p'), { nir: undefined, niss: niss() })),
      ),
    )
    const c = await newDevice('medecin.demo')
    const everything = await serverPullAll(h.app, c.session, '', 5)
    const page1 = await serverPullPage(h.app, c.session, '', 5)
    const page2 = await serverPullPage(h.app, c.session, page1.cursor, 5)
    c.adapter.plan(({ method, n }) => (method === 'GET' && n === 3 ? 'lose-request' : undefined))

    expect(await c.sync({ pullLimit: 5 })).toMatchObject({ kind: 'transient', reason: 'network' })
    expect((await c.db.meta.get('pullCursor'))?.value).toBe(page2.cursor)
    const afterTwo = [...page1.changes, ...page2.changes]
    expect(await c.db.users.count()).toBe(
      new Set(afterTwo.filter((x) => x.entity === 'user').map((x) => x.id)).size,
    )

    c.adapter.reset()
    expect(await c.sync({ pullLimit: 5 })).toMatchObject({ kind: 'ok' })
    const firstPull = c.adapter.log.find((e) => e.path === '/api/sync/pull')
    expect(new URL(firstPull?.url ?? '', BASE_URL).searchParams.get('after')).toBe(page2.cursor)
    const patientIds = new Set(everything.changes.filter((x) => x.entity === 'patient').map((x) => x.id))
    expect((await allPatients(c.db)).length).toBe(patientIds.size)
    expect((await c.db.meta.get('pullCursor'))?.value).toBe(everything.cursor)
  })

  it('rekeys local records when two devices registered the same patient, keeping queued envelopes as signed', async () => {
    const a = await readyDevice('medecin.demo')
    const b = await readyDevice('infirmier.demo')
    const identity = { nir: undefined, niss: niss() }
    const pA = await register(a, newId('p'), identity)
    const pB = await register(b, newId('p'), identity)
    const stepB = await eligibility(b, pB)
    const queued = (await outbox(b)).map((r) => ({ seq: r.seq, sig: r.sig, payload: r.payload }))
    expect(await a.sync()).toMatchObject({ kind: 'ok' })

    expect(await b.sync()).toMatchObject({ kind: 'ok', pushed: 2 })

    const rows = await outbox(b)
    expect(rows[0]).toMatchObject({ status: 'applied', mappedIds: { [pB]: pA } })
    expect(rows.map((r) => ({ seq: r.seq, sig: r.sig, payload: r.payload }))).toEqual(queued)
    expect(await patientOf(b.db, pB)).toBeUndefined()
    expect(await patientOf(b.db, pA)).toBeDefined()
    const step = await stepOf(b.db, stepB)
    expect(step?.patientId).toBe(pA)
    expect(await stepsOfPatient(b.db, pB)).toHaveLength(0)
    expect(await a.sync()).toMatchObject({ kind: 'ok' })
    expect((await stepOf(a.db, stepB))?.patientId).toBe(pA)
  })

  it('lands a rejection in the rejections table and the inbox with its French reason, and rolls the local effect back', async () => {
    const a = await readyDevice('medecin.demo')
    const b = await readyDevice('infirmier.demo')
    const patientId = await register(a)
    await eligibility(a, patientId)
    expect(await a.sync()).toMatchObject({ kind: 'ok' })
    expect(await b.sync()).toMatchObject({ kind: 'ok' })
    const winner = await dose1(b, patientId)
    expect(await b.sync()).toMatchObject({ kind: 'ok', rejected: 0 })
    const loser = await dose1(a, patientId)
    expect(await stepOf(a.db, loser)).toBeDefined()

    expect(await a.sync()).toMatchObject({ kind: 'ok', rejected: 1 })

    const rows = await outbox(a)
    const rejectedRow = rows[rows.length - 1]
    expect(rejectedRow).toMatchObject({ status: 'rejected', error: 'step-already-recorded' })
    expect(rejectedRow?.rolledBackAt).toBeDefined()
    const stored = (await a.db.rejections.toArray()) as LocalRejection[]
    expect(stored).toHaveLength(1)
    expect(RejectionRecordSchema.parse(stored[0])).toMatchObject({
      id: rejectedRow?.id,
      error: 'step-already-recorded',
    })
    expect(await stepOf(a.db, loser)).toBeUndefined()
    expect(await stepOf(a.db, winner)).toBeDefined()

    const patients = new Map<string, PatientRecord>()
    const known = await patientOf(a.db, patientId)
    if (known !== undefined) patients.set(patientId, known)
    const users = new Map<string, UserRecord>((await a.db.users.toArray()).map((u) => [u.id, u]))
    const items = buildInboxItems(stored, { userId: a.session.userId, patients, users })
    expect(items).toHaveLength(1)
    const [item] = items
    if (item === undefined) throw new Error('no inbox item')
    expect(item).toMatchObject({
      patientId,
      patientName: 'DUPRÉ Éloïse',
      step: { kind: 'dose', doseNumber: 1 },
      holder: { userId: b.session.userId, name: 'Julien Bernard' },
      heldSince: at(30),
      actions: ['re-enter', 'request-correction', 'discard'],
    })
    expect(reasonText(item, frenchT)).toBe('Cette étape a déjà été enregistrée par Julien Bernard.')
    expect(buildInboxItems(stored, { userId: b.session.userId, patients, users })).toEqual([])

    a.adapter.reset()
    expect(
      await queueResolution(a.db, item.id, {
        kind: 'correction-requested',
        note: 'Lot à vérifier',
        by: a.session.userId,
        at: at(40),
      }),
    ).toBe(true)
    expect(
      buildInboxItems(await a.db.rejections.toArray(), { userId: a.session.userId, patients, users }),
    ).toEqual([])
    expect(await a.sync()).toMatchObject({ kind: 'ok', pushed: 0 })
    // Never sent again as is: the run pushed nothing (the queue is empty) and resolved the rejection.
    expect(a.adapter.log.some((e) => e.path === '/api/sync/push')).toBe(false)
    const resolved = RejectionRecordSchema.parse(await a.db.rejections.get(item.id))
    expect(resolved.resolution).toMatchObject({ kind: 'correction-requested', note: 'Lot à vérifier' })
    const other = await signIn(h, 'admin.demo')
    const onServer = (await serverPullAll(h.app, other)).changes.find(
      (c) => c.entity === 'rejection' && c.id === item.id,
    )
    expect(RejectionRecordSchema.parse(onServer?.data).resolution?.kind).toBe('correction-requested')
  })

  it('rolls a rejected patient update back to the server version', async () => {
    const a = await readyDevice('medecin.demo')
    const b = await readyDevice('infirmier.demo')
    const original = niss()
    const p1 = await register(a, newId('p'), { nir: undefined, niss: original })
    expect(await a.sync()).toMatchObject({ kind: 'ok' })
    const taken = niss()
    await register(b, newId('p'), { nir: undefined, niss: taken })
    expect(await b.sync()).toMatchObject({ kind: 'ok' })
    await record(a, 'patient.update', { patientId: p1, changes: { niss: taken } })
    const optimistic = await patientOf(a.db, p1)
    expect(optimistic?.niss).toBe(taken)
    a.adapter.reset()

    expect(await a.sync()).toMatchObject({ kind: 'ok', rejected: 1 })

    // Nothing after the cursor concerned p1, so its server version was read from the start of the change log.
    const pulls = a.adapter.log.filter((e) => e.path === '/api/sync/pull')
    expect(pulls.map((e) => new URL(e.url, BASE_URL).searchParams.get('after'))).toContain('')

    const restored = await patientOf(a.db, p1)
    expect(restored?.niss).toBe(original)
    const rows = await outbox(a)
    expect(rows[rows.length - 1]).toMatchObject({ status: 'rejected', error: 'identity-conflict' })
    expect(rows[rows.length - 1]?.rolledBackAt).toBeDefined()
  })

  it('stops syncing when the device is revoked and keeps the outbox, exportable', async () => {
    const a = await readyDevice('medecin.demo')
    const patientId = await register(a)
    const revoked = await h.store.revokeDevice(a.session.deviceId, null)
    expect(revoked.ok).toBe(true)
    const timers = fakeTimers()
    const engine = createSyncEngine({
      db: a.db,
      transport: a.transport,
      deviceId: a.session.deviceId,
      now: () => h.clock.now().toISOString(),
      random: () => 0.5,
      timers,
      target: null,
      document: null,
      isOnline: () => true,
      useServerEvents: false,
    })

    engine.start()
    await waitFor(() => engine.getState().status === 'revoked')

    expect(timers.delays).toEqual([])
    expect(engine.getState()).toMatchObject({ status: 'revoked', pending: 1 })
    const before = a.adapter.log.length
    // The server says how it was revoked (by the operator's command: nobody named, its keys destroyed at once).
    expect(await engine.syncNow()).toEqual({
      kind: 'revoked',
      revocation: {
        revokedAt: new Date(NOW).toISOString(),
        revokedBy: null,
        mode: 'wipe',
        exportUntil: null,
      },
    })
    expect(a.adapter.log.length).toBe(before)
    const rows: OutboxRow[] = await a.db.outbox.toArray()
    expect(rows.map((r) => r.status)).toEqual(['sending'])
    const file = JSON.parse(await exportOutbox(a.db)) as { mutations: { payload: { patientId: string } }[] }
    expect(file.mutations.map((m) => m.payload.patientId)).toEqual([patientId])
    engine.stop()
  })
})

function fakeTimers(): Timers & { delays: number[]; fire(): Promise<void> } {
  const queue: (() => void)[] = []
  const delays: number[] = []
  return {
    delays,
    setTimeout(callback, ms) {
      delays.push(ms)
      queue.push(callback)
      return queue.length
    },
    clearTimeout() {},
    setInterval: () => 0,
    clearInterval() {},
    async fire() {
      const next = queue.shift()
      next?.()
    },
  }
}

async function waitFor(condition: () => boolean, timeoutMs = 10_000): Promise<void> {
  const until = Date.now() + timeoutMs
  while (!condition()) {
    if (Date.now() > until) throw new Error('condition not met in time')
    await new Promise((resolve) => setTimeout(resolve, 5))
  }
}
