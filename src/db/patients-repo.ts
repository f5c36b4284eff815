// Reads and writes of the patient files (one row each, ./files.ts): the one search entry point (code de ciblage,
// NIR, account holder's NIR, NISS, name ± birth date), a whole file, the files a rule reads, the local duplicate
// check and lot autocompletion. Every read goes through an index or the in-memory name index (no table scan), so
// search stays instant at 100,000 patients, sealed or not.
import Dexie, { type IndexableType } from 'dexie'
import { computeNirKey, normalizeIdentifier } from '../domain/identifiers'
import { normalizeCodeDeCiblage } from '../domain/patients/code-de-ciblage'
import { findLikelyDuplicates, type DuplicateReason, type IdentitySource } from '../domain/patients/identity'
import type { PatientFile } from '../domain/patients/patient-file'
import { isIsoDate } from '../domain/time/calendar'
import type { AdverseEventRecord, LotRecord, PatientRecord, StepRecord } from '../shared/records'
import type { CarnetDb } from './carnet-db'
import {
  emptyFile,
  fromFileRow,
  patientOfFileRow,
  toFileRow,
  toPatientFile,
  withAdverseEvent,
  withStep,
  type FileRow,
  type StoredFile,
} from './files'
import { nameWordsOf, nirBodyOf, nirKeyOf } from './rows'
import { blindToken } from './vault/crypto'

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

/** A file row of a known patient (search answers only those). */
type PatientFileRow = FileRow & {
  p: NonNullable<FileRow['p']>
  nameKey: string
  nameWords: string[]
  birthDate: string
}

function hasPatient(row: FileRow | undefined): row is PatientFileRow {
  return row !== undefined && row.p !== undefined
}

function matchesWords(row: PatientFileRow, words: readonly string[]): boolean {
  return words.every((w) => row.nameWords.some((n) => n.startsWith(w)))
}

