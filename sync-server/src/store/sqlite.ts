import { AsyncLocalStorage, AsyncResource } from 'node:async_hooks'
import { statSync } from 'node:fs'
import type { Clock } from '../clock'
import { pendingMigrations, SCHEMA_MIGRATIONS_TABLE } from './migrations'
import Database, { type SqliteStatement } from './sqlite-driver'
import { createAdminQueries } from './admin-queries'
import { createAuthQueries } from './auth-queries'
import { createDeviceProtectionQueries } from './device-protection-queries'
import { createQueries, type Executor, type SqlValue } from './queries'
import { createStorageWatch } from './storage-watch'
import { createSyncQueries } from './sync-queries'
import { NestedStoreCallError, type Store, type StoreProbe } from './types'

export type SqliteStoreOptions = { readonly file: string; readonly clock: Clock }

const bind = (params: readonly SqlValue[]) => params.map((p) => (typeof p === 'boolean' ? (p ? 1 : 0) : p))

// How long the queue runs jobs back to back before it lets the event loop breathe.
const SLICE_MS = 4
// Transactions committed together (one disk flush for all) are taken while the group has run for less than this.
const GROUP_MS = 12

type Settle = { readonly resolve: (value: unknown) => void; readonly reject: (error: unknown) => void }
type Job =
  | (Settle & { readonly kind: 'one'; readonly run: () => Promise<unknown> })
  | (Settle & { readonly kind: 'transaction'; readonly run: () => Promise<unknown> })
export type TransactionJob = Extract<Job, { kind: 'transaction' }>

/**
 * Serialises store work on the one connection, first come first served: a job is a statement, a few
 * statements that must not interleave with others (`one`), or a transaction's body (`transaction`).
 *
 * - Jobs run back to back for at most SLICE_MS, then the queue yields to the event loop (setImmediate) before
 *   going on. Chaining jobs on promises instead drains the whole queue in microtasks within one event-loop turn;
 *   under load that turn grows long, sockets wait to be read and, since libuv accepts one connection per loop
 *   iteration, new connections waited seconds to be accepted (the devices bench's timeouts).
 * - The transactions waiting in the queue when one comes up run together, in their order, each in a savepoint
 *   of one database transaction committed once (`commitGroup`): group commit, one disk flush for all of them
 *   instead of one each. Each is still settled on its own, and only after that commit returned.
 */
