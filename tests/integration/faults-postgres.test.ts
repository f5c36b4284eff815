// The server rides out PostgreSQL going away: the real server in its own process talks to the database through a
// TCP proxy (faults/tcp-proxy.ts) that cuts, stalls and slows the connection, or loses the answer to a COMMIT.
// Whatever happens, the process stays up, answers 503 with Retry-After while the database is out of reach, comes
// back by itself, and the ledger is sound: every answered mutation stored with its answer, each exactly once.
import { pino } from 'pino'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { PushResponseSchema } from '../../src/shared/sync-api'
import {
  createPostgresSyncEvents,
  type PostgresSyncEvents,
} from '../../sync-server/src/rules/sync-events-postgres'
import { httpJson } from '../../bench/lib/http'
import { checkLedger, ledgerDevice, pushNext, type LedgerDevice } from './faults/ledger'
import { freshSchema, runCuts, serverBehindProxy } from './faults/postgres-cuts'
import { SERVER_PASSWORD } from './faults/server-process'
import { startTcpProxy } from './faults/tcp-proxy'
import { DATABASE_URL } from './sync-helpers'

const SEED = Number(process.env.CARNET_FAULTS_SEED ?? Date.now() % 2 ** 31)
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

/** Pushes the device's next batch until it is answered 200 (the database is back), for at most `ms`. */
async function pushUntilAnswered(url: string, device: LedgerDevice, batch: number, ms = 20_000) {
  const until = Date.now() + ms
  for (;;) {
    const attempt = await pushNext(url, device, batch, 10_000)
    if (attempt.status === 200 || Date.now() > until) return attempt
    await sleep(100)
  }
}

if (DATABASE_URL === '') console.warn('fault suite on PostgreSQL skipped: DATABASE_URL is not set')

