// Device protection against the real server (docs/device-encryption.md): revocation « effacer maintenant » and
// « après export » and what each does to the device's keys, the sealed export opened by the server and imported
// through the push path, the export window, revoked devices' event streams closed at once (across instances on
// PostgreSQL), broken rows and set-aside changes on the devices page, and the organisation's idle lock.
import { randomBytes } from 'node:crypto'
import { request as httpRequest, type IncomingMessage } from 'node:http'
import type { AddressInfo } from 'node:net'
import type { FastifyInstance } from 'fastify'
import pg from 'pg'
import { pino } from 'pino'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { buildApp } from '../../sync-server/src/app'
import { seedDemo } from '../../sync-server/src/demo'
import { destroyExpiredKeys } from '../../sync-server/src/rules/device-revocation'
import { importOutbox } from '../../sync-server/src/rules/sync-import'
import { createPostgresSyncEvents } from '../../sync-server/src/rules/sync-events-postgres'
import type { Store } from '../../sync-server/src/store'
import { openPostgresStore } from '../../sync-server/src/store/postgres'
import { base64ToBytes, bytesToBase64 } from '../../src/db/base64'
import { deriveDataKeys, importDataKey, sealJson } from '../../src/db/vault/crypto'
import {
  AdminDeviceSchema,
  AdminOrganisationSchema,
  DeviceListResponseSchema,
  ImportOutboxResponseSchema,
} from '../../src/shared/admin-api'
import type { MutationInput } from '../../src/shared/commands'
import {
  DeviceRevocationSchema,
  DeviceRevokedChangeSchema,
  LoginResponseSchema,
  OrganisationSchema,
  type OutboxExport,
} from '../../src/shared/sync-api'
import { call, DAY, expectAdminError, startAdminWorld, type AdminWorld, type Signed } from './admin-world'
import {
  bearer,
  DATABASE_URL,
  DEMO_PASSWORD,
  eligibilityFields,
  expectError,
  movableClock,
  mutation,
  newDeviceId,
  newId,
  NOW,
  pullAll,
  pushOk,
  registerPayload,
  START,
  STORE_KINDS,
  type DeviceSession,
} from './sync-helpers'

/** Signs in through the real route; keeps what the device keeps, the data key included. */
async function signInDevice(
  app: FastifyInstance,
  clock: { set(ms: number): void },
  login: string,
  deviceId = newDeviceId(),
  deviceToken?: string,
): Promise<DeviceSession & { dataKey: string }> {
  clock.set(START)
  const res = await app.inject({
    method: 'POST',
    url: '/api/auth/login',
    payload: { login, password: DEMO_PASSWORD, deviceId, deviceName: `Tablette ${login}` },
  })
  clock.set(NOW)
  expect(res.statusCode, res.body).toBe(200)
  const answer = LoginResponseSchema.parse(res.json())
  return {
    deviceId,
    deviceToken: answer.deviceToken ?? deviceToken ?? '',
    deviceKey: answer.deviceKey,
    dataKey: answer.dataKey ?? '',
    userId: answer.user.id,
    organisationId: answer.organisation.id,
    nextSeq: 1,
  }
}

let nissCounter = 600
function niss(): string {
  const body = `850730${String(nissCounter++).padStart(3, '0')}`
  return body + String(97 - (Number(body) % 97)).padStart(2, '0')
}

const register = (s: DeviceSession, patientId = newId('p')) =>
  mutation(s, 'patient.register', registerPayload(patientId, { nir: undefined, niss: niss() }))

/** Seals outbox entries as the device stores them (src/db/vault): the client's own code is the oracle. */
async function sealedExport(device: DeviceSession & { dataKey: string }, queued: readonly MutationInput[]) {
  const raw = base64ToBytes(device.dataKey)
  if (raw === null) throw new Error('no data key')
  const keys = await deriveDataKeys(await importDataKey(raw))
  const sealed: OutboxExport['sealed'] = []
  for (const envelope of queued) {
    const { seq, id, type, ...rest } = envelope as MutationInput & { seq: number; id: string }
    const c = await sealJson(keys, `outbox\u0000${seq}`, rest)
    sealed.push({ seq, id, type, c: bytesToBase64(new Uint8Array(c)) })
  }
  return {
    kind: 'carnet-outbox',
    v: 2,
    deviceId: device.deviceId,
    exportedAt: new Date(NOW).toISOString(),
    sealed,
    mutations: [],
  } satisfies OutboxExport
}