export function createJobQueue(
  commitGroup: (first: TransactionJob, next: () => TransactionJob | undefined) => Promise<void>,
) {
  let jobs: (Job | undefined)[] = []
  let head = 0
  let active = false

  const next = (): Job | undefined => {
    while (head < jobs.length) {
      const job = jobs[head]
      jobs[head] = undefined
      head += 1
      if (job !== undefined) return job
    }
    jobs = []
    head = 0
    return undefined
  }
  // The next transaction waiting in the queue, taken out of it.
  const nextTransaction = (): TransactionJob | undefined => {
    for (let i = head; i < jobs.length; i += 1) {
      const job = jobs[i]
      if (job?.kind === 'transaction') {
        jobs[i] = undefined
        return job
      }
    }
    return undefined
  }

  const drain = async () => {
    const started = performance.now()
    for (;;) {
      const job = next()
      if (job === undefined) break
      if (job.kind === 'transaction') {
        const until = performance.now() + GROUP_MS
        await commitGroup(job, () => (performance.now() < until ? nextTransaction() : undefined)).catch(
          () => undefined,
        )
      } else {
        try {
          job.resolve(await job.run())
        } catch (error) {
          job.reject(error)
        }
      }
      if (performance.now() - started >= SLICE_MS) break
    }
    if (head < jobs.length) setImmediate(() => void drain())
    else active = false
  }

  const enqueue = <T>(kind: Job['kind'], fn: () => Promise<T>): Promise<T> =>
    new Promise<T>((resolve, reject) => {
      // The job runs in its caller's async context, as it would have on a promise chain.
      const run = AsyncResource.bind(() => fn())
      jobs.push({ kind, run, resolve: resolve as (value: unknown) => void, reject })
      if (!active) {
        active = true
        setImmediate(() => void drain())
      }
    })

  return {
    one: <T>(fn: () => Promise<T>) => enqueue('one', fn),
    transaction: <T>(fn: () => Promise<T>) => enqueue('transaction', fn),
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

  const inTransaction = new AsyncLocalStorage<true>()
  const queue = createJobQueue(async (first, next) => commitGroup(first, next))
  const exclusive = queue.one
  // A full or read-only disk is noted where a write meets it (SQLITE_FULL, SQLITE_READONLY…) and forgotten when
  // a write goes through again: nothing here refuses work, each write simply tries.
  const storage = createStorageWatch()
  const totalChanges = () => Number(db.prepare('SELECT total_changes()').pluck().get())

  // Preparing is a large part of a small statement's cost: keep the recent ones (bounded, texts vary little).
  const statements = new Map<string, SqliteStatement>()
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
    dialect: 'sqlite',
    all: async (sql, params = []) => prepare(sql).all(...bind(params)),
    run: async (sql, params = []) => prepare(sql).run(...bind(params)).changes,
  }
  // Reads outside transactions go to a second, read-only connection: WAL lets it read the last committed state
  // while the writer works, so a short read (a token, a key, a user) runs at once instead of waiting its turn
  // behind pushes; bulk reads (pull pages) still wait their turn, to keep event-loop turns short. Each statement
  // reads one committed snapshot. An in-memory database has no second connection: everything queues.
  const reader =
    file === ':memory:' || file === '' ? null : new Database(file, { readonly: true, timeout: 5000 })
  const readerStatements = new Map<string, SqliteStatement>()
  const readOnly = new Map<string, boolean>()
  const readerAll = (sql: string, params: readonly SqlValue[]) => {
    if (reader === null) throw new Error('no read connection')
    let statement = readerStatements.get(sql)
    if (statement === undefined) {
      statement = reader.prepare(sql)
      if (readerStatements.size >= 500) readerStatements.delete(readerStatements.keys().next().value ?? '')
      readerStatements.set(sql, statement)
    }
    return statement.all(...bind(params))
  }
  const isRead = (sql: string) => {
    let known = readOnly.get(sql)
    if (known === undefined) {
      known = prepare(sql).readonly
      if (readOnly.size >= 2000) readOnly.clear()
      readOnly.set(sql, known)
    }
    return known
  }
  const guarded: Executor = {
    dialect: 'sqlite',
    all: (sql, params = [], options) => {
      if (inTransaction.getStore()) return Promise.reject(new NestedStoreCallError())
      if (reader !== null && reader.open) {
        try {
          if (isRead(sql)) {
            if (options?.bulk === true) return exclusive(async () => readerAll(sql, params))
            return Promise.resolve(readerAll(sql, params))
          }
        } catch (error) {
          return Promise.reject(error)
        }
      }
      return exclusive(() => direct.all(sql, params))
    },
    run: (sql, params) => {
      if (inTransaction.getStore()) return Promise.reject(new NestedStoreCallError())
      return exclusive(async () => {
        try {
          const changed = await direct.run(sql, params)
          if (changed > 0) storage.wrote()
          return changed
        } catch (error) {
          storage.failed(error)
          throw error
        }
      })
    },
  }
  const txQueries = {
    ...createQueries(direct, clock),
    ...createAuthQueries(direct, clock),
    ...createSyncQueries(direct, clock),
    ...createAdminQueries(direct, clock),
    ...createDeviceProtectionQueries(direct, clock),
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
        if (reader?.open === true) reader.close()
        if (db.open) db.close()
      })
      // A live AsyncLocalStorage costs every later async operation of the process (Node 20 propagates each
      // one to every enabled instance), so a closed store, e.g. after a restart in-process, must release it.
      inTransaction.disable()
    },

    async ping() {
      await guarded.all('SELECT 1')
    },

    probe() {
      // In the queue, so the write is not part of a group's transaction. The write rewrites the header's
      // user_version (which Carnet does not otherwise use) with its own value: one page appended to the WAL and
      // flushed, as any commit, so it meets a full or read-only disk as a push would.
      return exclusive(async (): Promise<StoreProbe> => {
        const version = db.prepare('SELECT max(version) FROM schema_migrations').pluck().get()
        let writeError: unknown = null
        try {
          db.transaction(() => {
            const userVersion = Number(db.pragma('user_version', { simple: true }))
            db.pragma(`user_version = ${userVersion}`)
          }).immediate()
        } catch (error) {
          writeError = error
        }
        return { schemaVersion: Number(version ?? 0), writeError, storageFault: storage.current() }
      })
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
      return queue.transaction(() => inTransaction.run(true, () => fn(txQueries)))
    },
  }

  /**
   * Runs waiting transactions in one database transaction, each in a savepoint: one that throws is rolled back
   * to its savepoint and rejected, the others go on. The commit is the only disk flush; each transaction is
   * resolved after it (acknowledged = durable), or rejected with its error when it fails (nothing of theirs
   * was committed).
   */
  async function commitGroup(first: TransactionJob, next: () => TransactionJob | undefined): Promise<void> {
    const group: TransactionJob[] = [first]
    const take = () => {
      const job = next()
      if (job !== undefined) group.push(job)
      return job
    }
    const settled = new Set<TransactionJob>()
    const reject = (job: TransactionJob, error: unknown) => {
      settled.add(job)
      job.reject(error)
    }
    // Work done but not committed yet.
    let done: { job: TransactionJob; value: unknown }[] = []
    // Only while a storage fault is noted: whether this group wrote anything, so that a commit clears it.
    const changesBefore = storage.current() === null ? null : totalChanges()
    try {
      db.exec('BEGIN IMMEDIATE')
      for (let job: TransactionJob | undefined = first; job !== undefined; job = take()) {
        db.exec('SAVEPOINT carnet_tx')
        try {
          done.push({ job, value: await job.run() })
          db.exec('RELEASE carnet_tx')
        } catch (error) {
          if (done[done.length - 1]?.job === job) done.pop()
          storage.failed(error)
          reject(job, error)
          if (db.inTransaction) {
            db.exec('ROLLBACK TO carnet_tx')
            db.exec('RELEASE carnet_tx')
          } else {
            // SQLite rolled the whole transaction back (I/O error, disk full…): the group's earlier work went
            // with it, uncommitted, so it fails too, and the rest starts afresh.
            for (const d of done) reject(d.job, error)
            done = []
            db.exec('BEGIN IMMEDIATE')
          }
        }
      }
      db.exec('COMMIT')
      if (changesBefore !== null && totalChanges() > changesBefore) storage.wrote()
    } catch (error) {
      storage.failed(error)
      try {
        if (db.inTransaction) db.exec('ROLLBACK')
      } catch {
        // The connection is unusable (closed, I/O error): nothing of this group was committed either way.
      }
      for (const job of group) if (!settled.has(job)) reject(job, error)
      return
    }
    for (const { job, value } of done) job.resolve(value)
  }

  return store
}
