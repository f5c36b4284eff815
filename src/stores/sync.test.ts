import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { createPinia, setActivePinia } from 'pinia'
import { resetDb, signInOnline } from '../components/session/testing'
import { db } from '../db/carnet-db'
import { readStorageState, useSyncStore } from './sync'

function storageManager(overrides: Partial<StorageManager>): StorageManager {
  return {
    estimate: vi.fn(async () => ({ usage: 5_000_000, quota: 200_000_000 })),
    persisted: vi.fn(async () => true),
    persist: vi.fn(async () => true),
    getDirectory: vi.fn(),
    ...overrides,
  } satisfies StorageManager
}

describe('readStorageState', () => {
  it('reports the storage used, the quota and whether the browser keeps the data for good', async () => {
    const storage = storageManager({})
    expect(await readStorageState(storage)).toEqual({
      storage: { used: 5_000_000, quota: 200_000_000 },
      persisted: true,
    })
    // Reading the state never asks the browser for persistence: the storage status asks once per page.
    expect(storage.persist).not.toHaveBeenCalled()
  })

  it('reports storage the browser may evict', async () => {
    const state = await readStorageState(storageManager({ persisted: vi.fn(async () => false) }))
    expect(state.persisted).toBe(false)
  })

  it('leaves out what the browser cannot tell', async () => {
    const state = await readStorageState(
      storageManager({
        estimate: vi.fn(async () => Promise.reject(new Error('SecurityError'))),
        persisted: vi.fn(async () => Promise.reject(new Error('SecurityError'))),
      }),
    )
    expect(state).toEqual({})
  })
})

describe('sync and the lock', () => {
  beforeEach(async () => {
    await resetDb()
    setActivePinia(createPinia())
  })
  afterEach(() => {
    vi.unstubAllGlobals()
  })

  it('lets a run in progress finish before the keys leave memory, and starts again after the unlock', async () => {
    const session = await signInOnline()
    let releasePull: () => void = () => undefined
    const pullHeld = new Promise<void>((resolve) => (releasePull = resolve))
    const calls: string[] = []
    vi.stubGlobal(
      'fetch',
      vi.fn(async (url: string) => {
        const path = new URL(url, 'http://localhost').pathname
        calls.push(path)
        if (path === '/api/sync/events') {
          const body = new ReadableStream<Uint8Array>({
            start: (controller) => controller.enqueue(new TextEncoder().encode('event: pull\ndata: {}\n\n')),
          })
          return new Response(body, { status: 200 })
        }
        if (path === '/api/sync/pull') {
          await pullHeld
          return Response.json({ changes: [], cursor: 'c-1', hasMore: false, lastSeq: 0 })
        }
        return Response.json({ error: 'not-found' }, { status: 404 })
      }),
    )
    const sync = useSyncStore()
    await vi.waitFor(() => expect(calls).toContain('/api/sync/pull'))
    expect(sync.isSyncing).toBe(true)

    const locking = session.lock()
    await new Promise((resolve) => setTimeout(resolve, 20))
    // Hidden, but the run still writes its page under the keys.
    expect(session.isLocked).toBe(true)
    expect(db.vault.isUnlocked).toBe(true)
    releasePull()
    await locking
    expect(db.vault.isUnlocked).toBe(false)
    expect((await db.meta.get('pullCursor'))?.value).toBe('c-1')

    const streams = calls.filter((p) => p === '/api/sync/events').length
    await session.unlock('mot-de-passe-1')
    await vi.waitFor(() => expect(calls.filter((p) => p === '/api/sync/events').length).toBe(streams + 1))
  })
})
