// Request and response bodies of the administration API (/api/admin/*, /api/access-requests, the one-time
// password links). The sync server parses every request with these; the dashboard parses every answer.
// Errors are the usual `{ error, detail? }` body (src/shared/errors.ts) whose code is a wire error code or
// one of `ADMIN_ERROR_CODES`; a role that does not allow an action answers `403 forbidden` with
// `detail.need` naming the permission (src/domain/access/permissions.ts).
import { z } from 'zod'
import { ErrorCodeSchema, ErrorDetailSchema, RuleErrorCodeSchema } from './errors'
import {
  EmailSchema,
  IdSchema,
  IsoDateSchema,
  IsoDateTimeSchema,
  LabelSchema,
  PhoneSchema,
  PostalCodeSchema,
  RawIdentifierSchema,
} from './primitives'
import { REJECTION_RESOLUTIONS } from './records'
import { MUTATION_TYPES } from './commands'
import { IdleLockMinutesSchema, REVOKE_MODES, ResolveRejectionRequestSchema } from './sync-api'
import { PROFESSIONS, RoleSchema } from './vocabulary'

// ---------------------------------------------------------------------------------------------------------
// Vocabulary

/** The largest page of any administration list. */
export const MAX_ADMIN_PAGE_LIMIT = 200
/** The page size when `limit` is left out. */
export const DEFAULT_ADMIN_PAGE_LIMIT = 50
/** The shortest password a one-time link accepts. */
export const MIN_PASSWORD_LENGTH = 12
/** How long a one-time set-password link stays usable, in hours. */
export const PASSWORD_LINK_TTL_HOURS = 72

/** Kinds of organisation (mobile team, EHPAD, vaccination centre, other). */
export const ORGANISATION_KINDS = ['mobile-team', 'nursing-home', 'health-centre', 'other'] as const
/** Countries an organisation is registered in (FINESS in France, INAMI or enterprise number in Belgium). */
export const COUNTRIES = ['FR', 'BE'] as const
/** Kinds of professional identifier a user is known by. */
export const PROFESSIONAL_ID_KINDS = ['rpps', 'adeli', 'inami', 'niss'] as const
/** Staff who sign in without being health professionals (they may be delegates, never validate steps). */
export const STAFF_PROFESSIONS = ['secretaire-medical', 'administratif'] as const
/** Every profession an account may have: the health professions, then staff. */
export const ACCOUNT_PROFESSIONS = [...PROFESSIONS, ...STAFF_PROFESSIONS] as const
/** Device list filter. */
export const DEVICE_STATUSES = ['active', 'revoked'] as const
/**
 * Health alerts of a device: `reappeared-empty` (it had pushed changes, then pulled from the start with an empty
 * outbox), `broken-rows` (it met sealed rows that do not open: tampered or corrupted, `detail.count`,
 * `detail.tables`), `signature-mismatch` (changes set aside because their signature did not match, `detail.count`).
 */
export const DEVICE_ALERT_CODES = ['reappeared-empty', 'broken-rows', 'signature-mismatch'] as const
/** Rejection list filter. */
export const REJECTION_STATUSES = ['open', 'resolved'] as const
/** Access request states. */
export const ACCESS_REQUEST_STATUSES = ['pending', 'approved', 'refused'] as const
/** Where a grant stands at the server's now: valid, not yet valid, past its end, or revoked. */
export const GRANT_STATUSES = ['active', 'scheduled', 'ended', 'revoked'] as const
/** Outcomes of an audited action. */
export const AUDIT_OUTCOMES = ['done', 'refused'] as const

/**
 * Refusals of the administration API beyond the shared wire codes, with their HTTP status. The dashboard
 * translates them (fr/en admin messages).
 */
