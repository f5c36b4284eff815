import { pino } from 'pino'
import { buildApp } from './app'
import { systemClock } from './clock'
import { loadConfig } from './config'
import { formatDemoBlock, seedDemo } from './demo'
import { createSyncEvents } from './rules/sync-events'
import { createPostgresSyncEvents } from './rules/sync-events-postgres'
import { describeListenError, describeStoreOpenError } from './startup-errors'
import { openStore, type Store } from './store'
import { readVersion } from './version'

function fail(line: string): never {
  process.stderr.write(`${line}\n`)
  process.exit(1)
}

function displayHost(host: string): string {
  if (host === '127.0.0.1' || host === '0.0.0.0' || host === '::' || host === '::1') return 'localhost'
  return host.includes(':') ? `[${host}]` : host
}

async function start(): Promise<void> {
  const loaded = loadConfig(process.env)
  if (!loaded.ok) fail(`carnet: ${loaded.message}`)
  const config = loaded.config
  const clock = systemClock
  const logger = pino({ level: config.logLevel })

  let store: Store
  try {
    store = await openStore(config, clock, {
      databaseTimeouts: config.databaseTimeouts,
      onIdleError: (error) =>
        logger.warn({ err: error }, 'database: an idle connection was lost; the next query opens another'),
    })
  } catch (error) {
    fail(describeStoreOpenError(error, config))
  }

  if (config.demo) {
    const seed = await seedDemo(store, { password: config.demoPassword })
    if (seed.created) process.stdout.write(formatDemoBlock(seed))
  }

  // Instances sharing one PostgreSQL tell each other's event streams to pull; SQLite has a single instance.
  const syncEvents =
    config.database.kind === 'postgres'
      ? createPostgresSyncEvents({ url: config.database.url, logger })
      : createSyncEvents()
  const app = await buildApp({
    store,
    clock,
    logger,
    staticDir: config.staticDir,
    version: readVersion(),
    syncEvents,
    loginRateLimit: { max: config.loginRateLimit, timeWindowMs: 60_000 },
  })
  try {
    await app.listen({ port: config.port, host: config.host })
  } catch (error) {
    await app.close().catch(() => undefined)
    await store.close().catch(() => undefined)
    fail(describeListenError(error, config))
  }
  const address = app.server.address()
  const port = typeof address === 'object' && address !== null ? address.port : config.port
  process.stdout.write(`Carnet is running on http://${displayHost(config.host)}:${port}\n`)

  // Graceful stop (SIGTERM from systemd, Ctrl-C): readiness turns 503 and new requests are answered 503 with
  // Retry-After, requests in flight finish, event streams are closed, the waiting device states are written and
  // the database closed. A second signal, or SHUTDOWN_TIMEOUT_MS, ends the process at once.
  let stopping = false
  const stop = async (signal: NodeJS.Signals) => {
    if (stopping) {
      logger.warn({ signal }, 'second signal: exiting now')
      process.exit(1)
    }
    stopping = true
    logger.info(
      { signal, timeoutMs: config.shutdownTimeoutMs },
      'shutting down: finishing requests in flight',
    )
    const deadline = setTimeout(() => {
      logger.error({ timeoutMs: config.shutdownTimeoutMs }, 'shutdown took too long: exiting now')
      process.exit(1)
    }, config.shutdownTimeoutMs)
    deadline.unref()
    try {
      await app.close()
      await store.close()
      logger.info('stopped')
      process.exit(0)
    } catch (error) {
      logger.error({ err: error }, 'shutdown failed')
      process.exit(1)
    }
  }
  process.on('SIGINT', (signal) => void stop(signal))
  process.on('SIGTERM', (signal) => void stop(signal))
}

try {
  await start()
} catch (error) {
  fail(`carnet: could not start (${error instanceof Error ? error.message : String(error)})`)
}
