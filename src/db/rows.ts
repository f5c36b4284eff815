// How records are stored in IndexedDB: the shared record plus the derived search keys, in a compact form.
// Rows are written only through `toPatientRow`/`toStepRow` and read back only through `fromPatientRow`/
// `fromStepRow`, which parse with the shared schemas, so nothing else needs to know the stored shape.
//
// Why a stored form at all: the product target is ≤ 1.5 KB of IndexedDB per patient with two steps, and a
// record written out whole repeats the same instant, device and author a dozen times and spells long field
// names in every row. The stored form (version 3 of the database, see carnet-db.ts) therefore:
// - keeps under their own names the indexed properties (id, patientId and the search keys), a step's `kind`
//   and a version's `mutationId` (documents-repo and the pull read them straight from the row), and the
//   identity fields the search sorts by (birthName, firstNames, sex, birthDate, birthRank);
// - stores the code de ciblage, NIR and NISS only when they differ from their search key (they are usually
//   typed exactly as it): absent, they read as the key;
// - renames every other field to a short key (static maps below, append-only) and stores closed-list codes
//   (target disease, injection site, route, place type, profession, main activity) as their index in frozen
//   copies of the lists (a value outside them is stored as it is: a string never reads as an index);
// - packs instants as numbers and the UUIDs that are not keys (devices, actors, vaccinator) as 23 characters
//   (src/db/packed-values.ts), each only when it reads back as exactly the same string;
// - drops what a row repeats, and only when the value read back is exactly the one written: `createdAt`
//   and a stamp's `at` equal to `updatedAt`, stamps grouped by identical stamp (one group without a field
//   list when it covers every field held), a step's `recordedAt` equal to its `at`, a version's number equal
//   to its rank, its `at`/`recordedAt`/actor equal to the step's, its device equal to the previous version's,
//   a dose's `injectedAt` equal to its version's `at` and vaccinator equal to the acting professional
//   (onBehalfOf, else the user), a prescription date equal to the version's day, the consents that the schema
//   fixes to `true`.
// Ids are the app's text here; IndexedDB holds the keys as 16 bytes (src/db/binary-ids.ts, below Dexie). Rows of
// versions 1 (the record whole, grouped stamps) and 2 (this form with text instants, ids and duplicates) are
// still read, so a row the upgrade could not rewrite stays readable.
import { normalizeIdentifier, parseNir } from '../domain/identifiers'
import { nameSearchKey } from '../domain/patients/names'
import type { DoseFields, EligibilityFields, VaccinationPlace } from '../shared/commands'
import { PATIENT_FIELDS } from '../shared/commands'
import type { Actor, Stamp } from '../shared/primitives'
import { PatientRecordSchema, StepRecordSchema, type PatientRecord, type StepRecord } from '../shared/records'
import { packInstant, packUuid, unpackInstant, unpackUuid, type StoredInstant } from './packed-values'

/** The search keys derived from a patient (indexed; never edited on their own). */
export type PatientSearchKeys = {
  /** Upper-case code de ciblage (exact, case-insensitive search). */
  codeKey: string
  /** The patient's own NIR, 15 characters (key computed when typed without), or as typed when malformed. */
  nirKey?: string
  /** The 13-character body of the account holder's NIR (lists every beneficiary of an account). */
  nirOdKey?: string
  /** The NISS, 11 digits (Belgian sites). */
  nissKey?: string
  /** 'BIRTHNAME FIRSTNAMES' folded (accents, case, hyphens): the sort order of results. */
  nameKey: string
  /** Every folded word of the birth, usual and first names: the multi-entry index of name-prefix search. */
  nameWords: string[]
}

/** A closed-list code as stored: its index in a frozen list, or the code itself when outside it. */
type StoredCode = number | string

/** An actor as stored: the user id alone, or [user id, professional acted for] for a delegate (ids packed). */
type StoredActor = string | [string, string]

/** Patient fields sharing one last-writer stamp: device `d`, instant `a` (absent = `updatedAt`, `u`), fields `f`
 * (indexes in STAMP_FIELDS or names; absent = every field the record holds). */
export type StampGroup = { d: string; a?: StoredInstant; f?: StoredCode[] }

/** A patient as stored: see the head of this file. */
export type PatientRow = Pick<
  PatientRecord,
  'id' | 'birthName' | 'firstNames' | 'sex' | 'birthDate' | 'birthRank' | 'niss' | 'nirOuvrantDroit' | 'phone'
