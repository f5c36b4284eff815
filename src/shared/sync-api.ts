// Request and response bodies of /api (sync-protocol.md): login, push, pull, rejection resolution, health.
// Both sides parse with these: the server its request bodies, the PWA every answer.
import { z } from 'zod'
import { MUTATION_TYPES, MutationSchema } from './commands'
import { ErrorCodeSchema, ErrorDetailSchema, RuleErrorCodeSchema, WarningCodeSchema } from './errors'
import { IdSchema, IsoDateTimeSchema, LabelSchema } from './primitives'
import { REJECTION_RESOLUTIONS, RoleGrantRecordSchema, UserRecordSchema } from './records'

/** The most mutations one push may carry (`413 payload-too-large` beyond, as beyond 2 MB). */
export const MAX_PUSH_MUTATIONS = 500
/** The largest push body in bytes. */
export const MAX_PUSH_BYTES = 2 * 1024 * 1024
/** The most changes one pull page may carry. */
export const MAX_PULL_LIMIT = 5000

/** `POST /api/auth/login`: the password is not trimmed (spaces are characters of it). */
export const LoginRequestSchema = z.object({
  login: z.string().trim().min(1).max(100),
  password: z.string().min(1).max(256),
  deviceId: IdSchema,
  deviceName: LabelSchema.optional(),
})

/**
 * The idle time after which the app locks, in minutes, set per organisation (a shared EHPAD desktop sets less):
 * the default, and the bounds the dashboard accepts.
 */
export const IDLE_LOCK_MINUTES = { default: 10, min: 1, max: 60 } as const

/** Enforces the bounds of an organisation's idle-lock time. */
export const IdleLockMinutesSchema = z.number().int().min(IDLE_LOCK_MINUTES.min).max(IDLE_LOCK_MINUTES.max)

/**
 * The organisation a user belongs to, identified by FINESS (France) or INAMI/enterprise number (Belgium), with
 * the settings its devices apply (`idleLockMinutes`; absent from older servers: the default applies).
 */
export const OrganisationSchema = z.object({
  id: IdSchema,
  name: LabelSchema,
  finess: z.string().trim().max(32).optional(),
  inami: z.string().trim().max(32).optional(),
  idleLockMinutes: IdleLockMinutesSchema.optional(),
})

/** The answer to a login: `deviceToken` only on the first sign-in of this device. */
export const LoginResponseSchema = z.object({
  user: UserRecordSchema,
  organisation: OrganisationSchema,
  roles: z.array(RoleGrantRecordSchema),
  accessToken: z.string().min(1).max(4096),
  expiresAt: IsoDateTimeSchema,
  deviceToken: z.string().min(1).max(4096).optional(),
  deviceKey: z.string().min(1).max(4096),
  /**
   * The device's data key (base64 of 32 bytes) that seals its personal data at rest; given to any valid user
   * signing in online on a device that is not revoked. Absent from servers older than device encryption.
   */
  dataKey: z
    .string()
    .regex(/^[A-Za-z0-9+/]{43}=$/)
    .optional(),
})

/** Enforces the push framing: at most 500 mutations, all from the pushing device. */
export const PushRequestSchema = z
  .object({ deviceId: IdSchema, mutations: z.array(MutationSchema).max(MAX_PUSH_MUTATIONS) })
  .refine((r) => r.mutations.every((m) => m.deviceId === r.deviceId), {
    message: 'every mutation must come from the pushing device',
    path: ['mutations'],
  })

/** A mutation applied: its change-log position and, for a merged patient, the device id → existing id map. */
export const AppliedResultSchema = z.object({
  id: IdSchema,
  seq: z.number().int().min(1),
  status: z.literal('applied'),
  position: z.number().int().min(0),
  mappedIds: z.record(IdSchema, IdSchema).optional(),
  warnings: z.array(WarningCodeSchema).optional(),
  replayed: z.boolean().optional(),
})

/** A mutation rejected on its merits, with the rule's code and detail (who holds the lock…). */
export const RejectedResultSchema = z.object({
  id: IdSchema,
  seq: z.number().int().min(1),
  status: z.literal('rejected'),
  error: RuleErrorCodeSchema,
  detail: ErrorDetailSchema.optional(),
  replayed: z.boolean().optional(),
})

/** One result of a push, in the order of the request. */
export const PushResultSchema = z.discriminatedUnion('status', [AppliedResultSchema, RejectedResultSchema])

/** The answer to a push: per-mutation results, the device's last applied seq, the server's clock. */
export const PushResponseSchema = z.object({
  results: z.array(PushResultSchema),
  lastSeq: z.number().int().min(0),
  serverTime: IsoDateTimeSchema,
})

/** The `409 seq-gap` answer (an error body like any other): nothing from the gap on was applied; resend from `detail.expectedSeq`. */
export const SeqGapResponseSchema = z.object({
  error: z.literal('seq-gap'),
  detail: z.object({ expectedSeq: z.number().int().min(1), lastSeq: z.number().int().min(0) }),
})

/** The entities a pull delivers. */
export const PULL_ENTITIES = [
  'patient',
  'step',
  'adverse-event',
  'lot',
  'vaccine',
  'user',
  'role-grant',
  'rejection',
  'device-revoked',
  'organisation',
] as const

