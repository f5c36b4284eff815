import { randomBytes } from 'node:crypto'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import Database from './sqlite-driver'
import pg from 'pg'
import { afterEach, describe, expect, it } from 'vitest'
import { buildDoseFields, buildDoseStep, buildEligibilityStep } from '../../../src/domain/testing/builders'
import type { StepRecord } from '../../../src/shared/records'
import { fixedClock } from '../clock'
import { activityOf } from '../rules/admin-activity'
import { ACTIVITY_MIGRATION } from './activity-schema'
import { LATEST_SCHEMA_VERSION, MIGRATIONS, SCHEMA_MIGRATIONS_TABLE } from './migrations'
import { openPostgresStore } from './postgres'
import { openSqliteStore } from './sqlite'
import type { Store } from './types'

const clock = fixedClock('2026-03-04T09:15:00.000Z')
const DATABASE_URL = process.env.DATABASE_URL ?? ''
const KINDS = DATABASE_URL === '' ? (['sqlite'] as const) : (['sqlite', 'postgres'] as const)
const PREVIOUS = MIGRATIONS.filter((m) => m.version < ACTIVITY_MIGRATION.version)

type Dose = Extract<StepRecord, { kind: 'dose' }>

const amended = (step: Dose, fields: Partial<Dose['versions'][number]['fields']>): Dose => {
  const [first] = step.versions
  if (first === undefined) throw new Error('a built step has a version')
  return {
    ...step,
    versions: [
      ...step.versions,
      { ...first, version: 2, at: '2026-03-03T11:00:00+01:00', fields: { ...first.fields, ...fields } },
    ],
  }
}

// Local day of action, UTC receipt day, current place and vaccine: a dose given late in the evening west of UTC,
// one received just after midnight local time (the day before in UTC), an amended one, one outside the range.
const STEPS: StepRecord[] = [
  buildEligibilityStep({
    id: 's-elig',
    at: '2026-03-02T09:00:00+01:00',
    recordedAt: '2026-03-02T08:10:00.000Z',
  }),
  buildDoseStep({ id: 's-1', at: '2026-03-02T10:00:00+01:00', recordedAt: '2026-03-02T09:05:00.000Z' }),
  buildDoseStep({
    id: 's-2',
    patientId: 'p-2',
    at: '2026-03-02T23:30:00-05:00',
    recordedAt: '2026-03-03T04:40:00.000Z',
    targetDisease: 'influenza',
    fields: { vaccineId: 'efluelda', place: { ...buildDoseFields().place, name: 'Salle des fêtes' } },
  }),
  amended(
    buildDoseStep({
      id: 's-3',
      patientId: 'p-3',
      at: '2026-03-03T00:15:00+01:00',
      recordedAt: '2026-03-03T00:20:00+01:00',
    }),
    {
      vaccineId: 'spikevax',
      place: { type: 'centre-de-vaccination', postalCode: '75011', name: 'Centre de vaccination' },
    },
  ),
  buildDoseStep({
    id: 's-4',
    patientId: 'p-4',
    at: '2026-02-20T10:00:00+01:00',
    recordedAt: '2026-03-03T07:00:00.000Z',
  }),
]

const EXPECTED = {
  from: '2026-03-01',
  to: '2026-03-03',
  dosesPerDay: [
    { key: '2026-03-01', count: 0 },
    { key: '2026-03-02', count: 2 },
    { key: '2026-03-03', count: 1 },
  ],
  dosesPerSite: [
    { key: 'Centre de vaccination', count: 1 },
    { key: 'EHPAD Les Tilleuls', count: 1 },
    { key: 'Salle des fêtes', count: 1 },
  ],
  dosesPerVaccine: [
    { key: 'comirnaty', count: 1 },
    { key: 'efluelda', count: 1 },
    { key: 'spikevax', count: 1 },
  ],
  recordedVersusReceived: [
    { day: '2026-03-01', recorded: 0, received: 0 },
    { day: '2026-03-02', recorded: 2, received: 2 },
    { day: '2026-03-03', recorded: 1, received: 2 },
  ],
}

const ORGANISATIONS = ['org-a', 'org-b']

/** The organisations and steps as rows of the schema before v5 (org-b holds a copy of every step). */
function previousRows() {
  const organisations = ORGANISATIONS.map((id) => [
    id,
    `Organisation ${id}`,
    'other',
    'FR',
    clock.now().toISOString(),
  ])
  const steps = ORGANISATIONS.flatMap((org) =>
    STEPS.map((s) => [org, s.id, s.patientId, s.kind, s.versions.length, JSON.stringify(s), s.recordedAt]),
  )
  return { organisations, steps }
}

const INSERT_ORGANISATION = 'INSERT INTO organisations (id, name, kind, country, created_at) VALUES '
const INSERT_STEP =
  'INSERT INTO steps (organisation_id, id, patient_id, kind, version, data, updated_at) VALUES '

type Harness = {
  /** A database migrated up to the version before v5, holding the organisations and their steps. */
  previous(): Promise<Store>
  /** A new database at the latest version. */
  latest(): Promise<Store>
  cleanup(): Promise<void>
}

function sqliteHarness(): Harness {
  const dir = mkdtempSync(join(tmpdir(), 'carnet-activity-'))
  let count = 0
  const file = () => join(dir, `db-${++count}.sqlite`)
  return {
    async previous() {
      const path = file()
      const db = new Database(path)
      db.exec(SCHEMA_MIGRATIONS_TABLE.sqlite)
      for (const m of PREVIOUS) {
        db.exec(m.sqlite)
        db.prepare('INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)').run(
          m.version,
          m.name,
          clock.now().toISOString(),
        )
      }
      const rows = previousRows()
      for (const o of rows.organisations) db.prepare(`${INSERT_ORGANISATION} (?, ?, ?, ?, ?)`).run(...o)
      for (const s of rows.steps) db.prepare(`${INSERT_STEP} (?, ?, ?, ?, ?, ?, ?)`).run(...s)
      db.close()
      return openSqliteStore({ file: path, clock })
    },
    async latest() {
      const store = openSqliteStore({ file: file(), clock })
      await store.migrate()
      return store
    },
    async cleanup() {
      rmSync(dir, { recursive: true, force: true })
    },
  }
}

