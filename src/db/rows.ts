// How records are stored in IndexedDB: the shared record plus the derived search keys, in a compact form.
// Rows are written only through `toPatientRow`/`toStepRow` and read back only through `fromPatientRow`/
// `fromStepRow`, which parse with the shared schemas, so nothing else needs to know the stored shape.
//
// Why a stored form at all: a patient's field stamps (last-writer-wins) and a step's first version repeat the
// same instant, device and author a dozen times; written out whole they would nearly double a patient file's
// size (target ≤ 1.5 KB per patient with two steps). Stamps are grouped by identical stamp (one group without a
// field list when it covers every field, as after a registration); a version drops the `at`, `recordedAt` and
// `actor` it shares with its step.
import { normalizeIdentifier, parseNir } from '../domain/identifiers'
import { nameSearchKey } from '../domain/patients/names'
import { PATIENT_FIELDS } from '../shared/commands'
import type { Actor, Stamp } from '../shared/primitives'
import { PatientRecordSchema, StepRecordSchema, type PatientRecord, type StepRecord } from '../shared/records'

/** Fields that share one last-writer stamp; no `fields` = every patient field the record holds (a new file). */
export type StampGroup = { at: string; deviceId: string; fields?: string[] }

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

/** A patient as stored: the record with grouped stamps, plus its search keys. */
export type PatientRow = Omit<PatientRecord, 'stamps'> & { stamps: StampGroup[] } & PatientSearchKeys

type StoredVersion<V> = Omit<V, 'at' | 'recordedAt' | 'actor'> & {
  at?: string
  recordedAt?: string
  actor?: Actor
}

type StoredStep<S> = S extends { versions: (infer V)[] }
  ? Omit<S, 'versions'> & { versions: StoredVersion<V>[] }
  : never

/** A step as stored: versions without what they share with the step. */
export type StepRow = StoredStep<StepRecord>

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

function presentFields(patient: Readonly<Record<string, unknown>>): string[] {
  return PATIENT_FIELDS.filter((f) => patient[f] !== undefined)
}

function groupStamps(patient: PatientRecord): StampGroup[] {
  const groups = new Map<string, { at: string; deviceId: string; fields: string[] }>()
  for (const [field, stamp] of Object.entries(patient.stamps)) {
    const key = `${stamp.at}\u0000${stamp.deviceId}`
    const group = groups.get(key)
    if (group === undefined) groups.set(key, { at: stamp.at, deviceId: stamp.deviceId, fields: [field] })
    else group.fields.push(field)
  }
  const [only, ...others] = groups.values()
  if (only !== undefined && others.length === 0) {
    const present = presentFields(patient)
    if (present.length === only.fields.length && present.every((f) => only.fields.includes(f))) {
      return [{ at: only.at, deviceId: only.deviceId }]
    }
  }
  return [...groups.values()]
}

function ungroupStamps(
  groups: readonly StampGroup[],
  patient: Readonly<Record<string, unknown>>,
): Record<string, Stamp> {
  const stamps: Record<string, Stamp> = {}
  for (const g of groups) {
    for (const field of g.fields ?? presentFields(patient)) stamps[field] = { at: g.at, deviceId: g.deviceId }
  }
  return stamps
}

/** Builds the stored row of a patient record. */
export function toPatientRow(patient: PatientRecord): PatientRow {
  return { ...patient, stamps: groupStamps(patient), ...searchKeysOf(patient) }
}

/** Reads a stored patient row back into a parsed record (search keys dropped). */
export function fromPatientRow(row: PatientRow): PatientRecord {
  const {
    codeKey: _codeKey,
    nirKey: _nirKey,
    nirOdKey: _nirOdKey,
    nissKey: _nissKey,
    nameKey: _nameKey,
    nameWords: _nameWords,
    stamps,
    ...rest
  } = row
  return PatientRecordSchema.parse({ ...rest, stamps: ungroupStamps(stamps, rest) })
}

function sameActor(a: Actor, b: Actor): boolean {
  return a.userId === b.userId && a.onBehalfOf === b.onBehalfOf
}

/** Builds the stored row of a step record. */
export function toStepRow(step: StepRecord): StepRow {
  const versions = step.versions.map((v) => {
    const { at, recordedAt, actor, ...rest } = v
    return {
      ...rest,
      ...(at === step.at ? {} : { at }),
      ...(recordedAt === step.recordedAt ? {} : { recordedAt }),
      ...(sameActor(actor, step.author) ? {} : { actor }),
    }
  })
  return { ...step, versions } as StepRow
}

/** Reads a stored step row back into a parsed record. */
export function fromStepRow(row: StepRow): StepRecord {
  const versions = row.versions.map((v) => ({
    ...v,
    at: v.at ?? row.at,
    recordedAt: v.recordedAt ?? row.recordedAt,
    actor: v.actor ?? row.author,
  }))
  return StepRecordSchema.parse({ ...row, versions })
}
