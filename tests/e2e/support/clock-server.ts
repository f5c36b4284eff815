// The real sync server started inside the test process with a clock the test moves, serving the built app
// from dist/ as sync-server/src/main.ts does: a test can make « two days later » true for the server and
// (with Playwright's page.clock) for a browser, without waiting two days.
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { pino } from 'pino'
import { buildApp } from '../../../sync-server/src/app'
import type { Clock } from '../../../sync-server/src/clock'
import { seedDemo } from '../../../sync-server/src/demo'
import { openStore } from '../../../sync-server/src/store'
import { demoPassword } from './server'

const root = fileURLToPath(new URL('../../..', import.meta.url))

/** The system clock shifted by an offset the test moves forward. */
export type MovableClock = Clock & {
  /** Moves the clock forward by `ms` from now on. */
  advance(ms: number): void
}

/** A server running in this process: its URL, its clock, and how to stop it. */
export type ClockServer = { url: string; clock: MovableClock; stop: () => Promise<void> }

/** Makes a clock that follows the system clock plus an offset. */
export function movableClock(): MovableClock {
  let offsetMs = 0
  return {
    now: () => new Date(Date.now() + offsetMs),
    advance: (ms) => {
      offsetMs += ms
    },
  }
}

/**
 * Starts the server on an ephemeral loopback port with a fresh SQLite database and the demo accounts (password
 * `demoPassword`), serving dist/ (build it first).
 */
export async function startClockServer(): Promise<ClockServer> {
  const clock = movableClock()
  const dataDir = mkdtempSync(join(tmpdir(), 'carnet-e2e-clock-'))
  const store = await openStore(
    { dataDir, database: { kind: 'sqlite', file: join(dataDir, 'carnet.sqlite') } },
    clock,
  )
  await seedDemo(store, { password: demoPassword })
  const app = await buildApp({
    store,
    clock,
    logger: pino({ level: 'warn' }),
    staticDir: join(root, 'dist'),
    version: 'e2e',
    loginRateLimit: { max: 100, timeWindowMs: 60_000 },
  })
  await app.listen({ port: 0, host: '127.0.0.1' })
  const address = app.server.address()
  if (typeof address !== 'object' || address === null) throw new Error('the server has no port')
  return {
    url: `http://localhost:${address.port}`,
    clock,
    stop: async () => {
      await app.close()
      await store.close()
      rmSync(dataDir, { recursive: true, force: true })
    },
  }
}
