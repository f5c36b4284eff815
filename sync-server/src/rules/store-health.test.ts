import { describe, expect, it } from 'vitest'
import { LATEST_SCHEMA_VERSION } from '../store/migrations'
import type { StoreProbe } from '../store'
import { createHealthMonitor } from './store-health'

const healthy: StoreProbe = { schemaVersion: LATEST_SCHEMA_VERSION, writeError: null, storageFault: null }
const full = Object.assign(new Error('database or disk is full'), { code: 'SQLITE_FULL' })

function harness(probes: (() => Promise<StoreProbe>)[]) {
  let now = 1_000_000
  let calls = 0
  const lines: { level: string; details: object; message: string }[] = []
  const monitor = createHealthMonitor({
    store: {
      probe: () => {
        const next = probes[Math.min(calls, probes.length - 1)] as () => Promise<StoreProbe>
        calls += 1
        return next()
      },
    },
    logger: {
      error: (details, message) => lines.push({ level: 'error', details, message }),
      info: (details, message) => lines.push({ level: 'info', details, message }),
    },
    cacheMs: 1_000,
    timeoutMs: 50,
    faultMemoryMs: 60_000,
    now: () => now,
  })
  return {
    monitor,
    lines,
    calls: () => calls,
    advance: (ms: number) => (now += ms),
    now: () => now,
  }
}

describe('health monitor', () => {
  it('probes once per second however often it is asked, and once for simultaneous asks', async () => {
    const h = harness([async () => healthy])
    const reports = await Promise.all(Array.from({ length: 20 }, () => h.monitor.check()))
    expect(h.calls()).toBe(1)
    expect(reports.every((r) => r.reason === null)).toBe(true)
    h.advance(999)
    await h.monitor.check()
    expect(h.calls()).toBe(1)
    h.advance(1)
    await h.monitor.check()
    expect(h.calls()).toBe(2)
  })

  it('says the database is unreachable when the probe fails or does not answer in time', async () => {
    const h = harness([
      () => Promise.reject(new Error('Connection terminated unexpectedly')),
      () => new Promise<StoreProbe>(() => undefined),
    ])
    const expected = {
      reason: 'database-unreachable',
      checks: { database: 'unreachable', writable: 'unknown', migrations: 'unknown' },
    }
    expect(await h.monitor.check()).toEqual(expected)
    h.advance(1_000)
    expect(await h.monitor.check()).toEqual(expected)
    // Logged once when it starts, not at every check.
    expect(h.lines.map((l) => l.message)).toEqual([
      'database unreachable: requests answer 503 until it is back',
    ])
  })

  it('never runs two probes of the store at once: one that outlived its timeout is waited on again', async () => {
    let answer: (probe: StoreProbe) => void = () => undefined
    const h = harness([() => new Promise<StoreProbe>((resolve) => (answer = resolve)), async () => healthy])
    expect((await h.monitor.check()).reason).toBe('database-unreachable')
    h.advance(1_000)
    expect((await h.monitor.check()).reason).toBe('database-unreachable')
    expect(h.calls()).toBe(1)
    answer(healthy)
    h.advance(1_000)
    expect((await h.monitor.check()).reason).toBeNull()
    expect(h.calls()).toBe(1)
    h.advance(1_000)
    await h.monitor.check()
    expect(h.calls()).toBe(2)
  })

  it('names a failed write by its fault, and a schema that is not this server’s', async () => {
    const h = harness([
      async () => ({ ...healthy, writeError: full }),
      async () => ({ ...healthy, schemaVersion: LATEST_SCHEMA_VERSION - 1 }),
      async () => ({ ...healthy, schemaVersion: LATEST_SCHEMA_VERSION + 1 }),
    ])
    expect(await h.monitor.check()).toEqual({
      reason: 'storage-full',
      checks: { database: 'ok', writable: 'storage-full', migrations: 'ok' },
    })
    h.advance(1_000)
    expect(await h.monitor.check()).toMatchObject({
      reason: 'schema-pending',
      checks: { migrations: 'pending' },
    })
    h.advance(1_000)
    expect(await h.monitor.check()).toMatchObject({ reason: 'schema-newer', checks: { migrations: 'newer' } })
  })

  it('keeps a storage fault a push met for a minute although the probe’s one-page write went through', async () => {
    const metAt = 1_000_000
    const h = harness([
      async () => ({ ...healthy, storageFault: { kind: 'storage-full', code: 'SQLITE_FULL', at: metAt } }),
    ])
    expect((await h.monitor.check()).reason).toBe('storage-full')
    h.advance(59_000)
    expect((await h.monitor.check()).reason).toBe('storage-full')
    // A minute after the fault, and past the second a probe's result is kept.
    h.advance(1_000)
    expect((await h.monitor.check()).reason).toBeNull()
    expect(h.lines.map((l) => [l.level, l.message])).toEqual([
      ['error', 'database storage full: writes answer 503 until space is freed'],
      ['info', 'database healthy again'],
    ])
  })

  it('a fault a request met is logged at once and the next check probes again', async () => {
    const h = harness([async () => healthy, () => Promise.reject(new Error('down'))])
    await h.monitor.check()
    h.monitor.noteFault('unreachable', Object.assign(new Error('refused'), { code: 'ECONNREFUSED' }))
    expect(h.lines).toEqual([
      {
        level: 'error',
        details: { reason: 'database-unreachable', code: 'ECONNREFUSED' },
        message: 'database unreachable: requests answer 503 until it is back',
      },
    ])
    expect((await h.monitor.check()).reason).toBe('database-unreachable')
    expect(h.calls()).toBe(2)
    // Contention is no fault of the database.
    h.monitor.noteFault('busy', new Error('SQLITE_BUSY'))
    expect(h.lines).toHaveLength(1)
  })

  it('is no longer ready once the server is shutting down', async () => {
    const h = harness([async () => healthy])
    h.monitor.drain()
    expect((await h.monitor.check()).reason).toBe('shutting-down')
  })
})
