// What the printable and exported documents are made from, read on the device with no network: a patient's file
// with the organisation's members and catalogue, which steps the server has acknowledged (a document of a step
// still in the outbox is provisional), and the day's injections across patients for the activity export.
import type { DocumentSource } from '../pdf'
import { currentDoseFields, currentVersion, type DoseStep } from '../domain/steps/step'
import { compareInstants, localDateOf } from '../domain/time/calendar'
import { CATALOGUE } from '../domain/vaccines/catalogue'
import type { VaccinationPlace } from '../shared/commands'
import type { PatientRecord, StepRecord, UserRecord } from '../shared/records'
import type { Catalogue } from '../shared/vaccine'
import type { CarnetDb } from './carnet-db'
import Dexie from 'dexie'
import type { StoredFile } from './files'
import { loadPatientFile, readFiles } from './patients-repo'

/** Who and when a document is made for: the organisation (from the session), the device clock, the signed-in user. */
export type DocumentContext = Pick<DocumentSource, 'organisation' | 'generatedAt' | 'generatedBy'>

/** One place where injections were given on a day, with how many. */
export type PlaceOfDay = Pick<VaccinationPlace, 'type' | 'postalCode' | 'name'> & {
  key: string
  count: number
}

/** The key a place is filtered by: its type, postal code and name (the same place typed twice is one place). */
export function placeKeyOf(place: Pick<VaccinationPlace, 'type' | 'postalCode' | 'name'>): string {
  return [place.type, place.postalCode, place.name.trim().toLocaleLowerCase('fr')].join('|')
}

/**
 * Gives the ids of the steps whose current version the server has acknowledged: no outbox entry of that version's
 * mutation is still waiting (pending, sending) or was refused. A version that arrived by pull has no outbox entry.
 */
export async function acknowledgedStepIds(db: CarnetDb, steps: readonly StepRecord[]): Promise<Set<string>> {
  const mutationIds = steps.map((s) => currentVersion(s).mutationId)
  const rows = await db.outbox.where('id').anyOf(mutationIds).toArray()
  const unsettled = new Set(rows.filter((r) => r.status !== 'applied').map((r) => r.id))
  return new Set(steps.filter((s) => !unsettled.has(currentVersion(s).mutationId)).map((s) => s.id))
}

async function loadReferences(
  db: CarnetDb,
): Promise<{ users: Map<string, UserRecord>; catalogue: Catalogue }> {
  const [users, vaccines] = await Promise.all([db.users.toArray(), db.vaccines.toArray()])
  return {
    users: new Map(users.map((u) => [u.id, u])),
    catalogue: vaccines.length > 0 ? vaccines : CATALOGUE,
  }
}

function sourceOf(
  patient: PatientRecord,
  steps: readonly StepRecord[],
  references: { users: Map<string, UserRecord>; catalogue: Catalogue },
  acknowledged: Set<string>,
  context: DocumentContext,
): DocumentSource {
  return {
    patient,
    steps,
    users: references.users,
    catalogue: references.catalogue,
    acknowledged,
    ...context,
  }
}

/** Reads everything one patient's documents need, from one snapshot; undefined when the patient is unknown here. */
export function loadDocumentSource(
  db: CarnetDb,
  patientId: string,
  context: DocumentContext,
): Promise<DocumentSource | undefined> {
  return db.transaction('r', [db.files, db.users, db.vaccines, db.outbox], async () => {
    const file = await loadPatientFile(db, patientId)
    if (file === undefined) return undefined
    const [references, acknowledged] = await Promise.all([
      loadReferences(db),
      acknowledgedStepIds(db, file.steps),
    ])
    return sourceOf(file.patient, file.steps, references, acknowledged, context)
  })
}

/** Where a patient's certificate stands: no dose to list yet, final, or provisional (a dose not acknowledged). */
export type CertificateStatus = 'no-dose' | 'final' | 'provisional'

