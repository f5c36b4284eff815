// The search box of the home page: what was typed, read as a code, NIR, NISS or names (+ birth date), and the
// local hits, debounced so typing stays smooth; an older, slower answer never replaces a newer one.
import { computed, onScopeDispose, ref, shallowRef, watch } from 'vue'
import { db } from '../../db/carnet-db'
import { useLiveQuery } from '../../composables/useLiveQuery'
import { parseSearchQuery, searchPatients, type PatientHit } from '../../db/patients-repo'
import { normalizeIdentifier } from '../../domain/identifiers'

/** The default pause after the last key before searching. */
export const SEARCH_DEBOUNCE_MS = 150

/** Binds a search text to the local patient search. */
export function usePatientSearch(options: { debounceMs?: number; limit?: number } = {}) {
  const debounceMs = options.debounceMs ?? SEARCH_DEBOUNCE_MS
  const query = ref('')
  const hits = shallowRef<PatientHit[]>([])
  const searchedQuery = ref('')
  const isSearching = ref(false)
  let timer: ReturnType<typeof setTimeout> | undefined
  let ticket = 0

  const parsed = computed(() => parseSearchQuery(query.value))

  /** The identifier typed, to carry over to the registration form when nothing is found. */
  const typedIdentifier = computed<{ nir?: string; niss?: string }>(() => {
    const kind = parsed.value.kind
    if (kind === 'nir') return { nir: normalizeIdentifier(query.value) }
    if (kind === 'niss') return { niss: normalizeIdentifier(query.value) }
    return {}
  })

  async function run(): Promise<void> {
    const mine = ++ticket
    const text = query.value
    if (text.trim() === '') {
      hits.value = []
      searchedQuery.value = ''
      isSearching.value = false
      return
    }
    isSearching.value = true
    try {
      const found = await searchPatients(db, text, { limit: options.limit ?? 30 })
      if (mine !== ticket) return
      hits.value = found
      searchedQuery.value = text
    } finally {
      if (mine === ticket) isSearching.value = false
    }
  }

  watch(query, () => {
    clearTimeout(timer)
    if (query.value.trim() === '') {
      void run()
      return
    }
    isSearching.value = true
    timer = setTimeout(() => void run(), debounceMs)
  })
  onScopeDispose(() => clearTimeout(timer))

  // Patients arrive by pull while the person looks at the results: search again when the local list grows or a
  // pulled page lands (the pull cursor moves with each page), so a patient registered or renamed on another
  // tablet appears without retyping.
  const { data: patientsVersion } = useLiveQuery(
    async () => {
      const cursor = await db.meta.get('pullCursor')
      return `${await db.files.count()}:${cursor?.key === 'pullCursor' ? String(cursor.value) : ''}`
    },
    { initialValue: '' },
  )
  watch(patientsVersion, (next, previous) => {
    if (previous !== undefined && previous !== '' && next !== previous && query.value.trim() !== '')
      void run()
  })

  return { query, hits, searchedQuery, isSearching, parsed, typedIdentifier, searchNow: run }
}