> &
  PatientSearchKeys & {
    /** absent = codeKey */
    codeDeCiblage?: string
    /** absent = nirKey (no NIR when that is absent too) */
    nir?: string
    /** updatedAt */
    u: StoredInstant
    /** version, absent = 1 */
    v?: number
    /** usualName */
    un?: string
    /** address */
    ad?: string
    /** postalCode */
    pc?: string
    /** commune */
    cm?: string
    /** email */
    em?: string
    /** stamps, grouped */
    s: StampGroup[]
    /** createdAt, absent = updatedAt */
    ca?: StoredInstant
  }

/** An eligibility step's fields as stored. */
type StoredEligibility = {
  /** declarantIsPrescriber */
  dp: boolean
  /** prescriber: name, profession, rpps, adeli */
  pr: { n: string; p: StoredCode; r?: string; a?: string }
  /** prescriptionDate, absent = the day of the version's `at` */
  pd?: string
  /** patientIsHealthProfessional */
  hp: boolean
  /** patientMainActivity */
  ma?: StoredCode
  /** patientProfession */
  pp?: StoredCode
  /** patientConsents, absent = true */
  pc?: unknown
  /** declarantAcceptsTransmission, absent = true */
  dt?: unknown
}

/** A dose step's fields as stored. */
type StoredDose = {
  /** vaccineId */
  vi: string
  /** lotNumber */
  ln: string
  /** lotExpiry */
  le?: string
  /** injectionSite */
  is: StoredCode
  /** route */
  ro: StoredCode
  /** injectedAt, absent = the version's `at` */
  ia?: StoredInstant
  /** vaccinatorUserId, absent = the version's acting professional */
  vu?: string
  /** place: type, postalCode, name, finess, nam */
  pl: { t: StoredCode; p: string; n: string; f?: string; m?: string }
}

/** A version as stored: `mutationId` and the short-keyed fields, the rest only when not derivable. */
export type StoredVersion = {
  /** version, absent = rank + 1 */
  n?: number
  /** at, absent = the step's */
  at?: StoredInstant
  /** recordedAt, absent = the step's */
  ra?: StoredInstant
  /** actor, absent = the step's author */
  a?: StoredActor
  /** deviceId, absent = the previous version's */
  d?: string
  mutationId: string
  f: StoredEligibility | StoredDose
}

/** A step as stored (indexed: id, patientId, kind). */
export type StepRow = {
  id: string
  patientId: string
  /** author */
  a: StoredActor
  at: StoredInstant
  /** recordedAt, absent = at */
  ra?: StoredInstant
  versions: StoredVersion[]
} & (
  | { kind: 'eligibility' }
  | {
      kind: 'dose'
      /** targetDisease */
      td: StoredCode
      /** doseNumber */
      dn: number
      /** isBooster, absent = false */
      bo?: boolean
    }
)

// Frozen copies of the lists whose indexes are stored: append only, never reorder (stored rows hold indexes).
const STAMP_FIELDS = [
  'birthName',
  'usualName',
  'firstNames',
  'sex',
  'birthDate',
  'birthRank',
  'nir',
  'niss',
  'nirOuvrantDroit',
  'codeDeCiblage',
  'address',
  'postalCode',
  'commune',
  'phone',
  'email',
] as const
const SITE_CODES = [
  'deltoid-left',
  'deltoid-right',
  'thigh-left',
  'thigh-right',
  'buttock-left',
  'buttock-right',
]
const ROUTE_CODES = ['intramuscular', 'subcutaneous', 'intradermal', 'nasal']
const PLACE_CODES = [
  'ehpad',
  'centre-de-vaccination',
  'usld',
  'residence-autonomie',
  'residence-services-seniors',
  'mas-fam',
  'autre-etablissement-medico-social',
  'autre-etablissement-de-sante',
  'cabinet',
  'domicile',
  'foyer-migrant',
  'autre',
]
const PROFESSION_CODES = [
  'medecin',
  'chirurgien-dentiste',
  'sage-femme',
  'pharmacien',
  'preparateur-en-pharmacie',
  'preparateur-en-pharmacie-hospitaliere',
  'infirmier',
  'masseur-kinesitherapeute',
  'pedicure-podologue',
  'ergotherapeute',
  'psychomotricien',
  'orthophoniste',
  'orthoptiste',
  'manipulateur-electroradiologie',
  'technicien-laboratoire',
  'audioprothesiste',
  'opticien-lunetier',
  'prothesiste-orthesiste',
  'dieteticien',
  'aide-soignant',
  'auxiliaire-de-puericulture',
  'ambulancier',
]
const DISEASE_CODES = ['covid-19', 'influenza', 'pneumococcal', 'zoster', 'rsv']
const ACTIVITY_CODES = ['etablissement-de-sante', 'etablissement-medico-social', 'ambulatoire', 'autre']

