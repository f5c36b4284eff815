// Typed reads over the patient files: the one search entry point (code de ciblage, NIR, account holder's NIR,
// NISS, name ± birth date), a whole file, the local duplicate check and lot autocompletion. Every read goes
// through an index (no table scan) so search stays instant at 100,000 patients.
import Dexie, { type IndexableType } from 'dexie'
import { computeNirKey, normalizeIdentifier } from '../domain/identifiers'
import { normalizeCodeDeCiblage } from '../domain/patients/code-de-ciblage'
import { findLikelyDuplicates, type DuplicateReason, type IdentitySource } from '../domain/patients/identity'
import type { PatientFile } from '../domain/patients/patient-file'
import { compareInstants, isIsoDate } from '../domain/time/calendar'
import type { LotRecord, PatientRecord, StepRecord } from '../shared/records'
import type { CarnetDb } from './carnet-db'
import { blindToken } from './vault/crypto'
import {
  fromPatientRow,
  fromStepRow,
  nameWordsOf,
  nirBodyOf,
  nirKeyOf,
  toPatientRow,
  toStepRow,
  type PatientRow,
} from './rows'

/** How a search hit matched: its code, its own NIR, the account holder's NIR it hangs from, its NISS, its names. */
export type PatientMatch = 'code' | 'nir' | 'nir-ouvrant-droit' | 'niss' | 'name'

/** One search result. */
export type PatientHit = { patient: PatientRecord; match: PatientMatch }

/** What a typed query was read as. */
export type PatientQuery =
  | { kind: 'empty' }
  | { kind: 'nir'; nir: string; body: string }
  | { kind: 'niss'; niss: string }
  | { kind: 'text'; codes: string[]; words: string[]; birthDate?: string }

const NIR_PATTERN = /^[0-9]{5}(?:[0-9]{2}|2A|2B)[0-9]{6}(?:[0-9]{2})?$/
const CODE_PATTERN = /^[0-9A-Z*~$=]{4,32}$/
const FR_DATE = /(?:^|\s)(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})(?=\s|$)/
const ISO_DATE = /(?:^|\s)(\d{4})-(\d{2})-(\d{2})(?=\s|$)/

function extractBirthDate(text: string): { birthDate?: string; rest: string } {
  const fr = FR_DATE.exec(text)
  if (fr !== null) {
    const iso = `${fr[3]}-${(fr[2] ?? '').padStart(2, '0')}-${(fr[1] ?? '').padStart(2, '0')}`
    if (isIsoDate(iso)) return { birthDate: iso, rest: text.replace(fr[0], ' ') }
  }
  const iso = ISO_DATE.exec(text)
  if (iso !== null) {
    const value = `${iso[1]}-${iso[2]}-${iso[3]}`
    if (isIsoDate(value)) return { birthDate: value, rest: text.replace(iso[0], ' ') }
  }
  return { rest: text }
}

/**
 * Reads what was typed in the search box: a NIR (13 or 15 characters, spaces allowed), a NISS (11 digits), or
 * text: a code de ciblage candidate and/or name words, with an optional birth date ('JJ/MM/AAAA' or ISO).
 */
export function parseSearchQuery(input: string): PatientQuery {
  const text = input.trim()
  if (text === '') return { kind: 'empty' }
  const compact = normalizeIdentifier(text)
  if (NIR_PATTERN.test(compact)) {
    const body = compact.slice(0, 13)
    return { kind: 'nir', nir: compact.length === 15 ? compact : body + (computeNirKey(body) ?? ''), body }
  }
  if (/^[0-9]{11}$/.test(compact)) return { kind: 'niss', niss: compact }
  const { birthDate, rest } = extractBirthDate(text)
  const codeCandidate = rest.toUpperCase().replace(/[\s-]/g, '')
  const codes =
    birthDate === undefined && CODE_PATTERN.test(codeCandidate)
      ? [...new Set([codeCandidate, normalizeCodeDeCiblage(codeCandidate)])]
      : []
  // Names carry no digits: a query with digits left (once the birth date is taken out) can only be a code.
  const words = /\d/.test(rest) ? [] : nameWordsOf(rest)
  return { kind: 'text', codes, words, ...(birthDate === undefined ? {} : { birthDate }) }
}

