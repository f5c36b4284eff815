import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { createCarnetDb, type CarnetDb } from '../db/carnet-db'
import type { PullResponse } from '../shared/sync-api'
import { createSyncEngine } from './engine'
import type { SyncTransport, TransportResult } from './transport'

let db: CarnetDb

beforeEach(async () => {
  db = createCarnetDb(`engine-${crypto.randomUUID()}`)
  await db.meta.put({ key: 'deviceId', value: 'dev-1' })
})
afterEach(async () => {
  await db.delete()
})

function gatedTransport() {
  let release: () => void = () => undefined
  const gate = () =>
    new Promise<void>((resolve) => {
      release = resolve
    })
  let current = gate()
  const pull = vi.fn(async (): Promise<TransportResult<PullResponse>> => {
    await current
    current = gate()
    return { kind: 'ok', value: { changes: [], cursor: 'c1', hasMore: false, lastSeq: 0 } }
  })
  const transport: SyncTransport = {
    push: vi.fn(),
    pull,
    resolve: vi.fn(),
    listen: vi.fn(async () => ({ kind: 'closed' as const })),
  }
  return { transport, pull, release: () => release() }
}

describe('sync engine', () => {
  it('coalesces the triggers that arrive during a run into one more run', async () => {
    const { transport, pull, release } = gatedTransport()
    const engine = createSyncEngine({
      db,
      transport,
      now: () => '2026-03-04T10:00:00+01:00',
      isOnline: () => true,
    })
    const first = engine.syncNow()
    await vi.waitFor(() => expect(pull).toHaveBeenCalledTimes(1))
    expect(engine.getState().status).toBe('syncing')
    engine.notifyChange()
    engine.notifyChange()
    const joined = engine.syncNow()
    release()
    await vi.waitFor(() => expect(pull).toHaveBeenCalledTimes(2))
    release()
    expect(await first).toMatchObject({ kind: 'ok' })
    expect(await joined).toMatchObject({ kind: 'ok' })
    expect(pull).toHaveBeenCalledTimes(2)
    expect(engine.getState()).toMatchObject({ status: 'idle', lastSyncAt: '2026-03-04T10:00:00+01:00' })
  })

  it('does not run while offline, except when asked by the person', async () => {
    const { transport, pull, release } = gatedTransport()
    const engine = createSyncEngine({
      db,
      transport,
      now: () => '2026-03-04T10:00:00+01:00',
      isOnline: () => false,
    })
    engine.notifyChange()
    expect(engine.getState().status).toBe('offline')
    expect(pull).not.toHaveBeenCalled()
    const manual = engine.syncNow()
    await vi.waitFor(() => expect(pull).toHaveBeenCalledTimes(1))
    release()
    expect(await manual).toMatchObject({ kind: 'ok' })
  })
})
