import { computed, onScopeDispose, readonly, ref, type ComputedRef, type Ref } from 'vue'

/** The device's storage health: bytes used, quota, whether the browser may evict it, and the half-quota warning. */
export type StorageStatus = {
  isSupported: Readonly<Ref<boolean>>
  usage: Readonly<Ref<number | null>>
  quota: Readonly<Ref<number | null>>
  isPersistent: Readonly<Ref<boolean | null>>
  isOverHalf: ComputedRef<boolean>
  refresh: () => Promise<void>
}

// One persist() request per StorageManager (per page): browsers may prompt or decide from engagement, and asking
// again from every component that shows the status would only add prompts (Firefox) for the same answer.
const persistRequests = new WeakMap<StorageManager, Promise<boolean>>()

function storageManager(): StorageManager | undefined {
  return typeof navigator === 'undefined' ? undefined : (navigator.storage as StorageManager | undefined)
}

async function ensurePersisted(storage: StorageManager): Promise<boolean> {
  let request = persistRequests.get(storage)
  if (request === undefined) {
    request = (async () => {
      if (typeof storage.persisted === 'function' && (await storage.persisted())) return true
      return typeof storage.persist === 'function' ? storage.persist() : false
    })().catch(() => false)
    persistRequests.set(storage, request)
  }
  return request
}

/**
 * Asks once for persistent storage (so Safari's 7-day eviction and storage pressure spare the outbox) and
 * reports usage, quota and persistence; browsers without StorageManager report unsupported with null values.
 */
export function useStorageStatus(): StorageStatus {
  const storage = storageManager()
  const isSupported = ref(storage !== undefined)
  const usage = ref<number | null>(null)
  const quota = ref<number | null>(null)
  const isPersistent = ref<boolean | null>(null)
  let isActive = true

  const refresh = async () => {
    if (storage === undefined) return
    const [persisted, estimate] = await Promise.all([
      ensurePersisted(storage).then(async (granted) =>
        granted || typeof storage.persisted !== 'function' ? granted : storage.persisted(),
      ),
      typeof storage.estimate === 'function' ? storage.estimate().catch(() => undefined) : undefined,
    ])
    if (!isActive) return
    isPersistent.value = persisted
    usage.value = estimate?.usage ?? null
    quota.value = estimate?.quota ?? null
  }

  const isOverHalf = computed(
    () => usage.value !== null && quota.value !== null && quota.value > 0 && usage.value > quota.value / 2,
  )
  onScopeDispose(() => {
    isActive = false
  }, true)
  void refresh()
  return {
    isSupported: readonly(isSupported),
    usage: readonly(usage),
    quota: readonly(quota),
    isPersistent: readonly(isPersistent),
    isOverHalf,
    refresh,
  }
}