function matchesWords(row: PatientRow, words: readonly string[]): boolean {
  return words.every((w) => row.nameWords.some((n) => n.startsWith(w)))
}

function byName(a: PatientRow, b: PatientRow): number {
  return a.nameKey < b.nameKey ? -1 : a.nameKey > b.nameKey ? 1 : a.birthDate.localeCompare(b.birthDate)
}

/**
 * The stored forms an identifier is looked up under (src/db/vault): its blind token for sealed rows, and the value
 * itself while rows written before encryption remain.
 */
async function lookupKeys(db: CarnetDb, label: string, value: string): Promise<IndexableType[]> {
  const keys = db.vault.keys
  const forms: IndexableType[] = []
  if (!db.vault.converted) forms.push(value)
  // Dexie.waitFor: a search or a recording may run this inside a transaction, which must not commit while the
  // HMAC (not an IndexedDB request) is computed.
  if (keys !== null) forms.push(await Dexie.waitFor(blindToken(keys, label, value)))
  return forms
}

/** The patients whose indexed identifier `prop` (blinded under `label`) is `value`, at most `limit`. */
async function lookup(
  db: CarnetDb,
  prop: 'codeKey' | 'nirKey' | 'nirOdKey' | 'nissKey' | 'bdKey',
  label: string,
  value: string,
  limit?: number,
): Promise<PatientRow[]> {
  const forms = await lookupKeys(db, label, value)
  const batches = await Promise.all(
    forms.map((form) => {
      const found = db.patients.where(prop).equals(form)
      return (limit === undefined ? found : found.limit(limit)).toArray()
    }),
  )
  return batches.flat()
}

/** Rows written before encryption, found through the clear name indexes (empty once every row is sealed). */
async function searchClearRowsByName(
  db: CarnetDb,
  words: readonly string[],
  birthDate: string | undefined,
  limit: number,
): Promise<PatientRow[]> {
  if (db.vault.converted) return []
  if (birthDate !== undefined) {
    // A birth date narrows to a handful of rows (≈ 3 per day at 100,000 patients): read them all, filter by name.
    const rows = await db.patients
      .where('[birthDate+nameKey]')
      .between([birthDate, Dexie.minKey], [birthDate, Dexie.maxKey])
      .filter((row) => matchesWords(row, words))
      .limit(limit)
      .toArray()
    return rows
  }
  const [driver, ...others] = [...words].sort((a, b) => b.length - a.length)
  if (driver === undefined) return []
  if (others.length === 0 || driver.length < 3) {
    // One word (or only short ones): walk the index from the prefix and stop at `limit` rows.
    return db.patients
      .where('nameWords')
      .startsWith(driver)
      .distinct()
      .filter((row) => matchesWords(row, words))
      .limit(limit)
      .toArray()
  }
  // Several words ('dupont jean'): intersect the keys of each word's prefix (key-only reads, no rows), then
  // read just the rows that match them all, instead of walking every row of a common family name.
  let keys = [...new Set(await db.patients.where('nameWords').startsWith(driver).primaryKeys())]
  for (const word of others) {
    if (word.length < 2 || keys.length <= limit) break
    const matching = new Set(await db.patients.where('nameWords').startsWith(word).primaryKeys())
    keys = keys.filter((k) => matching.has(k))
  }
  const rows: PatientRow[] = []
  for (let i = 0; i < keys.length && rows.length < limit; i += limit * 2) {
    const batch = await db.patients.bulkGet(keys.slice(i, i + limit * 2))
    for (const row of batch)
      if (row !== undefined && matchesWords(row, words) && rows.length < limit) rows.push(row)
  }
  return rows
}

