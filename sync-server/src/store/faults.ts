// The infrastructure faults a store can meet, told apart by the drivers' own error codes: what a retry can cure
// (the request answers 503 with Retry-After and nothing was committed, or the retry is settled by the stored
// results), and what the operator must hear about (a full or read-only disk says so in the health report).

/**
 * - `busy`: contention or load (SQLite's lock, a serialisation failure, a deadlock, a statement timeout,
 *   too many connections): a retry soon goes through.
 * - `unreachable`: the database cannot be reached or is shutting down (refused, cut, timed out).
 * - `storage-full`: no space left for the database to write.
 * - `storage-read-only`: the database or its disk refuses writes (a read-only mount, a standby).
 * - `storage-error`: the disk failed an I/O.
 */
export type StoreFaultKind = 'busy' | 'unreachable' | StorageFaultKind

/** The faults of the disk under the database, which the health report names. */
export type StorageFaultKind = 'storage-full' | 'storage-read-only' | 'storage-error'

export const isStorageFault = (kind: StoreFaultKind | null): kind is StorageFaultKind =>
  kind === 'storage-full' || kind === 'storage-read-only' || kind === 'storage-error'

const SQLITE_BUSY = /^SQLITE_(BUSY|LOCKED)(_|$)/
const SQLITE_FULL = /^SQLITE_FULL$/
const SQLITE_READ_ONLY = /^SQLITE_READONLY(_|$)/
// CANTOPEN: the file or its folder vanished or lost its permissions under the running server.
const SQLITE_IO = /^SQLITE_(IOERR|CANTOPEN)(_|$)/

// SQLSTATE: serialization_failure, deadlock_detected, lock_not_available, query_canceled (statement_timeout),
// out_of_memory, too_many_connections, configuration_limit_exceeded.
const PG_BUSY = new Set(['40001', '40P01', '55P03', '57014', '53200', '53300', '53400'])
// admin_shutdown, crash_shutdown, cannot_connect_now; class 08 = connection exceptions.
const PG_UNREACHABLE = new Set(['57P01', '57P02', '57P03'])
const PG_FULL = new Set(['53100'])
// read_only_sql_transaction: a standby after a failover, or default_transaction_read_only.
const PG_READ_ONLY = new Set(['25006'])
const PG_IO = new Set(['58030'])

const NETWORK = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ECONNABORTED',
  'ETIMEDOUT',
  'EPIPE',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ENOTFOUND',
  'EAI_AGAIN',
])
const OS_FULL = new Set(['ENOSPC', 'EDQUOT'])
const OS_READ_ONLY = new Set(['EROFS'])
const OS_IO = new Set(['EIO'])

// node-postgres and pg-pool say a connection was lost or never made in words, not codes.
const UNREACHABLE_MESSAGES = [
  'Connection terminated',
  'timeout exceeded when trying to connect',
  'Client has encountered a connection error',
  'Client was closed and is not queryable',
  'Query read timeout',
  'Cannot use a pool after calling end on the pool',
  // better-sqlite3, after the store closed (shutting down).
  'The database connection is not open',
]

/** The fault an error stands for, or null when it is no infrastructure fault (a bug, a constraint, bad input). */
export function storeFaultOf(error: unknown): StoreFaultKind | null {
  if (typeof error !== 'object' || error === null) return null
  const code = (error as { code?: unknown }).code
  if (typeof code === 'string') {
    if (SQLITE_BUSY.test(code) || PG_BUSY.has(code)) return 'busy'
    if (SQLITE_FULL.test(code) || PG_FULL.has(code) || OS_FULL.has(code)) return 'storage-full'
    if (SQLITE_READ_ONLY.test(code) || PG_READ_ONLY.has(code) || OS_READ_ONLY.has(code))
      return 'storage-read-only'
    if (SQLITE_IO.test(code) || PG_IO.has(code) || OS_IO.has(code)) return 'storage-error'
    if (PG_UNREACHABLE.has(code) || NETWORK.has(code) || /^08[0-9A-Z]{3}$/.test(code)) return 'unreachable'
  }
  const message = (error as { message?: unknown }).message
  if (typeof message === 'string' && UNREACHABLE_MESSAGES.some((m) => message.includes(m)))
    return 'unreachable'
  // AggregateError (a host name resolving to several addresses, all refused): judged by its parts.
  const errors = (error as { errors?: unknown }).errors
  if (Array.isArray(errors) && errors.length > 0) {
    const kinds = errors.map(storeFaultOf)
    if (kinds.every((k) => k === 'unreachable')) return 'unreachable'
  }
  return null
}

// Seconds a client should wait before retrying, by fault: contention clears at once, a database comes back
// within seconds, a full disk needs someone to free space.
const RETRY_AFTER_SECONDS: Readonly<Record<StoreFaultKind, number>> = {
  busy: 1,
  unreachable: 3,
  'storage-full': 30,
  'storage-read-only': 30,
  'storage-error': 30,
}

/**
 * The Retry-After of a 503 for this fault, in whole seconds: the base, plus up to as much again at random, so
 * the devices that met one outage do not all come back in the same second.
 */
export function retryAfterSeconds(kind: StoreFaultKind, random: () => number = Math.random): number {
  const base = RETRY_AFTER_SECONDS[kind]
  return base + Math.floor(random() * (base + 1))
}
