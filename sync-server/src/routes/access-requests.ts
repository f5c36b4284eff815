// The public side of accounts: asking for access (no account yet, so rate-limited per address) and the one-time
// links with which a new user chooses their password.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import { z } from 'zod'
import {
  CreateAccessRequestSchema,
  SetPasswordRequestSchema,
  type CreateAccessRequestResponse,
  type PasswordLinkInfo,
  type SetPasswordResponse,
} from '../../../src/shared/admin-api'
import type { Clock } from '../clock'
import { issuesOf } from '../http-errors'
import type { Store } from '../store'
import { passwordLinkInfo, requestAccess, setPasswordWithLink } from '../rules/admin-accounts'
import type { AdminRefusal } from '../rules/admin-context'

/** Public requests allowed per window, client address and purpose (access requests; password links). */
export type PublicRateLimit = { readonly max: number; readonly timeWindowMs: number }

export const DEFAULT_PUBLIC_RATE_LIMIT: PublicRateLimit = { max: 10, timeWindowMs: 10 * 60_000 }

export type AccessRequestRouteDeps = {
  readonly store: Store
  readonly clock: Clock
  readonly publicRateLimit?: PublicRateLimit
}

// A link token is 32 random bytes in base64url: anything else names no link.
const TokenParams = z.object({ token: z.string().regex(/^[A-Za-z0-9_-]{20,100}$/) })

const send = (reply: FastifyReply, refusal: AdminRefusal) => reply.code(refusal.status).send(refusal.body)

/**
 * `POST /api/access-requests`, `GET|POST /api/auth/password-links/:token`. Registered after the auth routes,
 * which register the rate-limit plugin.
 */
export function registerAccessRequestRoutes(app: FastifyInstance, deps: AccessRequestRouteDeps): void {
  const limit = deps.publicRateLimit ?? DEFAULT_PUBLIC_RATE_LIMIT
  // Apart per address and per purpose: spam of access requests never blocks someone choosing their password.
  const limiterOf = (purpose: string) =>
    app.createRateLimit({
      max: limit.max,
      timeWindow: limit.timeWindowMs,
      keyGenerator: (request) => `${purpose}:${request.ip}`,
    })
  const limiters = { request: limiterOf('access-request'), link: limiterOf('password-link') }
  const withinLimit = async (
    purpose: keyof typeof limiters,
    request: FastifyRequest,
    reply: FastifyReply,
  ): Promise<boolean> => {
    const outcome = await limiters[purpose](request)
    if (!outcome.isAllowed && outcome.isExceeded) {
      void reply
        .code(429)
        .header('retry-after', String(Math.max(1, outcome.ttlInSeconds)))
        .send({ error: 'rate-limited' })
      return false
    }
    return true
  }

  app.post('/api/access-requests', async (request, reply) => {
    if (!(await withinLimit('request', request, reply))) return reply
    const parsed = CreateAccessRequestSchema.safeParse(request.body ?? {})
    if (!parsed.success)
      return reply.code(400).send({ error: 'invalid-request', issues: issuesOf(parsed.error) })
    const outcome = await requestAccess(deps, parsed.data)
    if (!outcome.ok) return send(reply, outcome.refusal)
    return reply.code(202).send({
      id: outcome.value.id,
      status: 'pending',
      createdAt: outcome.value.createdAt,
    } satisfies CreateAccessRequestResponse)
  })

  app.get('/api/auth/password-links/:token', async (request, reply) => {
    if (!(await withinLimit('link', request, reply))) return reply
    const params = TokenParams.safeParse(request.params)
    if (!params.success) return reply.code(404).send({ error: 'not-found' })
    const outcome = await passwordLinkInfo(deps, params.data.token)
    if (!outcome.ok) return send(reply, outcome.refusal)
    return outcome.value satisfies PasswordLinkInfo
  })

  app.post('/api/auth/password-links/:token', async (request, reply) => {
    if (!(await withinLimit('link', request, reply))) return reply
    const params = TokenParams.safeParse(request.params)
    if (!params.success) return reply.code(404).send({ error: 'not-found' })
    const body = SetPasswordRequestSchema.safeParse(request.body ?? {})
    if (!body.success) return reply.code(400).send({ error: 'invalid-request', issues: issuesOf(body.error) })
    const outcome = await setPasswordWithLink(deps, params.data.token, body.data.password)
    if (!outcome.ok) return send(reply, outcome.refusal)
    return outcome.value satisfies SetPasswordResponse
  })
}