/** Patient fields stored under a short key (the others keep their name). */
const PATIENT_SHORT_KEYS = {
  usualName: 'un',
  address: 'ad',
  postalCode: 'pc',
  commune: 'cm',
  email: 'em',
} as const satisfies Partial<Record<keyof PatientRecord, keyof PatientRow>>

/** Splits a name into its folded words (the same folding for what is stored and what is typed). */
export function nameWordsOf(...names: (string | undefined)[]): string[] {
  const words = new Set<string>()
  for (const name of names) {
    if (name === undefined) continue
    for (const word of nameSearchKey(name).split(' ')) if (word !== '') words.add(word)
  }
  return [...words]
}

/** The stored form of a NIR: its 15 characters when it reads as a NIR, else as typed (normalised). */
export function nirKeyOf(nir: string): string {
  const parsed = parseNir(nir, { allowTemporary: true, requireKey: false })
  return parsed.ok ? parsed.value.value : normalizeIdentifier(nir)
}

/** The 13-character body of a NIR (with or without its key). */
export function nirBodyOf(nir: string): string {
  const parsed = parseNir(nir, { allowTemporary: true, requireKey: false })
  return parsed.ok ? parsed.value.body : normalizeIdentifier(nir).slice(0, 13)
}

/** Derives the search keys of a patient. */
export function searchKeysOf(patient: PatientRecord): PatientSearchKeys {
  const niss = patient.niss === undefined ? '' : normalizeIdentifier(patient.niss)
  return {
    codeKey: patient.codeDeCiblage.toUpperCase(),
    ...(patient.nir === undefined ? {} : { nirKey: nirKeyOf(patient.nir) }),
    ...(patient.nirOuvrantDroit === undefined ? {} : { nirOdKey: nirBodyOf(patient.nirOuvrantDroit) }),
    ...(niss === '' ? {} : { nissKey: niss }),
    nameKey: `${nameSearchKey(patient.birthName)} ${nameSearchKey(patient.firstNames)}`,
    nameWords: nameWordsOf(patient.birthName, patient.usualName, patient.firstNames),
  }
}

function encodeCode(list: readonly string[], value: string): StoredCode {
  const index = list.indexOf(value)
  return index < 0 ? value : index
}

function decodeCode(list: readonly string[], value: StoredCode): string | undefined {
  return typeof value === 'number' ? list[value] : value
}

function encodeActor(actor: Actor): StoredActor {
  const userId = packUuid(actor.userId)
  return actor.onBehalfOf === undefined ? userId : [userId, packUuid(actor.onBehalfOf)]
}

function decodeActor(stored: StoredActor): Actor {
  return typeof stored === 'string'
    ? { userId: unpackUuid(stored) }
    : { userId: unpackUuid(stored[0]), onBehalfOf: unpackUuid(stored[1]) }
}

function sameActor(a: Actor, b: Actor): boolean {
  return a.userId === b.userId && a.onBehalfOf === b.onBehalfOf
}

/** Sets `key` only when `value` is defined (an absent field stays absent, never `undefined`). */
function put<T extends object, K extends keyof T>(target: T, key: K, value: T[K] | undefined): void {
  if (value !== undefined) target[key] = value
}

// ---- Patients ----

function presentFields(patient: Readonly<Record<string, unknown>>): string[] {
  return STAMP_FIELDS.filter((f) => patient[f] !== undefined)
}

function groupStamps(patient: PatientRecord): StampGroup[] {
  const groups = new Map<string, { at: string; deviceId: string; fields: string[] }>()
  for (const [field, stamp] of Object.entries(patient.stamps)) {
    const key = `${stamp.at}\u0000${stamp.deviceId}`
    const group = groups.get(key)
    if (group === undefined) groups.set(key, { at: stamp.at, deviceId: stamp.deviceId, fields: [field] })
    else group.fields.push(field)
  }
  const stored = (g: { at: string; deviceId: string }): StampGroup =>
    g.at === patient.updatedAt
      ? { d: packUuid(g.deviceId) }
      : { d: packUuid(g.deviceId), a: packInstant(g.at) }
  const [only, ...others] = groups.values()
  if (only !== undefined && others.length === 0) {
    const present = presentFields(patient)
    if (present.length === only.fields.length && present.every((f) => only.fields.includes(f))) {
      return [stored(only)]
    }
  }
  return [...groups.values()].map((g) => ({
    ...stored(g),
    f: g.fields.map((f) => encodeCode(STAMP_FIELDS, f)),
  }))
}

