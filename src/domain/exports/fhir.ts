// A patient's immunizations as an HL7 FHIR R4 Bundle (domain-reference.md "Export: HL7 FHIR R4 Immunization"):
// what health-record systems import. One Patient and one Immunization per dose step (its current version); the
// eligibility declaration is not an immunization. Ids are Carnet's; fullUrls are urn:uuid (a Carnet id that is not
// a UUID gets a stable name-based one), and every reference points at a fullUrl of the same Bundle.
import type { DoseFields } from '../../shared/commands'
import type { PatientRecord, StepRecord, UserRecord } from '../../shared/records'
import type { Catalogue } from '../../shared/vaccine'
import { INJECTION_SITES, ROUTES, TARGET_DISEASES } from '../../shared/vocabulary'
import { normalizeIdentifier } from '../identifiers/normalize'
import { currentVersion, type DoseStep, type EligibilityStep } from '../steps/step'
import { compareInstants, type IsoDateTime } from '../time/calendar'
import { findVaccine } from '../vaccines/schedule'

/** Code systems and identifier systems of the export, by their official URIs. */
export const FHIR_SYSTEMS = {
  snomed: 'http://snomed.info/sct',
  edqm: 'http://standardterms.edqm.eu',
  actSite: 'http://terminology.hl7.org/CodeSystem/v3-ActSite',
  route: 'http://terminology.hl7.org/CodeSystem/v3-RouteOfAdministration',
  performerFunction: 'http://terminology.hl7.org/CodeSystem/v2-0443',
  ucum: 'http://unitsofmeasure.org',
  euProduct: 'https://ec.europa.eu/health/documents/community-register/html/',
  nir: 'urn:oid:1.2.250.1.213.1.4.8',
  ssin: 'https://www.ehealth.fgov.be/standards/fhir/core/NamingSystem/ssin',
  professional: 'urn:oid:1.2.250.1.71.4.2.1',
  finess: 'urn:oid:1.2.250.1.71.4.2.2',
} as const

/** The SNOMED CT code of a generic COVID-19 vaccine, first coding of every COVID-19 Immunization. */
export const GENERIC_COVID_VACCINE_SNOMED = '28531000087107'

/** A FHIR Coding. */
export type FhirCoding = { system: string; code: string; display?: string }
/** A FHIR CodeableConcept (at least a coding or a text). */
export type FhirCodeableConcept = { coding?: FhirCoding[]; text?: string }
/** A FHIR Identifier. */
export type FhirIdentifier = {
  use?: 'official' | 'usual'
  system?: string
  value: string
  type?: { text: string }
}
/** A FHIR Reference: to a resource of the Bundle, or a logical one by identifier and display. */
export type FhirReference = { reference?: string; identifier?: FhirIdentifier; display?: string }

/** A FHIR R4 Patient as exported. */
export type FhirPatient = {
  resourceType: 'Patient'
  id: string
  identifier: FhirIdentifier[]
  name: { use: 'official' | 'usual'; family: string; given?: string[] }[]
  gender: 'male' | 'female' | 'unknown'
  birthDate: string
  address?: { line?: string[]; postalCode?: string; city?: string }[]
}

/** A FHIR R4 Immunization as exported. */
export type FhirImmunization = {
  resourceType: 'Immunization'
  id: string
  status: 'completed' | 'entered-in-error' | 'not-done'
  vaccineCode: FhirCodeableConcept
  patient: FhirReference
  occurrenceDateTime: string
  recorded: string
  primarySource: boolean
  lotNumber: string
  expirationDate?: string
  site: FhirCodeableConcept
  route: FhirCodeableConcept
  doseQuantity: { value: number; unit: string; system: string; code: string }
  performer: { function: FhirCodeableConcept; actor: FhirReference }[]
  location: { display: string; identifier?: FhirIdentifier }
  protocolApplied: {
    series?: string
    targetDisease: FhirCodeableConcept[]
    doseNumberPositiveInt: number
    seriesDosesPositiveInt?: number
  }[]
}

/** A Bundle entry: a resource and the absolute name references use for it. */
export type FhirBundleEntry = { fullUrl: string; resource: FhirPatient | FhirImmunization }

/** A FHIR R4 Bundle of type `collection`: the Patient first, then one Immunization per dose. */
export type FhirBundle = {
  resourceType: 'Bundle'
  type: 'collection'
  timestamp: string
  entry: FhirBundleEntry[]
}

/** What the export reads besides the file: products, members (performers' names and numbers), when it is made. */
export type FhirExportContext = {
  catalogue: Catalogue
  users: ReadonlyMap<string, UserRecord>
  timestamp: IsoDateTime
}

