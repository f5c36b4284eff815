// What `/api/health` and `/api/health/ready` say about the database, from a probe of the store (a read, a
// one-page write, the schema version) cached for a second, so a load balancer asking many times a second costs
// one probe a second, and from the faults requests met meanwhile, so a full disk shows at once.
import { LATEST_SCHEMA_VERSION } from '../store/migrations'
import { isStorageFault, storeFaultOf, type StorageFaultKind, type StoreFaultKind } from '../store/faults'
import type { Store, StoreProbe } from '../store'

export type HealthReason =
  'database-unreachable' | StorageFaultKind | 'schema-pending' | 'schema-newer' | 'shutting-down'

export type HealthChecks = {
  readonly database: 'ok' | 'unreachable'
  readonly writable: 'ok' | StorageFaultKind | 'unknown'
  readonly migrations: 'ok' | 'pending' | 'newer' | 'unknown'
}

export type HealthReport = {
  /** Null when all is well; otherwise the first thing wrong, in the order of `HealthChecks`. */
  readonly reason: HealthReason | null
  readonly checks: HealthChecks
}

export type HealthLogger = {
  error(details: object, message: string): void
  info(details: object, message: string): void
}

export type HealthMonitorOptions = {
  readonly store: Pick<Store, 'probe'>
  readonly logger: HealthLogger
  /** How long a probe's result is reused; 1 s. */
  readonly cacheMs?: number
  /** A probe not answered within this says the database is unreachable; 2 s. */
  readonly timeoutMs?: number
  /**
   * How long a storage fault a request met keeps the report degraded although the probe's one-page write went
   * through (a push needs more room than a page); until then only a write that goes through clears it. 60 s.
   */
  readonly faultMemoryMs?: number
  readonly now?: () => number
}

export type HealthMonitor = {
  check(): Promise<HealthReport>
  /** A request met this fault: the next check probes again instead of answering from the cache. */
  noteFault(kind: StoreFaultKind, error: unknown): void
  /** The server is shutting down: no longer ready. */
  drain(): void
}

const UNREACHABLE: HealthReport = {
  reason: 'database-unreachable',
  checks: { database: 'unreachable', writable: 'unknown', migrations: 'unknown' },
}

// One line an operator reads in the log when the state changes, and once when it comes back.
const MESSAGES: Readonly<Record<Exclude<HealthReason, 'shutting-down'>, string>> = {
  'database-unreachable': 'database unreachable: requests answer 503 until it is back',
  'storage-full': 'database storage full: writes answer 503 until space is freed',
  'storage-read-only': 'database storage read-only: writes answer 503 until it takes writes again',
  'storage-error': 'database storage failing (I/O errors): writes answer 503',
  'schema-pending': 'database schema older than this server: migrations not applied',
  'schema-newer': 'database schema newer than this server: a newer Carnet migrated it',
}

function writableOf(probe: StoreProbe, now: number, faultMemoryMs: number): HealthChecks['writable'] {
  if (probe.writeError !== null) {
    const kind = storeFaultOf(probe.writeError)
    // Busy is load, not a fault: the write waited its turn too long, the next one goes through.
    if (kind === 'busy') return 'ok'
    return isStorageFault(kind) ? kind : 'storage-error'
  }
  const noted = probe.storageFault
  if (noted !== null && now - noted.at < faultMemoryMs) return noted.kind
  return 'ok'
}

/** The report a probe's result makes. */
export function reportOf(probe: StoreProbe, now: number, faultMemoryMs: number): HealthReport {
  const writable = writableOf(probe, now, faultMemoryMs)
  const migrations =
    probe.schemaVersion === LATEST_SCHEMA_VERSION
      ? 'ok'
      : probe.schemaVersion < LATEST_SCHEMA_VERSION
        ? 'pending'
        : 'newer'
  const reason: HealthReason | null =
    writable !== 'ok' && writable !== 'unknown'
      ? writable
      : migrations === 'pending'
        ? 'schema-pending'
        : migrations === 'newer'
          ? 'schema-newer'
          : null
  return { reason, checks: { database: 'ok', writable, migrations } }
}

export function createHealthMonitor(options: HealthMonitorOptions): HealthMonitor {
  const cacheMs = options.cacheMs ?? 1_000
  const timeoutMs = options.timeoutMs ?? 2_000
  const faultMemoryMs = options.faultMemoryMs ?? 60_000
  const now = options.now ?? Date.now
  let cached: { at: number; report: HealthReport } | null = null
  let probing: Promise<HealthReport> | null = null
  // The store's own probe, until it settles: one that outlived its timeout (a silent network holds it for the
  // statement limit) is waited on again rather than doubled, so a health check polled every second cannot take
  // every connection of the pool.
  let storeProbe: Promise<StoreProbe> | null = null
  let draining = false
  // The state last written to the log, and when: a fault is logged when it starts, and again at most once per
  // faultMemoryMs while requests keep meeting it (nobody may be asking for the health report in between).
  let logged: HealthReason | null = null
  let loggedAt = 0

  const log = (reason: HealthReason | null, details: object = {}) => {
    if (reason === 'shutting-down') return
    if (reason === logged && (reason === null || now() - loggedAt < faultMemoryMs)) return
    if (reason === null) options.logger.info({ was: logged }, 'database healthy again')
    else options.logger.error({ reason, ...details }, MESSAGES[reason])
    logged = reason
    loggedAt = now()
  }

  const probe = (): Promise<HealthReport> => {
    probing ??= (async () => {
      let timer: NodeJS.Timeout | undefined
      const timedOut = new Promise<'timeout'>((resolve) => {
        timer = setTimeout(() => resolve('timeout'), timeoutMs)
        timer.unref()
      })
      let report: HealthReport
      try {
        storeProbe ??= options.store.probe().finally(() => {
          storeProbe = null
        })
        const result = await Promise.race([storeProbe, timedOut])
        report = result === 'timeout' ? UNREACHABLE : reportOf(result, now(), faultMemoryMs)
      } catch {
        report = UNREACHABLE
      } finally {
        clearTimeout(timer)
      }
      cached = { at: now(), report }
      log(report.reason)
      return report
    })().finally(() => {
      probing = null
    })
    return probing
  }

  const withDraining = (report: HealthReport): HealthReport =>
    draining && report.reason === null ? { ...report, reason: 'shutting-down' } : report

  return {
    async check() {
      const fresh = cached !== null && now() - cached.at < cacheMs ? cached.report : null
      return withDraining(fresh ?? (await probe()))
    },
    noteFault(kind, error) {
      if (kind === 'busy') return
      const reason: HealthReason = kind === 'unreachable' ? 'database-unreachable' : kind
      if (cached?.report.reason !== reason) cached = null
      const code = (error as { code?: unknown } | null)?.code
      log(reason, typeof code === 'string' ? { code } : {})
    },
    drain() {
      draining = true
    },
  }
}
