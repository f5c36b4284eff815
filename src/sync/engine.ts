// The sync engine of one signed-in session: runs the replayer when a trigger asks, one run at a time (a trigger
// arriving during a run asks for exactly one more run after it), retries transient failures with backoff and
// full jitter, and stops for good on a revoked device or an app too old for the server (the outbox stays on
// the device, exportable). Its state is what the UI shows.
import type { CarnetDb } from '../db/carnet-db'
import { pendingChangeCount } from './outbox'
import { Backoff, queueResolution, runSync, type SyncProgress, type SyncRunOutcome } from './replayer'
import { browserTimers, startTriggers, type Timers, type TriggerReason } from './triggers'
import type { SyncTransport } from './transport'
import type { RejectionResolution } from '../shared/records'
import type { DeviceRevocation } from '../shared/sync-api'

/** Where sync stands. */
export type SyncStatus = 'idle' | 'syncing' | 'offline' | 'error' | 'revoked' | 'upgrade-required'

/** The last failure, for the UI (an error code to translate, or a transport reason). */
export type SyncError = {
  kind: Exclude<SyncRunOutcome['kind'], 'ok' | 'busy'> | 'exception'
  code?: string
  status?: number
  at: string
}

/** What the UI reads. */
export type SyncState = {
  status: SyncStatus
  pending: number
  lastSyncAt: string | null
  /** While a run transfers: the push, then the pull with `total` estimated while the server says there is more. */
  progress: { phase: SyncProgress['phase']; received: number; total?: number } | null
  lastError: SyncError | null
  /** When the next automatic retry is due (after a transient failure). */
  nextRetryAt: string | null
  /** Once revoked: who revoked the device, when and how, when the server said. */
  revocation?: DeviceRevocation
}

/** What the engine is built from. */
export type SyncEngineDeps = {
  db: CarnetDb
  transport: SyncTransport
  /** The device clock, ISO 8601 with offset. */
  now: () => string
  /** The random source of the backoff jitter. */
  random?: () => number
  onState?: (state: SyncState) => void
  /** The device id; read from db.meta 'deviceId' when absent. */
  deviceId?: string
  timers?: Timers
  /** `window`, `document`, navigator.onLine: the browser's by default when they exist. */
  target?: Pick<EventTarget, 'addEventListener' | 'removeEventListener'> | null
  document?: Pick<Document, 'addEventListener' | 'removeEventListener' | 'visibilityState'> | null
  isOnline?: () => boolean
  /** Listen to the server's event stream (default true). */
  useServerEvents?: boolean
}

/** The engine. */
export type SyncEngine = {
  /** Starts the triggers and a first run. */
  start(): void
  /** Stops triggers and retries (a run in progress finishes). */
  stop(): void
  /** Resolves once no run is in progress (after `stop`, the app may lock: nothing is half written). */
  whenIdle(): Promise<void>
  /** Runs now (or joins the run in progress and runs once more after it). */
  syncNow(): Promise<SyncRunOutcome>
  /** Tells the engine a change was just recorded (pushes it right away when online). */
  notifyChange(): void
  /**
   * Queues the person's action on a rejection and sends it with the next run; `accessToken` (their session's,
   * when they signed in online) makes the server record them as the resolver.
   */
  resolveRejection(
    id: string,
    resolution: RejectionResolution,
    options: { by: string; note?: string; accessToken?: string | null },
  ): Promise<boolean>
  getState(): SyncState
}

