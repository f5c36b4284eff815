import { AsyncLocalStorage } from 'node:async_hooks'
import { statSync } from 'node:fs'
import Database from 'better-sqlite3'
import type { Clock } from '../clock'
import { pendingMigrations, SCHEMA_MIGRATIONS_TABLE } from './migrations'
import { createAuthQueries } from './auth-queries'
import { createQueries, type Executor, type SqlValue } from './queries'
import { createSyncQueries } from './sync-queries'
import { NestedStoreCallError, type Store } from './types'

export type SqliteStoreOptions = { readonly file: string; readonly clock: Clock }

const bind = (params: readonly SqlValue[]) => params.map((p) => (typeof p === 'boolean' ? (p ? 1 : 0) : p))

/** Serialises async work: one transaction at a time holds the single connection. */
function createMutex() {
  let tail: Promise<unknown> = Promise.resolve()
  return <T>(fn: () => Promise<T>): Promise<T> => {
    const result = tail.then(fn)
    tail = result.catch(() => undefined)
    return result
  }
}

/**
 * Opens (creating if needed) the SQLite database. Durability: WAL with synchronous=FULL, so a commit
 * that returned survives a power cut. better-sqlite3 is synchronous and has one connection: while an
 * async `withTransaction` is open, every other call waits, or it would run inside that transaction.
 */
export function openSqliteStore({ file, clock }: SqliteStoreOptions): Store {
  const db = new Database(file, { timeout: 5000 })
  db.pragma('journal_mode = WAL')
  db.pragma('synchronous = FULL')
  db.pragma('foreign_keys = ON')
  db.pragma('busy_timeout = 5000')

  const exclusive = createMutex()
  const inTransaction = new AsyncLocalStorage<true>()

  // Preparing is a large part of a small statement's cost: keep the recent ones (bounded, texts vary little).
  const statements = new Map<string, Database.Statement>()
  const prepare = (sql: string) => {
    let statement = statements.get(sql)
    if (statement === undefined) {
      statement = db.prepare(sql)
      if (statements.size >= 500) statements.delete(statements.keys().next().value ?? '')
      statements.set(sql, statement)
    }
    return statement
  }
  const direct: Executor = {
    all: async (sql, params = []) => prepare(sql).all(...bind(params)),
    run: async (sql, params = []) => prepare(sql).run(...bind(params)).changes,
  }
  const guarded: Executor = {
    all: (sql, params) => {
      if (inTransaction.getStore()) return Promise.reject(new NestedStoreCallError())
      return exclusive(() => direct.all(sql, params))
    },
    run: (sql, params) => {
      if (inTransaction.getStore()) return Promise.reject(new NestedStoreCallError())
      return exclusive(() => direct.run(sql, params))
    },
  }
  const txQueries = {
    ...createQueries(direct, clock),
    ...createAuthQueries(direct, clock),
    ...createSyncQueries(direct, clock),
  }

  const store: Store = {
    ...createQueries(guarded, clock),
    ...createAuthQueries(guarded, clock),
    ...createSyncQueries(guarded, clock),
    // The revocation and its change row (which takes the position lock) commit together.
    revokeDevice: (deviceId, revokedBy) =>
      store.withTransaction((tx) => tx.revokeDevice(deviceId, revokedBy)),
    kind: 'sqlite',

    async migrate() {
      return exclusive(async () => {
        db.exec(SCHEMA_MIGRATIONS_TABLE.sqlite)
        const appliedNow: number[] = []
        const versions = () =>
          db
            .prepare('SELECT version FROM schema_migrations')
            .pluck()
            .all()
            .map((v) => Number(v))
        for (const migration of pendingMigrations(versions())) {
          // IMMEDIATE takes the write lock first, so a second process waits and then sees the row.
          db.transaction(() => {
            if (versions().includes(migration.version)) return
            db.exec(migration.sqlite)
            db.prepare('INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)').run(
              migration.version,
              migration.name,
              clock.now().toISOString(),
            )
            appliedNow.push(migration.version)
          }).immediate()
        }
        return { applied: appliedNow, version: Math.max(0, ...versions()) }
      })
    },

    async close() {
      await exclusive(async () => {
        if (db.open) db.close()
      })
    },

    async ping() {
      await guarded.all('SELECT 1')
    },

    backup(destPath) {
      // Under the lock: the backup reads through this connection, which would see an open
      // transaction's uncommitted pages.
      return exclusive(async () => {
        await db.backup(destPath)
        return { kind: 'file', path: destPath, bytes: statSync(destPath).size }
      })
    },

    withTransaction(fn) {
      if (inTransaction.getStore()) return Promise.reject(new NestedStoreCallError())
      return exclusive(() =>
        inTransaction.run(true, async () => {
          db.exec('BEGIN IMMEDIATE')
          try {
            const result = await fn(txQueries)
            db.exec('COMMIT')
            return result
          } catch (error) {
            if (db.inTransaction) db.exec('ROLLBACK')
            throw error
          }
        }),
      )
    },
  }
  return store
}