function ungroupStamps(
  groups: readonly StampGroup[],
  patient: Readonly<Record<string, unknown>>,
  updatedAt: string,
): Record<string, Stamp> {
  const stamps: Record<string, Stamp> = {}
  for (const g of groups) {
    const fields = g.f === undefined ? presentFields(patient) : g.f.map((f) => decodeCode(STAMP_FIELDS, f))
    for (const field of fields) {
      if (field !== undefined) {
        stamps[field] = { at: g.a === undefined ? updatedAt : unpackInstant(g.a), deviceId: unpackUuid(g.d) }
      }
    }
  }
  return stamps
}

/**
 * Derives again the name keys a sealed row leaves out (src/db/vault/sealed-tables.ts): they are a function of the
 * birth, usual and first names the row holds.
 */
export function restoreNameKeys(row: Record<string, unknown>): void {
  const text = (v: unknown) => (typeof v === 'string' ? v : undefined)
  const birthName = text(row.birthName) ?? ''
  const firstNames = text(row.firstNames) ?? ''
  row.nameKey = `${nameSearchKey(birthName)} ${nameSearchKey(firstNames)}`
  row.nameWords = nameWordsOf(birthName, text(row[PATIENT_SHORT_KEYS.usualName]), firstNames)
}

/** Builds the stored row of a patient record. */
export function toPatientRow(patient: PatientRecord): PatientRow {
  const keys = searchKeysOf(patient)
  const row: PatientRow = {
    id: patient.id,
    birthName: patient.birthName,
    firstNames: patient.firstNames,
    sex: patient.sex,
    birthDate: patient.birthDate,
    birthRank: patient.birthRank,
    u: packInstant(patient.updatedAt),
    s: groupStamps(patient),
    ...keys,
  }
  // The code, NIR and NISS are usually typed exactly as their search key: stored once, as the key.
  if (patient.codeDeCiblage !== keys.codeKey) row.codeDeCiblage = patient.codeDeCiblage
  if (patient.nir !== keys.nirKey) put(row, 'nir', patient.nir)
  if (patient.niss !== keys.nissKey) put(row, 'niss', patient.niss)
  put(row, 'nirOuvrantDroit', patient.nirOuvrantDroit)
  put(row, 'phone', patient.phone)
  if (patient.version !== 1) row.v = patient.version
  for (const [field, key] of Object.entries(PATIENT_SHORT_KEYS)) {
    put(row, key, patient[field as keyof typeof PATIENT_SHORT_KEYS])
  }
  if (patient.createdAt !== patient.updatedAt) row.ca = packInstant(patient.createdAt)
  return row
}

/** Reads a stored patient row back into a parsed record (search keys dropped). */
export function fromPatientRow(row: PatientRow): PatientRecord {
  if (isLegacyPatientRow(row)) return fromLegacyPatientRow(row)
  const patient: Record<string, unknown> = {
    id: row.id,
    version: row.v ?? 1,
    codeDeCiblage: row.codeDeCiblage ?? row.codeKey,
    birthName: row.birthName,
    firstNames: row.firstNames,
    sex: row.sex,
    birthDate: row.birthDate,
    birthRank: row.birthRank,
  }
  put(patient, 'nir', row.nir ?? row.nirKey)
  put(patient, 'niss', row.niss ?? row.nissKey)
  put(patient, 'nirOuvrantDroit', row.nirOuvrantDroit)
  put(patient, 'phone', row.phone)
  for (const [field, key] of Object.entries(PATIENT_SHORT_KEYS)) put(patient, field, row[key])
  const updatedAt = unpackInstant(row.u)
  patient.stamps = ungroupStamps(row.s, patient, updatedAt)
  patient.createdAt = row.ca === undefined ? updatedAt : unpackInstant(row.ca)
  patient.updatedAt = updatedAt
  return PatientRecordSchema.parse(patient)
}

// ---- Steps ----

type Version = StepRecord['versions'][number]

