import { createHash } from 'node:crypto'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import Database from '../../sync-server/src/store/sqlite-driver'
import type { FastifyInstance } from 'fastify'
import { pino } from 'pino'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { buildApp, type AppDeps } from '../../sync-server/src/app'
import { requireDevice } from '../../sync-server/src/auth/request-auth'
import type { Clock } from '../../sync-server/src/clock'
import { seedDemo } from '../../sync-server/src/demo'
import type { Store } from '../../sync-server/src/store'
import { openSqliteStore } from '../../sync-server/src/store/sqlite'
import { ErrorResponseSchema } from '../../src/shared/errors'
import { LoginResponseSchema, type LoginResponse } from '../../src/shared/sync-api'

const PASSWORD = 'demo-password'
const START = Date.parse('2026-03-04T09:15:00.000Z')
const logger = pino({ level: 'silent' })

/** A clock the tests move forward (session expiry). */
function movableClock(): Clock & { advance(ms: number): void } {
  let now = START
  return { now: () => new Date(now), advance: (ms) => (now += ms) }
}

let deviceCounter = 0
const newDeviceId = () => `0195a3b2-7c00-7000-8000-${String(++deviceCounter).padStart(12, '0')}`

type Harness = {
  app: FastifyInstance
  store: Store
  clock: ReturnType<typeof movableClock>
  file: string
  close(): Promise<void>
}

async function startServer(overrides: Partial<AppDeps> = {}): Promise<Harness> {
  const dir = mkdtempSync(join(tmpdir(), 'carnet-auth-'))
  const file = join(dir, 'carnet.sqlite')
  const clock = movableClock()
  const store = openSqliteStore({ file, clock })
  await store.migrate()
  await seedDemo(store, { password: PASSWORD })
  const deps: AppDeps = {
    store,
    clock,
    logger,
    staticDir: null,
    version: 'test',
    loginRateLimit: { max: 1000, timeWindowMs: 60_000 },
    ...overrides,
  }
  const app = await buildApp(deps)
  app.get('/api/test/device', { preHandler: requireDevice(deps) }, async (request) => ({
    device: request.device,
  }))
  await app.ready()
  return {
    app,
    store,
    clock,
    file,
    async close() {
      await app.close()
      await store.close()
      rmSync(dir, { recursive: true, force: true })
    },
  }
}

type LoginInput = { login: string; password?: string; deviceId: string; deviceName?: string }

function login(app: FastifyInstance, input: LoginInput, remoteAddress?: string) {
  return app.inject({
    method: 'POST',
    url: '/api/auth/login',
    payload: { password: PASSWORD, ...input },
    ...(remoteAddress === undefined ? {} : { remoteAddress }),
  })
}

async function loginOk(app: FastifyInstance, input: LoginInput): Promise<LoginResponse> {
  const res = await login(app, input)
  expect(res.statusCode, res.body).toBe(200)
  return LoginResponseSchema.parse(res.json())
}

const bearer = (token: string) => ({ authorization: `Bearer ${token}` })
const sha256 = (text: string) => createHash('sha256').update(text).digest('hex')

function expectError(res: { statusCode: number; json(): unknown }, status: number, error: string) {
  expect(res.statusCode).toBe(status)
  const body = ErrorResponseSchema.parse(res.json())
  expect(body.error).toBe(error)
  return body
}

