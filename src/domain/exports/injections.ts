// The CSV exports of seed 004 ("exporter votre synthèse au format .csv") and of a day's or a site's activity:
// one row per injection (a dose step's current version), French headers, ISO dates so a spreadsheet sorts them.
// Labels of the closed lists come from the caller (the French messages), so this module stays pure.
import type { EligibilityFields } from '../../shared/commands'
import type { PatientRecord, StepRecord, UserRecord } from '../../shared/records'
import type { Catalogue } from '../../shared/vaccine'
import type {
  InjectionSite,
  MainActivity,
  PlaceType,
  Profession,
  Route,
  Sex,
  TargetDisease,
} from '../../shared/vocabulary'
import { currentVersion, type DoseStep } from '../steps/step'
import { compareInstants, localDateOf, type IsoDate } from '../time/calendar'
import { findVaccine } from '../vaccines/schedule'
import { toCsv, type CsvValue } from './csv'

/** The French labels of the closed lists an export writes out (the shape of the workflow messages). */
export type ExportLabels = {
  sites: Record<InjectionSite, string>
  places: Record<PlaceType, string>
  routes: Record<Route, string>
  diseases: Record<TargetDisease, string>
  professions: Record<Profession, string>
  activities: Record<MainActivity, string>
  sexes: Record<Sex, string>
}

/** One injection as the activity export lists it: when, where, who received what, who gave it. */
export type InjectionRow = {
  date: IsoDate
  time: string
  placeType: string
  placeName: string
  placePostalCode: string
  finess: string
  codeDeCiblage: string
  birthName: string
  usualName: string
  firstNames: string
  birthDate: IsoDate
  disease: string
  vaccine: string
  lotNumber: string
  doseNumber: number
  isBooster: boolean
  injectionSite: string
  route: string
  professional: string
  professionalRpps: string
  delegate: string
}

/** What the exports read besides the file: products, members by id, the French labels. */
export type ExportContext = {
  catalogue: Catalogue
  users: ReadonlyMap<string, UserRecord>
  labels: ExportLabels
}

/** The French headers of the injections export, in column order. */
export const INJECTION_HEADERS = [
  'Date',
  'Heure',
  'Type de lieu',
  'Lieu de vaccination',
  'Code postal du lieu',
  'N° FINESS',
  'Code de ciblage',
  'Nom de naissance',
  "Nom d'usage",
  'Prénoms',
  'Date de naissance',
  'Maladie ciblée',
  'Vaccin',
  'Numéro de lot',
  'Rang vaccinal',
  'Rappel',
  "Zone d'injection",
  "Voie d'administration",
  'Professionnel de santé',
  'RPPS du professionnel',
  'Saisi par (délégué)',
] as const

function nameOf(users: ReadonlyMap<string, UserRecord>, userId: string): string {
  return users.get(userId)?.name ?? userId
}

/** Gives one injection row per dose step of a patient, in injection order. */
export function injectionRowsOf(
  file: { patient: PatientRecord; steps: readonly StepRecord[] },
  context: ExportContext,
): InjectionRow[] {
  const { patient } = file
  return file.steps
    .filter((s): s is DoseStep => s.kind === 'dose')
    .map((step) => ({ step, version: currentVersion(step) }))
    .sort((a, b) => compareInstants(a.version.fields.injectedAt, b.version.fields.injectedAt))
    .map(({ step, version }) => {
      const fields = version.fields
      const vaccine = findVaccine(context.catalogue, fields.vaccineId)
      const professionalId = version.actor.onBehalfOf ?? version.actor.userId
      const isDelegated =
        version.actor.onBehalfOf !== undefined && version.actor.onBehalfOf !== version.actor.userId
      const vaccinator = context.users.get(fields.vaccinatorUserId)
      return {
        date: localDateOf(fields.injectedAt),
        time: fields.injectedAt.slice(11, 16),
        placeType: context.labels.places[fields.place.type],
        placeName: fields.place.name,
        placePostalCode: fields.place.postalCode,
        finess: fields.place.finess ?? '',
        codeDeCiblage: patient.codeDeCiblage,
        birthName: patient.birthName,
        usualName: patient.usualName ?? '',
        firstNames: patient.firstNames,
        birthDate: patient.birthDate,
        disease: context.labels.diseases[step.targetDisease],
        vaccine: vaccine === undefined ? fields.vaccineId : `${vaccine.name} (${vaccine.manufacturer})`,
        lotNumber: fields.lotNumber.toUpperCase(),
        doseNumber: step.doseNumber,
        isBooster: step.isBooster,
        injectionSite: context.labels.sites[fields.injectionSite],
        route: context.labels.routes[fields.route],
        professional: vaccinator?.name ?? nameOf(context.users, professionalId),
        professionalRpps: vaccinator?.rpps ?? '',
        delegate: isDelegated ? nameOf(context.users, version.actor.userId) : '',
      }
    })
}

