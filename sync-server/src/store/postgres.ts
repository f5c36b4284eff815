import { AsyncLocalStorage } from 'node:async_hooks'
import pg from 'pg'
import type { Clock } from '../clock'
import { pendingMigrations, SCHEMA_MIGRATIONS_TABLE } from './migrations'
import { createAdminQueries } from './admin-queries'
import { createAuthQueries } from './auth-queries'
import { createDeviceProtectionQueries } from './device-protection-queries'
import { createQueries, type Executor, type SqlValue } from './queries'
import { createSyncQueries } from './sync-queries'
import { NestedStoreCallError, type Store } from './types'

export type PostgresStoreOptions = {
  readonly url: string
  readonly clock: Clock
  /** Every connection's search_path; the schema must exist. Tests use a fresh one per run. */
  readonly schema?: string
  /** Errors of idle pooled connections (server restart, network cut); the next query reconnects. */
  readonly onIdleError?: (error: Error) => void
}

const SCHEMA_NAME = /^[a-z_][a-z0-9_]{0,62}$/

// Session-level advisory lock keyed by schema: two instances starting together migrate one after
// the other, and test runs in separate schemas do not wait for each other.
const LOCK = "hashtext('carnet.schema_migrations'), hashtext(coalesce(current_schema(), ''))"

function numbered(sql: string): string {
  let n = 0
  return sql.replace(/\?/g, () => `$${++n}`)
}

function executorOf(client: pg.Pool | pg.PoolClient): Executor {
  const cache = new Map<string, string>()
  const text = (sql: string) => {
    let converted = cache.get(sql)
    if (converted === undefined) {
      converted = numbered(sql)
      cache.set(sql, converted)
    }
    return converted
  }
  return {
    dialect: 'postgres',
    all: async (sql, params: readonly SqlValue[] = []) => (await client.query(text(sql), [...params])).rows,
    run: async (sql, params: readonly SqlValue[] = []) =>
      (await client.query(text(sql), [...params])).rowCount ?? 0,
  }
}

/** Opens a pool on DATABASE_URL; nothing connects until the first query (`migrate` at start). */
export function openPostgresStore({ url, clock, schema, onIdleError }: PostgresStoreOptions): Store {
  if (schema !== undefined && !SCHEMA_NAME.test(schema)) throw new Error(`invalid schema name: ${schema}`)
  const pool = new pg.Pool({
    connectionString: url,
    connectionTimeoutMillis: 10_000,
    max: 10,
    ...(schema === undefined ? {} : { options: `-c search_path=${schema}` }),
  })
  pool.on('error', (error) => onIdleError?.(error))

  const inTransaction = new AsyncLocalStorage<true>()
  const pooled = executorOf(pool)
  const guarded: Executor = {
    dialect: 'postgres',
    all: (sql, params) =>
      inTransaction.getStore() ? Promise.reject(new NestedStoreCallError()) : pooled.all(sql, params),
    run: (sql, params) =>
      inTransaction.getStore() ? Promise.reject(new NestedStoreCallError()) : pooled.run(sql, params),
  }

  const store: Store = {
    ...createQueries(guarded, clock),
    ...createAuthQueries(guarded, clock),
    ...createSyncQueries(guarded, clock),
    ...createAdminQueries(guarded, clock),
    ...createDeviceProtectionQueries(guarded, clock),
    // The revocation and its change row (which takes the position lock) commit together.
    revokeDevice: (deviceId, revokedBy, options) =>
      store.withTransaction((tx) => tx.revokeDevice(deviceId, revokedBy, options)),
    kind: 'postgres',

    async migrate() {
      const client = await pool.connect()
      try {
        await client.query(`SELECT pg_advisory_lock(${LOCK})`)
        try {
          await client.query(SCHEMA_MIGRATIONS_TABLE.postgres)
          const versions = async () =>
            (await client.query<{ version: number }>('SELECT version FROM schema_migrations')).rows.map((r) =>
              Number(r.version),
            )
          const applied: number[] = []
          for (const migration of pendingMigrations(await versions())) {
            await client.query('BEGIN')
            try {
              await client.query(migration.postgres)
              await client.query(
                'INSERT INTO schema_migrations (version, name, applied_at) VALUES ($1, $2, $3)',
                [migration.version, migration.name, clock.now().toISOString()],
              )
              await client.query('COMMIT')
            } catch (error) {
              await client.query('ROLLBACK')
              throw error
            }
            applied.push(migration.version)
          }
          return { applied, version: Math.max(0, ...(await versions())) }
        } finally {
          await client.query(`SELECT pg_advisory_unlock(${LOCK})`)
        }
      } finally {
        client.release()
      }
    },

    async close() {
      await pool.end()
      // Released like the SQLite store's: a live AsyncLocalStorage costs every later async operation.
      inTransaction.disable()
    },

    async ping() {
      await guarded.all('SELECT 1')
    },

    async backup(destPath) {
      const target = new URL(url)
      target.password = ''
      const schemaFlag = schema === undefined ? '' : ` --schema='${schema}'`
      return {
        kind: 'use-pg-dump',
        command: `pg_dump --format=custom${schemaFlag} --file='${destPath}' '${target.toString()}'`,
      }
    },

    async withTransaction(fn) {
      if (inTransaction.getStore()) throw new NestedStoreCallError()
      const client = await pool.connect()
      let broken = false
      try {
        await client.query('BEGIN')
        try {
          const executor = executorOf(client)
          const queries = {
            ...createQueries(executor, clock),
            ...createAuthQueries(executor, clock),
            ...createSyncQueries(executor, clock),
            ...createAdminQueries(executor, clock),
            ...createDeviceProtectionQueries(executor, clock),
          }
          const result = await inTransaction.run(true, () => fn(queries))
          await client.query('COMMIT')
          return result
        } catch (error) {
          await client.query('ROLLBACK').catch(() => {
            broken = true
          })
          throw error
        }
      } finally {
        client.release(broken)
      }
    },
  }
  return store
}