export const HTTP_STATUS_BY_ADMIN_ERROR = {
  /** A FINESS or INAMI number of an organisation with a wrong format or check key (`detail.reason`: the identifier rule code). */
  'invalid-organisation-id': 422,
  /** A well-formed FINESS / INAMI that no organisation here has. */
  'unknown-organisation': 422,
  /** An RPPS, ADELI, INAMI or NISS number with a wrong format or check key (`detail.kind`, `detail.reason`). */
  'invalid-professional-id': 422,
  /** The login is already used (logins compare case-insensitively). */
  'login-taken': 409,
  /** A grant whose end is not after its start. */
  'ends-before-start': 422,
  /** A delegate grant without the professional(s) acted for. */
  'delegate-needs-professional': 422,
  /** `actingFor` on a role other than delegate. */
  'acting-for-not-delegate': 422,
  /** A professional acted for who is not a vaccinating professional of the organisation (`detail.userId`). */
  'acting-for-not-professional': 422,
  /** Granting sync administration (to oneself or anyone) without being a sync administrator. */
  'cannot-grant-sync-admin': 403,
  /** A grant end set before now (what was valid stays valid in the history). */
  'end-in-past': 422,
  /** A grant, already revoked or already ended, cannot be ended or revoked again. */
  'grant-already-ended': 409,
  /** The device is already revoked. */
  'device-already-revoked': 409,
  /** The access request was already approved or refused. */
  'request-already-decided': 409,
  /** A password shorter than `MIN_PASSWORD_LENGTH` (`detail.min`). */
  'password-too-short': 422,
  /** A one-time link that was used already or expired. */
  'link-expired': 410,
} as const

/** The administration API's own error codes. */
export const ADMIN_ERROR_CODES = Object.keys(HTTP_STATUS_BY_ADMIN_ERROR) as [
  keyof typeof HTTP_STATUS_BY_ADMIN_ERROR,
  ...(keyof typeof HTTP_STATUS_BY_ADMIN_ERROR)[],
]

/** Parses an administration error code. */
export const AdminErrorCodeSchema = z.enum(ADMIN_ERROR_CODES)

/** The body of every non-2xx answer of the administration API. */
export const AdminErrorResponseSchema = z.object({
  error: z.union([ErrorCodeSchema, AdminErrorCodeSchema]),
  message: z.string().max(2000).optional(),
  detail: ErrorDetailSchema.optional(),
  issues: z
    .array(z.object({ path: z.array(z.union([z.string(), z.number()])), message: z.string().max(2000) }))
    .max(1000)
    .optional(),
})

/** Parses a profession of an account (health or staff). */
export const AccountProfessionSchema = z.enum(ACCOUNT_PROFESSIONS)
/** Parses a professional identifier kind. */
export const ProfessionalIdKindSchema = z.enum(PROFESSIONAL_ID_KINDS)

/** A professional identifier as typed; the server checks its key and stores it normalised. */
export const ProfessionalIdSchema = z.object({ kind: ProfessionalIdKindSchema, value: RawIdentifierSchema })

/** A login: 3–100 letters, digits, dots, dashes or underscores (compared case-insensitively). */
export const LoginSchema = z
  .string()
  .trim()
  .min(3)
  .max(100)
  .regex(/^[A-Za-z0-9][A-Za-z0-9._-]*$/, 'login: letters, digits, . _ - only')

/** A person or device as a list shows them: id and name. */
export const NamedRefSchema = z.object({ id: IdSchema, name: z.string().max(200) })

// ---------------------------------------------------------------------------------------------------------
// Paging

/** `?cursor=&limit=` of every list: an opaque cursor (empty = first page) and a page size ≤ 200. */
export const PageQuerySchema = z.object({
  cursor: z.string().max(512).optional(),
  limit: z.coerce.number().int().min(1).max(MAX_ADMIN_PAGE_LIMIT).default(DEFAULT_ADMIN_PAGE_LIMIT),
})

/** Builds the schema of a page of `item`: the items and the cursor of the next page (null on the last). */
export function pageSchema<T extends z.ZodType>(item: T) {
  return z.object({ items: z.array(item), nextCursor: z.string().max(512).nullable() })
}

/** A free-text search (name, login, device name…): trimmed, at most 100 characters, empty meaning none. */
export const SearchTextSchema = z.string().trim().max(100).optional()

// ---------------------------------------------------------------------------------------------------------
// Organisation

/** A site of the organisation (a place where it vaccinates). */
export const AdminSiteSchema = z.object({
  id: IdSchema,
  name: LabelSchema,
  postalCode: z.string().nullable(),
  createdAt: IsoDateTimeSchema,
})

