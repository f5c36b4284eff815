import { randomBytes } from 'node:crypto'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import pg from 'pg'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { fixedClock } from '../clock'
import { openPostgresStore } from './postgres'
import { openSqliteStore } from './sqlite'
import type { Store } from './types'

const NOW = '2026-03-04T09:15:00.000Z'
const clock = fixedClock(NOW)
const DATABASE_URL = process.env.DATABASE_URL

type Harness = { fresh(): Promise<Store>; cleanup(): Promise<void> }

function sqliteHarness(): Harness {
  const dir = mkdtempSync(join(tmpdir(), 'carnet-auth-store-'))
  let count = 0
  return {
    async fresh() {
      return openSqliteStore({ file: join(dir, `test-${++count}.sqlite`), clock })
    },
    async cleanup() {
      rmSync(dir, { recursive: true, force: true })
    },
  }
}

function postgresHarness(url: string): Harness {
  const admin = new pg.Client({ connectionString: url })
  const connected = admin.connect()
  const schemas: string[] = []
  return {
    async fresh() {
      await connected
      const schema = `carnet_test_${randomBytes(6).toString('hex')}`
      await admin.query(`CREATE SCHEMA ${schema}`)
      schemas.push(schema)
      return openPostgresStore({ url, clock, schema })
    },
    async cleanup() {
      await connected
      for (const schema of schemas) await admin.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`)
      await admin.end()
    },
  }
}

function defineAuthStoreSuite(makeHarness: () => Harness) {
  let harness: Harness
  const opened: Store[] = []

  beforeAll(() => {
    harness = makeHarness()
  })
  afterEach(async () => {
    for (const store of opened.splice(0)) await store.close().catch(() => undefined)
  })
  afterAll(async () => {
    await harness.cleanup()
  })

  async function seeded() {
    const store = await harness.fresh()
    opened.push(store)
    await store.migrate()
    const org = await store.createOrganisation({
      name: 'Équipe mobile',
      kind: 'mobile-team',
      country: 'FR',
      finess: '010000016',
    })
    if (!org.ok) throw new Error(org.error)
    const newUser = async (login: string) => {
      const user = await store.createUser({
        organisationId: org.value.id,
        login,
        displayName: login,
        profession: 'infirmier',
        passwordHash: null,
      })
      if (!user.ok) throw new Error(user.error)
      return user.value
    }
    const [alice, bruno] = [await newUser('alice'), await newUser('bruno')]
    const device = await store.registerDevice({
      id: 'device-1',
      organisationId: org.value.id,
      userId: alice.id,
      name: 'Tablette',
      tokenHash: 'device-token-hash',
    })
    if (!device.ok) throw new Error(device.error)
    return { store, alice, bruno, device: device.value }
  }

  it('keeps one device key per (user, device), the first one stored', async () => {
    const { store, alice, bruno, device } = await seeded()
    expect(await store.getDeviceKey(alice.id, device.id)).toBeNull()
    const first = new Uint8Array(randomBytes(32))
    expect(await store.ensureDeviceKey(alice.id, device.id, first)).toEqual(first)
    const again = await store.withTransaction((tx) =>
      tx.ensureDeviceKey(alice.id, device.id, new Uint8Array(randomBytes(32))),
    )
    expect(again).toEqual(first)
    expect(await store.getDeviceKey(alice.id, device.id)).toEqual(first)
    const other = await store.ensureDeviceKey(bruno.id, device.id, new Uint8Array(randomBytes(32)))
    expect(other).not.toEqual(first)
  })

  it('finds a device by its token hash and records the state it reports, keeping what it left out', async () => {
    const { store, device } = await seeded()
    expect(await store.findDeviceByTokenHash('device-token-hash')).toEqual(device)
    expect(await store.findDeviceByTokenHash('other')).toBeNull()
    const big = 5 * 1024 ** 4
    expect(
      await store.recordDeviceState(device.id, {
        seenAt: NOW,
        pending: 7,
        appVersion: '1.0.0',
        storageUsed: big,
        storageQuota: big * 2,
      }),
    ).toBe(true)
    expect(await store.recordDeviceState(device.id, { seenAt: '2026-03-04T10:00:00.000Z', pending: 0 })).toBe(
      true,
    )
    expect(await store.getDevice(device.id)).toMatchObject({
      lastSeenAt: '2026-03-04T10:00:00.000Z',
      pending: 0,
      appVersion: '1.0.0',
      storageUsed: big,
      storageQuota: big * 2,
    })
    expect(await store.recordDeviceState('missing', { seenAt: NOW })).toBe(false)
  })

  it('revokes a device once', async () => {
    const { store, device } = await seeded()
    expect(await store.revokeDevice(device.id, null)).toMatchObject({ ok: true, value: { revokedAt: NOW } })
    expect(await store.revokeDevice(device.id, null)).toEqual({ ok: false, error: 'device-already-revoked' })
    expect(await store.revokeDevice('missing', null)).toEqual({ ok: false, error: 'device-not-found' })
  })

  it('opens, finds and revokes sessions by token hash', async () => {
    const { store, alice, device } = await seeded()
    const expiresAt = '2026-03-04T17:15:00.000Z'
    const session = await store.createSession({
      tokenHash: 'session-hash',
      userId: alice.id,
      deviceId: device.id,
      expiresAt,
    })
    expect(session).toEqual({
      id: expect.any(String),
      userId: alice.id,
      deviceId: device.id,
      createdAt: NOW,
      expiresAt,
      revokedAt: null,
    })
    expect(await store.findSessionByTokenHash('session-hash')).toEqual(session)
    expect(await store.revokeSession(session.id)).toBe(true)
    expect(await store.revokeSession(session.id)).toBe(false)
    expect(await store.findSessionByTokenHash('session-hash')).toMatchObject({ revokedAt: NOW })
    expect(await store.findSessionByTokenHash('unknown')).toBeNull()
  })
}

describe('SQLite auth queries', () => {
  defineAuthStoreSuite(sqliteHarness)
})

describe.skipIf(DATABASE_URL === undefined || DATABASE_URL === '')('PostgreSQL auth queries', () => {
  defineAuthStoreSuite(() => postgresHarness(DATABASE_URL ?? ''))
})
