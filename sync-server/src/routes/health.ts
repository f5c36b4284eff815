import type { FastifyInstance } from 'fastify'
import type { AppDeps } from '../app'

export function registerHealthRoutes(app: FastifyInstance, deps: Pick<AppDeps, 'store' | 'version'>): void {
  app.get('/api/health', async (request, reply) => {
    try {
      await deps.store.ping()
      return { status: 'ok', version: deps.version, store: deps.store.kind }
    } catch (error) {
      request.log.error({ err: error }, 'health check: store unavailable')
      return reply.code(503).send({ status: 'unavailable' })
    }
  })
}