/** `GET /api/admin/organisation`: the signed-in user's organisation and its sites. */
export const AdminOrganisationSchema = z.object({
  id: IdSchema,
  name: LabelSchema,
  kind: z.enum(ORGANISATION_KINDS),
  country: z.enum(COUNTRIES),
  finess: z.string().nullable(),
  inami: z.string().nullable(),
  enterpriseNumber: z.string().nullable(),
  /** After how many idle minutes the organisation's devices lock. */
  idleLockMinutes: IdleLockMinutesSchema,
  sites: z.array(AdminSiteSchema),
})

/** `PATCH /api/admin/organisation`: the organisation's device settings; answers the organisation. */
export const UpdateOrganisationRequestSchema = z.object({ idleLockMinutes: IdleLockMinutesSchema })

/** `POST /api/admin/organisation/sites`: adds a site (answers the site, 201). */
export const CreateSiteRequestSchema = z.object({
  name: LabelSchema,
  postalCode: PostalCodeSchema.optional(),
})

// ---------------------------------------------------------------------------------------------------------
// Devices

/** `GET /api/admin/devices` query: paging, search on device or user name, active or revoked. */
export const DeviceListQuerySchema = PageQuerySchema.extend({
  q: SearchTextSchema,
  status: z.enum(DEVICE_STATUSES).optional(),
})

/** A device's health alert, with when it was raised and what the server knew (`detail.lastSeq`). */
export const DeviceAlertSchema = z.object({
  code: z.enum(DEVICE_ALERT_CODES),
  at: IsoDateTimeSchema,
  detail: ErrorDetailSchema.optional(),
})

/** One device row of the dashboard. */
export const AdminDeviceSchema = z.object({
  id: IdSchema,
  name: z.string().max(200),
  user: NamedRefSchema.nullable(),
  registeredAt: IsoDateTimeSchema,
  lastSyncAt: IsoDateTimeSchema.nullable(),
  lastSeq: z.number().int().min(0),
  pending: z.number().int().min(0).nullable(),
  appVersion: z.string().max(100).nullable(),
  storageUsed: z.number().min(0).nullable(),
  storageQuota: z.number().min(0).nullable(),
  persisted: z.boolean().nullable(),
  revokedAt: IsoDateTimeSchema.nullable(),
  revokedBy: NamedRefSchema.nullable(),
  /** How it was revoked (null while active). */
  revokeMode: z.enum(REVOKE_MODES).nullable(),
  /** Revoked after export: until when the server keeps its keys to import its export (null once destroyed). */
  keysKeptUntil: IsoDateTimeSchema.nullable(),
  /** When the server destroyed its data key and signing keys after the revocation. */
  keysDestroyedAt: IsoDateTimeSchema.nullable(),
  /** When the export of a device revoked after export was imported. */
  exportImportedAt: IsoDateTimeSchema.nullable(),
  alerts: z.array(DeviceAlertSchema),
})

/**
 * `POST /api/admin/devices/:id/revoke`: `wipe` (lost or stolen: its keys are destroyed at once and it erases its
 * data as soon as it learns) or `after-export` (it exports its pending changes first; the keys are kept until that
 * export is imported, or for a bounded time). A request without body revokes with `wipe`.
 */
export const RevokeDeviceRequestSchema = z.object({ mode: z.enum(REVOKE_MODES).default('wipe') })

/** The answer to `POST /api/admin/devices/:id/import`: what the export held, and the device as it now stands. */
export const ImportOutboxResponseSchema = z.object({
  applied: z.number().int().min(0),
  rejected: z.number().int().min(0),
  replayed: z.number().int().min(0),
  lastSeq: z.number().int().min(0),
  device: AdminDeviceSchema,
})

/** A page of devices. */
export const DeviceListResponseSchema = pageSchema(AdminDeviceSchema)

// ---------------------------------------------------------------------------------------------------------
// Rejections

/** `GET /api/admin/rejections` query: paging, open or resolved, search on patient, author or device name. */
export const RejectionListQuerySchema = PageQuerySchema.extend({
  q: SearchTextSchema,
  status: z.enum(REJECTION_STATUSES).optional(),
})

