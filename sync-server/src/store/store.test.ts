import { randomBytes } from 'node:crypto'
import { existsSync, mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import pg from 'pg'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { fixedClock } from '../clock'
import { LATEST_SCHEMA_VERSION, MIGRATIONS } from './migrations'
import { openPostgresStore } from './postgres'
import { openSqliteStore } from './sqlite'
import { NestedStoreCallError, type NewOrganisation, type Store } from './types'

const NOW = '2026-03-04T09:15:00.000Z'
const clock = fixedClock(NOW)
const DATABASE_URL = process.env.DATABASE_URL
const ALL_VERSIONS = MIGRATIONS.map((m) => m.version)

if (DATABASE_URL === undefined || DATABASE_URL === '') {
  console.warn('PostgreSQL store suite skipped: DATABASE_URL is not set')
}

/** One database location per test: `open` may be called again on it (reopen, second instance). */
type Database = { open(): Store }
type Harness = { fresh(): Promise<Database>; cleanup(): Promise<void> }

function sqliteHarness(): Harness {
  const dataDir = mkdtempSync(join(tmpdir(), 'carnet-store-'))
  let count = 0
  return {
    async fresh() {
      const file = join(dataDir, `test-${++count}.sqlite`)
      return { open: () => openSqliteStore({ file, clock }) }
    },
    async cleanup() {
      rmSync(dataDir, { recursive: true, force: true })
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
      return { open: () => openPostgresStore({ url, clock, schema }) }
    },
    async cleanup() {
      await connected
      for (const schema of schemas) await admin.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`)
      await admin.end()
    },
  }
}

const mobileTeam: NewOrganisation = {
  name: 'Équipe mobile de vaccination (test)',
  kind: 'mobile-team',
  country: 'FR',
  finess: '010000016',
}

function defineStoreSuite(kind: 'sqlite' | 'postgres', makeHarness: () => Harness) {
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

  async function openMigrated(database?: Database): Promise<{ store: Store; database: Database }> {
    const db = database ?? (await harness.fresh())
    const store = db.open()
    opened.push(store)
    await store.migrate()
    return { store, database: db }
  }

  async function seedOrganisation(store: Store) {
    const created = await store.createOrganisation(mobileTeam)
    if (!created.ok) throw new Error(created.error)
    return created.value
  }

  it('reports its kind and answers ping', async () => {
    const { store } = await openMigrated()
    expect(store.kind).toBe(kind)
    await expect(store.ping()).resolves.toBeUndefined()
  })

  it('applies migrations once, however often it is opened', async () => {
    const database = await harness.fresh()
    const first = database.open()
    opened.push(first)
    expect(await first.migrate()).toEqual({ applied: ALL_VERSIONS, version: LATEST_SCHEMA_VERSION })
    expect(await first.migrate()).toEqual({ applied: [], version: LATEST_SCHEMA_VERSION })
    await first.close()

    const [a, b] = [database.open(), database.open()]
    opened.push(a, b)
    const reports = await Promise.all([a.migrate(), b.migrate()])
    expect(reports.map((r) => r.applied)).toEqual([[], []])
  })

  it('lets two instances migrate a new database together without racing', async () => {
    const database = await harness.fresh()
    const [a, b] = [database.open(), database.open()]
    opened.push(a, b)
    const reports = await Promise.all([a.migrate(), b.migrate()])
    expect(reports.flatMap((r) => r.applied)).toEqual(ALL_VERSIONS)
  })

  it('round-trips organisations and refuses a duplicate identifier', async () => {
    const { store } = await openMigrated()
    expect(await store.isEmpty()).toBe(true)
    const org = await seedOrganisation(store)
    expect(org).toMatchObject({ ...mobileTeam, inami: null, enterpriseNumber: null, createdAt: NOW })
    expect(await store.isEmpty()).toBe(false)
    expect(await store.getOrganisation(org.id)).toEqual(org)
    expect(await store.getOrganisationByFiness('010000016')).toEqual(org)
    expect(await store.getOrganisationByFiness('130000003')).toBeNull()

    const belgian = await store.createOrganisation({
      name: 'Maison médicale',
      kind: 'health-centre',
      country: 'BE',
      enterpriseNumber: '0123456749',
    })
    expect(belgian.ok).toBe(true)
    expect(await store.listOrganisations()).toHaveLength(2)
    expect(await store.createOrganisation({ ...mobileTeam, name: 'Copy' })).toEqual({
      ok: false,
      error: 'organisation-identifier-taken',
    })
  })

  it('round-trips users, role grants and devices', async () => {
    const { store } = await openMigrated()
    const org = await seedOrganisation(store)
    const doctor = await store.createUser({
      organisationId: org.id,
      login: 'medecin.test',
      displayName: 'Dr Test',
      profession: 'medecin',
      professionalId: { kind: 'rpps', value: '10012345673' },
      email: 'medecin@example.org',
      passwordHash: 'scrypt$hash',
    })
    if (!doctor.ok) throw new Error(doctor.error)
    expect(doctor.value).toEqual({
      id: expect.stringMatching(/^[0-9a-f-]{36}$/),
      organisationId: org.id,
      login: 'medecin.test',
      displayName: 'Dr Test',
      profession: 'medecin',
      professionalId: { kind: 'rpps', value: '10012345673' },
      email: 'medecin@example.org',
      createdAt: NOW,
      disabled: false,
    })
    const secretary = await store.createUser({
      organisationId: org.id,
      login: 'secretaire.test',
      displayName: 'Secrétaire',
      profession: 'secretaire-medical',
      passwordHash: null,
    })
    if (!secretary.ok) throw new Error(secretary.error)

    expect(await store.findUserByLogin('MEDECIN.Test')).toEqual({
      user: doctor.value,
      passwordHash: 'scrypt$hash',
    })
    expect(await store.findUserByLogin('nobody')).toBeNull()
    expect(await store.getUser(secretary.value.id)).toEqual(secretary.value)
    expect((await store.listUsers(org.id)).map((u) => u.login).sort()).toEqual([
      'medecin.test',
      'secretaire.test',
    ])
    expect(await store.setPasswordHash(secretary.value.id, 'scrypt$new')).toBe(true)
    expect(await store.setPasswordHash('missing', 'scrypt$new')).toBe(false)
    expect((await store.findUserByLogin('secretaire.test'))?.passwordHash).toBe('scrypt$new')

    const vaccinator = await store.grantRole({
      userId: doctor.value.id,
      organisationId: org.id,
      role: 'vaccinator',
    })
    expect(vaccinator).toMatchObject({ role: 'vaccinator', startsAt: NOW, endsAt: null, grantedAt: NOW })
    const delegate = await store.grantRole({
      userId: secretary.value.id,
      organisationId: org.id,
      role: 'delegate',
      actsForUserId: doctor.value.id,
      startsAt: '2026-03-04T10:00:00+01:00',
      endsAt: '2026-12-31T23:00:00Z',
      grantedBy: doctor.value.id,
    })
    expect(await store.listRoleGrants(secretary.value.id)).toEqual([
      {
        id: delegate.id,
        userId: secretary.value.id,
        organisationId: org.id,
        role: 'delegate',
        actsForUserId: doctor.value.id,
        startsAt: '2026-03-04T09:00:00.000Z',
        endsAt: '2026-12-31T23:00:00.000Z',
        grantedBy: doctor.value.id,
        grantedAt: NOW,
        revokedAt: null,
        revokedBy: null,
      },
    ])
    await expect(
      store.grantRole({ userId: secretary.value.id, organisationId: org.id, role: 'delegate' }),
    ).rejects.toThrow()

    const device = await store.registerDevice({
      id: '0195a3b2-7c00-7000-8000-000000000001',
      organisationId: org.id,
      userId: doctor.value.id,
      name: 'Tablette 1',
      tokenHash: 'token-hash-1',
      appVersion: '0.1.0',
    })
    expect(device).toEqual({
      ok: true,
      warnings: [],
      value: {
        id: '0195a3b2-7c00-7000-8000-000000000001',
        organisationId: org.id,
        userId: doctor.value.id,
        name: 'Tablette 1',
        registeredAt: NOW,
        lastSeenAt: null,
        revokedAt: null,
        revokedBy: null,
        appVersion: '0.1.0',
        pending: null,
        storageUsed: null,
        storageQuota: null,
        lastSeq: 0,
      },
    })
    expect(
      await store.registerDevice({
        organisationId: org.id,
        userId: null,
        name: 'Clone',
        tokenHash: 'token-hash-1',
      }),
    ).toEqual({ ok: false, error: 'device-exists' })
    expect(await store.listDevices()).toHaveLength(1)
    expect(await store.listDevices(org.id)).toHaveLength(1)
    expect(await store.listDevices('other-org')).toEqual([])
  })

  it('refuses a login already taken, whatever its case, with a typed error', async () => {
    const { store } = await openMigrated()
    const org = await seedOrganisation(store)
    const input = {
      organisationId: org.id,
      login: 'infirmier.test',
      displayName: 'Infirmier',
      profession: 'infirmier',
      passwordHash: null,
    } as const
    expect((await store.createUser(input)).ok).toBe(true)
    expect(await store.createUser({ ...input, login: 'Infirmier.Test' })).toEqual({
      ok: false,
      error: 'login-taken',
    })

    // The refusal must leave the transaction usable (PostgreSQL aborts a transaction on a failed statement).
    const inside = await store.withTransaction(async (tx) => {
      const again = await tx.createUser(input)
      const other = await tx.createUser({ ...input, login: 'infirmier.autre' })
      return [again.ok, other.ok]
    })
    expect(inside).toEqual([false, true])
    expect(await store.listUsers(org.id)).toHaveLength(2)
  })

  it('rolls a transaction back whole when it throws', async () => {
    const { store } = await openMigrated()
    await expect(
      store.withTransaction(async (tx) => {
        const org = await tx.createOrganisation(mobileTeam)
        if (!org.ok) throw new Error(org.error)
        await tx.createUser({
          organisationId: org.value.id,
          login: 'ghost',
          displayName: 'Ghost',
          profession: 'medecin',
          passwordHash: null,
        })
        throw new Error('boom')
      }),
    ).rejects.toThrow('boom')
    expect(await store.isEmpty()).toBe(true)
    expect(await store.findUserByLogin('ghost')).toBeNull()

    const committed = await store.withTransaction(async (tx) => (await tx.createOrganisation(mobileTeam)).ok)
    expect(committed).toBe(true)
    expect(await store.isEmpty()).toBe(false)
  })

  it('refuses direct store calls inside a transaction instead of escaping it', async () => {
    const { store } = await openMigrated()
    await expect(store.withTransaction(() => store.isEmpty())).rejects.toBeInstanceOf(NestedStoreCallError)
    expect(await store.isEmpty()).toBe(true)
  })

  it('keeps committed data across close and reopen', async () => {
    const { store, database } = await openMigrated()
    const org = await seedOrganisation(store)
    await store.close()
    const { store: reopened } = await openMigrated(database)
    expect(await reopened.getOrganisation(org.id)).toEqual(org)
  })

  it('backs up online (SQLite) or advises pg_dump (PostgreSQL)', async () => {
    const { store } = await openMigrated()
    const org = await seedOrganisation(store)
    const dir = mkdtempSync(join(tmpdir(), 'carnet-backup-'))
    try {
      const target = join(dir, 'copy.sqlite')
      const outcome = await store.backup(target)
      if (kind === 'sqlite') {
        expect(outcome).toMatchObject({ kind: 'file', path: target })
        const copy = openSqliteStore({ file: target, clock })
        opened.push(copy)
        expect(await copy.getOrganisation(org.id)).toEqual(org)
      } else {
        expect(outcome).toMatchObject({ kind: 'use-pg-dump', command: expect.stringContaining('pg_dump') })
        expect(existsSync(target)).toBe(false)
      }
    } finally {
      rmSync(dir, { recursive: true, force: true })
    }
  })
}

describe('SQLite store', () => {
  defineStoreSuite('sqlite', sqliteHarness)
})

describe.skipIf(DATABASE_URL === undefined || DATABASE_URL === '')('PostgreSQL store', () => {
  defineStoreSuite('postgres', () => postgresHarness(DATABASE_URL ?? ''))
})
