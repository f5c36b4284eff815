import { SyncConflictError } from '../store/sync-queries'

// Failures a retry can cure: the device backs off and re-sends, and since nothing was committed the retry
// is judged afresh. They answer 503 `unavailable`; anything else is a bug and answers 500.
const SQLITE_TRANSIENT = new Set([
  'SQLITE_BUSY',
  'SQLITE_BUSY_SNAPSHOT',
  'SQLITE_BUSY_RECOVERY',
  'SQLITE_LOCKED',
])
// serialization_failure, deadlock_detected, lock_not_available, admin/crash shutdown, cannot_connect_now,
// too_many_connections, configuration_limit_exceeded; class 08 = connection exceptions.
const PG_TRANSIENT = new Set(['40001', '40P01', '55P03', '57P01', '57P02', '57P03', '53300', '53400'])
const NETWORK = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'EHOSTUNREACH', 'ENOTFOUND'])
const MESSAGES = [
  'Connection terminated',
  'timeout exceeded when trying to connect',
  'Client has encountered a connection error',
  'Cannot use a pool after calling end on the pool',
  'The database connection is not open',
]

/** Tells whether an error is a transient store failure (busy, serialisation, connection, shutting down). */
export function isTransientStoreError(error: unknown): boolean {
  if (error instanceof SyncConflictError) return true
  if (typeof error !== 'object' || error === null) return false
  const code = (error as { code?: unknown }).code
  if (typeof code === 'string') {
    if (SQLITE_TRANSIENT.has(code) || PG_TRANSIENT.has(code) || NETWORK.has(code)) return true
    if (/^08[0-9A-Z]{3}$/.test(code)) return true
  }
  const message = (error as { message?: unknown }).message
  return typeof message === 'string' && MESSAGES.some((m) => message.includes(m))
}