/** One rejected mutation as the dashboard shows it, with who settled it when it is resolved. */
export const AdminRejectionSchema = z.object({
  id: IdSchema,
  error: RuleErrorCodeSchema,
  detail: ErrorDetailSchema.optional(),
  mutationType: z.enum(MUTATION_TYPES),
  patient: z
    .object({ id: IdSchema, name: z.string().max(300).nullable(), codeDeCiblage: z.string().nullable() })
    .nullable(),
  step: z
    .object({
      id: IdSchema,
      kind: z.enum(['eligibility', 'dose']).nullable(),
      doseNumber: z.number().int().min(1).nullable(),
    })
    .nullable(),
  actor: NamedRefSchema,
  onBehalfOf: NamedRefSchema.nullable(),
  device: NamedRefSchema,
  at: IsoDateTimeSchema,
  rejectedAt: IsoDateTimeSchema,
  resolution: z
    .object({
      kind: z.enum(REJECTION_RESOLUTIONS),
      note: z.string().max(2000).nullable(),
      by: NamedRefSchema.nullable(),
      at: IsoDateTimeSchema,
    })
    .nullable(),
})

/** A page of rejections. */
export const RejectionListResponseSchema = pageSchema(AdminRejectionSchema)

/** `POST /api/admin/rejections/:id/resolve`: the same body as the device's resolve; answers the rejection. */
export const AdminResolveRejectionRequestSchema = ResolveRejectionRequestSchema

// ---------------------------------------------------------------------------------------------------------
// Users and role grants

/** A role grant with its whole history: who granted it and when, its end, who revoked it and when. */
export const AdminGrantSchema = z.object({
  id: IdSchema,
  userId: IdSchema,
  role: RoleSchema,
  startsAt: IsoDateTimeSchema,
  endsAt: IsoDateTimeSchema.nullable(),
  actingFor: z.array(NamedRefSchema),
  grantedBy: NamedRefSchema.nullable(),
  grantedAt: IsoDateTimeSchema,
  revokedBy: NamedRefSchema.nullable(),
  revokedAt: IsoDateTimeSchema.nullable(),
  status: z.enum(GRANT_STATUSES),
})

/** A member of the organisation with their current grants (active or scheduled). */
export const AdminUserSchema = z.object({
  id: IdSchema,
  login: z.string().max(100),
  name: z.string().max(200),
  profession: AccountProfessionSchema,
  professionalId: ProfessionalIdSchema.nullable(),
  email: z.string().max(254).nullable(),
  disabled: z.boolean(),
  createdAt: IsoDateTimeSchema,
  grants: z.array(AdminGrantSchema),
})

/** `GET /api/admin/users` query: paging, search on name, login or professional number. */
export const UserListQuerySchema = PageQuerySchema.extend({ q: SearchTextSchema })

/** A page of users. */
export const UserListResponseSchema = pageSchema(AdminUserSchema)

/** `POST /api/admin/users`: a new account (no password: the answer carries a one-time link to choose it). */
export const CreateUserRequestSchema = z.object({
  login: LoginSchema,
  name: LabelSchema,
  profession: AccountProfessionSchema,
  professionalId: ProfessionalIdSchema.optional(),
  email: EmailSchema.optional(),
})

/** The one-time set-password link shown to the access manager (the sender may also mail it). */
export const PasswordLinkSchema = z.object({
  setPasswordUrl: z.string().min(1).max(2000),
  expiresAt: IsoDateTimeSchema,
})

/** The answer to a user creation: the user and their one-time set-password link (201). */
export const CreateUserResponseSchema = PasswordLinkSchema.extend({ user: AdminUserSchema })

/** `GET /api/admin/users/:id/grants`: every grant ever made to the user, newest first (one page). */
export const GrantListResponseSchema = pageSchema(AdminGrantSchema)

/** A role to grant: from `startsAt`, until `endsAt` (exclusive) when set; a delegate names whom they act for. */
export const GrantRoleRequestSchema = z.object({
  role: RoleSchema,
  startsAt: IsoDateTimeSchema,
  endsAt: IsoDateTimeSchema.nullable().optional(),
  actingFor: z.array(IdSchema).max(100).optional(),
})

