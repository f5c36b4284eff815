// Push throughput against the real app listening on loopback (in-process: `buildApp` + `listen` on port 0),
// beside the raw insert rate of the same database measured in the same run, so the gap is the cost of the
// sync rules (parse, verify signatures, dedupe, domain rules, change log) and not of the disk.
import { randomBytes } from 'node:crypto'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import Database from '../sync-server/src/store/sqlite-driver'
import pg from 'pg'
import { pino } from 'pino'
import { buildApp } from '../sync-server/src/app'
import { systemClock } from '../sync-server/src/clock'
import { seedDemo } from '../sync-server/src/demo'
import type { Store } from '../sync-server/src/store'
import { openPostgresStore } from '../sync-server/src/store/postgres'
import { openSqliteStore } from '../sync-server/src/store/sqlite'
import { MAX_PUSH_MUTATIONS, PushResponseSchema } from '../src/shared/sync-api'
import { generatePatients, generateSteps } from '../tests/fixtures/generator'
import { httpJson } from './lib/http'
import {
  deviceHeaders,
  patientMutations,
  signInDevice,
  stepsByPatient,
  type BenchDevice,
} from './lib/mutations'

const PASSWORD = 'bench-push-password'
const RAW_ROWS = 20_000
const RAW_BATCH = 500
const RAW_ROW_BYTES = 500

export type PushRun = {
  mutations: number
  requests: number
  seconds: number
  perSecond: number
  applied: number
  rejected: number
  errors: string[]
}

export type PushFigures = {
  store: 'sqlite' | 'postgres'
  detail: string
  runs: PushRun[]
  rawRowsPerSecond: number
  rawDetail: string
}

/** Where PostgreSQL is looked for: BENCH_DATABASE_URL, else DATABASE_URL, else the local test database. */
export function postgresUrl(): string {
  return (
    process.env.BENCH_DATABASE_URL || process.env.DATABASE_URL || 'postgres://postgres@127.0.0.1:5432/test'
  )
}

/** True when PostgreSQL answers within 3 s. */
export async function isPostgresReachable(url: string): Promise<boolean> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 3000 })
  try {
    await client.connect()
    await client.query('SELECT 1')
    return true
  } catch {
    return false
  } finally {
    await client.end().catch(() => undefined)
  }
}

function buildMutations(device: BenchDevice, seed: number, count: number): Record<string, unknown>[] {
  const patients = generatePatients(seed, Math.ceil(count / 3))
  const steps = stepsByPatient(generateSteps(seed, patients, 2))
  // Every action a little after the sign-in and before the pushes: the server checks `at` against both.
  const at = new Date().toISOString()
  return patients.flatMap((p) => patientMutations(device, p, steps.get(p.id) ?? [], at)).slice(0, count)
}

async function pushAll(
  baseUrl: string,
  device: BenchDevice,
  mutations: readonly Record<string, unknown>[],
): Promise<PushRun> {
  let applied = 0
  let rejected = 0
  let requests = 0
  const errors = new Map<string, number>()
  const started = performance.now()
  for (let i = 0; i < mutations.length; i += MAX_PUSH_MUTATIONS) {
    const batch = mutations.slice(i, i + MAX_PUSH_MUTATIONS)
    const answer = await httpJson(`${baseUrl}/api/sync/push`, {
      body: { deviceId: device.deviceId, mutations: batch },
      headers: deviceHeaders(device, mutations.length - i),
      timeoutMs: 120_000,
    })
    requests += 1
    if (answer.status !== 200) throw new Error(`push: ${answer.status} ${answer.text.slice(0, 300)}`)
    for (const result of PushResponseSchema.parse(JSON.parse(answer.text)).results) {
      if (result.status === 'applied') applied += 1
      else {
        rejected += 1
        errors.set(result.error, (errors.get(result.error) ?? 0) + 1)
      }
    }
  }
  const seconds = (performance.now() - started) / 1000
  return {
    mutations: mutations.length,
    requests,
    seconds,
    perSecond: mutations.length / seconds,
    applied,
    rejected,
    errors: [...errors].map(([code, n]) => `${code} ×${n}`),
  }
}