describe('authentication (POST /api/auth/login, requireDevice, requireUser)', () => {
  let h: Harness

  beforeAll(async () => {
    h = await startServer()
  })
  afterAll(async () => {
    await h.close()
  })

  it('signs a demo user in: the answer parses, with a deviceToken on the first sign-in only', async () => {
    const deviceId = newDeviceId()
    const first = await loginOk(h.app, { login: 'medecin.demo', deviceId, deviceName: 'Tablette 1' })
    expect(first.deviceToken).toEqual(expect.any(String))
    expect(first.user).toMatchObject({
      name: 'Dr Camille Martin',
      login: 'medecin.demo',
      profession: 'medecin',
      rpps: '10012345673',
    })
    expect(first.organisation).toMatchObject({
      name: 'Équipe mobile de vaccination (démo)',
      finess: '010000016',
    })
    expect(first.roles).toEqual([
      expect.objectContaining({ userId: first.user.id, role: 'vaccinator', actingFor: [], endsAt: null }),
    ])
    expect(first.expiresAt).toBe(new Date(START + 8 * 3600 * 1000).toISOString())
    expect(Buffer.from(first.deviceKey, 'base64')).toHaveLength(32)

    const second = await loginOk(h.app, { login: 'medecin.demo', deviceId })
    expect(second.deviceToken).toBeUndefined()
    expect(second.deviceKey).toBe(first.deviceKey)
    expect(second.accessToken).not.toBe(first.accessToken)

    const other = await loginOk(h.app, { login: 'infirmier.demo', deviceId })
    expect(other.deviceToken).toBeUndefined()
    expect(other.deviceKey).not.toBe(first.deviceKey)
    expect(await h.store.getDeviceKey(first.user.id, deviceId)).toEqual(
      new Uint8Array(Buffer.from(first.deviceKey, 'base64')),
    )
  })

  it("gives every user signing in on a device that device's one data key, and never again once it is revoked", async () => {
    const deviceId = newDeviceId()
    const doctor = await loginOk(h.app, { login: 'medecin.demo', deviceId })
    const nurse = await loginOk(h.app, { login: 'infirmier.demo', deviceId })
    const elsewhere = await loginOk(h.app, { login: 'medecin.demo', deviceId: newDeviceId() })
    expect(Buffer.from(doctor.dataKey ?? '', 'base64')).toHaveLength(32)
    expect(nurse.dataKey).toBe(doctor.dataKey)
    expect(elsewhere.dataKey).not.toBe(doctor.dataKey)
    const keysOf = (id: string) => {
      const db = new Database(h.file, { readonly: true })
      try {
        return db.prepare('SELECT key FROM device_data_keys WHERE device_id = ?').all(id).length
      } finally {
        db.close()
      }
    }
    expect(keysOf(deviceId)).toBe(1)
    expect((await h.store.revokeDevice(deviceId, null)).ok).toBe(true)
    expect(keysOf(deviceId)).toBe(0)
    const refused = await login(h.app, { login: 'infirmier.demo', deviceId })
    expectError(refused, 401, 'device-revoked')
    expect(refused.body).not.toContain(doctor.dataKey ?? '-')
  })

  it('accepts the login whatever its case and surrounding spaces', async () => {
    await loginOk(h.app, { login: '  Medecin.DEMO ', deviceId: newDeviceId() })
  })

  it('gives staff a null profession and a delegate the professional they act for', async () => {
    const doctor = await loginOk(h.app, { login: 'medecin.demo', deviceId: newDeviceId() })
    const secretary = await loginOk(h.app, { login: 'secretaire.demo', deviceId: newDeviceId() })
    expect(secretary.user.profession).toBeNull()
    expect(secretary.roles).toEqual([
      expect.objectContaining({ role: 'delegate', actingFor: [doctor.user.id] }),
    ])
  })

  it('refuses a wrong password and an unknown login with the same 401', async () => {
    const wrong = await login(h.app, { login: 'medecin.demo', password: 'not-it', deviceId: newDeviceId() })
    const unknown = await login(h.app, { login: 'nobody.demo', deviceId: newDeviceId() })
    expectError(wrong, 401, 'invalid-credentials')
    expect(unknown.statusCode).toBe(401)
    expect(unknown.json()).toEqual(wrong.json())
    expect(wrong.json()).toEqual({ error: 'invalid-credentials' })
  })

  it('refuses a disabled user with the same 401', async () => {
    const db = new Database(h.file)
    try {
      db.prepare("UPDATE users SET disabled = 1 WHERE login = 'gestionnaire.demo'").run()
    } finally {
      db.close()
    }
    const res = await login(h.app, { login: 'gestionnaire.demo', deviceId: newDeviceId() })
    expect(res.statusCode).toBe(401)
    expect(res.json()).toEqual({ error: 'invalid-credentials' })
  })

  it('refuses a device of another organisation with 403 device-mismatch', async () => {
    const deviceId = newDeviceId()
    await loginOk(h.app, { login: 'medecin.demo', deviceId })
    expectError(await login(h.app, { login: 'medecin.ehpad', deviceId }), 403, 'device-mismatch')
  })

  it('refuses a revoked device, at sign-in and on sync routes, with 401 device-revoked', async () => {
    const deviceId = newDeviceId()
    const signedIn = await loginOk(h.app, { login: 'infirmier.demo', deviceId })
    const deviceToken = signedIn.deviceToken ?? ''
    const before = await h.app.inject({ url: '/api/test/device', headers: bearer(deviceToken) })
    expect(before.statusCode).toBe(200)

    const revoked = await h.store.revokeDevice(deviceId, null)
    expect(revoked.ok).toBe(true)
    expectError(await login(h.app, { login: 'infirmier.demo', deviceId }), 401, 'device-revoked')
    expectError(
      await h.app.inject({ url: '/api/test/device', headers: bearer(deviceToken) }),
      401,
      'device-revoked',
    )
    expectError(
      await h.app.inject({ url: '/api/auth/me', headers: bearer(signedIn.accessToken) }),
      401,
      'device-revoked',
    )
  })

  it('authenticates a device by its token and records the state it reports', async () => {
    const deviceId = newDeviceId()
    const signedIn = await loginOk(h.app, { login: 'medecin.demo', deviceId, deviceName: 'Poste accueil' })
    const res = await h.app.inject({
      url: '/api/test/device',
      headers: {
        ...bearer(signedIn.deviceToken ?? ''),
        'x-carnet-pending': '3',
        'x-carnet-app-version': '1.4.0',
        'x-carnet-storage': '1048576/2147483648',
      },
    })
    expect(res.statusCode).toBe(200)
    expect(res.json()).toEqual({
      device: {
        id: deviceId,
        organisationId: signedIn.organisation.id,
        userId: signedIn.user.id,
        name: 'Poste accueil',
      },
    })
    const seen = await h.store.getDevice(deviceId)
    expect(seen).toMatchObject({
      lastSeenAt: new Date(START).toISOString(),
      pending: 3,
      appVersion: '1.4.0',
      storageUsed: 1048576,
      storageQuota: 2147483648,
    })

    const bad = await h.app.inject({
      url: '/api/test/device',
      headers: {
        ...bearer(signedIn.deviceToken ?? ''),
        'x-carnet-pending': '-1',
        'x-carnet-app-version': '<script>',
        'x-carnet-storage': 'lots',
      },
    })
    expect(bad.statusCode).toBe(200)
    expect(await h.store.getDevice(deviceId)).toMatchObject({ pending: 3, appVersion: '1.4.0' })
  })

  it('refuses a sync request without a token, or with an unknown or an access token, with 401 unauthenticated', async () => {
    const signedIn = await loginOk(h.app, { login: 'medecin.demo', deviceId: newDeviceId() })
    for (const headers of [{}, bearer('nope'), bearer(signedIn.accessToken), { authorization: 'Basic x' }]) {
      expectError(await h.app.inject({ url: '/api/test/device', headers }), 401, 'unauthenticated')
    }
  })

  it('answers /api/auth/me with the profile of the sign-in, and forgets the token at logout', async () => {
    const signedIn = await loginOk(h.app, { login: 'secretaire.demo', deviceId: newDeviceId() })
    const me = await h.app.inject({ url: '/api/auth/me', headers: bearer(signedIn.accessToken) })
    expect(me.statusCode).toBe(200)
    expect(
      LoginResponseSchema.pick({ user: true, organisation: true, roles: true }).parse(me.json()),
    ).toEqual({ user: signedIn.user, organisation: signedIn.organisation, roles: signedIn.roles })

    const out = await h.app.inject({
      method: 'POST',
      url: '/api/auth/logout',
      headers: bearer(signedIn.accessToken),
    })
    expect(out.statusCode).toBe(204)
    expectError(
      await h.app.inject({ url: '/api/auth/me', headers: bearer(signedIn.accessToken) }),
      401,
      'unauthenticated',
    )
    // The device token is not a user session.
    expectError(
      await h.app.inject({ url: '/api/auth/me', headers: bearer(signedIn.deviceToken ?? '') }),
      401,
      'unauthenticated',
    )
  })

  it('refuses an expired access token with 401 unauthenticated, reason expired', async () => {
    const signedIn = await loginOk(h.app, { login: 'medecin.demo', deviceId: newDeviceId() })
    h.clock.advance(8 * 3600 * 1000)
    try {
      const body = expectError(
        await h.app.inject({ url: '/api/auth/me', headers: bearer(signedIn.accessToken) }),
        401,
        'unauthenticated',
      )
      expect(body.detail).toEqual({ reason: 'expired' })
    } finally {
      h.clock.advance(-8 * 3600 * 1000)
    }
  })

  it('refuses a malformed login body with 400', async () => {
    const broken = await h.app.inject({
      method: 'POST',
      url: '/api/auth/login',
      headers: { 'content-type': 'application/json' },
      payload: '{"login": "medecin.demo",',
    })
    expectError(broken, 400, 'invalid-json')

    const incomplete = await h.app.inject({
      method: 'POST',
      url: '/api/auth/login',
      payload: { login: 'medecin.demo', password: '' },
    })
    const body = expectError(incomplete, 400, 'invalid-request')
    expect(body.issues?.map((issue) => issue.path.join('.')).sort()).toEqual(['deviceId', 'password'])
  })

  it('stores tokens only as their SHA-256 hash', async () => {
    const deviceId = newDeviceId()
    const signedIn = await loginOk(h.app, { login: 'medecin.demo', deviceId })
    const db = new Database(h.file, { readonly: true })
    try {
      const device = db.prepare('SELECT * FROM devices WHERE id = ?').get(deviceId) as { token_hash: string }
      expect(device.token_hash).toBe(sha256(signedIn.deviceToken ?? ''))
      const sessions = db.prepare('SELECT * FROM sessions').all() as { token_hash: string }[]
      expect(sessions.map((s) => s.token_hash)).toContain(sha256(signedIn.accessToken))
      const everything = JSON.stringify([db.prepare('SELECT * FROM devices').all(), sessions])
      expect(everything).not.toContain(signedIn.accessToken)
      expect(everything).not.toContain(signedIn.deviceToken)
    } finally {
      db.close()
    }
  })
})