/** The answer to a grant (201): the grants written — one per professional a delegate acts for, else one. */
export const GrantRoleResponseSchema = z.object({ grants: z.array(AdminGrantSchema).min(1) })

/** `POST /api/admin/grants/:id/end`: sets (or brings forward) the end of a grant; answers the grant. */
export const EndGrantRequestSchema = z.object({ endsAt: IsoDateTimeSchema })

// ---------------------------------------------------------------------------------------------------------
// Access requests

/** `POST /api/access-requests` (public): a professional asks for access to an organisation (one of FINESS or INAMI). */
export const CreateAccessRequestSchema = z
  .object({
    professionalIdKind: ProfessionalIdKindSchema,
    professionalId: RawIdentifierSchema,
    name: LabelSchema,
    profession: AccountProfessionSchema,
    email: EmailSchema,
    phone: PhoneSchema,
    organisationFiness: RawIdentifierSchema.optional(),
    organisationInami: RawIdentifierSchema.optional(),
    message: z.string().trim().max(2000).optional(),
  })
  .refine((r) => (r.organisationFiness === undefined) !== (r.organisationInami === undefined), {
    message: 'give the organisation’s FINESS or its INAMI number (one of them)',
    path: ['organisationFiness'],
  })

/** The answer to an access request (202): it waits for an access manager. */
export const CreateAccessRequestResponseSchema = z.object({
  id: IdSchema,
  status: z.literal('pending'),
  createdAt: IsoDateTimeSchema,
})

/** `GET /api/admin/access-requests` query: paging, by status (pending when left out), search on name. */
export const AccessRequestListQuerySchema = PageQuerySchema.extend({
  status: z.enum(ACCESS_REQUEST_STATUSES).default('pending'),
  q: SearchTextSchema,
})

/** An access request as the access manager sees it, with the decision once taken. */
export const AdminAccessRequestSchema = z.object({
  id: IdSchema,
  name: z.string().max(200),
  profession: AccountProfessionSchema,
  professionalId: ProfessionalIdSchema,
  email: z.string().max(254),
  phone: z.string().max(30),
  message: z.string().max(2000).nullable(),
  createdAt: IsoDateTimeSchema,
  status: z.enum(ACCESS_REQUEST_STATUSES),
  decidedBy: NamedRefSchema.nullable(),
  decidedAt: IsoDateTimeSchema.nullable(),
  refusalReason: z.string().max(2000).nullable(),
  userId: IdSchema.nullable(),
})

/** A page of access requests. */
export const AccessRequestListResponseSchema = pageSchema(AdminAccessRequestSchema)

/** `POST /api/admin/access-requests/:id/approve`: the account's login and the roles to grant (at least one). */
export const ApproveAccessRequestSchema = z.object({
  login: LoginSchema,
  roles: z.array(GrantRoleRequestSchema).min(1).max(10),
})

/** The answer to an approval: the request, the created user and their one-time set-password link. */
export const ApproveAccessRequestResponseSchema = PasswordLinkSchema.extend({
  request: AdminAccessRequestSchema,
  user: AdminUserSchema,
})

/** `POST /api/admin/access-requests/:id/refuse`: the reason given to the requester. */
export const RefuseAccessRequestSchema = z.object({ reason: z.string().trim().min(1).max(2000) })

// ---------------------------------------------------------------------------------------------------------
// One-time password links

/** `GET /api/auth/password-links/:token`: whose link it is (404 unknown, 410 `link-expired` used or expired). */
export const PasswordLinkInfoSchema = z.object({
  name: z.string().max(200),
  login: z.string().max(100),
  expiresAt: IsoDateTimeSchema,
})

/** `POST /api/auth/password-links/:token`: the chosen password (not trimmed; `password-too-short` below the minimum). */
export const SetPasswordRequestSchema = z.object({ password: z.string().min(1).max(256) })

/** The answer once the password is set: the login to sign in with. */
export const SetPasswordResponseSchema = z.object({ login: z.string().max(100) })

// ---------------------------------------------------------------------------------------------------------
// Audit

/** Filters of the audit log (`from` inclusive, `to` exclusive, on server time). */
export const AuditFilterSchema = z.object({
  userId: IdSchema.optional(),
  patientId: IdSchema.optional(),
  action: z.string().trim().min(1).max(50).optional(),
  from: IsoDateTimeSchema.optional(),
  to: IsoDateTimeSchema.optional(),
})

