// Locks the app after a stretch without activity (docs/device-encryption.md, "Lock"): a tablet left on a table, a
// shared EHPAD desktop left by one nurse for the next. Activity is what a person does — pointer, keyboard, touch,
// wheel or scroll — seen in the capture phase so that no component can hide it. Each event only notes the time;
// one timer checks the idle time when it could have run out, so moving the mouse costs no timer churn. A tab in
// the background has its timers slowed by the browser: coming back to it checks at once.
import { getCurrentScope, onScopeDispose, toValue, watch, type MaybeRefOrGetter } from 'vue'

/** The events that count as activity. */
export const ACTIVITY_EVENTS = [
  'pointerdown',
  'pointermove',
  'keydown',
  'touchstart',
  'wheel',
  'scroll',
] as const

export type IdleLockOptions = {
  /** Whether the idle time runs (someone is signed in and the app is not locked already). */
  isActive: MaybeRefOrGetter<boolean>
  /** The idle time, in minutes. */
  minutes: MaybeRefOrGetter<number>
  /** Called once the idle time has passed without activity. */
  onIdle: () => void
  /** Where activity is listened to; `window` by default. */
  target?: Pick<Window, 'addEventListener' | 'removeEventListener'>
  document?: Pick<Document, 'addEventListener' | 'removeEventListener' | 'visibilityState'>
  now?: () => number
}

/** Starts watching activity; stops with the calling scope (or the function it answers). */
export function useIdleLock(options: IdleLockOptions): () => void {
  const target = options.target ?? (typeof window === 'undefined' ? undefined : window)
  const doc = options.document ?? (typeof document === 'undefined' ? undefined : document)
  const now = options.now ?? (() => Date.now())
  let lastActivity = now()
  let timer: ReturnType<typeof setTimeout> | null = null

  const idleMs = () => Math.max(1, toValue(options.minutes)) * 60_000

  const clear = () => {
    if (timer !== null) clearTimeout(timer)
    timer = null
  }
  const check = () => {
    timer = null
    if (!toValue(options.isActive)) return
    const left = lastActivity + idleMs() - now()
    if (left <= 0) {
      options.onIdle()
      return
    }
    timer = setTimeout(check, left)
  }
  const onActivity = () => {
    lastActivity = now()
    if (timer === null && toValue(options.isActive)) timer = setTimeout(check, idleMs())
  }
  const onVisibility = () => {
    if (doc?.visibilityState === 'visible') {
      clear()
      check()
    }
  }

  for (const name of ACTIVITY_EVENTS)
    target?.addEventListener(name, onActivity, { capture: true, passive: true })
  doc?.addEventListener('visibilitychange', onVisibility)

  const stopWatch = watch(
    () => [toValue(options.isActive), toValue(options.minutes)] as const,
    ([isActive]) => {
      clear()
      // A session that starts (or is unlocked) starts its idle time afresh.
      lastActivity = now()
      if (isActive) timer = setTimeout(check, idleMs())
    },
    { immediate: true },
  )

  const stop = () => {
    stopWatch()
    clear()
    for (const name of ACTIVITY_EVENTS) target?.removeEventListener(name, onActivity, { capture: true })
    doc?.removeEventListener('visibilitychange', onVisibility)
  }
  if (getCurrentScope() !== undefined) onScopeDispose(stop)
  return stop
}
