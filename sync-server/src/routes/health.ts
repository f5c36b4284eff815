import type { FastifyInstance } from 'fastify'
import type { AppDeps } from '../app'
import type { HealthMonitor } from '../rules/store-health'

/** Seconds a load balancer or a device waits before asking a server that is not ready again. */
const NOT_READY_RETRY_AFTER_S = 5

/**
 * `GET /api/health`, liveness: 200 whenever the process answers, `status: 'ok'` or `'degraded'` with the
 * reason (the database unreachable, its disk full or read-only, its schema not this server's, shutting down).
 * A restart cures none of those, so a supervisor must not restart on them.
 *
 * `GET /api/health/ready`, readiness: 200 when the database answers, takes writes and has this server's schema,
 * and the server is not shutting down; otherwise 503 with Retry-After, so a load balancer sends the requests
 * elsewhere. Both read one cached probe (rules/store-health.ts).
 */
export function registerHealthRoutes(
  app: FastifyInstance,
  deps: Pick<AppDeps, 'store' | 'version'> & { readonly health: HealthMonitor },
): void {
  app.get('/api/health', async () => {
    const report = await deps.health.check()
    return {
      status: report.reason === null ? 'ok' : 'degraded',
      version: deps.version,
      store: deps.store.kind,
      ...(report.reason === null ? {} : { reason: report.reason }),
    }
  })

  app.get('/api/health/ready', async (_request, reply) => {
    const report = await deps.health.check()
    if (report.reason === null) return { status: 'ready', checks: report.checks }
    return reply
      .code(503)
      .header('retry-after', String(NOT_READY_RETRY_AFTER_S))
      .send({ status: 'not-ready', reason: report.reason, checks: report.checks })
  })
}