function encodeEligibility(fields: EligibilityFields, at: string): StoredEligibility {
  const { prescriber } = fields
  const pr: StoredEligibility['pr'] = {
    n: prescriber.name,
    p: encodeCode(PROFESSION_CODES, prescriber.profession),
  }
  put(pr, 'r', prescriber.rpps)
  put(pr, 'a', prescriber.adeli)
  const stored: StoredEligibility = {
    dp: fields.declarantIsPrescriber,
    pr,
    hp: fields.patientIsHealthProfessional,
  }
  if (fields.prescriptionDate !== at.slice(0, 10)) stored.pd = fields.prescriptionDate
  if (fields.patientMainActivity !== undefined)
    stored.ma = encodeCode(ACTIVITY_CODES, fields.patientMainActivity)
  if (fields.patientProfession !== undefined)
    stored.pp = encodeCode(PROFESSION_CODES, fields.patientProfession)
  if (fields.patientConsents !== true) stored.pc = fields.patientConsents
  if (fields.declarantAcceptsTransmission !== true) stored.dt = fields.declarantAcceptsTransmission
  return stored
}

function decodeEligibility(stored: StoredEligibility, at: string): Record<string, unknown> {
  const prescriber: Record<string, unknown> = {
    name: stored.pr.n,
    profession: decodeCode(PROFESSION_CODES, stored.pr.p),
  }
  put(prescriber, 'rpps', stored.pr.r)
  put(prescriber, 'adeli', stored.pr.a)
  const fields: Record<string, unknown> = {
    declarantIsPrescriber: stored.dp,
    prescriber,
    prescriptionDate: stored.pd ?? at.slice(0, 10),
    patientIsHealthProfessional: stored.hp,
    patientConsents: 'pc' in stored ? stored.pc : true,
    declarantAcceptsTransmission: 'dt' in stored ? stored.dt : true,
  }
  if (stored.ma !== undefined) fields.patientMainActivity = decodeCode(ACTIVITY_CODES, stored.ma)
  if (stored.pp !== undefined) fields.patientProfession = decodeCode(PROFESSION_CODES, stored.pp)
  return fields
}

/** The professional a version was recorded for: the delegate's principal, else the user. */
function professionalOf(actor: Actor): string {
  return actor.onBehalfOf ?? actor.userId
}

function encodeDose(fields: DoseFields, at: string, actor: Actor): StoredDose {
  const { place } = fields
  const pl: StoredDose['pl'] = { t: encodeCode(PLACE_CODES, place.type), p: place.postalCode, n: place.name }
  put(pl, 'f', place.finess)
  put(pl, 'm', place.nam)
  const stored: StoredDose = {
    vi: fields.vaccineId,
    ln: fields.lotNumber,
    is: encodeCode(SITE_CODES, fields.injectionSite),
    ro: encodeCode(ROUTE_CODES, fields.route),
    pl,
  }
  put(stored, 'le', fields.lotExpiry)
  if (fields.injectedAt !== at) stored.ia = packInstant(fields.injectedAt)
  if (fields.vaccinatorUserId !== professionalOf(actor)) stored.vu = packUuid(fields.vaccinatorUserId)
  return stored
}

function decodeDose(stored: StoredDose, at: string, actor: Actor): Record<string, unknown> {
  const place: Partial<Record<keyof VaccinationPlace, unknown>> = {
    type: decodeCode(PLACE_CODES, stored.pl.t),
    postalCode: stored.pl.p,
    name: stored.pl.n,
  }
  put(place, 'finess', stored.pl.f)
  put(place, 'nam', stored.pl.m)
  const fields: Record<string, unknown> = {
    vaccineId: stored.vi,
    lotNumber: stored.ln,
    injectionSite: decodeCode(SITE_CODES, stored.is),
    route: decodeCode(ROUTE_CODES, stored.ro),
    injectedAt: stored.ia === undefined ? at : unpackInstant(stored.ia),
    vaccinatorUserId: stored.vu === undefined ? professionalOf(actor) : unpackUuid(stored.vu),
    place,
  }
  put(fields, 'lotExpiry', stored.le)
  return fields
}

function encodeVersions(step: StepRecord): StoredVersion[] {
  const versions: readonly Version[] = step.versions
  return versions.map((v, i) => {
    const stored: Partial<StoredVersion> = {}
    if (v.version !== i + 1) stored.n = v.version
    if (v.at !== step.at) stored.at = packInstant(v.at)
    if (v.recordedAt !== step.recordedAt) stored.ra = packInstant(v.recordedAt)
    if (!sameActor(v.actor, step.author)) stored.a = encodeActor(v.actor)
    if (i === 0 || v.deviceId !== versions[i - 1]?.deviceId) stored.d = packUuid(v.deviceId)
    stored.mutationId = v.mutationId
    stored.f =
      step.kind === 'eligibility'
        ? encodeEligibility(v.fields as EligibilityFields, v.at)
        : encodeDose(v.fields as DoseFields, v.at, v.actor)
    return stored as StoredVersion
  })
}