describe('login rate limit', () => {
  let h: Harness

  beforeAll(async () => {
    h = await startServer({ loginRateLimit: { max: 3, timeWindowMs: 60_000 } })
  })
  afterAll(async () => {
    await h.close()
  })

  it('answers 429 rate-limited with Retry-After past the attempts allowed from one address', async () => {
    const attempt = () =>
      login(h.app, { login: 'medecin.demo', password: 'wrong', deviceId: newDeviceId() }, '10.0.0.1')
    for (let i = 0; i < 3; i++) expect((await attempt()).statusCode).toBe(401)
    const limited = await attempt()
    expectError(limited, 429, 'rate-limited')
    expect(Number(limited.headers['retry-after'])).toBeGreaterThan(0)
    // Another address and another login are not held back.
    expect(
      (await login(h.app, { login: 'infirmier.demo', deviceId: newDeviceId() }, '10.0.0.2')).statusCode,
    ).toBe(200)
  })

  it('limits attempts on one login from many addresses', async () => {
    const attempt = (n: number) =>
      login(h.app, { login: 'secretaire.demo', password: 'wrong', deviceId: newDeviceId() }, `10.1.0.${n}`)
    for (let n = 1; n <= 3; n++) expect((await attempt(n)).statusCode).toBe(401)
    const limited = await attempt(4)
    expectError(limited, 429, 'rate-limited')
    expect(limited.headers['retry-after']).toBeDefined()
  })
})
