import rateLimit from '@fastify/rate-limit'
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import { z } from 'zod'
import { LoginRequestSchema, type LoginResponse } from '../../../src/shared/sync-api'
import { authenticatedUser, requireUser } from '../auth/request-auth'
import { loadProfile, prepareSignIn, signIn, type Profile } from '../auth/sign-in'
import type { Clock } from '../clock'
import { sendProtocolError } from '../http-errors'
import type { Store } from '../store'

/** Sign-in attempts allowed per window, counted apart per client address and per login. */
export type LoginRateLimit = { readonly max: number; readonly timeWindowMs: number }

export const DEFAULT_LOGIN_RATE_LIMIT: LoginRateLimit = { max: 10, timeWindowMs: 60_000 }

export type AuthRoutesDeps = {
  readonly store: Store
  readonly clock: Clock
  readonly loginRateLimit?: LoginRateLimit
}

const LoginKeySchema = z.object({ login: z.string().trim().toLowerCase() })

// Counted before the body is validated, so malformed attempts spend the budget too.
const loginKeyOf = (body: unknown): string => LoginKeySchema.safeParse(body).data?.login ?? ''

/** `/api/auth/login`, `/api/auth/logout`, `/api/auth/me` (sync-protocol.md, Authentication). */
export async function registerAuthRoutes(app: FastifyInstance, deps: AuthRoutesDeps): Promise<void> {
  const limit = deps.loginRateLimit ?? DEFAULT_LOGIN_RATE_LIMIT
  // Only sign-in is limited: push and pull come from many devices, often behind one address.
  await app.register(rateLimit, { global: false })
  const limiters = [
    app.createRateLimit({
      max: limit.max,
      timeWindow: limit.timeWindowMs,
      keyGenerator: (request) => `login-ip:${request.ip}`,
    }),
    app.createRateLimit({
      max: limit.max,
      timeWindow: limit.timeWindowMs,
      keyGenerator: (request) => `login-name:${loginKeyOf(request.body)}`,
    }),
  ]
  const withinLimits = async (request: FastifyRequest, reply: FastifyReply): Promise<boolean> => {
    for (const check of limiters) {
      const outcome = await check(request)
      if (!outcome.isAllowed && outcome.isExceeded) {
        reply.header('retry-after', String(Math.max(1, outcome.ttlInSeconds)))
        return false
      }
    }
    return true
  }
  await prepareSignIn()
  const userOnly = requireUser(deps)

  app.post('/api/auth/login', async (request, reply) => {
    if (!(await withinLimits(request, reply))) return sendProtocolError(reply, 'rate-limited')
    const input = LoginRequestSchema.parse(request.body)
    const outcome = await signIn(deps, input)
    if (!outcome.ok) return sendProtocolError(reply, outcome.error, outcome.detail)
    return outcome.value satisfies LoginResponse
  })

  app.post('/api/auth/logout', { preHandler: userOnly }, async (request, reply) => {
    await deps.store.revokeSession(authenticatedUser(request).sessionId)
    return reply.code(204).send()
  })

  app.get('/api/auth/me', { preHandler: userOnly }, async (request, reply) => {
    const user = await deps.store.getUser(authenticatedUser(request).id)
    const profile = user === null ? null : await loadProfile(deps.store, user)
    if (profile === null) return sendProtocolError(reply, 'unauthenticated')
    return profile satisfies Profile
  })
}