/** Builds the stored row of a step record. */
export function toStepRow(step: StepRecord): StepRow {
  const base = {
    id: step.id,
    patientId: step.patientId,
    a: encodeActor(step.author),
    at: packInstant(step.at),
  }
  const row: StepRow =
    step.kind === 'eligibility'
      ? { ...base, kind: 'eligibility', versions: [] }
      : {
          ...base,
          kind: 'dose',
          td: encodeCode(DISEASE_CODES, step.targetDisease),
          dn: step.doseNumber,
          ...(step.isBooster ? { bo: true } : {}),
          versions: [],
        }
  if (step.recordedAt !== step.at) row.ra = packInstant(step.recordedAt)
  row.versions = encodeVersions(step)
  return row
}

/** Reads a stored step row back into a parsed record. */
export function fromStepRow(row: StepRow): StepRecord {
  if (isLegacyStepRow(row)) return fromLegacyStepRow(row)
  const author = decodeActor(row.a)
  const stepAt = unpackInstant(row.at)
  const recordedAt = row.ra === undefined ? stepAt : unpackInstant(row.ra)
  let deviceId: string | undefined
  const versions = row.versions.map((v, i) => {
    const at = v.at === undefined ? stepAt : unpackInstant(v.at)
    const actor = v.a === undefined ? author : decodeActor(v.a)
    deviceId = v.d === undefined ? deviceId : unpackUuid(v.d)
    return {
      version: v.n ?? i + 1,
      at,
      recordedAt: v.ra === undefined ? recordedAt : unpackInstant(v.ra),
      actor,
      deviceId,
      mutationId: v.mutationId,
      fields:
        row.kind === 'eligibility'
          ? decodeEligibility(v.f as StoredEligibility, at)
          : decodeDose(v.f as StoredDose, at, actor),
    }
  })
  const step: Record<string, unknown> = {
    id: row.id,
    patientId: row.patientId,
    kind: row.kind,
    author,
    at: stepAt,
    recordedAt,
    versions,
  }
  if (row.kind === 'dose') {
    step.targetDisease = decodeCode(DISEASE_CODES, row.td)
    step.doseNumber = row.dn
    step.isBooster = row.bo ?? false
  }
  return StepRecordSchema.parse(step)
}

// ---- Rows of database version 1 (read only: the upgrade to version 2 rewrites them) ----

/** A patient row of version 1: the record with grouped stamps, plus its search keys. */
type LegacyPatientRow = Omit<PatientRecord, 'stamps'> & {
  stamps: { at: string; deviceId: string; fields?: string[] }[]
} & PatientSearchKeys

/** A step row of version 1: versions without the `at`, `recordedAt` and `actor` they share with the step. */
type LegacyStepRow = Omit<StepRecord, 'versions'> & {
  versions: (Omit<Version, 'at' | 'recordedAt' | 'actor'> & {
    at?: string
    recordedAt?: string
    actor?: Actor
  })[]
}

function isLegacyPatientRow(row: object): row is LegacyPatientRow {
  return 'stamps' in row
}

function isLegacyStepRow(row: object): row is LegacyStepRow {
  return 'author' in row
}

function fromLegacyPatientRow(row: LegacyPatientRow): PatientRecord {
  const {
    codeKey: _codeKey,
    nirKey: _nirKey,
    nirOdKey: _nirOdKey,
    nissKey: _nissKey,
    nameKey: _nameKey,
    nameWords: _nameWords,
    stamps: groups,
    ...rest
  } = row
  const stamps: Record<string, Stamp> = {}
  for (const g of groups) {
    for (const field of g.fields ?? PATIENT_FIELDS.filter((f) => rest[f] !== undefined)) {
      stamps[field] = { at: g.at, deviceId: g.deviceId }
    }
  }
  return PatientRecordSchema.parse({ ...rest, stamps })
}

function fromLegacyStepRow(row: LegacyStepRow): StepRecord {
  const versions = row.versions.map((v) => ({
    ...v,
    at: v.at ?? row.at,
    recordedAt: v.recordedAt ?? row.recordedAt,
    actor: v.actor ?? row.author,
  }))
  return StepRecordSchema.parse({ ...row, versions })
}