/** Sealed rows, found through the name index held in memory while the app is unlocked (src/db/vault/name-index.ts). */
async function searchSealedRowsByName(
  db: CarnetDb,
  words: readonly string[],
  birthDate: string | undefined,
  limit: number,
): Promise<PatientRow[]> {
  if (db.vault.keys === null) return []
  // Outside the caller's transaction (its scope has no name-index table), which waits meanwhile.
  await Dexie.waitFor(() => db.names.refresh())
  const ids = db.names.search(words, birthDate, limit).map((m) => m.id)
  if (ids.length === 0) return []
  const rows = await db.patients.bulkGet(ids)
  // An entry whose row is gone (deleted by another tab since) or no longer matches is left out.
  return rows.filter(
    (row): row is PatientRow =>
      row !== undefined &&
      matchesWords(row, words) &&
      (birthDate === undefined || row.birthDate === birthDate),
  )
}

async function searchByName(
  db: CarnetDb,
  words: readonly string[],
  birthDate: string | undefined,
  limit: number,
): Promise<PatientRow[]> {
  const [sealed, clear] = await Promise.all([
    searchSealedRowsByName(db, words, birthDate, limit),
    searchClearRowsByName(db, words, birthDate, limit),
  ])
  const rows = new Map<string, PatientRow>()
  for (const row of [...sealed, ...clear]) rows.set(row.id, row)
  return [...rows.values()].sort(byName).slice(0, limit)
}

function byBirth(a: PatientRow, b: PatientRow): number {
  return a.birthDate.localeCompare(b.birthDate) || a.birthRank - b.birthRank || byName(a, b)
}

/**
 * Finds patients from one search box, locally: an exact code de ciblage (case-insensitive); a NIR (the patient
 * with that NIR, then every beneficiary of that account holder); a NISS; or name prefixes on any of the birth,
 * usual and first names (accent- and case-insensitive), narrowed by a birth date when one is typed.
 */
export async function searchPatients(
  db: CarnetDb,
  query: string,
  options: { limit?: number } = {},
): Promise<PatientHit[]> {
  const limit = options.limit ?? 20
  const parsed = parseSearchQuery(query)
  const hits: { row: PatientRow; match: PatientMatch }[] = []
  const seen = new Set<string>()
  const add = (rows: readonly PatientRow[], match: PatientMatch) => {
    for (const row of rows) {
      if (seen.has(row.id) || hits.length >= limit) continue
      seen.add(row.id)
      hits.push({ row, match })
    }
  }
  await db.transaction('r', db.patients, async () => {
    switch (parsed.kind) {
      case 'empty':
        return
      case 'nir': {
        const [own, beneficiaries] = await Promise.all([
          lookup(db, 'nirKey', 'nir', parsed.nir),
          lookup(db, 'nirOdKey', 'nir-od', parsed.body, limit),
        ])
        add(own, 'nir')
        add(beneficiaries.sort(byBirth), 'nir-ouvrant-droit')
        return
      }
      case 'niss':
        add(await lookup(db, 'nissKey', 'niss', parsed.niss), 'niss')
        return
      case 'text': {
        if (parsed.codes.length > 0) {
          const found = await Promise.all(parsed.codes.map((code) => lookup(db, 'codeKey', 'code', code)))
          add(found.flat(), 'code')
        }
        if (parsed.words.length > 0 || parsed.birthDate !== undefined) {
          add(await searchByName(db, parsed.words, parsed.birthDate, limit), 'name')
        }
      }
    }
  })
  return hits.map(({ row, match }) => ({ patient: fromPatientRow(row), match }))
}

function stepOrder(a: StepRecord, b: StepRecord): number {
  if (a.kind !== b.kind) return a.kind === 'eligibility' ? -1 : 1
  if (a.kind === 'dose' && b.kind === 'dose') {
    if (a.targetDisease === b.targetDisease) return a.doseNumber - b.doseNumber
    return compareInstants(a.at, b.at) || a.targetDisease.localeCompare(b.targetDisease)
  }
  return compareInstants(a.at, b.at)
}