function byName(a: PatientFileRow, b: PatientFileRow): number {
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

/** The files whose indexed identifier `prop` (blinded under `label`) is `value`, at most `limit`. */
async function lookup(
  db: CarnetDb,
  prop: 'codeKey' | 'nirKey' | 'nirOdKey' | 'nissKey',
  label: string,
  value: string,
  limit?: number,
): Promise<PatientFileRow[]> {
  const forms = await lookupKeys(db, label, value)
  const batches = await Promise.all(
    forms.map((form) => {
      const found = db.files.where(prop).equals(form)
      return (limit === undefined ? found : found.limit(limit)).toArray()
    }),
  )
  return batches.flat().filter(hasPatient)
}

/** Clear rows (written before encryption), found through the name indexes on disk (none once all are sealed). */
async function searchClearRowsByName(
  db: CarnetDb,
  words: readonly string[],
  birthDate: string | undefined,
  limit: number,
): Promise<PatientFileRow[]> {
  if (db.vault.converted) return []
  if (birthDate !== undefined) {
    // A birth date narrows to a handful of rows (≈ 3 per day at 100,000 patients): read them all, filter by name.
    const rows = await db.files
      .where('[birthDate+nameKey]')
      .between([birthDate, Dexie.minKey], [birthDate, Dexie.maxKey])
      .toArray()
    return rows.filter(hasPatient).filter((row) => matchesWords(row, words))
  }
  const [driver, ...others] = [...words].sort((a, b) => b.length - a.length)
  if (driver === undefined) return []
  if (others.length === 0 || driver.length < 3) {
    // One word (or only short ones): walk the index from the prefix and stop at `limit` rows.
    const rows = await db.files
      .where('nameWords')
      .startsWith(driver)
      .distinct()
      .filter((row) => hasPatient(row) && matchesWords(row, words))
      .limit(limit)
      .toArray()
    return rows.filter(hasPatient)
  }
  // Several words ('dupont jean'): the keys of each word's prefix (key-only reads, no rows), intersected; then
  // just the rows that match them all, instead of walking every row of a common family name.
  let keys = [...new Set(await db.files.where('nameWords').startsWith(driver).primaryKeys())]
  for (const word of others) {
    if (word.length < 2 || keys.length <= limit) break
    const matching = new Set(await db.files.where('nameWords').startsWith(word).primaryKeys())
    keys = keys.filter((k) => matching.has(k))
  }
  const rows: PatientFileRow[] = []
  for (let i = 0; i < keys.length && rows.length < limit; i += limit * 2) {
    const batch = await db.files.bulkGet(keys.slice(i, i + limit * 2))
    for (const row of batch)
      if (hasPatient(row) && matchesWords(row, words) && rows.length < limit) rows.push(row)
  }
  return rows
}

/** Sealed rows, found through the name index held in memory while the app is unlocked (src/db/vault/name-index.ts). */
async function searchSealedRowsByName(
  db: CarnetDb,
  words: readonly string[],
  birthDate: string | undefined,
  limit: number,
): Promise<PatientFileRow[]> {
  if (db.vault.keys === null) return []
  // Outside the caller's transaction (its scope has no name-index table), which waits meanwhile.
  await Dexie.waitFor(() => db.names.refresh())
  const ids = db.names.search(words, birthDate, limit).map((m) => m.id)
  if (ids.length === 0) return []
  const rows = await db.files.bulkGet(ids)
  // An entry whose row is gone (deleted by another tab since) or no longer matches is left out.
  return rows
    .filter(hasPatient)
    .filter((row) => matchesWords(row, words) && (birthDate === undefined || row.birthDate === birthDate))
}

async function searchByName(
  db: CarnetDb,
  words: readonly string[],
  birthDate: string | undefined,
  limit: number,
): Promise<PatientFileRow[]> {
  const [sealed, clear] = await Promise.all([
    searchSealedRowsByName(db, words, birthDate, limit),
    searchClearRowsByName(db, words, birthDate, limit),
  ])
  const rows = new Map<string, PatientFileRow>()
  for (const row of [...sealed, ...clear]) rows.set(row.id, row)
  return [...rows.values()].sort(byName).slice(0, limit)
}

function byBirth(a: PatientFileRow, b: PatientFileRow): number {
  const pa = a.p
  const pb = b.p
  return a.birthDate.localeCompare(b.birthDate) || pa.birthRank - pb.birthRank || byName(a, b)
}

/**
 * Searches local patients: a NIR lists the patient with that NIR, then the beneficiaries of that account
 * holder's NIR by birth date; a NISS, that patient; text matches a code de ciblage and the prefixes of the birth,
 * usual and first names (accent- and case-insensitive), narrowed by a birth date when one is typed.
 */
export async function searchPatients(
  db: CarnetDb,
  query: string,
  options: { limit?: number } = {},
): Promise<PatientHit[]> {
  const limit = options.limit ?? 20
  const parsed = parseSearchQuery(query)
  const hits: { row: PatientFileRow; match: PatientMatch }[] = []
  const seen = new Set<string>()
  const add = (rows: readonly PatientFileRow[], match: PatientMatch) => {
    for (const row of rows) {
      if (seen.has(row.id) || hits.length >= limit) continue
      seen.add(row.id)
      hits.push({ row, match })
    }
  }
  await db.transaction('r', db.files, async () => {
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
  return hits.map(({ row, match }) => ({ patient: patientOfFileRow(row) as PatientRecord, match }))
}

/** Reads stored files by patient id (call inside a transaction for a consistent snapshot); absent ids are left out. */
export async function readFiles(db: CarnetDb, ids: Iterable<string>): Promise<Map<string, StoredFile>> {
  const list = [...new Set(ids)]
  const rows = list.length === 0 ? [] : await db.files.bulkGet(list)
  const files = new Map<string, StoredFile>()
  for (const row of rows) if (row !== undefined) files.set(row.id, fromFileRow(row))
  return files
}

/** Writes whole files (inside a transaction over the files and the name index, when the caller has one). */
export async function writeFiles(db: CarnetDb, files: Iterable<StoredFile>): Promise<void> {
  const rows = [...files].map(toFileRow)
  if (rows.length === 0) return
  // The name index of sealed rows is written with them (src/db/vault/sealed-tables.ts): its table is in scope.
  await db.transaction('rw', db.files, db.nameIndex, () => db.files.bulkPut(rows))
}

/** Deletes files by patient id. */
export async function deleteFiles(db: CarnetDb, ids: Iterable<string>): Promise<void> {
  const list = [...ids]
  if (list.length === 0) return
  await db.transaction('rw', db.files, db.nameIndex, () => db.files.bulkDelete(list))
}

/** Reads a patient file (call inside a transaction for a consistent snapshot): patient, steps in chain order, events. */
export async function loadPatientFile(db: CarnetDb, patientId: string): Promise<PatientFile | undefined> {
  const row = await db.files.get(patientId)
  return row === undefined ? undefined : toPatientFile(fromFileRow(row))
}

/** Gives a patient's whole file from one snapshot: the patient, the steps in chain order, the adverse events. */
export function getPatientFile(db: CarnetDb, patientId: string): Promise<PatientFile | undefined> {
  return db.transaction('r', db.files, () => loadPatientFile(db, patientId))
}

/**
 * Reads the patients that could be the same person as `candidate` (same identifier, or same birth date): clear
 * rows through their indexes, sealed ones through their tokens and, for the birth date, the in-memory index
 * (refreshed by the caller, before its transaction).
 */
export async function loadIdentityCandidates(db: CarnetDb, candidate: IdentitySource): Promise<StoredFile[]> {
  const queries: Promise<PatientFileRow[]>[] = []
  if (!db.vault.converted) {
    queries.push(
      db.files
        .where('[birthDate+nameKey]')
        .between([candidate.birthDate, Dexie.minKey], [candidate.birthDate, Dexie.maxKey])
        .toArray()
        .then((rows) => rows.filter(hasPatient)),
    )
  }
  if (db.vault.keys !== null) {
    // The in-memory index as last refreshed: callers refresh it before their transaction (`db.names.refresh()`),
    // whose scope may hold the name-index table.
    const ids = db.names.bornOn(candidate.birthDate)
    if (ids.length > 0) queries.push(db.files.bulkGet(ids).then((rows) => rows.filter(hasPatient)))
  }
  if (candidate.nir !== undefined) queries.push(lookup(db, 'nirKey', 'nir', nirKeyOf(candidate.nir)))
  if (candidate.niss !== undefined) {
    queries.push(lookup(db, 'nissKey', 'niss', normalizeIdentifier(candidate.niss)))
  }
  if (candidate.nirOuvrantDroit !== undefined) {
    queries.push(lookup(db, 'nirOdKey', 'nir-od', nirBodyOf(candidate.nirOuvrantDroit)))
  }
  const rows = new Map<string, PatientFileRow>()
  for (const batch of await Promise.all(queries)) for (const row of batch) rows.set(row.id, row)
  return [...rows.values()].map(fromFileRow)
}

/**
 * Lists local patients that are likely `candidate` under the domain's duplicate rule (same NIR, NISS or
 * beneficiary key; or same names + birth date + rang), shown before saving a registration.
 */
export async function findLikelyDuplicatesLocal(
  db: CarnetDb,
  candidate: IdentitySource & { id?: string },
): Promise<{ patient: PatientRecord; reason: DuplicateReason }[]> {
  if (db.vault.keys !== null) await db.names.refresh()
  const files = await db.transaction('r', db.files, () => loadIdentityCandidates(db, candidate))
  const others = files
    .filter((f) => f.id !== candidate.id)
    .flatMap((f) => (f.patient === undefined ? [] : [f.patient]))
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

/** Merges records into their files (pull, fixtures): a patient replaces the file's patient, a step or event its namesake. */
export async function putRecords(
  db: CarnetDb,
  records: {
    patients?: readonly PatientRecord[]
    steps?: readonly StepRecord[]
    adverseEvents?: readonly AdverseEventRecord[]
  },
): Promise<void> {
  const ids = new Set<string>()
  for (const p of records.patients ?? []) ids.add(p.id)
  for (const s of records.steps ?? []) ids.add(s.patientId)
  for (const e of records.adverseEvents ?? []) ids.add(e.patientId)
  if (ids.size === 0) return
  await db.transaction('rw', db.files, db.nameIndex, async () => {
    const files = await readFiles(db, ids)
    const fileOf = (id: string) => files.get(id) ?? emptyFile(id)
    for (const patient of records.patients ?? []) files.set(patient.id, { ...fileOf(patient.id), patient })
    for (const step of records.steps ?? []) files.set(step.patientId, withStep(fileOf(step.patientId), step))
    for (const event of records.adverseEvents ?? [])
      files.set(event.patientId, withAdverseEvent(fileOf(event.patientId), event))
    await writeFiles(db, files.values())
  })
}

/** Stores patient records (pull, fixtures), deriving their search keys. */
export function putPatients(db: CarnetDb, patients: readonly PatientRecord[]): Promise<void> {
  return putRecords(db, { patients })
}

/** Stores step records (pull, fixtures) in their patients' files. */
export function putSteps(db: CarnetDb, steps: readonly StepRecord[]): Promise<void> {
  return putRecords(db, { steps })
}
