import { describe, expect, it, vi } from 'vitest'
import { startTriggers, type Timers } from './triggers'

function manualTimers() {
  const intervals: (() => void)[] = []
  const timers: Timers = {
    setTimeout: () => 0,
    clearTimeout: () => undefined,
    setInterval: (callback) => intervals.push(callback),
    clearInterval: () => undefined,
  }
  return { timers, tick: () => intervals.forEach((f) => f()) }
}

describe('sync triggers', () => {
  it('asks for a run when the network comes back, when the app is visible again, and every interval', () => {
    const onTrigger = vi.fn()
    const target = new EventTarget()
    const doc = Object.assign(new EventTarget(), { visibilityState: 'hidden' as DocumentVisibilityState })
    const { timers, tick } = manualTimers()
    const stop = startTriggers({ onTrigger, target, document: doc, timers })

    target.dispatchEvent(new Event('online'))
    doc.dispatchEvent(new Event('visibilitychange'))
    doc.visibilityState = 'visible'
    doc.dispatchEvent(new Event('visibilitychange'))
    tick()

    expect(onTrigger.mock.calls.map(([reason]) => reason)).toEqual(['online', 'visible', 'interval'])
    stop()
    target.dispatchEvent(new Event('online'))
    expect(onTrigger).toHaveBeenCalledTimes(3)
  })

  it("asks for a run on each of the server's 'pull' events, and reports a refused stream", async () => {
    const onTrigger = vi.fn()
    const onStreamRefused = vi.fn()
    const listen = vi.fn(async (onPull: () => void) => {
      onPull()
      onPull()
      return { kind: 'revoked' as const }
    })
    const stop = startTriggers({ onTrigger, onStreamRefused, listen, timers: manualTimers().timers })
    await vi.waitFor(() => expect(onStreamRefused).toHaveBeenCalledWith({ kind: 'revoked' }))
    expect(onTrigger.mock.calls.map(([reason]) => reason)).toEqual(['server-event', 'server-event'])
    expect(listen).toHaveBeenCalledTimes(1)
    stop()
  })
})