/** Reads a patient file (call inside a transaction for a consistent snapshot): patient, steps in chain order, events. */
export async function loadPatientFile(db: CarnetDb, patientId: string): Promise<PatientFile | undefined> {
  const [row, steps, adverseEvents] = await Promise.all([
    db.patients.get(patientId),
    db.steps.where('patientId').equals(patientId).toArray(),
    db.adverseEvents.where('patientId').equals(patientId).toArray(),
  ])
  if (row === undefined) return undefined
  return {
    patient: fromPatientRow(row),
    steps: steps.map(fromStepRow).sort(stepOrder),
    adverseEvents: adverseEvents.sort((a, b) => compareInstants(a.at, b.at)),
  }
}

/** Gives a patient's whole file from one snapshot: the patient, the steps in chain order, the adverse events. */
export function getPatientFile(db: CarnetDb, patientId: string): Promise<PatientFile | undefined> {
  return db.transaction('r', db.patients, db.steps, db.adverseEvents, () => loadPatientFile(db, patientId))
}

/** Reads the patients that could be the same person as `candidate` (same identifier, or same birth date). */
export async function loadIdentityCandidates(db: CarnetDb, candidate: IdentitySource): Promise<PatientRow[]> {
  const queries: Promise<PatientRow[]>[] = [lookup(db, 'bdKey', 'birth-date', candidate.birthDate)]
  if (!db.vault.converted) {
    queries.push(
      db.patients
        .where('[birthDate+nameKey]')
        .between([candidate.birthDate, Dexie.minKey], [candidate.birthDate, Dexie.maxKey])
        .toArray(),
    )
  }
  if (candidate.nir !== undefined) queries.push(lookup(db, 'nirKey', 'nir', nirKeyOf(candidate.nir)))
  if (candidate.niss !== undefined) {
    queries.push(lookup(db, 'nissKey', 'niss', normalizeIdentifier(candidate.niss)))
  }
  if (candidate.nirOuvrantDroit !== undefined) {
    queries.push(lookup(db, 'nirOdKey', 'nir-od', nirBodyOf(candidate.nirOuvrantDroit)))
  }
  const rows = new Map<string, PatientRow>()
  for (const batch of await Promise.all(queries)) for (const row of batch) rows.set(row.id, row)
  return [...rows.values()]
}

/**
 * Lists local patients that are likely `candidate` under the domain's duplicate rule (same NIR, NISS or
 * beneficiary key; or same names + birth date + rang), shown before saving a registration.
 */
export async function findLikelyDuplicatesLocal(
  db: CarnetDb,
  candidate: IdentitySource & { id?: string },
): Promise<{ patient: PatientRecord; reason: DuplicateReason }[]> {
  const rows = await db.transaction('r', db.patients, () => loadIdentityCandidates(db, candidate))
  const others = rows.filter((r) => r.id !== candidate.id).map(fromPatientRow)
  return findLikelyDuplicates(candidate, others)
}

/** Lists the lots known for a vaccine whose number starts with `prefix` (case-insensitive), for autocompletion. */
export function knownLots(db: CarnetDb, vaccineId: string, prefix = '', limit = 20): Promise<LotRecord[]> {
  const start = prefix.trim().toUpperCase()
  return db.lots
    .where('[vaccineId+lotNumber]')
    .between([vaccineId, start], [vaccineId, `${start}\uffff`])
    .limit(limit)
    .toArray()
}

/** Stores patient records (pull, fixtures), deriving their search keys. */
export async function putPatients(db: CarnetDb, patients: readonly PatientRecord[]): Promise<void> {
  // The name index of sealed rows is written with them (src/db/vault/sealed-tables.ts): its table is in scope.
  await db.transaction('rw', db.patients, db.nameIndex, () => db.patients.bulkPut(patients.map(toPatientRow)))
}

/** Stores step records (pull, fixtures). */
export async function putSteps(db: CarnetDb, steps: readonly StepRecord[]): Promise<void> {
  await db.steps.bulkPut(steps.map(toStepRow))
}