function postgresHarness(url: string): Harness {
  const schemas: string[] = []
  const admin = new pg.Client({ connectionString: url })
  const connected = admin.connect()
  const freshSchema = async () => {
    await connected
    const schema = `carnet_activity_${randomBytes(6).toString('hex')}`
    await admin.query(`CREATE SCHEMA ${schema}`)
    schemas.push(schema)
    return schema
  }
  return {
    async previous() {
      const schema = await freshSchema()
      const client = new pg.Client({ connectionString: url, options: `-c search_path=${schema}` })
      await client.connect()
      try {
        await client.query(SCHEMA_MIGRATIONS_TABLE.postgres)
        for (const m of PREVIOUS) {
          await client.query(m.postgres)
          await client.query(
            'INSERT INTO schema_migrations (version, name, applied_at) VALUES ($1, $2, $3)',
            [m.version, m.name, clock.now().toISOString()],
          )
        }
        const rows = previousRows()
        for (const o of rows.organisations)
          await client.query(`${INSERT_ORGANISATION} ($1, $2, $3, $4, $5)`, o)
        for (const s of rows.steps) await client.query(`${INSERT_STEP} ($1, $2, $3, $4, $5, $6, $7)`, s)
      } finally {
        await client.end()
      }
      return openPostgresStore({ url, clock, schema })
    },
    async latest() {
      const store = openPostgresStore({ url, clock, schema: await freshSchema() })
      await store.migrate()
      return store
    },
    async cleanup() {
      await connected
      for (const schema of schemas) await admin.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`)
      await admin.end()
    },
  }
}

/** Writes the steps of one organisation the way a push does (sync-queries.ts `writePush`). */
async function pushSteps(store: Store, organisationId: string, steps: readonly StepRecord[]): Promise<void> {
  await store.withTransaction(async (tx) => {
    const last = await tx.lockPositions(organisationId)
    await tx.writePush({
      organisationId,
      deviceId: 'no-device',
      lastSeq: 0,
      lastPosition: last,
      receivedAt: clock.now().toISOString(),
      patients: [],
      steps: steps.map((s) => ({
        id: s.id,
        patientId: s.patientId,
        kind: s.kind,
        version: s.versions.length,
        data: s,
        updatedAt: s.recordedAt,
      })),
      adverseEvents: [],
      lots: [],
      aliases: [],
      changes: [],
      results: [],
      rejections: [],
      audit: [],
    })
  })
}

describe.each(KINDS)('dose activity (%s)', (kind) => {
  const opened: Store[] = []
  const harnesses: Harness[] = []
  const harness = () => {
    const h = kind === 'sqlite' ? sqliteHarness() : postgresHarness(DATABASE_URL)
    harnesses.push(h)
    return h
  }
  afterEach(async () => {
    for (const store of opened.splice(0)) await store.close()
    for (const h of harnesses.splice(0)) await h.cleanup()
  })

  it('is filled from the dose steps already stored, counting as the push does', async () => {
    const h = harness()
    const migrated = await h.previous()
    opened.push(migrated)
    // The activity migration, then whatever came after it.
    expect(await migrated.migrate()).toEqual({
      applied: MIGRATIONS.map((m) => m.version).filter((v) => v >= ACTIVITY_MIGRATION.version),
      version: LATEST_SCHEMA_VERSION,
    })
    const backfilled = activityOf(
      await migrated.doseActivity('org-a', '2026-03-01', '2026-03-03'),
      '2026-03-01',
      '2026-03-03',
    )
    expect(backfilled).toEqual(EXPECTED)

    const pushed = await h.latest()
    opened.push(pushed)
    const created = await pushed.createOrganisation({ name: 'Organisation A', kind: 'other', country: 'FR' })
    if (!created.ok) throw new Error(created.error)
    await pushSteps(pushed, created.value.id, STEPS)
    expect(
      activityOf(
        await pushed.doseActivity(created.value.id, '2026-03-01', '2026-03-03'),
        '2026-03-01',
        '2026-03-03',
      ),
    ).toEqual(backfilled)
  })

  it('rewrites place and vaccine when a dose is amended and keeps its first receipt day', async () => {
    const h = harness()
    const store = await h.latest()
    opened.push(store)
    const created = await store.createOrganisation({ name: 'Organisation A', kind: 'other', country: 'FR' })
    if (!created.ok) throw new Error(created.error)
    const org = created.value.id
    const recorded = buildDoseStep({
      id: 's-1',
      at: '2026-03-02T10:00:00+01:00',
      recordedAt: '2026-03-02T09:05:00.000Z',
    })
    await pushSteps(store, org, [recorded])
    await pushSteps(store, org, [
      amended(recorded, {
        vaccineId: 'spikevax',
        place: { type: 'centre-de-vaccination', postalCode: '75011', name: 'Gymnase' },
      }),
    ])
    expect(await store.doseActivity(org, '2026-03-01', '2026-03-03')).toEqual({
      recorded: [{ day: '2026-03-02', place: 'Gymnase', vaccineId: 'spikevax', count: 1 }],
      received: [{ day: '2026-03-02', count: 1 }],
    })
  })
})