/** `GET /api/admin/audit` query: the filters and paging (newest first). */
export const AuditQuerySchema = PageQuerySchema.extend(AuditFilterSchema.shape)

/** One audit event: who (on whose behalf), what (entity, changed field names — never values), when, where, outcome. */
export const AdminAuditEventSchema = z.object({
  id: z.string().max(200),
  user: NamedRefSchema,
  onBehalfOf: NamedRefSchema.nullable(),
  action: z.string().max(100),
  entity: z.string().max(100),
  entityId: z.string().max(200).nullable(),
  patientId: z.string().max(200).nullable(),
  fields: z.array(z.string().max(100)),
  device: NamedRefSchema.nullable(),
  deviceTime: IsoDateTimeSchema.nullable(),
  serverTime: IsoDateTimeSchema,
  outcome: z.enum(AUDIT_OUTCOMES),
  reason: z.string().max(200).nullable(),
})

/** A page of audit events. */
export const AuditListResponseSchema = pageSchema(AdminAuditEventSchema)

// ---------------------------------------------------------------------------------------------------------
// Activity

/** `GET /api/admin/activity` query: a range of days, both inclusive (the last 30 days when left out). */
export const ActivityQuerySchema = z.object({ from: IsoDateSchema.optional(), to: IsoDateSchema.optional() })

/** A count per key (a day 'YYYY-MM-DD', a site name, a vaccine id). */
export const CountSchema = z.object({ key: z.string().max(200), count: z.number().int().min(0) })

/**
 * The activity of the organisation over the range: doses per day (device time of action), per site (the
 * dose's place name), per vaccine, and per day the doses recorded on devices (their time of action) versus
 * those received by the server (its receipt time).
 */
export const ActivityResponseSchema = z.object({
  from: IsoDateSchema,
  to: IsoDateSchema,
  dosesPerDay: z.array(CountSchema),
  dosesPerSite: z.array(CountSchema),
  dosesPerVaccine: z.array(CountSchema),
  recordedVersusReceived: z.array(
    z.object({ day: IsoDateSchema, recorded: z.number().int().min(0), received: z.number().int().min(0) }),
  ),
})

// ---------------------------------------------------------------------------------------------------------
// Types

