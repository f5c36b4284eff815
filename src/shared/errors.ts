// Every refusal Carnet can send or show, as kebab-case codes shared by the PWA and the sync server.
// Rule codes come out of src/domain (a mutation rejected on its merits); protocol codes come out of
// the HTTP layer (authentication, framing, transport). The UI translates both (src/i18n/locales/*/workflow.ts).
import { z } from 'zod'
import { identifierWarningCodes } from '../domain/identifiers/codes'

/** Codes a workflow rule returns when it refuses a mutation (the `error` of a rejected push result). */
export const RULE_ERROR_CODES = [
  'action-in-future',
  'action-before-sign-in',
  'unknown-user',
  'role-not-valid',
  'not-a-professional',
  'delegate-not-acting-for',
  'patient-not-found',
  'step-not-found',
  'invalid-identifier',
  'invalid-fields',
  'identity-conflict',
  'duplicate-id',
  'step-already-recorded',
  'previous-step-missing',
  'step-kind-mismatch',
  'unknown-vaccine',
  'vaccine-mismatch',
  'booster-only-vaccine',
  'single-dose-series',
  'series-complete',
  'injection-in-future',
  'duplicate-injection-site',
  'step-locked-by-author',
  'step-locked-by-next-step',
  'stale-base-version',
  // Not a workflow rule: the server found the mutation's signature does not match its author's key on this device
  // (sync-push.ts). It is rejected like a rule refusal so that the device's queue moves on (docs/device-encryption.md).
  'signature-mismatch',
] as const

/** Codes of the sync and account API itself (HTTP status in `HTTP_STATUS_BY_PROTOCOL_ERROR`). */
export const PROTOCOL_ERROR_CODES = [
  'invalid-json',
  'invalid-request',
  'unauthenticated',
  'invalid-credentials',
  'device-revoked',
  'device-mismatch',
  'invalid-signature',
  'forbidden',
  'not-found',
  'seq-gap',
  'mutation-id-reused',
  'already-resolved',
  'payload-too-large',
  'upgrade-required',
  'rate-limited',
  'internal',
  'unavailable',
  'device-keys-destroyed',
] as const

/** Every error code on the wire: the union the UI must translate (each has a French and an English message). */
export const ERROR_CODES = [...RULE_ERROR_CODES, ...PROTOCOL_ERROR_CODES] as const

/** Warnings a rule attaches to an accepted mutation: they inform, they never block. */
export const RULE_WARNING_CODES = [
  'dose-before-minimum-interval',
  'lot-expired',
  'primary-series-cut-short',
  'possible-duplicate',
] as const

/** Every warning code on the wire: the rules' own and the identifier rules' (src/domain/identifiers). */
export const WARNING_CODES = [...RULE_WARNING_CODES, ...identifierWarningCodes] as const

/** A code a workflow rule refuses with. */
export type RuleErrorCode = (typeof RULE_ERROR_CODES)[number]
/** A code the HTTP layer refuses with. */
export type ProtocolErrorCode = (typeof PROTOCOL_ERROR_CODES)[number]
/** Any wire error code. */
export type ErrorCode = (typeof ERROR_CODES)[number]
/** A non-blocking warning code of a workflow rule. */
export type RuleWarningCode = (typeof RULE_WARNING_CODES)[number]
/** Any non-blocking warning code on the wire. */
export type WarningCode = (typeof WARNING_CODES)[number]

/** Parses an error code at a boundary, so an unknown code from an older or newer peer is caught. */
export const ErrorCodeSchema = z.enum(ERROR_CODES)
/** Parses a rule error code (the only codes a rejected mutation may carry). */
export const RuleErrorCodeSchema = z.enum(RULE_ERROR_CODES)
/** Parses a warning code. */
export const WarningCodeSchema = z.enum(WARNING_CODES)

/** Tells whether a string is a known wire error code. */
export function isErrorCode(value: unknown): value is ErrorCode {
  return typeof value === 'string' && (ERROR_CODES as readonly string[]).includes(value)
}

/** The HTTP status of each protocol error, the same on every route of the sync server. */
export const HTTP_STATUS_BY_PROTOCOL_ERROR = {
  'invalid-json': 400,
  'invalid-request': 400,
  unauthenticated: 401,
  'invalid-credentials': 401,
  'device-revoked': 401,
  'device-mismatch': 403,
  'invalid-signature': 401,
  forbidden: 403,
  'not-found': 404,
  'seq-gap': 409,
  'mutation-id-reused': 409,
  'already-resolved': 409,
  'payload-too-large': 413,
  'upgrade-required': 426,
  'rate-limited': 429,
  internal: 500,
  unavailable: 503,
  'device-keys-destroyed': 410,
} as const satisfies Record<ProtocolErrorCode, number>

/** The detail a refusal carries: a flat JSON object (who holds the lock, which field, the expected seq…). */
export const ErrorDetailSchema = z.record(z.string(), z.unknown())

/** The body of every non-2xx API answer: a code, optional detail, and zod issues for `invalid-request`. */
export const ErrorResponseSchema = z.object({
  error: ErrorCodeSchema,
  message: z.string().max(2000).optional(),
  detail: ErrorDetailSchema.optional(),
  issues: z
    .array(z.object({ path: z.array(z.union([z.string(), z.number()])), message: z.string().max(2000) }))
    .max(1000)
    .optional(),
})

/** An error answer of the API. */
export type ErrorResponse = z.infer<typeof ErrorResponseSchema>