async function runAgainst(store: Store, sizes: readonly number[]): Promise<PushRun[]> {
  await store.migrate()
  await seedDemo(store, { password: PASSWORD })
  const app = await buildApp({
    store,
    clock: systemClock,
    logger: pino({ level: 'silent' }),
    staticDir: null,
    version: 'bench',
  })
  try {
    await app.listen({ port: 0, host: '127.0.0.1' })
    const address = app.server.address()
    if (address === null || typeof address === 'string') throw new Error('no port')
    const baseUrl = `http://127.0.0.1:${address.port}`
    const runs: PushRun[] = []
    for (const [index, size] of sizes.entries()) {
      // A fresh device per run, patients of their own seed: each run registers new patients.
      const device = await signInDevice(baseUrl, 'medecin.demo', PASSWORD)
      const mutations = buildMutations(device, 1000 + index, size)
      runs.push(await pushAll(baseUrl, device, mutations))
    }
    return runs
  } finally {
    await app.close()
    await store.close()
  }
}

function rawBody(i: number): string {
  return `${String(i).padStart(8, '0')}:${'x'.repeat(RAW_ROW_BYTES - 9)}`
}

function rawSqliteRate(dir: string): number {
  const db = new Database(join(dir, 'raw.sqlite'))
  try {
    // The store's own pragmas (sync-server/src/store/sqlite.ts).
    db.pragma('journal_mode = WAL')
    db.pragma('synchronous = FULL')
    db.pragma('foreign_keys = ON')
    db.exec('CREATE TABLE scratch (id INTEGER PRIMARY KEY, body TEXT NOT NULL)')
    const insert = db.prepare('INSERT INTO scratch (id, body) VALUES (?, ?)')
    const batch = db.transaction((from: number) => {
      for (let i = from; i < from + RAW_BATCH; i += 1) insert.run(i, rawBody(i))
    })
    const started = performance.now()
    for (let from = 0; from < RAW_ROWS; from += RAW_BATCH) batch(from)
    return RAW_ROWS / ((performance.now() - started) / 1000)
  } finally {
    db.close()
  }
}

async function rawPostgresRate(url: string, schema: string): Promise<number> {
  const client = new pg.Client({ connectionString: url, options: `-c search_path=${schema}` })
  await client.connect()
  try {
    await client.query('CREATE TABLE scratch (id integer PRIMARY KEY, body text NOT NULL)')
    const placeholders = Array.from({ length: RAW_BATCH }, (_, i) => `($${2 * i + 1}, $${2 * i + 2})`).join(
      ',',
    )
    const sql = `INSERT INTO scratch (id, body) VALUES ${placeholders}`
    const started = performance.now()
    for (let from = 0; from < RAW_ROWS; from += RAW_BATCH) {
      const values: (number | string)[] = []
      for (let i = from; i < from + RAW_BATCH; i += 1) values.push(i, rawBody(i))
      await client.query('BEGIN')
      await client.query(sql, values)
      await client.query('COMMIT')
    }
    return RAW_ROWS / ((performance.now() - started) / 1000)
  } finally {
    await client.end()
  }
}

/** Push throughput and raw insert rate on SQLite (a temp DATA_DIR). */
export async function pushSqlite(sizes: readonly number[]): Promise<PushFigures> {
  const dir = mkdtempSync(join(tmpdir(), 'carnet-bench-push-'))
  try {
    const runs = await runAgainst(
      openSqliteStore({ file: join(dir, 'carnet.sqlite'), clock: systemClock }),
      sizes,
    )
    return {
      store: 'sqlite',
      detail: `better-sqlite3 WAL synchronous=FULL, file in ${tmpdir()}`,
      runs,
      rawRowsPerSecond: rawSqliteRate(dir),
      rawDetail: `better-sqlite3, same pragmas, ${RAW_ROWS.toLocaleString('en-GB')} rows of ${RAW_ROW_BYTES} B in transactions of ${RAW_BATCH}`,
    }
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
}

/** Push throughput and raw insert rate on PostgreSQL, in a fresh schema dropped at the end. */
export async function pushPostgres(url: string, sizes: readonly number[]): Promise<PushFigures> {
  const admin = new pg.Client({ connectionString: url })
  await admin.connect()
  const schema = `carnet_bench_${randomBytes(6).toString('hex')}`
  await admin.query(`CREATE SCHEMA ${schema}`)
  try {
    const runs = await runAgainst(openPostgresStore({ url, clock: systemClock, schema }), sizes)
    const version = (await admin.query<{ server_version: string }>('SHOW server_version')).rows[0]
    return {
      store: 'postgres',
      detail: `PostgreSQL ${version?.server_version ?? '?'} on loopback, fresh schema`,
      runs,
      rawRowsPerSecond: await rawPostgresRate(url, schema),
      rawDetail: `pg, ${RAW_ROWS.toLocaleString('en-GB')} rows of ${RAW_ROW_BYTES} B, one ${RAW_BATCH}-row INSERT per transaction`,
    }
  } finally {
    await admin.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`)
    await admin.end()
  }
}
