// Postal code and commune autocompletion from the offline list (/data/communes-fr.tsv, built from real postal
// data and precached by the service worker, so it answers with no network). Fetched and parsed once per page.
import { readonly, ref, shallowRef, type Ref } from 'vue'
import { parseCommunes, searchCommunes, type Commune } from '../domain/geo/communes'

/** Where the list is served (scripts/postal-codes.ts writes it at build time). */
export const COMMUNES_URL = '/data/communes-fr.tsv'

let cache: Promise<Commune[]> | null = null

/** Loads the list once; a failed load is forgotten so the next search tries again. */
export function loadCommunes(): Promise<Commune[]> {
  if (cache === null) {
    cache = fetch(COMMUNES_URL)
      .then((response) => {
        if (!response.ok) throw new Error(`communes: HTTP ${response.status}`)
        return response.text()
      })
      .then(parseCommunes)
      .catch((error: unknown) => {
        cache = null
        throw error
      })
  }
  return cache
}

/** Forgets the loaded list (tests). */
export function resetCommunesCache(): void {
  cache = null
}

/** Suggestions for a query (digits: postal code prefix; letters: commune name), with the list's load state. */
export function useCommunes(): {
  suggestions: Readonly<Ref<readonly Commune[]>>
  isUnavailable: Readonly<Ref<boolean>>
  search: (query: string, limit?: number) => Promise<Commune[]>
} {
  const suggestions = shallowRef<readonly Commune[]>([])
  const isUnavailable = ref(false)
  let latest = 0

  async function search(query: string, limit = 20): Promise<Commune[]> {
    const ticket = ++latest
    try {
      const found = searchCommunes(await loadCommunes(), query, limit)
      isUnavailable.value = false
      if (ticket === latest) suggestions.value = found
      return found
    } catch {
      isUnavailable.value = true
      if (ticket === latest) suggestions.value = []
      return []
    }
  }

  return {
    suggestions: readonly(suggestions) as Readonly<Ref<readonly Commune[]>>,
    isUnavailable: readonly(isUnavailable),
    search,
  }
}
