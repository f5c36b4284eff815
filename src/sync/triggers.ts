// When to sync, besides a recorded change (the engine's notifyChange): the network comes back, the app comes
// back to the foreground (a tablet woken up at the next site), the server says "pull now" (its event stream),
// and every 5 minutes as a safety net. Triggers only ask; the engine coalesces them into one run at a time.
import { backoffDelay } from './replayer'
import type { EventStreamEnd } from './transport'

/** Why a run was asked for. */
export type TriggerReason = 'start' | 'online' | 'visible' | 'server-event' | 'interval' | 'change' | 'manual'

/** Timers, injectable for tests. */
export type Timers = {
  setTimeout(callback: () => void, ms: number): unknown
  clearTimeout(handle: unknown): void
  setInterval(callback: () => void, ms: number): unknown
  clearInterval(handle: unknown): void
}

/** The browser's timers. */
export const browserTimers: Timers = {
  setTimeout: (callback, ms) => globalThis.setTimeout(callback, ms),
  clearTimeout: (handle) => globalThis.clearTimeout(handle as ReturnType<typeof globalThis.setTimeout>),
  setInterval: (callback, ms) => globalThis.setInterval(callback, ms),
  clearInterval: (handle) => globalThis.clearInterval(handle as ReturnType<typeof globalThis.setInterval>),
}

/** Every 5 minutes. */
export const SYNC_INTERVAL_MS = 5 * 60_000
// The server asks for `retry: 5000` on its stream; failures back off from there.
const STREAM_RETRY_MS = 5000

/** What the triggers listen to. */
export type TriggerDeps = {
  onTrigger: (reason: TriggerReason) => void
  /** Called when the server refuses the event stream for good (revoked, unauthenticated, too old). */
  onStreamRefused?: (end: EventStreamEnd) => void
  /** The server's "pull now" stream (transport.listen); none = no stream. */
  listen?: (onPull: () => void, signal: AbortSignal) => Promise<EventStreamEnd>
  /** `window` (online/offline events); none outside a browser. */
  target?: Pick<EventTarget, 'addEventListener' | 'removeEventListener'>
  /** `document` (visibilitychange). */
  document?: Pick<Document, 'addEventListener' | 'removeEventListener' | 'visibilityState'>
  isOnline?: () => boolean
  timers?: Timers
  random?: () => number
  intervalMs?: number
}

/** Starts listening; answers the function that stops everything (listeners, interval, stream). */
export function startTriggers(deps: TriggerDeps): () => void {
  const timers = deps.timers ?? browserTimers
  const random = deps.random ?? Math.random
  const isOnline = deps.isOnline ?? (() => true)
  const stream = new AbortController()
  let isStopped = false
  let reconnect: unknown = null
  let failures = 0

  const onOnline = () => {
    deps.onTrigger('online')
    if (reconnect !== null) {
      timers.clearTimeout(reconnect)
      reconnect = null
      failures = 0
      void listen()
    }
  }
  const onVisibility = () => {
    if (deps.document?.visibilityState === 'visible') deps.onTrigger('visible')
  }
  deps.target?.addEventListener('online', onOnline)
  deps.document?.addEventListener('visibilitychange', onVisibility)
  const interval = timers.setInterval(() => deps.onTrigger('interval'), deps.intervalMs ?? SYNC_INTERVAL_MS)

  const scheduleReconnect = (delay: number) => {
    reconnect = timers.setTimeout(() => {
      reconnect = null
      void listen()
    }, delay)
  }

  async function listen(): Promise<void> {
    if (isStopped || deps.listen === undefined) return
    if (!isOnline()) {
      // Reconnected by the 'online' event rather than by polling a dead network.
      scheduleReconnect(STREAM_RETRY_MS * 12)
      return
    }
    const opened = Date.now()
    const end = await deps.listen(() => {
      failures = 0
      deps.onTrigger('server-event')
    }, stream.signal)
    if (isStopped) return
    if (end.kind === 'revoked' || end.kind === 'unauthenticated' || end.kind === 'upgrade-required') {
      deps.onStreamRefused?.(end)
      return
    }
    // A stream that lived a while ended normally (a proxy's idle timeout, a server restart): reconnect soon.
    if (end.kind === 'closed' && Date.now() - opened > 60_000) failures = 0
    else failures += 1
    scheduleReconnect(STREAM_RETRY_MS + backoffDelay(failures, random))
  }

  void listen()

  return () => {
    isStopped = true
    stream.abort()
    if (reconnect !== null) timers.clearTimeout(reconnect)
    timers.clearInterval(interval)
    deps.target?.removeEventListener('online', onOnline)
    deps.document?.removeEventListener('visibilitychange', onVisibility)
  }
}
