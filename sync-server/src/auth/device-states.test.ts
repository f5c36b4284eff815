import { describe, expect, it } from 'vitest'
import type { Clock } from '../clock'
import type { DeviceState, Store, StoreQueries } from '../store'
import { createDeviceStateRecorder } from './request-auth'

/** A store that only records what `recordDeviceState` was asked to write, and in how many transactions. */
function recordingStore() {
  const writes: { deviceId: string; state: DeviceState; inTransaction: boolean }[] = []
  let transactions = 0
  const write = (inTransaction: boolean) => async (deviceId: string, state: DeviceState) => {
    writes.push({ deviceId, state, inTransaction })
    return true
  }
  const store = {
    recordDeviceState: write(false),
    withTransaction: async <T>(fn: (tx: StoreQueries) => Promise<T>) => {
      transactions += 1
      return fn({ recordDeviceState: write(true) } as unknown as StoreQueries)
    },
  } as unknown as Store
  return { store, writes, transactions: () => transactions }
}

function movableClock(start: string): Clock & { advance(ms: number): void } {
  let now = Date.parse(start)
  return { now: () => new Date(now), advance: (ms) => (now += ms) }
}

describe('createDeviceStateRecorder', () => {
  it('writes a device at once when first seen, then only changes, together, and last-seen once a minute', async () => {
    const clock = movableClock('2026-03-04T10:00:00.000Z')
    const { store, writes, transactions } = recordingStore()
    const states = createDeviceStateRecorder({ store, clock }, { flushMs: 60_000 })
    const at = () => clock.now().toISOString()

    await states.record('a', { seenAt: at(), pending: 3, appVersion: '1.0.0' })
    expect(writes).toEqual([
      { deviceId: 'a', state: { seenAt: at(), pending: 3, appVersion: '1.0.0' }, inTransaction: false },
    ])

    clock.advance(1_000)
    await states.record('a', { seenAt: at(), pending: 3 })
    await states.flush()
    expect(writes).toHaveLength(1)

    clock.advance(1_000)
    await states.record('a', { seenAt: at(), pending: 1 })
    await states.record('b', { seenAt: at(), pending: 0 })
    expect(writes).toHaveLength(2)
    clock.advance(1_000)
    await states.record('a', { seenAt: at(), pending: 0, storageUsed: 5, storageQuota: 10 })
    await states.flush()
    expect(writes.slice(2)).toEqual([
      {
        deviceId: 'a',
        state: { seenAt: at(), pending: 0, storageUsed: 5, storageQuota: 10 },
        inTransaction: true,
      },
    ])
    expect(transactions()).toBe(1)

    clock.advance(60_000)
    await states.record('a', { seenAt: at(), pending: 0 })
    expect(writes[writes.length - 1]).toEqual({
      deviceId: 'a',
      state: { seenAt: at(), pending: 0 },
      inTransaction: false,
    })
  })
})
