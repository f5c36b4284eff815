import autocannon from 'autocannon'
import { startServer } from '../tests/e2e/support/server'

export type LoadFigures = {
  requestsPerSecond: number
  p50Ms: number
  p99Ms: number
  errors: number
  non2xx: number
}

/**
 * Loads GET /api/health on loopback for `seconds` against the real server in its own process
 * (SQLite), so the load generator and the server each get a core of this 2-core machine.
 */
export async function loadHealth(seconds: number, connections = 50): Promise<LoadFigures> {
  const server = await startServer({ CARNET_DEMO: '0', LOG_LEVEL: 'silent' })
  try {
    const result = await autocannon({
      url: `${server.url}/api/health`,
      connections,
      pipelining: 1,
      duration: seconds,
    })
    return {
      requestsPerSecond: result.requests.average,
      p50Ms: result.latency.p50,
      p99Ms: result.latency.p99,
      errors: result.errors + result.timeouts,
      non2xx: result.non2xx,
    }
  } finally {
    await server.stop()
  }
}