/** An administration error code. */
export type AdminErrorCode = (typeof ADMIN_ERROR_CODES)[number]
/** An administration error answer. */
export type AdminErrorResponse = z.infer<typeof AdminErrorResponseSchema>
/** A profession of an account. */
export type AccountProfession = (typeof ACCOUNT_PROFESSIONS)[number]
/** A professional identifier kind. */
export type ProfessionalIdKind = (typeof PROFESSIONAL_ID_KINDS)[number]
/** A professional identifier. */
export type ProfessionalId = z.infer<typeof ProfessionalIdSchema>
/** A person or device reference. */
export type NamedRef = z.infer<typeof NamedRefSchema>
/** Paging parameters. */
export type PageQuery = z.infer<typeof PageQuerySchema>
/** A page of items. */
export type Page<T> = { items: T[]; nextCursor: string | null }
/** A site. */
export type AdminSite = z.infer<typeof AdminSiteSchema>
/** The organisation with its sites. */
export type AdminOrganisation = z.infer<typeof AdminOrganisationSchema>
/** A site creation. */
export type CreateSiteRequest = z.infer<typeof CreateSiteRequestSchema>
/** Device list query. */
export type DeviceListQuery = z.infer<typeof DeviceListQuerySchema>
/** A device status filter. */
export type DeviceStatus = (typeof DEVICE_STATUSES)[number]
/** A device alert code. */
export type DeviceAlertCode = (typeof DEVICE_ALERT_CODES)[number]
/** A device alert. */
export type DeviceAlert = z.infer<typeof DeviceAlertSchema>
/** A device row. */
export type AdminDevice = z.infer<typeof AdminDeviceSchema>
/** A revocation request. */
export type RevokeDeviceRequest = z.infer<typeof RevokeDeviceRequestSchema>
/** The answer to an import. */
export type ImportOutboxResponse = z.infer<typeof ImportOutboxResponseSchema>
/** An organisation settings change. */
export type UpdateOrganisationRequest = z.infer<typeof UpdateOrganisationRequestSchema>
/** A page of devices. */
export type DeviceListResponse = z.infer<typeof DeviceListResponseSchema>
/** Rejection list query. */
export type RejectionListQuery = z.infer<typeof RejectionListQuerySchema>
/** A rejection status filter. */
export type RejectionStatus = (typeof REJECTION_STATUSES)[number]
/** A rejection row. */
export type AdminRejection = z.infer<typeof AdminRejectionSchema>
/** A page of rejections. */
export type RejectionListResponse = z.infer<typeof RejectionListResponseSchema>
/** A rejection resolution from the dashboard. */
export type AdminResolveRejectionRequest = z.infer<typeof AdminResolveRejectionRequestSchema>
/** A grant status. */
export type GrantStatus = (typeof GRANT_STATUSES)[number]
/** A grant with its history. */
export type AdminGrant = z.infer<typeof AdminGrantSchema>
/** A user with current grants. */
export type AdminUser = z.infer<typeof AdminUserSchema>
/** User list query. */
export type UserListQuery = z.infer<typeof UserListQuerySchema>
/** A page of users. */
export type UserListResponse = z.infer<typeof UserListResponseSchema>
/** A user creation. */
export type CreateUserRequest = z.infer<typeof CreateUserRequestSchema>
/** A one-time password link. */
export type PasswordLink = z.infer<typeof PasswordLinkSchema>
/** A user creation answer. */
export type CreateUserResponse = z.infer<typeof CreateUserResponseSchema>
/** A user's grant history. */
export type GrantListResponse = z.infer<typeof GrantListResponseSchema>
/** A role grant request. */
export type GrantRoleRequest = z.infer<typeof GrantRoleRequestSchema>
/** The answer to a grant. */
export type GrantRoleResponse = z.infer<typeof GrantRoleResponseSchema>
/** A grant end request. */
export type EndGrantRequest = z.infer<typeof EndGrantRequestSchema>
/** A public access request. */
export type CreateAccessRequest = z.infer<typeof CreateAccessRequestSchema>
/** The answer to a public access request. */
export type CreateAccessRequestResponse = z.infer<typeof CreateAccessRequestResponseSchema>
/** An access request status. */
export type AccessRequestStatus = (typeof ACCESS_REQUEST_STATUSES)[number]
/** Access request list query. */
export type AccessRequestListQuery = z.infer<typeof AccessRequestListQuerySchema>
/** An access request row. */
export type AdminAccessRequest = z.infer<typeof AdminAccessRequestSchema>
/** A page of access requests. */
export type AccessRequestListResponse = z.infer<typeof AccessRequestListResponseSchema>
/** An approval. */
export type ApproveAccessRequest = z.infer<typeof ApproveAccessRequestSchema>
/** The answer to an approval. */
export type ApproveAccessRequestResponse = z.infer<typeof ApproveAccessRequestResponseSchema>
/** A refusal. */
export type RefuseAccessRequest = z.infer<typeof RefuseAccessRequestSchema>
/** Whose one-time link it is. */
export type PasswordLinkInfo = z.infer<typeof PasswordLinkInfoSchema>
/** A password choice. */
export type SetPasswordRequest = z.infer<typeof SetPasswordRequestSchema>
/** The answer once the password is set. */
export type SetPasswordResponse = z.infer<typeof SetPasswordResponseSchema>
/** Audit filters (also those of the CSV export). */
export type AuditFilter = z.infer<typeof AuditFilterSchema>
/** Audit list query. */
export type AuditQuery = z.infer<typeof AuditQuerySchema>
/** An audit event row. */
export type AdminAuditEvent = z.infer<typeof AdminAuditEventSchema>
/** A page of audit events. */
export type AuditListResponse = z.infer<typeof AuditListResponseSchema>
/** Activity query. */
export type ActivityQuery = z.infer<typeof ActivityQuerySchema>
/** A count per key. */
export type Count = z.infer<typeof CountSchema>
/** The activity answer. */
export type ActivityResponse = z.infer<typeof ActivityResponseSchema>
