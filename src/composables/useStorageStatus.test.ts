import { afterEach, describe, expect, it, vi } from 'vitest'
import { effectScope, nextTick } from 'vue'
import { useStorageStatus } from './useStorageStatus'

const original = Object.getOwnPropertyDescriptor(navigator, 'storage')

function stubStorage(storage: Partial<StorageManager> | undefined): void {
  Object.defineProperty(navigator, 'storage', { value: storage, configurable: true })
}

async function settle(): Promise<void> {
  for (let i = 0; i < 5; i += 1) await nextTick()
  await new Promise((resolve) => setTimeout(resolve, 0))
}

afterEach(() => {
  if (original === undefined) Reflect.deleteProperty(navigator, 'storage')
  else Object.defineProperty(navigator, 'storage', original)
})

describe('useStorageStatus', () => {
  it('asks for persistence once and reports usage, quota and the half-quota warning', async () => {
    let persisted = false
    const storage = {
      persisted: vi.fn(async () => persisted),
      persist: vi.fn(async () => {
        persisted = true
        return true
      }),
      estimate: vi.fn(async () => ({ usage: 600, quota: 1000 })),
    }
    stubStorage(storage)
    const scope = effectScope()
    const [a, b] = scope.run(() => [useStorageStatus(), useStorageStatus()]) ?? []
    await settle()
    expect(storage.persist).toHaveBeenCalledTimes(1)
    expect(a?.isSupported.value).toBe(true)
    expect(a?.isPersistent.value).toBe(true)
    expect(a?.usage.value).toBe(600)
    expect(a?.quota.value).toBe(1000)
    expect(a?.isOverHalf.value).toBe(true)
    expect(b?.isPersistent.value).toBe(true)

    storage.estimate.mockResolvedValue({ usage: 100, quota: 1000 })
    await a?.refresh()
    expect(a?.isOverHalf.value).toBe(false)
    expect(storage.persist).toHaveBeenCalledTimes(1)
    scope.stop()
  })

  it('reports a refused persistence (the browser may evict the data)', async () => {
    stubStorage({
      persisted: async () => false,
      persist: async () => false,
      estimate: async () => ({ usage: 10, quota: 1000 }),
    })
    const scope = effectScope()
    const status = scope.run(() => useStorageStatus())
    await settle()
    expect(status?.isPersistent.value).toBe(false)
    expect(status?.isOverHalf.value).toBe(false)
    scope.stop()
  })

  it('tolerates a browser without StorageManager, or with a partial one', async () => {
    stubStorage(undefined)
    const scope = effectScope()
    const none = scope.run(() => useStorageStatus())
    await settle()
    expect(none?.isSupported.value).toBe(false)
    expect(none?.usage.value).toBeNull()
    expect(none?.isPersistent.value).toBeNull()
    expect(none?.isOverHalf.value).toBe(false)

    stubStorage({ estimate: async () => ({ usage: 5 }) })
    const partial = scope.run(() => useStorageStatus())
    await settle()
    expect(partial?.isSupported.value).toBe(true)
    expect(partial?.isPersistent.value).toBe(false)
    expect(partial?.usage.value).toBe(5)
    expect(partial?.quota.value).toBeNull()
    scope.stop()
  })
})