const UUID_RE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i

// FNV-1a over UTF-16 code units, four lanes with distinct offsets: a stable 128-bit name, not a security hash.
function nameBasedUuid(name: string): string {
  const lanes = [0x811c9dc5, 0x050c5d1f, 0x1b873593, 0x7feb352d].map((seed) => {
    let hash = seed
    for (let i = 0; i < name.length; i++) {
      hash ^= name.charCodeAt(i)
      hash = Math.imul(hash, 0x01000193) >>> 0
    }
    return hash.toString(16).padStart(8, '0')
  })
  const hex = lanes.join('')
  // Version 8 (custom) and the RFC 9562 variant bits, so the result is a well-formed UUID.
  const variant = ((parseInt(hex.charAt(16), 16) & 0x3) | 0x8).toString(16)
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-8${hex.slice(13, 16)}-${variant}${hex.slice(17, 20)}-${hex.slice(20, 32)}`
}

/** Gives the urn:uuid fullUrl of a Carnet record: its own id when it is a UUID, else a stable one derived from it. */
export function fullUrlOf(kind: 'Patient' | 'Immunization', id: string): string {
  return `urn:uuid:${UUID_RE.test(id) ? id.toLowerCase() : nameBasedUuid(`carnet:${kind}:${id}`)}`
}

/** Gives a FHIR resource id (letters, digits, - and ., at most 64) from a Carnet id. */
export function fhirIdOf(id: string): string {
  return id.replace(/[^A-Za-z0-9.-]/g, '-').slice(0, 64)
}

function patientResource(patient: PatientRecord): FhirPatient {
  const identifier: FhirIdentifier[] = []
  if (patient.nir !== undefined) {
    identifier.push({ use: 'official', system: FHIR_SYSTEMS.nir, value: normalizeIdentifier(patient.nir) })
  }
  if (patient.niss !== undefined) {
    identifier.push({ use: 'official', system: FHIR_SYSTEMS.ssin, value: normalizeIdentifier(patient.niss) })
  }
  identifier.push({ use: 'usual', type: { text: 'Code de ciblage' }, value: patient.codeDeCiblage })
  const given = patient.firstNames.split(/\s+/).filter((n) => n !== '')
  const name: FhirPatient['name'] = [{ use: 'official', family: patient.birthName, given }]
  if (patient.usualName !== undefined) name.push({ use: 'usual', family: patient.usualName, given })
  const resource: FhirPatient = {
    resourceType: 'Patient',
    id: fhirIdOf(patient.id),
    identifier,
    name,
    gender: patient.sex,
    birthDate: patient.birthDate,
  }
  if (patient.address !== undefined || patient.postalCode !== undefined || patient.commune !== undefined) {
    resource.address = [
      {
        ...(patient.address === undefined ? {} : { line: [patient.address] }),
        ...(patient.postalCode === undefined ? {} : { postalCode: patient.postalCode }),
        ...(patient.commune === undefined ? {} : { city: patient.commune }),
      },
    ]
  }
  return resource
}

/** Gives the French national professional identifier (IDNPS): 8 + RPPS, else 0 + ADELI; undefined without either. */
export function professionalIdentifier(person: {
  rpps?: string
  adeli?: string
}): FhirIdentifier | undefined {
  if (person.rpps !== undefined) {
    return { system: FHIR_SYSTEMS.professional, value: `8${normalizeIdentifier(person.rpps)}` }
  }
  if (person.adeli !== undefined) {
    return { system: FHIR_SYSTEMS.professional, value: `0${normalizeIdentifier(person.adeli)}` }
  }
  return undefined
}

function performerFunction(code: 'AP' | 'OP'): FhirCodeableConcept {
  const display = code === 'AP' ? 'Administering Provider' : 'Ordering Provider'
  return { coding: [{ system: FHIR_SYSTEMS.performerFunction, code, display }] }
}

function actorOf(person: { name: string; rpps?: string; adeli?: string }): FhirReference {
  const identifier = professionalIdentifier(person)
  return identifier === undefined ? { display: person.name } : { identifier, display: person.name }
}

function vaccineCodeOf(fields: DoseFields, step: DoseStep, catalogue: Catalogue): FhirCodeableConcept {
  const vaccine = findVaccine(catalogue, fields.vaccineId)
  const coding: FhirCoding[] = []
  if (step.targetDisease === 'covid-19') {
    coding.push({
      system: FHIR_SYSTEMS.snomed,
      code: GENERIC_COVID_VACCINE_SNOMED,
      display: 'COVID-19 vaccine',
    })
  }
  if (vaccine?.euAuthorisation !== undefined) {
    coding.push({ system: FHIR_SYSTEMS.euProduct, code: vaccine.euAuthorisation, display: vaccine.name })
  }
  const text = vaccine === undefined ? fields.vaccineId : `${vaccine.name} (${vaccine.manufacturer})`
  return coding.length === 0 ? { text } : { coding, text }
}

function immunizationResource(
  step: DoseStep,
  patientUrl: string,
  prescriber: EligibilityStep['versions'][number]['fields']['prescriber'] | undefined,
  context: FhirExportContext,
): FhirImmunization {
  const fields = currentVersion(step).fields
  const site = INJECTION_SITES[fields.injectionSite]
  const route = ROUTES[fields.route]
  const vaccinator = context.users.get(fields.vaccinatorUserId)
  const performer: FhirImmunization['performer'] = [
    {
      function: performerFunction('AP'),
      actor: vaccinator === undefined ? { display: fields.vaccinatorUserId } : actorOf(vaccinator),
    },
  ]
  if (prescriber !== undefined)
    performer.push({ function: performerFunction('OP'), actor: actorOf(prescriber) })
  const vaccine = findVaccine(context.catalogue, fields.vaccineId)
  const primary = vaccine?.dosesInPrimarySeries ?? 0
  // A booster completes its own count (EU DCC writes a third dose as 3/3); a primary dose counts against the series.
  const seriesDoses = step.isBooster ? Math.max(step.doseNumber, primary) : primary
  const resource: FhirImmunization = {
    resourceType: 'Immunization',
    id: fhirIdOf(step.id),
    status: 'completed',
    vaccineCode: vaccineCodeOf(fields, step, context.catalogue),
    patient: { reference: patientUrl },
    occurrenceDateTime: fields.injectedAt,
    recorded: step.at,
    primarySource: true,
    lotNumber: fields.lotNumber.toUpperCase(),
    site: {
      coding: [
        { system: FHIR_SYSTEMS.snomed, code: site.snomed },
        { system: FHIR_SYSTEMS.actSite, code: site.hl7 },
      ],
    },
    route: {
      coding: [
        ...(route.edqm === null ? [] : [{ system: FHIR_SYSTEMS.edqm, code: route.edqm }]),
        { system: FHIR_SYSTEMS.snomed, code: route.snomed },
        { system: FHIR_SYSTEMS.route, code: route.hl7 },
      ],
    },
    doseQuantity: { value: 1, unit: 'dose', system: FHIR_SYSTEMS.ucum, code: '1' },
    performer,
    location: {
      display: `${fields.place.name}, ${fields.place.postalCode}`,
      ...(fields.place.finess === undefined
        ? {}
        : { identifier: { system: FHIR_SYSTEMS.finess, value: normalizeIdentifier(fields.place.finess) } }),
    },
    protocolApplied: [
      {
        series: step.isBooster ? 'booster' : 'primary',
        targetDisease: [
          { coding: [{ system: FHIR_SYSTEMS.snomed, code: TARGET_DISEASES[step.targetDisease].snomed }] },
        ],
        doseNumberPositiveInt: step.doseNumber,
        ...(seriesDoses > 0 ? { seriesDosesPositiveInt: seriesDoses } : {}),
      },
    ],
  }
  if (fields.lotExpiry !== undefined) resource.expirationDate = fields.lotExpiry
  return resource
}

/**
 * Builds the FHIR R4 collection Bundle of a patient's immunizations: the Patient (NIR or SSIN identifier), then
 * one completed Immunization per dose step in injection order, each with the prescriber of the eligibility step
 * as ordering performer when recorded.
 */
export function immunizationBundleOf(
  file: { patient: PatientRecord; steps: readonly StepRecord[] },
  context: FhirExportContext,
): FhirBundle {
  const patientUrl = fullUrlOf('Patient', file.patient.id)
  const eligibility = file.steps.find((s): s is EligibilityStep => s.kind === 'eligibility')
  const prescriber = eligibility === undefined ? undefined : currentVersion(eligibility).fields.prescriber
  const doses = file.steps
    .filter((s): s is DoseStep => s.kind === 'dose')
    .map((step) => ({ step, at: currentVersion(step).fields.injectedAt }))
    .sort((a, b) => compareInstants(a.at, b.at))
  return {
    resourceType: 'Bundle',
    type: 'collection',
    timestamp: context.timestamp,
    entry: [
      { fullUrl: patientUrl, resource: patientResource(file.patient) },
      ...doses.map(({ step }) => ({
        fullUrl: fullUrlOf('Immunization', step.id),
        resource: immunizationResource(step, patientUrl, prescriber, context),
      })),
    ],
  }
}
