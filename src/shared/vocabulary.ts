// The closed lists of the forms (seed 004 and its annex, domain-reference.md), as codes: the UI shows them
// through src/i18n/locales/*/workflow.ts, the schemas accept only them, exports map them to SNOMED CT / HL7.
import { z } from 'zod'

/** The 12 vaccination place types of the seed's "Liste des lieux de vaccination", in the seed's order. */
export const PLACE_TYPES = [
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
] as const

/** Place types that are establishments, for which the form asks the FINESS number. */
export const ESTABLISHMENT_PLACE_TYPES = [
  'ehpad',
  'centre-de-vaccination',
  'usld',
  'residence-autonomie',
  'residence-services-seniors',
  'mas-fam',
  'autre-etablissement-medico-social',
  'autre-etablissement-de-sante',
  'foyer-migrant',
] as const satisfies readonly (typeof PLACE_TYPES)[number][]

/** The place type for which the N°AM is prefilled from the connected professional (seed 004). */
export const PLACE_TYPE_WITH_NAM = 'cabinet' satisfies (typeof PLACE_TYPES)[number]

/** Injection-site codes, in the order of the form's select. */
export const INJECTION_SITE_CODES = [
  'deltoid-left',
  'deltoid-right',
  'thigh-left',
  'thigh-right',
  'buttock-left',
  'buttock-right',
] as const

/** Each injection site's SNOMED CT and HL7 v3 ActSite codes (domain-reference.md), for FHIR export. */
export const INJECTION_SITES = {
  'deltoid-left': { snomed: '16217701000119102', hl7: 'LD' },
  'deltoid-right': { snomed: '16217661000119109', hl7: 'RD' },
  'thigh-left': { snomed: '61396006', hl7: 'LT' },
  'thigh-right': { snomed: '11207009', hl7: 'RT' },
  'buttock-left': { snomed: '723979003', hl7: 'LG' },
  'buttock-right': { snomed: '723980000', hl7: 'RG' },
} as const satisfies Record<(typeof INJECTION_SITE_CODES)[number], { snomed: string; hl7: string }>

/** Route codes, in the order of the form's select. */
export const ROUTE_CODES = ['intramuscular', 'subcutaneous', 'intradermal', 'nasal'] as const

/** Each route's EDQM, SNOMED CT and HL7 v3 codes (domain-reference.md), for FHIR export. */
export const ROUTES = {
  intramuscular: { edqm: '20035000', snomed: '78421000', hl7: 'IM' },
  subcutaneous: { edqm: '20066000', snomed: '34206005', hl7: 'SQ' },
  intradermal: { edqm: '20030000', snomed: '372464004', hl7: 'IDINJ' },
  nasal: { edqm: null, snomed: '46713006', hl7: 'NASINHLC' },
} as const satisfies Record<
  (typeof ROUTE_CODES)[number],
  { edqm: string | null; snomed: string; hl7: string }
>

/** The four "activité principale" choices of a patient who is a health professional (seed 004). */
export const MAIN_ACTIVITIES = [
  'etablissement-de-sante',
  'etablissement-medico-social',
  'ambulatoire',
  'autre',
] as const

/** The health professions of the seed's annex (code de la santé publique), in the annex's order. */
export const PROFESSIONS = [
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
] as const

/** Administrative sex as the identity form records it (NIR digit 1 = male, 2 = female). */
export const SEXES = ['male', 'female', 'unknown'] as const

/** Diseases a vaccine targets: the key of a dose series. */
export const TARGET_DISEASE_CODES = ['covid-19', 'influenza', 'pneumococcal', 'zoster', 'rsv'] as const

/** Each target disease's SNOMED CT code (FHIR protocolApplied.targetDisease). */
export const TARGET_DISEASES = {
  'covid-19': { snomed: '840539006' },
  influenza: { snomed: '6142004' },
  pneumococcal: { snomed: '16814004' },
  zoster: { snomed: '4740000' },
  rsv: { snomed: '55735004' },
} as const satisfies Record<(typeof TARGET_DISEASE_CODES)[number], { snomed: string }>

/** Vaccine platforms (technology), as shown in the catalogue. */
export const VACCINE_PLATFORMS = [
  'mrna',
  'viral-vector',
  'protein-subunit',
  'inactivated',
  'conjugate',
  'live-attenuated',
] as const

/** Seriousness of an adverse event observed on site (pharmacovigilance: grave / non grave). */
export const ADVERSE_EVENT_SEVERITIES = ['non-serious', 'serious'] as const

/** Roles an access manager grants, each with a start and an optional end. */
export const ROLES = ['vaccinator', 'delegate', 'access-manager', 'sync-admin'] as const

/** What a device reports in `audit.append`: reads, prints and exports (changes are audited by the server). */
export const AUDIT_ACTIONS = ['read', 'search', 'print', 'export'] as const

/** A vaccination place type. */
export type PlaceType = (typeof PLACE_TYPES)[number]
/** An injection-site code. */
export type InjectionSite = (typeof INJECTION_SITE_CODES)[number]
/** A route code. */
export type Route = (typeof ROUTE_CODES)[number]
/** A main-activity code. */
export type MainActivity = (typeof MAIN_ACTIVITIES)[number]
/** A health profession code. */
export type Profession = (typeof PROFESSIONS)[number]
/** An administrative sex. */
export type Sex = (typeof SEXES)[number]
/** A target-disease code. */
export type TargetDisease = (typeof TARGET_DISEASE_CODES)[number]
/** A vaccine platform. */
export type VaccinePlatform = (typeof VACCINE_PLATFORMS)[number]
/** An adverse-event seriousness. */
export type AdverseEventSeverity = (typeof ADVERSE_EVENT_SEVERITIES)[number]
/** A role. */
export type Role = (typeof ROLES)[number]
/** A device-side audited action. */
export type AuditAction = (typeof AUDIT_ACTIONS)[number]

/** Accepts only a place type of the seed's list. */
export const PlaceTypeSchema = z.enum(PLACE_TYPES)
/** Accepts only a known injection site. */
export const InjectionSiteSchema = z.enum(INJECTION_SITE_CODES)
/** Accepts only a known route. */
export const RouteSchema = z.enum(ROUTE_CODES)
/** Accepts only a main activity of the seed's list. */
export const MainActivitySchema = z.enum(MAIN_ACTIVITIES)
/** Accepts only a profession of the seed's annex. */
export const ProfessionSchema = z.enum(PROFESSIONS)
/** Accepts only a known administrative sex. */
export const SexSchema = z.enum(SEXES)
/** Accepts only a known target disease. */
export const TargetDiseaseSchema = z.enum(TARGET_DISEASE_CODES)
/** Accepts only a known vaccine platform. */
export const VaccinePlatformSchema = z.enum(VACCINE_PLATFORMS)
/** Accepts only a known adverse-event seriousness. */
export const AdverseEventSeveritySchema = z.enum(ADVERSE_EVENT_SEVERITIES)
/** Accepts only a known role. */
export const RoleSchema = z.enum(ROLES)
/** Accepts only a device-side audited action. */
export const AuditActionSchema = z.enum(AUDIT_ACTIONS)
