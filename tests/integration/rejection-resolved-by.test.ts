// Who settles a rejection from a shared tablet: the device's sync code (transport, replayer, engine) against the
// real server in-process. The person acting sends their own access token with the resolution, so the server
// records them — a delegate handling a doctor's « À traiter » on the doctor's tablet — and not the user who
// registered the device.
import 'fake-indexeddb/auto'
import type { FastifyInstance } from 'fastify'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { buildInboxItems } from '../../src/components/inbox/inbox-items'
import { createCarnetDb, type CarnetDb } from '../../src/db/carnet-db'
import type { MutationType } from '../../src/shared/commands'
import { RejectionRecordSchema, type UserRecord } from '../../src/shared/records'
import { LoginResponseSchema } from '../../src/shared/sync-api'
import { importSigningKey } from '../../src/db/vault/device-key'
import { createSyncEngine, type SyncEngine } from '../../src/sync/engine'
import { pendingCount, recordChange, type RecordChangeInput } from '../../src/sync/outbox'
import type { LocalRejection } from '../../src/sync/pull'
import { runSync } from '../../src/sync/replayer'
import { createTransport, type FetchLike, type SyncTransport } from '../../src/sync/transport'
import {
  DEMO_PASSWORD,
  doseFields,
  eligibilityFields,
  newId,
  NOW,
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

/** A fetch that hands each request to the in-process server. */
function fetchOf(app: FastifyInstance): FetchLike {
  return async (input, init) => {
    const url = new URL(input)
    const res = await app.inject({
      method: (init.method ?? 'GET') as 'GET' | 'POST',
      url: url.pathname + url.search,
      headers: init.headers as Record<string, string>,
      ...(typeof init.body === 'string' ? { payload: init.body } : {}),
    })
    const headers = new Headers()
    for (const [name, value] of Object.entries(res.headers)) {
      if (value !== undefined) headers.set(name, Array.isArray(value) ? value.join(', ') : String(value))
    }
    return new Response(res.body, { status: res.statusCode, headers })
  }
}

type Device = { session: DeviceSession; db: CarnetDb; key: CryptoKey; transport: SyncTransport }

describe('who resolved a rejection from a shared device', () => {
  let h: SyncHarness
  let nissCounter = 700

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

  async function readyDevice(login: string): Promise<Device> {
    const session = await signIn(h, login)
    const db = createCarnetDb(`resolved-by-${session.deviceId}`)
    await db.meta.put({ key: 'deviceId', value: session.deviceId })
    const transport = createTransport({
      fetch: fetchOf(h.app),
      baseUrl: BASE_URL,
      deviceToken: session.deviceToken,
      appVersion: 'test',
      deviceState: async () => ({ pending: await pendingCount(db) }),
    })
    const device = { session, db, key: await importSigningKey(session.deviceKey), transport }
    expect(await sync(device)).toMatchObject({ kind: 'ok' })
    return device
  }

  const sync = (device: Device) =>
    runSync({
      db: device.db,
      transport: device.transport,
      deviceId: device.session.deviceId,
      now: () => h.clock.now().toISOString(),
    })

  async function record<T extends MutationType>(device: Device, type: T, payload: Record<string, unknown>) {
    const result = await recordChange(device.db, {
      type,
      payload: payload as RecordChangeInput<T>['payload'],
      actor: { userId: device.session.userId },
      at: at(30),
      now: new Date(NOW).toISOString(),
      signInAt: new Date(START).toISOString(),
      deviceId: device.session.deviceId,
      signingKey: device.key,
    })
    if (!result.ok) throw new Error(result.error)
  }

  /** The doctor's tablet after a dose 1 the nurse's tablet recorded first: one rejection in its inbox. */
  async function doctorsTabletWithRejection(): Promise<{ tablet: Device; rejectionId: string }> {
    const tablet = await readyDevice('medecin.demo')
    const nurse = await readyDevice('infirmier.demo')
    const patientId = newId('p')
    await record(tablet, 'patient.register', registerPayload(patientId, { nir: undefined, niss: niss() }))
    await record(tablet, 'step.record', {
      kind: 'eligibility',
      stepId: newId('s'),
      patientId,
      fields: eligibilityFields(),
    })
    expect(await sync(tablet)).toMatchObject({ kind: 'ok', rejected: 0 })
    expect(await sync(nurse)).toMatchObject({ kind: 'ok' })
    const dose1 = (device: Device) =>
      record(device, 'step.record', {
        kind: 'dose',
        stepId: newId('s'),
        patientId,
        doseNumber: 1,
        fields: doseFields(device.session.userId, { injectedAt: at(25) }),
      })
    await dose1(nurse)
    expect(await sync(nurse)).toMatchObject({ kind: 'ok', rejected: 0 })
    await dose1(tablet)
    expect(await sync(tablet)).toMatchObject({ kind: 'ok', rejected: 1 })
    // Earlier tests' rejections of the same doctor follow them here by pull, already resolved.
    const open = ((await tablet.db.rejections.toArray()) as LocalRejection[]).filter(
      (r) => r.resolution === undefined,
    )
    expect(open).toHaveLength(1)
    const [rejection] = open
    if (rejection === undefined) throw new Error('no rejection on the tablet')
    return { tablet, rejectionId: rejection.id }
  }

  /** Signs `login` in online on `device` (its token already registered it): their user id and access token. */
  async function signInOnDevice(login: string, device: Device) {
    const res = await h.app.inject({
      method: 'POST',
      url: '/api/auth/login',
      payload: { login, password: DEMO_PASSWORD, deviceId: device.session.deviceId },
    })
    expect(res.statusCode, res.body).toBe(200)
    const answer = LoginResponseSchema.parse(res.json())
    return { userId: answer.user.id, accessToken: answer.accessToken, expiresAt: answer.expiresAt }
  }

  const engineOf = (device: Device): SyncEngine =>
    createSyncEngine({
      db: device.db,
      transport: device.transport,
      deviceId: device.session.deviceId,
      now: () => h.clock.now().toISOString(),
      random: () => 0.5,
      target: null,
      document: null,
      isOnline: () => true,
      useServerEvents: false,
    })

  async function serverResolution(organisationId: string, rejectionId: string) {
    const row = await h.store.getRejection(organisationId, rejectionId)
    return row === null ? null : { kind: row.resolution, by: row.resolvedBy }
  }

  it('records the delegate who resolved, even when the send comes after their session expired', async () => {
    const { tablet, rejectionId } = await doctorsTabletWithRejection()
    const delegate = await signInOnDevice('secretaire.demo', tablet)
    const users = new Map<string, UserRecord>((await tablet.db.users.toArray()).map((u) => [u.id, u]))
    const delegateGrants = await tablet.db.roleGrants.where('userId').equals(delegate.userId).toArray()
    const actingFor = delegateGrants.flatMap((g) => (g.role === 'delegate' ? g.actingFor : []))
    expect(actingFor).toContain(tablet.session.userId)
    const inbox = buildInboxItems((await tablet.db.rejections.toArray()) as LocalRejection[], {
      userId: delegate.userId,
      actingFor,
      patients: new Map(),
      users,
    })
    expect(inbox.map((item) => item.id)).toContain(rejectionId)

    // The delegate acts while the tablet is offline; the resolution leaves once her token has expired.
    const engine = engineOf(tablet)
    const offline = createSyncEngine({
      db: tablet.db,
      transport: tablet.transport,
      deviceId: tablet.session.deviceId,
      now: () => h.clock.now().toISOString(),
      target: null,
      document: null,
      isOnline: () => false,
      useServerEvents: false,
    })
    expect(
      await offline.resolveRejection(rejectionId, 'correction-requested', {
        by: delegate.userId,
        note: 'Dose déjà saisie par l’infirmier',
        accessToken: delegate.accessToken,
      }),
    ).toBe(true)
    expect(await serverResolution(tablet.session.organisationId, rejectionId)).toEqual({
      kind: null,
      by: null,
    })
    h.clock.set(Date.parse(delegate.expiresAt) + 60 * MINUTE)

    expect(await engine.syncNow()).toMatchObject({ kind: 'ok' })

    const onServer = await serverResolution(tablet.session.organisationId, rejectionId)
    expect(onServer).toEqual({ kind: 'correction-requested', by: delegate.userId })
    expect(onServer?.by).not.toBe(tablet.session.userId)
    const local = RejectionRecordSchema.parse(await tablet.db.rejections.get(rejectionId))
    expect(local.resolution).toMatchObject({ kind: 'correction-requested', by: delegate.userId })
    h.clock.set(NOW)
  })

  it('keeps a resolution queued rather than name someone else when the server no longer knows the session', async () => {
    const { tablet, rejectionId } = await doctorsTabletWithRejection()
    const delegate = await signInOnDevice('secretaire.demo', tablet)
    const engine = engineOf(tablet)

    expect(
      await engine.resolveRejection(rejectionId, 'discarded', {
        by: delegate.userId,
        accessToken: 'session-unknown-to-the-server',
      }),
    ).toBe(true)
    // The run itself still succeeds: the pull and the other resolutions are not held up.
    expect(await engine.syncNow()).toMatchObject({ kind: 'ok' })

    expect(await serverResolution(tablet.session.organisationId, rejectionId)).toEqual({
      kind: null,
      by: null,
    })
    const local = (await tablet.db.rejections.get(rejectionId)) as LocalRejection | undefined
    expect(local?.pendingResolution).toMatchObject({ kind: 'discarded', by: delegate.userId })
    expect(local?.resolution).toBeUndefined()
  })
})
