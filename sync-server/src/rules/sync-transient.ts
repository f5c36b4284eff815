import { storeFaultOf, type StoreFaultKind } from '../store/faults'
import { SyncConflictError } from '../store/sync-queries'

export type { StoreFaultKind } from '../store/faults'

/**
 * The fault behind a failure a retry can cure, or null. Such a failure answers 503 `unavailable` with
 * Retry-After: the device backs off and re-sends, and since nothing was committed — or, when the answer to a
 * commit was lost, the stored results replay it — the retry is judged afresh. Anything else is a bug and
 * answers 500.
 */
export function transientFaultOf(error: unknown): StoreFaultKind | null {
  // A concurrent push claimed one of these mutation ids first: the retry gets the proper refusal.
  if (error instanceof SyncConflictError) return 'busy'
  return storeFaultOf(error)
}

/** Tells whether an error is a transient store failure (busy, connection, storage, shutting down). */
export function isTransientStoreError(error: unknown): boolean {
  return transientFaultOf(error) !== null
}
