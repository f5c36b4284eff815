import { isStorageFault, storeFaultOf } from './faults'
import type { StorageFault } from './types'

/**
 * What a store saw of its storage lately: the last write that failed for want of space, for a read-only disk or
 * an I/O error, until a write goes through again. A store notes its failures and successful writes here; the
 * health report reads it, so a full disk shows the moment a write meets it rather than at the next probe.
 */
export function createStorageWatch(now: () => number = Date.now) {
  let fault: StorageFault | null = null
  return {
    failed(error: unknown): void {
      const kind = storeFaultOf(error)
      if (!isStorageFault(kind)) return
      const code = (error as { code?: unknown }).code
      fault = { kind, code: typeof code === 'string' ? code : 'unknown', at: now() }
    },
    wrote(): void {
      fault = null
    },
    current: (): StorageFault | null => fault,
  }
}

export type StorageWatch = ReturnType<typeof createStorageWatch>