/** Tells whether a patient's certificate would be final: it lists the doses, so only theirs count. */
export async function certificateStatus(db: CarnetDb, patientId: string): Promise<CertificateStatus> {
  return db.transaction('r', db.files, db.outbox, async () => {
    const file = await loadPatientFile(db, patientId)
    const doses = (file?.steps ?? []).filter((step) => step.kind === 'dose')
    if (doses.length === 0) return 'no-dose'
    return (await acknowledgedStepIds(db, doses)).size === doses.length ? 'final' : 'provisional'
  })
}

/**
 * The files with a dose given on `day` (the calendar day written with the injection time): clear rows through
 * their index of dose days, sealed ones through the in-memory index (src/db/vault/name-index.ts).
 */
async function filesDosedOn(db: CarnetDb, day: string): Promise<StoredFile[]> {
  const ids = new Set<string>()
  if (!db.vault.converted)
    for (const key of await db.files.where('days').equals(day).primaryKeys()) ids.add(key)
  if (db.vault.keys !== null) {
    await Dexie.waitFor(() => db.names.refresh())
    for (const id of db.names.dosedOn(day)) ids.add(id)
  }
  return [...(await readFiles(db, ids)).values()]
}

/** Walks the doses given on `day`, with their place's key. */
async function eachDoseOfDay(
  db: CarnetDb,
  day: string,
  visit: (step: DoseStep, place: PlaceOfDay, file: StoredFile) => void,
): Promise<void> {
  for (const file of await filesDosedOn(db, day)) {
    for (const step of file.steps) {
      if (step.kind !== 'dose') continue
      const fields = currentDoseFields(step)
      if (localDateOf(fields.injectedAt) !== day) continue
      const { type, postalCode, name } = fields.place
      visit(step, { key: placeKeyOf({ type, postalCode, name }), type, postalCode, name, count: 1 }, file)
    }
  }
}

/** Lists the places where injections were given on `day`, by name, with how many each. */
export function loadPlacesOfDay(db: CarnetDb, day: string): Promise<PlaceOfDay[]> {
  return db.transaction('r', db.files, async () => {
    const places = new Map<string, PlaceOfDay>()
    await eachDoseOfDay(db, day, (_, place) => {
      const known = places.get(place.key)
      if (known === undefined) places.set(place.key, place)
      else known.count += 1
    })
    return [...places.values()].sort((a, b) => a.name.localeCompare(b.name, 'fr'))
  })
}

/**
 * Reads the injections given on `day` across every patient, optionally at one place only (`placeKey`): one source
 * per patient with its eligibility and only that day's doses, in the order of their first injection.
 */
export function loadInjectionsOfDay(
  db: CarnetDb,
  day: string,
  context: DocumentContext,
  options: { placeKey?: string } = {},
): Promise<DocumentSource[]> {
  return db.transaction('r', [db.files, db.users, db.vaccines, db.outbox], async () => {
    const byPatient = new Map<string, { file: StoredFile; doses: DoseStep[] }>()
    await eachDoseOfDay(db, day, (step, place, file) => {
      if (options.placeKey !== undefined && options.placeKey !== place.key) return
      const entry = byPatient.get(file.id) ?? { file, doses: [] }
      entry.doses.push(step)
      byPatient.set(file.id, entry)
    })
    const references = await loadReferences(db)
    const eligibility = [...byPatient.values()].flatMap(({ file }) =>
      file.steps.filter((s) => s.kind === 'eligibility'),
    )
    const acknowledged = await acknowledgedStepIds(db, [
      ...eligibility,
      ...[...byPatient.values()].flatMap((e) => e.doses),
    ])
    const byTime = (a: DoseStep, b: DoseStep) =>
      compareInstants(currentDoseFields(a).injectedAt, currentDoseFields(b).injectedAt)
    const files: { first: DoseStep; source: DocumentSource }[] = []
    for (const { file, doses } of byPatient.values()) {
      const sorted = doses.sort(byTime)
      const first = sorted[0]
      if (file.patient === undefined || first === undefined) continue
      const steps = [...file.steps.filter((s) => s.kind === 'eligibility'), ...sorted]
      files.push({ first, source: sourceOf(file.patient, steps, references, acknowledged, context) })
    }
    return files.sort((a, b) => byTime(a.first, b.first)).map((f) => f.source)
  })
}
