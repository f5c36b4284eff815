// The records the server stores and a pull delivers (entity `data`), and that Dexie keeps on the device.
// src/domain builds them; every reader parses them with these schemas.
import { z } from 'zod'
import { CodeDeCiblageSchema, DoseFieldsSchema, EligibilityFieldsObject, MutationSchema } from './commands'
import { ErrorDetailSchema, RuleErrorCodeSchema } from './errors'
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
  StampSchema,
} from './primitives'
import {
  AdverseEventSeveritySchema,
  ProfessionSchema,
  RoleSchema,
  SexSchema,
  TargetDiseaseSchema,
} from './vocabulary'

/** A patient file's identity and contact, flat, with each field's last-writer stamp (field-level LWW). */
export const PatientRecordSchema = z.object({
  id: IdSchema,
  version: z.number().int().min(1),
  codeDeCiblage: CodeDeCiblageSchema,
  birthName: NameSchema,
  usualName: NameSchema.optional(),
  firstNames: z.string().trim().min(1).max(150),
  sex: SexSchema,
  birthDate: IsoDateSchema,
  birthRank: z.number().int().min(1).max(9),
  nir: RawIdentifierSchema.optional(),
  niss: RawIdentifierSchema.optional(),
  nirOuvrantDroit: RawIdentifierSchema.optional(),
  address: z.string().trim().min(1).max(300).optional(),
  postalCode: PostalCodeSchema.optional(),
  commune: z.string().trim().min(1).max(100).optional(),
  phone: PhoneSchema.optional(),
  email: EmailSchema.optional(),
  stamps: z.record(z.string(), StampSchema),
  createdAt: IsoDateTimeSchema,
  updatedAt: IsoDateTimeSchema,
})

const versionBase = {
  version: z.number().int().min(1),
  at: IsoDateTimeSchema,
  recordedAt: IsoDateTimeSchema,
  actor: ActorSchema,
  deviceId: IdSchema,
  mutationId: IdSchema,
}

/** One version of an eligibility step: the whole fields as of that version (versions are never rewritten). */
export const EligibilityVersionSchema = z.object({ ...versionBase, fields: EligibilityFieldsObject })
/** One version of a dose step. */
export const DoseVersionSchema = z.object({ ...versionBase, fields: DoseFieldsSchema })

const stepBase = {
  id: IdSchema,
  patientId: IdSchema,
  author: ActorSchema,
  at: IsoDateTimeSchema,
  recordedAt: IsoDateTimeSchema,
}

/** A step of a patient's chain with all its versions (the first is the recording, the others amendments). */
export const StepRecordSchema = z.discriminatedUnion('kind', [
  z.object({
    ...stepBase,
    kind: z.literal('eligibility'),
    versions: z.array(EligibilityVersionSchema).min(1),
  }),
  z.object({
    ...stepBase,
    kind: z.literal('dose'),
    targetDisease: TargetDiseaseSchema,
    doseNumber: z.number().int().min(1),
    isBooster: z.boolean(),
    versions: z.array(DoseVersionSchema).min(1),
  }),
])

/** An adverse event recorded against a dose step. */
export const AdverseEventRecordSchema = z.object({
  id: IdSchema,
  patientId: IdSchema,
  stepId: IdSchema,
  description: z.string().trim().min(1).max(2000),
  severity: AdverseEventSeveritySchema,
  observedAt: IsoDateTimeSchema.optional(),
  reportedBy: ActorSchema,
  at: IsoDateTimeSchema,
  recordedAt: IsoDateTimeSchema,
})

/** A lot known for a vaccine (key: vaccine id + upper-case lot number). */
export const LotRecordSchema = z.object({
  vaccineId: IdSchema,
  lotNumber: LotNumberSchema,
  expiry: IsoDateSchema.optional(),
  updatedAt: IsoDateTimeSchema,
})

/** A member of the organisation, for names and the local rule checks (profession decides who may validate). */
export const UserRecordSchema = z.object({
  id: IdSchema,
  name: LabelSchema,
  login: z.string().trim().min(1).max(100).optional(),
  profession: ProfessionSchema.nullable(),
  rpps: RawIdentifierSchema.optional(),
  adeli: RawIdentifierSchema.optional(),
  nam: RawIdentifierSchema.optional(),
  inami: RawIdentifierSchema.optional(),
  niss: RawIdentifierSchema.optional(),
})

/** A role granted to a user from `startsAt`, until `endsAt` (exclusive) when set; a delegate lists whom they act for. */
export const RoleGrantRecordSchema = z.object({
  id: IdSchema,
  userId: IdSchema,
  role: RoleSchema,
  startsAt: IsoDateTimeSchema,
  endsAt: IsoDateTimeSchema.nullable().optional(),
  actingFor: z.array(IdSchema).max(100).default([]),
})

/** The ways the author of a rejected mutation can settle it ("À traiter" inbox). */
export const REJECTION_RESOLUTIONS = ['discarded', 're-entered', 'correction-requested'] as const

/** A rejected mutation, kept whole with its reason until its author resolves it. */
export const RejectionRecordSchema = z.object({
  id: IdSchema,
  mutation: MutationSchema,
  error: RuleErrorCodeSchema,
  detail: ErrorDetailSchema.optional(),
  rejectedAt: IsoDateTimeSchema,
  resolution: z
    .object({
      kind: z.enum(REJECTION_RESOLUTIONS),
      note: z.string().trim().max(2000).optional(),
      by: IdSchema,
      at: IsoDateTimeSchema,
    })
    .optional(),
})

/** A patient record. */
export type PatientRecord = z.infer<typeof PatientRecordSchema>
/** A step record with its versions. */
export type StepRecord = z.infer<typeof StepRecordSchema>
/** An adverse-event record. */
export type AdverseEventRecord = z.infer<typeof AdverseEventRecordSchema>
/** A lot record. */
export type LotRecord = z.infer<typeof LotRecordSchema>
/** A user record. */
export type UserRecord = z.infer<typeof UserRecordSchema>
/** A role grant. */
export type RoleGrantRecord = z.infer<typeof RoleGrantRecordSchema>
/** A rejection record. */
export type RejectionRecord = z.infer<typeof RejectionRecordSchema>
/** A rejection resolution kind. */
export type RejectionResolution = (typeof REJECTION_RESOLUTIONS)[number]
