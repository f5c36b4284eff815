import { AsyncLocalStorage } from 'node:async_hooks'
import pg from 'pg'
import type { Clock } from '../clock'
import { storeFaultOf } from './faults'
import { pendingMigrations, SCHEMA_MIGRATIONS_TABLE } from './migrations'
import { createAdminQueries } from './admin-queries'
import { createAuthQueries } from './auth-queries'
import { createDeviceProtectionQueries } from './device-protection-queries'
import { createQueries, type Executor, type SqlValue } from './queries'
import { createSyncQueries } from './sync-queries'
import { createStorageWatch } from './storage-watch'
import { NestedStoreCallError, type Store, type StoreProbe } from './types'

export type PostgresStoreOptions = {
  readonly url: string
  readonly clock: Clock
  /** Every connection's search_path; the schema must exist. Tests use a fresh one per run. */
  readonly schema?: string
  /** Errors of idle pooled connections (server restart, network cut); the next query reconnects. */
  readonly onIdleError?: (error: Error) => void
  /** How long one statement may run (`statement_timeout`, and a client-side timer for a silent network); 15 s. */
  readonly statementTimeoutMs?: number
  /** How long opening a connection may take; 5 s. */
  readonly connectTimeoutMs?: number
}

export const DEFAULT_STATEMENT_TIMEOUT_MS = 15_000
export const DEFAULT_CONNECT_TIMEOUT_MS = 5_000
// The client-side timer fires this much after statement_timeout, so a database that can still answer says so
// itself (57014) and the timer only catches a network that went silent.
const CLIENT_TIMEOUT_MARGIN_MS = 1_000

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

/**
 * Opens a pool on DATABASE_URL; nothing connects until the first query (`migrate` at start).
 *
 * A lost connection never takes the process down: pg emits `'error'` on a client whose connection ends, and a
 * client taken out of the pool has no listener of the pool's, so each one taken here gets its own for as long as
 * it is out (`checkout`). The query under way fails instead, the request answers 503, and the broken client is
 * dropped from the pool; the next request opens a fresh connection. Every statement has a time limit on both
 * sides (`statement_timeout` on the server, `query_timeout` in the client for a network that went silent), and
 * a transaction left idle by a vanished client is ended by the server (`idle_in_transaction_session_timeout`),
 * so a partition fails requests within seconds instead of holding them and the organisation's position lock.
 */
export function openPostgresStore({
  url,
  clock,
  schema,
  onIdleError,
  statementTimeoutMs = DEFAULT_STATEMENT_TIMEOUT_MS,
  connectTimeoutMs = DEFAULT_CONNECT_TIMEOUT_MS,
}: PostgresStoreOptions): Store {
  if (schema !== undefined && !SCHEMA_NAME.test(schema)) throw new Error(`invalid schema name: ${schema}`)
  const searchPath = schema === undefined ? {} : { options: `-c search_path=${schema}` }
  const pool = new pg.Pool({
    connectionString: url,
    connectionTimeoutMillis: connectTimeoutMs,
    max: 10,
    statement_timeout: statementTimeoutMs,
    query_timeout: statementTimeoutMs + CLIENT_TIMEOUT_MARGIN_MS,
    idle_in_transaction_session_timeout: statementTimeoutMs,
    // TCP keepalive: a connection idle in the pool across a partition is found dead and replaced.
    keepAlive: true,
    keepAliveInitialDelayMillis: 10_000,
    ...searchPath,
  })
  pool.on('error', (error) => onIdleError?.(error))
  const storage = createStorageWatch()

  /** A client out of the pool, with an `'error'` listener until it goes back; `lost` once its connection broke. */
  const checkout = async () => {
    const client = await pool.connect()
    const state: { lost: Error | null } = { lost: null }
    const onError = (error: Error) => {
      state.lost ??= error
    }
    client.on('error', onError)
    return {
      client,
      state,
      release(broken: boolean) {
        client.off('error', onError)
        // A broken client is destroyed, not handed to the next request.
        client.release(broken || state.lost !== null ? (state.lost ?? true) : undefined)
      },
    }
  }

  const inTransaction = new AsyncLocalStorage<true>()
  const pooled = watched(executorOf(pool), storage)
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
      // A connection of its own, without the statement limits: a migration may rewrite a large table, and the
      // advisory lock waits for another instance's migration to finish.
      const client = new pg.Client({
        connectionString: url,
        connectionTimeoutMillis: connectTimeoutMs,
        ...searchPath,
      })
      let lost: Error | null = null
      client.on('error', (error) => {
        lost ??= error
      })
      await client.connect()
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
              await client.query('ROLLBACK').catch(() => undefined)
              throw error
            }
            applied.push(migration.version)
          }
          return { applied, version: Math.max(0, ...(await versions())) }
        } finally {
          // The lock is the session's: it goes with the connection when this fails.
          if (lost === null) await client.query(`SELECT pg_advisory_unlock(${LOCK})`).catch(() => undefined)
        }
      } finally {
        await client.end().catch(() => undefined)
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

    async probe(): Promise<StoreProbe> {
      // One round trip; rejects when the database cannot be reached. A standby (after a failover) or a database
      // set read-only takes no write: PostgreSQL's own refusal code is what a write would meet.
      const { rows } = await pool.query<{ version: number | null; recovery: boolean; read_only: string }>(
        `SELECT (SELECT max(version) FROM schema_migrations) AS version, pg_is_in_recovery() AS recovery,
           current_setting('transaction_read_only') AS read_only`,
      )
      const row = rows[0]
      const readOnly = row === undefined || row.recovery || row.read_only === 'on'
      return {
        schemaVersion: Number(row?.version ?? 0),
        writeError: readOnly
          ? Object.assign(new Error('the database accepts no writes'), { code: '25006' })
          : null,
        storageFault: storage.current(),
      }
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
      let taken: Awaited<ReturnType<typeof checkout>>
      try {
        taken = await checkout()
      } catch (error) {
        storage.failed(error)
        throw error
      }
      const { client, state } = taken
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
          // Lost here, the answer to COMMIT never comes: whether it committed is unknown to this request,
          // which answers 503; the device's retry is settled by the stored results.
          await client.query('COMMIT')
          storage.wrote()
          return result
        } catch (error) {
          storage.failed(error)
          // A connection that broke or timed out cannot roll back; dropping it ends the transaction.
          if (state.lost !== null || storeFaultOf(error) === 'unreachable') broken = true
          else
            await client.query('ROLLBACK').catch(() => {
              broken = true
            })
          throw error
        }
      } finally {
        taken.release(broken)
      }
    },
  }
  return store
}

/** Notes the storage faults the pool's statements meet, and the writes that succeed after one. */
function watched(executor: Executor, storage: ReturnType<typeof createStorageWatch>): Executor {
  return {
    dialect: executor.dialect,
    all: (sql, params, options) =>
      executor.all(sql, params, options).catch((error: unknown) => {
        storage.failed(error)
        throw error
      }),
    run: async (sql, params) => {
      try {
        const changed = await executor.run(sql, params)
        if (changed > 0) storage.wrote()
        return changed
      } catch (error) {
        storage.failed(error)
        throw error
      }
    },
  }
}
