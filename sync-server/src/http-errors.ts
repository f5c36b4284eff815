import type { FastifyReply } from 'fastify'
import type { ZodError } from 'zod'
import { retryAfterSeconds, type StoreFaultKind } from './store/faults'
import {
  HTTP_STATUS_BY_PROTOCOL_ERROR,
  type ErrorCode,
  type ErrorResponse,
  type ProtocolErrorCode,
} from '../../src/shared/errors'

export type { ErrorCode, ProtocolErrorCode } from '../../src/shared/errors'

/** The body of every non-2xx answer under /api (src/shared ErrorResponseSchema). */
export type HttpErrorBody = ErrorResponse & { readonly error: ErrorCode }

export type ErrorDetail = Readonly<Record<string, unknown>>

/** The status and body of a protocol refusal, the status taken from the shared table. */
export function protocolError(
  error: ProtocolErrorCode,
  detail?: ErrorDetail,
): { readonly status: number; readonly body: HttpErrorBody } {
  const body: HttpErrorBody = detail === undefined ? { error } : { error, detail: { ...detail } }
  return { status: HTTP_STATUS_BY_PROTOCOL_ERROR[error], body }
}

/**
 * Answers a protocol refusal. In an async hook or handler, return what this returns, so Fastify knows the
 * reply is sent.
 */
export function sendProtocolError(
  reply: FastifyReply,
  error: ProtocolErrorCode,
  detail?: ErrorDetail,
): FastifyReply {
  const { status, body } = protocolError(error, detail)
  return reply.code(status).send(body)
}

/**
 * Answers `503 unavailable` for a fault a retry can cure, with the Retry-After that fault calls for (the PWA
 * waits that long before its next attempt).
 */
export function sendUnavailable(reply: FastifyReply, fault: StoreFaultKind): FastifyReply {
  reply.header('retry-after', String(retryAfterSeconds(fault)))
  return sendProtocolError(reply, 'unavailable')
}

/** The `issues` of a `400 invalid-request`: where (path segments) and what, from a zod refusal. */
export function issuesOf(error: ZodError): NonNullable<ErrorResponse['issues']> {
  return error.issues.slice(0, 1000).map((issue) => ({
    path: issue.path.map((segment) => (typeof segment === 'number' ? segment : String(segment))),
    message: issue.message,
  }))
}
