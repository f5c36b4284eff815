// The mutation envelope of sync-protocol.md and its payloads, one per `type`. A type is extended by
// adding, never by changing the meaning of an existing one. Schemas trim strings but do not rewrite
// them otherwise, so the server verifies `sig` over the raw JSON before parsing (RFC 8785, src/shared/canonical-json.ts).
import { z } from 'zod'
import {
  ActorSchema,
  EmailSchema,
  IdSchema,
  IsoDateSchema,
  IsoDateTimeSchema,
  LabelSchema,
  LotNumberSchema,
  NameSchema,
  PhoneSchema,
  PostalCodeSchema,
  RawIdentifierSchema,
} from './primitives'
import {
  AdverseEventSeveritySchema,
  AuditActionSchema,
  InjectionSiteSchema,
  MainActivitySchema,
  PlaceTypeSchema,
  ProfessionSchema,
  RouteSchema,
  SexSchema,
} from './vocabulary'

/** The envelope format versions this build reads; an older one is answered `426 upgrade-required`. */
export const ENVELOPE_VERSIONS = [1] as const

/** The largest dose number (rang vaccinal) a step may carry. */
export const MAX_DOSE_NUMBER = 30

/** A code de ciblage as typed: letters, digits and Crockford check symbols, 4–32 characters. */
export const CodeDeCiblageSchema = z
  .string()
  .trim()
  .regex(/^[0-9A-Za-z*~$=-]{4,32}$/, 'code de ciblage: 4–32 letters or digits')

/** Identity fields of the registration form (seed 004 "Cas des NIR inconnus"), before the identifier rule. */
export const PatientIdentityObject = z.object({
  birthName: NameSchema,
  usualName: NameSchema.optional(),
  firstNames: z.string().trim().min(1).max(150),
  sex: SexSchema,
  birthDate: IsoDateSchema,
  birthRank: z.number().int().min(1).max(9).default(1),
  nir: RawIdentifierSchema.optional(),
  niss: RawIdentifierSchema.optional(),
  nirOuvrantDroit: RawIdentifierSchema.optional(),
})

/** Enforces that a patient is identified by a NIR, a NISS, or a NIR ouvrant droit (+ birth date + rang). */
export const PatientIdentitySchema = PatientIdentityObject.refine(
  (i) => i.nir !== undefined || i.niss !== undefined || i.nirOuvrantDroit !== undefined,
  { message: 'a NIR, a NISS or a NIR ouvrant droit is required', path: ['nir'] },
)

/** Contact fields of the registration form, all optional. */
export const PatientContactSchema = z.object({
  address: z.string().trim().min(1).max(300).optional(),
  postalCode: PostalCodeSchema.optional(),
  commune: z.string().trim().min(1).max(100).optional(),
  phone: PhoneSchema.optional(),
  email: EmailSchema.optional(),
})

