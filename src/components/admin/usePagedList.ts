import { ref, shallowRef, type Ref } from 'vue'
import type { AdminFailure, AdminResult } from '../../stores/admin'

/** What a list's status line reads of a paged list, whatever its items. */
export type PagedListState = {
  readonly items: Readonly<Ref<readonly unknown[]>>
  readonly nextCursor: Readonly<Ref<string | null>>
  readonly isLoading: Readonly<Ref<boolean>>
  readonly error: Readonly<Ref<AdminFailure | null>>
  reload(): Promise<void>
  loadMore(): Promise<void>
}

/** A list read page by page (`?cursor=`): the items so far, whether more exist, loading and failure. */
export function usePagedList<T>(
  loadPage: (cursor: string | undefined) => Promise<AdminResult<{ items: T[]; nextCursor: string | null }>>,
) {
  const items = shallowRef<T[]>([])
  const nextCursor = ref<string | null>(null)
  const isLoading = ref(false)
  const error = shallowRef<AdminFailure | null>(null)
  // A reload started while another page is on its way wins: the late answer of the older one is dropped.
  let generation = 0

  async function load(cursor: string | undefined): Promise<void> {
    const mine = ++generation
    isLoading.value = true
    error.value = null
    const result = await loadPage(cursor)
    if (mine !== generation) return
    isLoading.value = false
    if (!result.ok) {
      error.value = result.error
      return
    }
    items.value = cursor === undefined ? result.value.items : [...items.value, ...result.value.items]
    nextCursor.value = result.value.nextCursor
  }

  /** Reads the first page again (after a filter change or an action). */
  function reload(): Promise<void> {
    return load(undefined)
  }

  /** Appends the next page. */
  function loadMore(): Promise<void> {
    return nextCursor.value === null ? Promise.resolve() : load(nextCursor.value)
  }

  return { items, nextCursor, isLoading, error, reload, loadMore }
}