async function waitFor(condition: () => boolean, what: string, timeoutMs = 5000): Promise<void> {
  const until = Date.now() + timeoutMs
  while (!condition()) {
    if (Date.now() > until) throw new Error(`${what}: not in time`)
    await new Promise((resolve) => setTimeout(resolve, 10))
  }
}

type EventStream = { readonly res: IncomingMessage; readonly events: string[]; readonly ended: () => boolean }

function openEvents(app: FastifyInstance, s: Pick<DeviceSession, 'deviceToken'>): Promise<EventStream> {
  const { port } = app.server.address() as AddressInfo
  return new Promise((resolve, reject) => {
    const req = httpRequest({
      port,
      host: '127.0.0.1',
      path: '/api/sync/events',
      headers: bearer(s.deviceToken),
    })
    req.on('response', (res) => {
      const events: string[] = []
      let isEnded = false
      res.setEncoding('utf8')
      res.on('data', (chunk: string) =>
        events.push(...chunk.split('\n').filter((l) => l.startsWith('event:'))),
      )
      res.on('end', () => (isEnded = true))
      resolve({ res, events, ended: () => isEnded })
    })
    req.on('error', reject)
    req.end()
  })
}

describe.each(STORE_KINDS)('device protection (%s)', (kind) => {
  let world: AdminWorld
  let syncAdmin: Signed
  let manager: Signed

  beforeAll(async () => {
    world = await startAdminWorld(kind)
    syncAdmin = await world.signedIn('admin.demo')
    manager = await world.signedIn('gestionnaire.demo')
  })
  afterAll(async () => {
    await world.close()
  })
  const app = () => world.h.app
  const store = () => world.h.store
  const revoke = (deviceId: string, mode: 'wipe' | 'after-export') =>
    call(app(), syncAdmin, 'POST', `/api/admin/devices/${deviceId}/revoke`, { mode })

  describe('revocation', () => {
    it('« effacer maintenant » destroys the data key and every signing key at once, and says who and when', async () => {
      const nurse = await signInDevice(app(), world.h.clock, 'infirmier.demo')
      const doctor = await signInDevice(
        app(),
        world.h.clock,
        'medecin.demo',
        nurse.deviceId,
        nurse.deviceToken,
      )
      const witness = await signInDevice(app(), world.h.clock, 'medecin.demo')
      expect(await store().getDeviceDataKey(nurse.deviceId)).not.toBeNull()
      expect(await store().getDeviceKey(doctor.userId, nurse.deviceId)).not.toBeNull()

      const res = await revoke(nurse.deviceId, 'wipe')
      expect(AdminDeviceSchema.parse(res.json())).toMatchObject({
        revokeMode: 'wipe',
        keysKeptUntil: null,
        keysDestroyedAt: new Date(NOW).toISOString(),
      })
      expect(await store().getDeviceDataKey(nurse.deviceId)).toBeNull()
      expect(await store().getDeviceKey(nurse.userId, nurse.deviceId)).toBeNull()
      expect(await store().getDeviceKey(doctor.userId, nurse.deviceId)).toBeNull()

      const told = {
        revokedAt: new Date(NOW).toISOString(),
        revokedBy: { id: syncAdmin.user.id, name: 'Thomas Leroy' },
        mode: 'wipe',
        exportUntil: null,
      }
      const pull = await app().inject({
        method: 'GET',
        url: '/api/sync/pull',
        headers: bearer(nurse.deviceToken),
      })
      expectError(pull, 401, 'device-revoked')
      expect(DeviceRevocationSchema.parse((pull.json() as { detail: unknown }).detail)).toEqual(told)
      const login = await app().inject({
        method: 'POST',
        url: '/api/auth/login',
        payload: { login: 'medecin.demo', password: DEMO_PASSWORD, deviceId: nurse.deviceId },
      })
      expectError(login, 401, 'device-revoked')
      expect((login.json() as { detail: unknown }).detail).toEqual(told)
      // A wrong password learns nothing of the revocation.
      const guess = await app().inject({
        method: 'POST',
        url: '/api/auth/login',
        payload: { login: 'medecin.demo', password: 'pas-le-bon', deviceId: nurse.deviceId },
      })
      expectError(guess, 401, 'invalid-credentials')
      expect(guess.body).not.toContain('Thomas')

      const change = (await pullAll(app(), witness)).changes.find(
        (c) => c.entity === 'device-revoked' && c.id === nurse.deviceId,
      )
      expect(DeviceRevokedChangeSchema.parse(change?.data)).toMatchObject({ id: nurse.deviceId, ...told })

      // Nothing signed on it can be verified any more: its exports are refused.
      const file = { deviceId: nurse.deviceId, mutations: [register(nurse)] }
      expectAdminError(
        await call(app(), syncAdmin, 'POST', `/api/admin/devices/${nurse.deviceId}/import`, file),
        410,
        'device-keys-destroyed',
      )
    })

    it('« après export » keeps the keys until the sealed export is imported, then destroys them', async () => {
      const nurse = await signInDevice(app(), world.h.clock, 'infirmier.demo')
      const witness = await signInDevice(app(), world.h.clock, 'medecin.demo')
      const patientId = newId('p')
      const queued = [
        register(nurse, patientId),
        mutation(nurse, 'step.record', {
          kind: 'eligibility',
          stepId: newId('s'),
          patientId,
          fields: eligibilityFields(),
        }),
      ]
      const file = await sealedExport(nurse, queued)
      expect(JSON.stringify(file)).not.toContain('Dupré')

      const res = await revoke(nurse.deviceId, 'after-export')
      const exportUntil = new Date(NOW + 7 * DAY).toISOString()
      expect(AdminDeviceSchema.parse(res.json())).toMatchObject({
        revokeMode: 'after-export',
        keysKeptUntil: exportUntil,
        keysDestroyedAt: null,
      })
      const pull = await app().inject({
        method: 'GET',
        url: '/api/sync/pull',
        headers: bearer(nurse.deviceToken),
      })
      expect((pull.json() as { detail: unknown }).detail).toMatchObject({ mode: 'after-export', exportUntil })
      expect(await store().getDeviceDataKey(nurse.deviceId)).not.toBeNull()
      expect(await store().getDeviceKey(nurse.userId, nurse.deviceId)).not.toBeNull()

      // An entry moved to another seq (or altered) does not open: the file is refused, nothing applied.
      const moved = {
        ...file,
        sealed: [
          { ...file.sealed[1]!, seq: 1 },
          { ...file.sealed[0]!, seq: 2 },
        ],
      }
      const refused = expectAdminError(
        await call(app(), syncAdmin, 'POST', `/api/admin/devices/${nurse.deviceId}/import`, moved),
        400,
        'invalid-request',
      )
      expect(refused.issues?.[0]?.path).toEqual(['sealed', 0, 'c'])
      expect(await store().deviceLastSeq(nurse.deviceId)).toBe(0)
      expectAdminError(
        await call(app(), manager, 'POST', `/api/admin/devices/${nurse.deviceId}/import`, file),
        403,
        'forbidden',
      )

      const imported = await call(
        app(),
        syncAdmin,
        'POST',
        `/api/admin/devices/${nurse.deviceId}/import`,
        file,
      )
      expect(imported.statusCode, imported.body).toBe(200)
      expect(ImportOutboxResponseSchema.parse(imported.json())).toMatchObject({
        applied: 2,
        rejected: 0,
        replayed: 0,
        lastSeq: 2,
        device: {
          exportImportedAt: new Date(NOW).toISOString(),
          keysKeptUntil: null,
          keysDestroyedAt: new Date(NOW).toISOString(),
        },
      })
      expect(await store().getDeviceDataKey(nurse.deviceId)).toBeNull()
      expect(await store().getDeviceKey(nurse.userId, nurse.deviceId)).toBeNull()
      const pulled = (await pullAll(app(), witness)).changes
      expect(pulled.some((c) => c.entity === 'patient' && c.id === patientId)).toBe(true)
      expectAdminError(
        await call(app(), syncAdmin, 'POST', `/api/admin/devices/${nurse.deviceId}/import`, file),
        410,
        'device-keys-destroyed',
      )
    })

    it('destroys the keys of a device revoked after export once its window has passed', async () => {
      const swept = await signInDevice(app(), world.h.clock, 'infirmier.demo')
      const late = await signInDevice(app(), world.h.clock, 'infirmier.demo')
      const file = await sealedExport(late, [register(late)])
      await revoke(swept.deviceId, 'after-export')
      await revoke(late.deviceId, 'after-export')
      try {
        world.h.clock.set(NOW + 7 * DAY - 1)
        expect(await destroyExpiredKeys({ store: store(), clock: world.h.clock })).toEqual([])
        world.h.clock.set(NOW + 7 * DAY + 1)
        const destroyed = await destroyExpiredKeys({ store: store(), clock: world.h.clock }, 1)
        expect(destroyed).toHaveLength(1)
        expect(await store().getDeviceDataKey(destroyed[0] ?? '')).toBeNull()
        // The sweeper is late for the other one: an import checks the window itself.
        const other = destroyed[0] === swept.deviceId ? late : swept
        expect(await store().getDeviceDataKey(other.deviceId)).not.toBeNull()
        const source = await store().getDevice(other.deviceId)
        if (source === null) throw new Error('device vanished')
        const outcome = await importOutbox({ store: store(), clock: world.h.clock }, source, {
          ...file,
          deviceId: other.deviceId,
        })
        expect(outcome).toMatchObject({
          ok: false,
          refusal: { status: 410, body: { error: 'device-keys-destroyed' } },
        })
        expect(await store().getDeviceDataKey(other.deviceId)).toBeNull()
        const pull = await app().inject({
          method: 'GET',
          url: '/api/sync/pull',
          headers: bearer(late.deviceToken),
        })
        expect((pull.json() as { detail: unknown }).detail).toMatchObject({
          mode: 'after-export',
          exportUntil: null,
        })
      } finally {
        world.h.clock.set(NOW)
      }
    })

    it("closes a revoked device's event stream at once, saying so; the organisation's other streams stay", async () => {
      if (world.h.app.server.address() === null) await world.h.app.listen({ port: 0, host: '127.0.0.1' })
      const nurse = await signInDevice(app(), world.h.clock, 'infirmier.demo')
      const witness = await signInDevice(app(), world.h.clock, 'medecin.demo')
      const revoked = await openEvents(app(), nurse)
      const staying = await openEvents(app(), witness)
      await waitFor(() => revoked.events.length === 1 && staying.events.length === 1, 'the opening pull')
      await revoke(nurse.deviceId, 'after-export')
      await waitFor(() => revoked.ended(), 'the revoked stream ends')
      expect(revoked.events).toEqual(['event: pull', 'event: pull', 'event: revoked'])
      await waitFor(() => staying.events.length === 2, 'the other device is told to pull')
      expect(staying.ended()).toBe(false)
      staying.res.destroy()
    })
  })

  describe('devices page', () => {
    it('raises « données illisibles » from what the device reports, and clears it when it reports none', async () => {
      const nurse = await signInDevice(app(), world.h.clock, 'infirmier.demo')
      const report = async (broken: string, advanceMs: number) => {
        world.h.clock.set(NOW + advanceMs)
        const res = await app().inject({
          method: 'GET',
          url: '/api/sync/pull?after=',
          headers: { ...bearer(nurse.deviceToken), 'x-carnet-broken': broken },
        })
        world.h.clock.set(NOW)
        expect(res.statusCode).toBe(200)
        const list = await call(app(), syncAdmin, 'GET', '/api/admin/devices?q=tablette%20infirmier')
        return DeviceListResponseSchema.parse(list.json()).items.find((d) => d.id === nurse.deviceId)?.alerts
      }
      expect(await report('2;patients,steps', 0)).toEqual([
        {
          code: 'broken-rows',
          at: new Date(NOW).toISOString(),
          detail: { count: 2, tables: ['patients', 'steps'] },
        },
      ])
      // A malformed report is ignored; the last one stands.
      expect(await report('deux;patients', 2 * 60_000)).toEqual([
        expect.objectContaining({ code: 'broken-rows' }),
      ])
      expect(await report('0', 4 * 60_000)).toEqual([])
    })

    it('shows changes set aside for a bad signature as an alert of their device until they are resolved', async () => {
      const nurse = await signInDevice(app(), world.h.clock, 'infirmier.demo')
      const forged = register(nurse)
      ;(forged.payload as { codeDeCiblage: string }).codeDeCiblage = 'ABCDEFGHJK0'
      const answer = await pushOk(app(), nurse, [forged, register(nurse)])
      expect(answer.results.map((r) => r.status)).toEqual(['rejected', 'applied'])
      const alerts = async () => {
        const list = await call(app(), syncAdmin, 'GET', '/api/admin/devices?q=tablette%20infirmier')
        return DeviceListResponseSchema.parse(list.json()).items.find((d) => d.id === nurse.deviceId)?.alerts
      }
      expect(await alerts()).toEqual([
        { code: 'signature-mismatch', at: new Date(NOW).toISOString(), detail: { count: 1 } },
      ])
      const resolved = await call(app(), syncAdmin, 'POST', `/api/admin/rejections/${forged.id}/resolve`, {
        resolution: 'discarded',
        note: 'forgée',
      })
      expect(resolved.statusCode, resolved.body).toBe(200)
      expect(await alerts()).toEqual([])
    })
  })

  it('lets a sync administrator set the idle lock, within bounds; devices get it at sign-in and by pull', async () => {
    const before = AdminOrganisationSchema.parse(
      (await call(app(), manager, 'GET', '/api/admin/organisation')).json(),
    )
    expect(before.idleLockMinutes).toBe(10)
    const device = await signInDevice(app(), world.h.clock, 'infirmier.demo')
    const { cursor } = await pullAll(app(), device)

    for (const bad of [0, 61, 2.5]) {
      expectAdminError(
        await call(app(), syncAdmin, 'PATCH', '/api/admin/organisation', { idleLockMinutes: bad }),
        400,
        'invalid-request',
      )
    }
    const refused = expectAdminError(
      await call(app(), manager, 'PATCH', '/api/admin/organisation', { idleLockMinutes: 3 }),
      403,
      'forbidden',
    )
    expect(refused.detail?.need).toBe('manage-device-security')
    const saved = await call(app(), syncAdmin, 'PATCH', '/api/admin/organisation', { idleLockMinutes: 3 })
    expect(AdminOrganisationSchema.parse(saved.json()).idleLockMinutes).toBe(3)

    const pulled = (await pullAll(app(), device, cursor)).changes.filter((c) => c.entity === 'organisation')
    expect(pulled.map((c) => OrganisationSchema.parse(c.data).idleLockMinutes)).toEqual([3])
    const login = await app().inject({
      method: 'POST',
      url: '/api/auth/login',
      payload: { login: 'infirmier.demo', password: DEMO_PASSWORD, deviceId: device.deviceId },
    })
    expect(LoginResponseSchema.parse(login.json()).organisation.idleLockMinutes).toBe(3)
    // The other organisation keeps its own.
    const ehpad = await signInDevice(app(), world.h.clock, 'medecin.ehpad')
    expect((await pullAll(app(), ehpad)).changes.some((c) => c.entity === 'organisation')).toBe(false)
  })
})