/** Builds an engine; nothing happens before `start()` or `syncNow()`. */
export function createSyncEngine(deps: SyncEngineDeps): SyncEngine {
  const { db, transport } = deps
  const timers = deps.timers ?? browserTimers
  const backoff = new Backoff(deps.random ?? Math.random)
  const win = deps.target === undefined ? (typeof window === 'undefined' ? undefined : window) : deps.target
  const doc =
    deps.document === undefined ? (typeof document === 'undefined' ? undefined : document) : deps.document
  const isOnline =
    deps.isOnline ?? (() => (typeof navigator === 'undefined' ? true : navigator.onLine !== false))

  let state: SyncState = {
    status: 'idle',
    pending: 0,
    lastSyncAt: null,
    progress: null,
    lastError: null,
    nextRetryAt: null,
  }
  let running: Promise<SyncRunOutcome> | null = null
  let runAgain = false
  let retry: unknown = null
  // Set by a failed run, scheduled once the run has fully ended: a timer firing while the run is still
  // finishing would only join it and be lost.
  let retryAfter: number | null = null
  let stopTriggers: (() => void) | null = null
  // Automatic retries need a started engine; `syncNow` works on one that was never started (tests, one-off runs).
  let isStopped = true
  let wasStopped = false

  const update = (patch: Partial<SyncState>) => {
    state = { ...state, ...patch }
    deps.onState?.(state)
  }

  const isTerminal = () => state.status === 'revoked' || state.status === 'upgrade-required'

  async function refreshCounts(): Promise<void> {
    const [pending, last] = await Promise.all([pendingChangeCount(db), db.meta.get('lastSyncAt')])
    update({ pending, lastSyncAt: last?.key === 'lastSyncAt' ? last.value : state.lastSyncAt })
  }

  async function deviceId(): Promise<string> {
    if (deps.deviceId !== undefined) return deps.deviceId
    const row = await db.meta.get('deviceId')
    if (row?.key !== 'deviceId' || row.value === '') throw new Error('sync: no device id on this device')
    return row.value
  }

  function clearRetry() {
    if (retry !== null) timers.clearTimeout(retry)
    retry = null
  }

  function scheduleRetry(minimumMs = 0) {
    clearRetry()
    if (isStopped) {
      update({ nextRetryAt: null })
      return
    }
    const delay = Math.max(backoff.next(), minimumMs)
    update({ nextRetryAt: new Date(Date.now() + delay).toISOString() })
    retry = timers.setTimeout(() => {
      retry = null
      void request('interval').catch(() => undefined)
    }, delay)
  }

  function settle(outcome: SyncRunOutcome) {
    const at = deps.now()
    switch (outcome.kind) {
      case 'ok':
        backoff.reset()
        clearRetry()
        update({ status: 'idle', lastError: null, progress: null, nextRetryAt: null })
        return
      case 'busy':
        // Another tab holds the lock: its run covers this one.
        update({ status: 'idle', progress: null })
        return
      case 'revoked':
        stopAll()
        update({
          status: 'revoked',
          progress: null,
          lastError: { kind: 'revoked', code: 'device-revoked', at },
          ...(outcome.revocation === undefined ? {} : { revocation: outcome.revocation }),
        })
        return
      case 'upgrade-required':
        stopAll()
        update({
          status: 'upgrade-required',
          progress: null,
          lastError: { kind: 'upgrade-required', code: 'upgrade-required', at },
        })
        return
      case 'unauthenticated':
        // A token the server does not know: retrying cannot help; a new sign-in online gives a new engine.
        clearRetry()
        update({
          status: 'error',
          progress: null,
          nextRetryAt: null,
          lastError: { kind: 'unauthenticated', code: 'unauthenticated', at },
        })
        return
      case 'transient':
        update({
          status: outcome.reason === 'network' ? 'offline' : 'error',
          progress: null,
          lastError: {
            kind: 'transient',
            code: outcome.reason,
            ...(outcome.status === undefined ? {} : { status: outcome.status }),
            at,
          },
        })
        retryAfter = outcome.retryAfterMs ?? 0
        return
      case 'refused':
        update({
          status: 'error',
          progress: null,
          lastError: { kind: 'refused', code: outcome.error, status: outcome.status, at },
        })
        retryAfter = 0
        return
    }
  }

  async function runOnce(): Promise<SyncRunOutcome> {
    update({ status: 'syncing', progress: null })
    try {
      const outcome = await runSync({
        db,
        transport,
        deviceId: await deviceId(),
        now: deps.now,
        onProgress: (p) =>
          update({
            progress:
              p.phase === 'push'
                ? { phase: 'push', received: p.sent, total: p.total }
                : {
                    phase: 'pull',
                    received: p.received,
                    ...(p.total === undefined ? {} : { total: p.total }),
                  },
          }),
      })
      settle(outcome)
      return outcome
    } catch (error) {
      update({
        status: 'error',
        progress: null,
        lastError: {
          kind: 'exception',
          code: error instanceof Error ? error.message : String(error),
          at: deps.now(),
        },
      })
      retryAfter = 0
      throw error
    } finally {
      await refreshCounts().catch(() => undefined)
    }
  }

  function request(reason: TriggerReason): Promise<SyncRunOutcome> {
    if (isTerminal()) {
      return Promise.resolve(
        state.status === 'revoked'
          ? { kind: 'revoked', ...(state.revocation === undefined ? {} : { revocation: state.revocation }) }
          : { kind: 'upgrade-required' },
      )
    }
    if (reason === 'online') backoff.reset()
    if (running !== null) {
      runAgain = true
      return running
    }
    if (!isOnline() && reason !== 'manual') {
      update({ status: 'offline' })
      return Promise.resolve({ kind: 'transient', reason: 'network' })
    }
    clearRetry()
    retryAfter = null
    running = (async () => {
      let outcome: SyncRunOutcome
      do {
        runAgain = false
        outcome = await runOnce()
      } while (runAgain && outcome.kind === 'ok' && !wasStopped)
      return outcome
    })().finally(() => {
      running = null
      const delay = retryAfter
      retryAfter = null
      if (delay !== null) scheduleRetry(delay)
    })
    return running
  }

  function stopAll() {
    clearRetry()
    stopTriggers?.()
    stopTriggers = null
  }

  return {
    start() {
      if (!isStopped) return
      isStopped = false
      wasStopped = false
      stopTriggers = startTriggers({
        onTrigger: (reason) => void request(reason).catch(() => undefined),
        onStreamRefused: () => void request('server-event').catch(() => undefined),
        ...(deps.useServerEvents === false ? {} : { listen: transport.listen }),
        ...(win === undefined || win === null ? {} : { target: win }),
        ...(doc === undefined || doc === null ? {} : { document: doc }),
        isOnline,
        timers,
        ...(deps.random === undefined ? {} : { random: deps.random }),
      })
      void refreshCounts().catch(() => undefined)
      // The event stream's first message asks for a pull; without a stream, start with a run.
      if (deps.useServerEvents === false) void request('start').catch(() => undefined)
    },
    stop() {
      isStopped = true
      wasStopped = true
      stopAll()
      update({ nextRetryAt: null })
    },
    async whenIdle() {
      await running?.catch(() => undefined)
    },
    syncNow() {
      return request('manual')
    },
    notifyChange() {
      void refreshCounts().catch(() => undefined)
      void request('change').catch(() => undefined)
    },
    async resolveRejection(id, resolution, options) {
      const queued = await queueResolution(db, id, {
        kind: resolution,
        by: options.by,
        at: deps.now(),
        ...(options.note === undefined || options.note.trim() === '' ? {} : { note: options.note.trim() }),
        ...(options.accessToken === undefined || options.accessToken === null
          ? {}
          : { accessToken: options.accessToken }),
      })
      if (queued) void request('change').catch(() => undefined)
      return queued
    },
    getState() {
      return state
    },
  }
}