/** `GET /api/sync/pull` query: an opaque cursor (empty = from the beginning) and a page size ≤ 5000. */
export const PullQuerySchema = z.object({
  after: z.string().max(512).default(''),
  limit: z.coerce.number().int().min(1).max(MAX_PULL_LIMIT).default(1000),
})

/** One change of a pull page; `data` is parsed per entity with the record schemas of src/shared/records.ts. */
export const PullChangeSchema = z.object({
  position: z.number().int().min(0),
  entity: z.enum(PULL_ENTITIES),
  id: z.string().min(1).max(200),
  version: z.number().int().min(0).optional(),
  data: z.unknown(),
})

/** A pull page: changes in position order, the cursor to store after committing them, and `lastSeq` of the same snapshot. */
export const PullResponseSchema = z.object({
  changes: z.array(PullChangeSchema),
  cursor: z.string().max(512),
  hasMore: z.boolean(),
  lastSeq: z.number().int().min(0),
})

/** How a device was revoked: wiped at once (a lost or stolen device), or after it exported its pending changes. */
export const REVOKE_MODES = ['wipe', 'after-export'] as const

/**
 * Who revoked a device, when and how: the `detail` of a `401 device-revoked` (sign-in and sync routes) and the
 * data of the `device-revoked` pull change. `exportUntil`: in `after-export` mode, until when the server keeps the
 * keys that open the device's export (null once they are destroyed).
 */
export const DeviceRevocationSchema = z.object({
  revokedAt: IsoDateTimeSchema,
  revokedBy: z.object({ id: IdSchema, name: z.string().max(200) }).nullable(),
  mode: z.enum(REVOKE_MODES),
  exportUntil: IsoDateTimeSchema.nullable(),
})

/** The `device-revoked` pull change: the revoked device and its revocation. */
export const DeviceRevokedChangeSchema = DeviceRevocationSchema.extend({
  id: IdSchema,
  name: z.string().max(200).optional(),
})

/**
 * One outbox entry of an export, still sealed as the device stores it (docs/device-encryption.md): its seq, id
 * and type in clear, and `c`, base64 of IV ‖ AES-GCM(envelope without seq, id, type) under the device's record
 * key with `outbox NUL <seq>` as additional data. Only the server, which holds the device's data key, opens it.
 */
export const SealedOutboxEntrySchema = z.object({
  seq: z.number().int().min(1),
  id: IdSchema,
  type: z.enum(MUTATION_TYPES),
  c: z
    .string()
    .min(40)
    .max(4 * 1024 * 1024)
    .regex(/^[A-Za-z0-9+/]+={0,2}$/),
})

/**
 * The file a device exports when it cannot send its changes (`POST /api/sync/import`): version 2 carries the
 * entries sealed (`sealed`) and, from a device whose rows were written before encryption, clear envelopes
 * (`mutations`); version 1 (clear envelopes only) is still imported.
 */
export const OutboxExportSchema = z.object({
  kind: z.literal('carnet-outbox'),
  v: z.literal(2),
  deviceId: IdSchema,
  exportedAt: IsoDateTimeSchema,
  sealed: z.array(SealedOutboxEntrySchema),
  mutations: z.array(z.unknown()),
})

/** `POST /api/sync/rejections/<id>/resolve`: what the author did about a rejection. */
export const ResolveRejectionRequestSchema = z.object({
  resolution: z.enum(REJECTION_RESOLUTIONS),
  note: z.string().trim().max(2000).optional(),
})

/** `GET /api/health`. */
export const HealthResponseSchema = z.object({
  status: z.literal('ok'),
  version: z.string().min(1).max(100),
  store: z.enum(['sqlite', 'postgres']),
})

/** An API error code (re-exported for routes that only need the sync API module). */
export const ApiErrorCodeSchema = ErrorCodeSchema

/** A login request. */
export type LoginRequest = z.infer<typeof LoginRequestSchema>
/** A login answer. */
export type LoginResponse = z.infer<typeof LoginResponseSchema>
/** An organisation. */
export type Organisation = z.infer<typeof OrganisationSchema>
/** A push request. */
export type PushRequest = z.infer<typeof PushRequestSchema>
/** One push result. */
export type PushResult = z.infer<typeof PushResultSchema>
/** A push answer. */
export type PushResponse = z.infer<typeof PushResponseSchema>
/** A seq-gap answer. */
export type SeqGapResponse = z.infer<typeof SeqGapResponseSchema>
/** A pull entity name. */
export type PullEntity = (typeof PULL_ENTITIES)[number]
/** A pull query. */
export type PullQuery = z.infer<typeof PullQuerySchema>
/** One pulled change. */
export type PullChange = z.infer<typeof PullChangeSchema>
/** A pull page. */
export type PullResponse = z.infer<typeof PullResponseSchema>
/** A rejection-resolution request. */
export type ResolveRejectionRequest = z.infer<typeof ResolveRejectionRequestSchema>
/** A revocation, as the device is told of it. */
export type DeviceRevocation = z.infer<typeof DeviceRevocationSchema>
/** A revocation mode. */
export type RevokeMode = (typeof REVOKE_MODES)[number]
/** A sealed outbox entry of an export. */
export type SealedOutboxEntry = z.infer<typeof SealedOutboxEntrySchema>
/** An outbox export file (version 2). */
export type OutboxExport = z.infer<typeof OutboxExportSchema>
/** A health answer. */
export type HealthResponse = z.infer<typeof HealthResponseSchema>