describe.skipIf(DATABASE_URL === '')('PostgreSQL out of reach: the server rides it out', () => {
  it(`five cuts of every connection at random moments of pushes, one as a COMMIT is answered (seed ${SEED})`, async () => {
    const figures = await runCuts({ databaseUrl: DATABASE_URL, cuts: 5, outageMs: 2_000, seed: SEED })
    const context = `seed ${SEED}:\n${figures.output.slice(-4000)}`
    expect(figures.exit, context).toBeNull()
    expect(figures.cuts, context).toHaveLength(5)
    expect(figures.cuts[4]?.at.onCommit, context).toBeGreaterThan(0)
    // During each outage every push was answered, 503 with Retry-After (or 200, for one the database had finished
    // as the cut came); none left hanging, reset, or failed otherwise.
    expect(
      Object.keys(figures.outcomes).filter((status) => status !== '200'),
      context,
    ).toEqual(['503'])
    expect(figures.withoutRetryAfter, context).toBe(0)
    // After each, pushes went through again without a restart.
    for (const cut of figures.cuts) expect(cut.recoveryMs, context).toBeLessThan(Number.POSITIVE_INFINITY)
    expect(figures.ledgerProblems, context).toEqual([])
    expect(figures.output, context).toContain('database unreachable: requests answer 503 until it is back')
  }, 120_000)

  describe('one server behind the proxy', () => {
    let setup: Awaited<ReturnType<typeof serverBehindProxy>>
    let device: LedgerDevice

    beforeAll(async () => {
      setup = await serverBehindProxy(DATABASE_URL, {
        DATABASE_STATEMENT_TIMEOUT_MS: '1000',
        DATABASE_CONNECT_TIMEOUT_MS: '1000',
      })
      device = await ledgerDevice(setup.server.url, 'medecin.demo', SERVER_PASSWORD, SEED, 60)
      expect((await pushNext(setup.server.url, device, 9, 10_000)).status).toBe(200)
    })
    afterAll(async () => {
      await setup?.close()
    })

    it('loses the answer to a COMMIT: 503, and the retry is answered from the stored results, applied once', async () => {
      const { server, proxy } = setup
      const from = device.acknowledged.size
      const dropped = proxy.dropNextCommitAnswer()
      const lost = await pushNext(server.url, device, 9, 10_000)
      await dropped
      expect(lost.status, lost.body).toBe(503)
      expect(Number(lost.retryAfter)).toBeGreaterThan(0)
      expect(device.acknowledged.size).toBe(from)

      // The same envelopes again: the database had committed them, so they come back as replays.
      const batch = device.outbox.slice(from, from + 9)
      const retry = await httpJson(`${server.url}/api/sync/push`, {
        body: { deviceId: device.deviceId, mutations: batch },
        headers: { authorization: `Bearer ${device.deviceToken}` },
      })
      expect(retry.status, retry.text).toBe(200)
      const results = PushResponseSchema.parse(JSON.parse(retry.text)).results
      expect(results.map((r) => [r.seq, r.status, r.replayed])).toEqual(
        batch.map((_, i) => [from + i + 1, 'applied', true]),
      )
      for (const { replayed: _replayed, ...result } of results) device.acknowledged.set(result.seq, result)

      expect(server.exit()).toBeNull()
      const reader = await setup.schema.reader()
      try {
        expect(await checkLedger(server.url, [device], reader)).toEqual([])
      } finally {
        await reader.close()
      }
    })

    it('a silent partition fails requests within the time limits instead of holding them, and heals by itself', async () => {
      const { server, proxy } = setup
      proxy.stall()
      try {
        // Mid-transaction or at the door: the statement limit (1 s here) or the connection limit answers.
        const during = await pushNext(server.url, device, 9, 15_000)
        expect(during.status, during.body).toBe(503)
        expect(Number(during.retryAfter)).toBeGreaterThan(0)
        const ready = await httpJson(`${server.url}/api/health/ready`, { timeoutMs: 15_000 })
        expect(ready.status).toBe(503)
        expect(JSON.parse(ready.text)).toMatchObject({ status: 'not-ready', reason: 'database-unreachable' })
      } finally {
        await proxy.restore()
      }
      expect((await pushUntilAnswered(server.url, device, 9)).status).toBe(200)
      expect(server.exit()).toBeNull()
      const reader = await setup.schema.reader()
      try {
        expect(await checkLedger(server.url, [device], reader)).toEqual([])
      } finally {
        await reader.close()
      }
    })

    it('a slow network: pushes take longer but go through; slower than the limits, they answer 503', async () => {
      const { server, proxy } = setup
      proxy.delay(50)
      try {
        const slow = await pushNext(server.url, device, 9, 30_000)
        expect(slow.status, slow.body).toBe(200)
        // Each statement now waits longer than its limit (1 s + the client's margin) for its answer.
        proxy.delay(2_500)
        const tooSlow = await pushNext(server.url, device, 9, 30_000)
        expect(tooSlow.status, tooSlow.body).toBe(503)
        expect(Number(tooSlow.retryAfter)).toBeGreaterThan(0)
      } finally {
        proxy.delay(0)
      }
      expect((await pushUntilAnswered(server.url, device, 9)).status).toBe(200)
      expect(server.exit()).toBeNull()
    })

    it('the health report follows the database: degraded and not ready while cut, ready again after', async () => {
      const { server, proxy } = setup
      expect(JSON.parse((await httpJson(`${server.url}/api/health/ready`)).text)).toMatchObject({
        status: 'ready',
      })
      await proxy.cut()
      try {
        // The probe's result is kept a second.
        await sleep(1_100)
        const live = await httpJson(`${server.url}/api/health`)
        expect(live.status).toBe(200)
        expect(JSON.parse(live.text)).toMatchObject({ status: 'degraded', reason: 'database-unreachable' })
        const ready = await httpJson(`${server.url}/api/health/ready`)
        expect(ready.status).toBe(503)
        expect(Number(ready.retryAfter)).toBeGreaterThan(0)
      } finally {
        await proxy.restore()
      }
      await sleep(1_100)
      const ready = await httpJson(`${server.url}/api/health/ready`)
      expect(ready.status).toBe(200)
      expect(JSON.parse(ready.text)).toEqual({
        status: 'ready',
        checks: { database: 'ok', writable: 'ok', migrations: 'ok' },
      })
    })
  })

  describe('the LISTEN connection of the sync events', () => {
    const logger = pino({ level: 'silent' })
    let schema: Awaited<ReturnType<typeof freshSchema>>
    let proxy: Awaited<ReturnType<typeof startTcpProxy>>
    let behind: PostgresSyncEvents
    let direct: PostgresSyncEvents

    beforeAll(async () => {
      schema = await freshSchema(DATABASE_URL)
      const target = new URL(DATABASE_URL)
      proxy = await startTcpProxy({ host: target.hostname, port: Number(target.port || 5432) })
      behind = createPostgresSyncEvents({
        url: proxy.via(schema.url),
        logger,
        reconnectMs: 50,
        heartbeatMs: 300,
      })
      direct = createPostgresSyncEvents({ url: schema.url, logger })
      await Promise.all([behind.listening(), direct.listening()])
    })
    afterAll(async () => {
      await behind?.close()
      await direct?.close()
      await proxy?.close()
      await schema?.drop()
    })

    const heard = async (organisationId: string) => {
      let told = 0
      const unsubscribe = behind.subscribe(organisationId, () => (told += 1))
      try {
        const until = Date.now() + 10_000
        while (told === 0 && Date.now() < until) {
          direct.notify(organisationId)
          await sleep(100)
        }
        return told > 0
      } finally {
        unsubscribe()
      }
    }

    it('reconnects by itself after a cut, and hears the other instances again', async () => {
      expect(await heard('org-before-cut')).toBe(true)
      await proxy.cut()
      await sleep(300)
      await proxy.restore()
      await behind.listening()
      expect(await heard('org-after-cut')).toBe(true)
    })

    it('finds a silent partition by its heartbeat and reconnects once it heals', async () => {
      proxy.stall()
      // The heartbeat (300 ms here) goes unanswered: the connection is given up and a new one awaited.
      await sleep(1_500)
      await proxy.restore()
      await behind.listening()
      expect(await heard('org-after-partition')).toBe(true)
    })
  })
})
