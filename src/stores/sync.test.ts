import { describe, expect, it, vi } from 'vitest'
import { readStorageState } from './sync'

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
