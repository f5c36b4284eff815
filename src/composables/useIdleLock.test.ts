import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { ref } from 'vue'
import { useIdleLock } from './useIdleLock'

const MINUTE = 60_000

describe('useIdleLock', () => {
  beforeEach(() => {
    vi.useFakeTimers({ now: Date.parse('2026-03-04T10:00:00Z') })
  })
  afterEach(() => {
    vi.useRealTimers()
  })

  function setUp(minutes = 10) {
    const target = new EventTarget()
    const doc = Object.assign(new EventTarget(), { visibilityState: 'visible' as DocumentVisibilityState })
    const isActive = ref(true)
    const idleMinutes = ref(minutes)
    const onIdle = vi.fn()
    const stop = useIdleLock({ isActive, minutes: idleMinutes, onIdle, target, document: doc })
    return { target, doc, isActive, idleMinutes, onIdle, stop }
  }

  it('calls once after the idle time without activity, not before', () => {
    const { onIdle, stop } = setUp(10)
    vi.advanceTimersByTime(10 * MINUTE - 1)
    expect(onIdle).not.toHaveBeenCalled()
    vi.advanceTimersByTime(1)
    expect(onIdle).toHaveBeenCalledTimes(1)
    vi.advanceTimersByTime(60 * MINUTE)
    expect(onIdle).toHaveBeenCalledTimes(1)
    stop()
  })

  it.each(['pointermove', 'pointerdown', 'keydown', 'touchstart', 'wheel', 'scroll'])(
    'counts %s as activity: the idle time starts again from it',
    (name) => {
      const { target, onIdle, stop } = setUp(10)
      vi.advanceTimersByTime(9 * MINUTE)
      target.dispatchEvent(new Event(name))
      vi.advanceTimersByTime(9 * MINUTE)
      expect(onIdle).not.toHaveBeenCalled()
      vi.advanceTimersByTime(MINUTE)
      expect(onIdle).toHaveBeenCalledTimes(1)
      stop()
    },
  )

  it('runs only while active, and follows the organisation’s idle time', async () => {
    const { isActive, idleMinutes, onIdle, stop } = setUp(10)
    isActive.value = false
    await Promise.resolve()
    vi.advanceTimersByTime(30 * MINUTE)
    expect(onIdle).not.toHaveBeenCalled()
    idleMinutes.value = 2
    isActive.value = true
    await Promise.resolve()
    vi.advanceTimersByTime(2 * MINUTE)
    expect(onIdle).toHaveBeenCalledTimes(1)
    stop()
  })

  it('checks at once when the tab comes back after its timers were held back', () => {
    const { doc, onIdle, stop } = setUp(10)
    // A tab in the background: its clock moves on, its timers do not fire.
    vi.setSystemTime(Date.now() + 11 * MINUTE)
    doc.dispatchEvent(new Event('visibilitychange'))
    expect(onIdle).toHaveBeenCalledTimes(1)
    stop()
  })

  it('stops listening once stopped', () => {
    const { target, onIdle, stop } = setUp(1)
    stop()
    target.dispatchEvent(new Event('keydown'))
    vi.advanceTimersByTime(5 * MINUTE)
    expect(onIdle).not.toHaveBeenCalled()
  })
})