function injectionCells(row: InjectionRow): CsvValue[] {
  return [
    row.date,
    row.time,
    row.placeType,
    row.placeName,
    row.placePostalCode,
    row.finess,
    row.codeDeCiblage,
    row.birthName,
    row.usualName,
    row.firstNames,
    row.birthDate,
    row.disease,
    row.vaccine,
    row.lotNumber,
    row.doseNumber,
    row.isBooster ? 'Oui' : 'Non',
    row.injectionSite,
    row.route,
    row.professional,
    row.professionalRpps,
    row.delegate,
  ]
}

/** Writes injections (a day's, a site's, or one dose's) as a CSV file with French headers. */
export function injectionsToCsv(rows: readonly InjectionRow[]): string {
  return toCsv(INJECTION_HEADERS, rows.map(injectionCells))
}

/** The French headers of an eligibility summary's CSV, in column order. */
export const ELIGIBILITY_HEADERS = [
  'Code de ciblage',
  'Nom de naissance',
  "Nom d'usage",
  'Prénoms',
  'Sexe',
  'Date de naissance',
  'Rang de naissance',
  'NIR',
  'NISS',
  'Date de la déclaration',
  'Déclarant',
  'Saisi par (délégué)',
  'Le déclarant est le prescripteur',
  'Prescripteur',
  'Profession du prescripteur',
  'RPPS du prescripteur',
  'ADELI du prescripteur',
  "Date de l'ordonnance",
  'Le patient est un professionnel de santé',
  'Activité principale du patient',
  'Profession du patient',
  'Le patient accepte d’entrer dans le processus de vaccination',
  'Le déclarant accepte les conditions de transmission des données',
  'Rectificatif',
] as const

function eligibilityCells(
  patient: PatientRecord,
  step: Extract<StepRecord, { kind: 'eligibility' }>,
  context: ExportContext,
): CsvValue[] {
  const version = currentVersion(step)
  const f: EligibilityFields = version.fields
  const yesNo = (b: boolean) => (b ? 'Oui' : 'Non')
  const professionalId = version.actor.onBehalfOf ?? version.actor.userId
  const isDelegated =
    version.actor.onBehalfOf !== undefined && version.actor.onBehalfOf !== version.actor.userId
  return [
    patient.codeDeCiblage,
    patient.birthName,
    patient.usualName ?? '',
    patient.firstNames,
    context.labels.sexes[patient.sex],
    patient.birthDate,
    patient.birthRank,
    patient.nir ?? '',
    patient.niss ?? '',
    localDateOf(version.at),
    nameOf(context.users, professionalId),
    isDelegated ? nameOf(context.users, version.actor.userId) : '',
    yesNo(f.declarantIsPrescriber),
    f.prescriber.name,
    context.labels.professions[f.prescriber.profession],
    f.prescriber.rpps ?? '',
    f.prescriber.adeli ?? '',
    f.prescriptionDate,
    yesNo(f.patientIsHealthProfessional),
    f.patientMainActivity === undefined ? '' : context.labels.activities[f.patientMainActivity],
    f.patientProfession === undefined ? '' : context.labels.professions[f.patientProfession],
    yesNo(f.patientConsents),
    yesNo(f.declarantAcceptsTransmission),
    yesNo(step.versions.length > 1),
  ]
}

/**
 * Writes a step's summary as CSV (seed 004): the eligibility declaration as one row of its fields with the
 * patient's identity, a dose as its injection row; undefined when the file has no such step.
 */
export function stepSummaryToCsv(
  file: { patient: PatientRecord; steps: readonly StepRecord[] },
  stepId: string,
  context: ExportContext,
): string | undefined {
  const step = file.steps.find((s) => s.id === stepId)
  if (step === undefined) return undefined
  if (step.kind === 'eligibility') {
    return toCsv(ELIGIBILITY_HEADERS, [eligibilityCells(file.patient, step, context)])
  }
  return injectionsToCsv(injectionRowsOf({ patient: file.patient, steps: [step] }, context))
}