/** The patient fields under field-level last-writer-wins, by name (identity and contact together). */
export const PATIENT_FIELDS = [
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

/** Patient fields that may be cleared (set to null) by an update. */
export const CLEARABLE_PATIENT_FIELDS = [
  'usualName',
  'nir',
  'niss',
  'nirOuvrantDroit',
  'address',
  'postalCode',
  'commune',
  'phone',
  'email',
] as const

/** The prescriber of the prescription (copied from it, or filled from the declarant when they prescribed). */
export const PrescriberSchema = z
  .object({
    name: LabelSchema,
    profession: ProfessionSchema,
    rpps: RawIdentifierSchema.optional(),
    adeli: RawIdentifierSchema.optional(),
  })
  .refine((p) => p.rpps !== undefined || p.adeli !== undefined, {
    message: 'an RPPS or ADELI number is required',
    path: ['rpps'],
  })

/** Eligibility-step fields (seed 004 "Déclarer l'éligibilité"), before the cross-field rules. */
export const EligibilityFieldsObject = z.object({
  declarantIsPrescriber: z.boolean(),
  prescriber: PrescriberSchema,
  prescriptionDate: IsoDateSchema,
  patientIsHealthProfessional: z.boolean(),
  patientMainActivity: MainActivitySchema.optional(),
  patientProfession: ProfessionSchema.optional(),
  patientConsents: z.literal(true),
  declarantAcceptsTransmission: z.literal(true),
})

/** Enforces that main activity and profession are given exactly when the patient is a health professional. */
export const EligibilityFieldsSchema = EligibilityFieldsObject.superRefine((f, ctx) => {
  for (const key of ['patientMainActivity', 'patientProfession'] as const) {
    if (f.patientIsHealthProfessional && f[key] === undefined) {
      ctx.addIssue({ code: 'custom', message: 'required for a health professional', path: [key] })
    }
    if (!f.patientIsHealthProfessional && f[key] !== undefined) {
      ctx.addIssue({ code: 'custom', message: 'only for a health professional', path: [key] })
    }
  }
})

/** Where the dose was given: the seed's place type, postal code and name, FINESS, N°AM. */
export const VaccinationPlaceSchema = z.object({
  type: PlaceTypeSchema,
  postalCode: PostalCodeSchema,
  name: LabelSchema,
  finess: RawIdentifierSchema.optional(),
  nam: RawIdentifierSchema.optional(),
})

/** Dose-step fields (seed 004 "Enregistrer l'acte de vaccination"); the dose number is the step's slot, not a field. */
export const DoseFieldsSchema = z.object({
  vaccineId: IdSchema,
  lotNumber: LotNumberSchema,
  lotExpiry: IsoDateSchema.optional(),
  injectionSite: InjectionSiteSchema,
  route: RouteSchema,
  injectedAt: IsoDateTimeSchema,
  vaccinatorUserId: IdSchema,
  place: VaccinationPlaceSchema,
})

/** `patient.register`: a new patient file, with the code de ciblage issued on the device (or the campaign's). */
export const PatientRegisterPayloadSchema = z.object({
  patientId: IdSchema,
  codeDeCiblage: CodeDeCiblageSchema,
  identity: PatientIdentitySchema,
  contact: PatientContactSchema.default({}),
})

/** The changes of `patient.update`: any patient fields, null clearing an optional one; at least one. */
export const PatientChangesSchema = z
  .object({
    birthName: NameSchema,
    usualName: NameSchema.nullable(),
    firstNames: z.string().trim().min(1).max(150),
    sex: SexSchema,
    birthDate: IsoDateSchema,
    birthRank: z.number().int().min(1).max(9),
    nir: RawIdentifierSchema.nullable(),
    niss: RawIdentifierSchema.nullable(),
    nirOuvrantDroit: RawIdentifierSchema.nullable(),
    codeDeCiblage: CodeDeCiblageSchema,
    address: z.string().trim().min(1).max(300).nullable(),
    postalCode: PostalCodeSchema.nullable(),
    commune: z.string().trim().min(1).max(100).nullable(),
    phone: PhoneSchema.nullable(),
    email: EmailSchema.nullable(),
  })
  .partial()
  .refine((c) => Object.keys(c).length > 0, { message: 'no change' })

/** `patient.update`: field-level changes to one patient. */
export const PatientUpdatePayloadSchema = z.object({ patientId: IdSchema, changes: PatientChangesSchema })

/** `step.record` of an eligibility declaration. */
export const EligibilityRecordPayloadSchema = z.object({
  kind: z.literal('eligibility'),
  stepId: IdSchema,
  patientId: IdSchema,
  fields: EligibilityFieldsSchema,
})

/** `step.record` of a dose; `isBooster` marks a dose given after (or instead of completing) the primary series. */
export const DoseRecordPayloadSchema = z.object({
  kind: z.literal('dose'),
  stepId: IdSchema,
  patientId: IdSchema,
  doseNumber: z.number().int().min(1).max(MAX_DOSE_NUMBER),
  isBooster: z.boolean().default(false),
  fields: DoseFieldsSchema,
})

/** `step.record`: a new step in a patient's chain. */
export const StepRecordPayloadSchema = z.discriminatedUnion('kind', [
  EligibilityRecordPayloadSchema,
  DoseRecordPayloadSchema,
])

function hasChanges(c: object): boolean {
  return Object.keys(c).length > 0
}

/** `step.amend`: changed fields over `baseVersion`, the version the author saw; at least one change. */
export const StepAmendPayloadSchema = z.discriminatedUnion('kind', [
  z.object({
    kind: z.literal('eligibility'),
    stepId: IdSchema,
    patientId: IdSchema,
    baseVersion: z.number().int().min(1),
    changes: EligibilityFieldsObject.partial().refine(hasChanges, { message: 'no change' }),
  }),
  z.object({
    kind: z.literal('dose'),
    stepId: IdSchema,
    patientId: IdSchema,
    baseVersion: z.number().int().min(1),
    changes: DoseFieldsSchema.partial().refine(hasChanges, { message: 'no change' }),
  }),
])

/** `adverse-event.record`: an adverse event observed on site after a dose. */
export const AdverseEventRecordPayloadSchema = z.object({
  eventId: IdSchema,
  patientId: IdSchema,
  stepId: IdSchema,
  description: z.string().trim().min(1).max(2000),
  severity: AdverseEventSeveritySchema,
  observedAt: IsoDateTimeSchema.optional(),
})

/** `lot.upsert`: a lot number (and expiry) known for a vaccine, for autocompletion. */
export const LotUpsertPayloadSchema = z.object({
  vaccineId: IdSchema,
  lotNumber: LotNumberSchema,
  expiry: IsoDateSchema.optional(),
})

/** One read, search, print or export done on the device (audited: who, what, when; never values). */
export const DeviceAuditEventSchema = z.object({
  id: IdSchema,
  action: AuditActionSchema,
  entity: z.enum(['patient', 'step', 'certificate', 'activity']),
  entityId: IdSchema.optional(),
  at: IsoDateTimeSchema,
  format: z.enum(['pdf', 'csv', 'fhir', 'screen']).optional(),
})

/** `audit.append`: reads, prints and exports done on the device. */
export const AuditAppendPayloadSchema = z.object({ events: z.array(DeviceAuditEventSchema).min(1).max(500) })

const envelope = {
  v: z.literal(1),
  id: IdSchema,
  deviceId: IdSchema,
  seq: z.number().int().min(1).max(Number.MAX_SAFE_INTEGER),
  at: IsoDateTimeSchema,
  actor: ActorSchema,
  sig: z.string().trim().min(1).max(200),
}

/** The mutation envelope (sync-protocol.md "Mutations"), one member per `type`. */
export const MutationSchema = z.discriminatedUnion('type', [
  z.object({ ...envelope, type: z.literal('patient.register'), payload: PatientRegisterPayloadSchema }),
  z.object({ ...envelope, type: z.literal('patient.update'), payload: PatientUpdatePayloadSchema }),
  z.object({ ...envelope, type: z.literal('step.record'), payload: StepRecordPayloadSchema }),
  z.object({ ...envelope, type: z.literal('step.amend'), payload: StepAmendPayloadSchema }),
  z.object({
    ...envelope,
    type: z.literal('adverse-event.record'),
    payload: AdverseEventRecordPayloadSchema,
  }),
  z.object({ ...envelope, type: z.literal('lot.upsert'), payload: LotUpsertPayloadSchema }),
  z.object({ ...envelope, type: z.literal('audit.append'), payload: AuditAppendPayloadSchema }),
])

/** The style guide's name for the same schema: a command is a mutation. */
export const CommandSchema = MutationSchema

/** Every mutation type, in the order of the protocol's table. */
export const MUTATION_TYPES = [
  'patient.register',
  'patient.update',
  'step.record',
  'step.amend',
  'adverse-event.record',
  'lot.upsert',
  'audit.append',
] as const

/** A parsed mutation. */
export type Mutation = z.infer<typeof MutationSchema>
/** A mutation as written before parsing (defaults not yet applied). */
export type MutationInput = z.input<typeof MutationSchema>
/** Same as Mutation (style-guide name). */
export type Command = Mutation
/** A mutation type. */
export type MutationType = Mutation['type']
/** The mutation of one type. */
export type MutationOf<T extends MutationType> = Extract<Mutation, { type: T }>
/** The payload of one mutation type. */
export type PayloadOf<T extends MutationType> = MutationOf<T>['payload']
/** A mutation before signing (what the signature covers). */
export type UnsignedMutation = { [T in MutationType]: Omit<MutationOf<T>, 'sig'> }[MutationType]

/** Identity fields of a patient. */
export type PatientIdentity = z.infer<typeof PatientIdentityObject>
/** Contact fields of a patient. */
export type PatientContact = z.infer<typeof PatientContactSchema>
/** A patient field name under last-writer-wins. */
export type PatientField = (typeof PATIENT_FIELDS)[number]
/** Changes of a `patient.update`. */
export type PatientChanges = z.infer<typeof PatientChangesSchema>
/** The eligibility step's fields. */
export type EligibilityFields = z.infer<typeof EligibilityFieldsObject>
/** A dose step's fields. */
export type DoseFields = z.infer<typeof DoseFieldsSchema>
/** The prescriber of an eligibility step. */
export type Prescriber = z.infer<typeof PrescriberSchema>
/** A vaccination place. */
export type VaccinationPlace = z.infer<typeof VaccinationPlaceSchema>
/** A device-side audit event. */
export type DeviceAuditEvent = z.infer<typeof DeviceAuditEventSchema>
