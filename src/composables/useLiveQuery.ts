import { liveQuery, type Subscription } from 'dexie'
import {
  getCurrentScope,
  onScopeDispose,
  readonly,
  ref,
  shallowRef,
  watch,
  type Ref,
  type WatchSource,
} from 'vue'

/** A live query's latest result, its error and whether the first result is still awaited. */
export type LiveQueryState<T> = {
  data: Readonly<Ref<T | undefined>>
  error: Readonly<Ref<unknown>>
  isLoading: Readonly<Ref<boolean>>
}

/**
 * Binds a Dexie live query to refs: re-runs whenever a table it read changes (in this tab or another), and
 * when one of `deps` changes (e.g. the search text); unsubscribes when the calling scope ends.
 */
export function useLiveQuery<T>(
  querier: () => T | Promise<T>,
  options: { deps?: WatchSource[]; initialValue?: T } = {},
): LiveQueryState<T> {
  const data = shallowRef<T | undefined>(options.initialValue)
  const error = shallowRef<unknown>(undefined)
  const isLoading = ref(true)
  let subscription: Subscription | undefined

  const subscribe = () => {
    // The previous subscription goes first, so a slow result for old deps can never land after a newer one.
    subscription?.unsubscribe()
    isLoading.value = true
    // Wrapped so a querier that throws synchronously reports through `error` like a rejected one.
    subscription = liveQuery(async () => querier()).subscribe({
      next: (value) => {
        data.value = value
        error.value = undefined
        isLoading.value = false
      },
      error: (e: unknown) => {
        error.value = e
        isLoading.value = false
      },
    })
  }

  if (options.deps !== undefined && options.deps.length > 0)
    watch(options.deps, subscribe, { immediate: true })
  else subscribe()
  if (getCurrentScope() !== undefined) onScopeDispose(() => subscription?.unsubscribe())

  return {
    data: readonly(data) as Readonly<Ref<T | undefined>>,
    error: readonly(error),
    isLoading: readonly(isLoading),
  }
}