describe.skipIf(DATABASE_URL === '')('revoked streams across instances (PostgreSQL LISTEN/NOTIFY)', () => {
  const logger = pino({ level: 'silent' })
  const clock = movableClock(NOW)
  const schema = `carnet_revoke_${randomBytes(6).toString('hex')}`
  const admin = new pg.Client({ connectionString: DATABASE_URL })
  const opened: { app: FastifyInstance; store: Store }[] = []

  async function instance() {
    const store = openPostgresStore({ url: DATABASE_URL, clock, schema })
    await store.migrate()
    const events = createPostgresSyncEvents({ url: DATABASE_URL, logger, reconnectMs: 20 })
    const app = await buildApp({ store, clock, logger, staticDir: null, version: 'test', syncEvents: events })
    await app.listen({ port: 0, host: '127.0.0.1' })
    await events.listening()
    opened.push({ app, store })
    return { app, store }
  }

  beforeAll(async () => {
    await admin.connect()
    await admin.query(`CREATE SCHEMA ${schema}`)
  })
  afterAll(async () => {
    for (const { app, store } of opened) {
      await app.close()
      await store.close()
    }
    await admin.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`)
    await admin.end()
  })

  it('a stream open on instance A closes when instance B revokes its device', async () => {
    const a = await instance()
    const b = await instance()
    clock.set(START - DAY)
    await seedDemo(a.store, { password: DEMO_PASSWORD })
    clock.set(NOW)
    const nurse = await signInDevice(a.app, clock, 'infirmier.demo')
    const stream = await openEvents(a.app, nurse)
    await waitFor(() => stream.events.length === 1, 'the opening pull')

    clock.set(START)
    const signedIn = await b.app.inject({
      method: 'POST',
      url: '/api/auth/login',
      payload: { login: 'admin.demo', password: DEMO_PASSWORD, deviceId: newDeviceId() },
    })
    clock.set(NOW)
    const { accessToken } = LoginResponseSchema.parse(signedIn.json())
    const res = await call(b.app, { accessToken }, 'POST', `/api/admin/devices/${nurse.deviceId}/revoke`, {
      mode: 'wipe',
    })
    expect(res.statusCode, res.body).toBe(200)
    await waitFor(() => stream.ended(), 'the stream on A ends')
    expect(stream.events.at(-1)).toBe('event: revoked')
  }, 20_000)
})
