// Database outages at random moments of pushes: the server in its own process talks to PostgreSQL through a
// TCP proxy; devices push without pause while the proxy cuts every connection and refuses new ones for a few
// seconds, again and again. Used by the fault suite (a few cuts) and by `npm run bench -- faults` (fifty).
import { randomBytes } from 'node:crypto'
import pg from 'pg'
import { mulberry32 } from '../../fixtures/generator'
import {
  checkLedger,
  isDone,
  ledgerDevice,
  pushNext,
  queuePatients,
  type LedgerDevice,
  type PushAttempt,
} from './ledger'
import { SERVER_PASSWORD, startServerProcess, type ServerProcess } from './server-process'
import { startTcpProxy, type CutReport, type TcpProxy } from './tcp-proxy'

export type CutRunOptions = {
  /** PostgreSQL to run against (a fresh schema is made in it and dropped afterwards). */
  readonly databaseUrl: string
  readonly cuts: number
  readonly outageMs: number
  readonly seed: number
  /** Devices pushing at once; 3. */
  readonly devices?: number
  /** Mutations per push; 9 (three patients). */
  readonly batch?: number
  /** A request unanswered this long counts as unanswered; 10 s. */
  readonly requestTimeoutMs?: number
  /** Called after each cut, for progress. */
  readonly onCut?: (index: number, cut: CutFigures) => void
}

export type CutFigures = {
  /** Where the cut fell: connections open, inside a transaction, waiting for COMMIT's answer (whose answer
   * was lost, for one cut in five). */
  readonly at: CutReport
  /** Milliseconds after a push was sent that the cut came. */
  readonly afterPushMs: number
  /** Pushes answered during the outage, and the slowest of them. */
  readonly answered: number
  readonly slowestMs: number
  /** From the database back to the first push answered 200. */
  readonly recoveryMs: number
}

export type CutRunFigures = {
  readonly cuts: readonly CutFigures[]
  /** How the server process ended during the run (null: it did not). */
  readonly exit: { code: number | null; signal: NodeJS.Signals | null } | null
  /** Every push attempt during outages, by outcome. */
  readonly outcomes: Readonly<Record<string, number>>
  /** 503 answers without Retry-After. */
  readonly withoutRetryAfter: number
  /** Pushes during outages answered after more than 2 s, or not at all. */
  readonly late: number
  readonly mutations: number
  readonly ledgerProblems: readonly string[]
  readonly seconds: number
  /** What the server wrote (its log). */
  readonly output: string
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

/** A fresh schema on `databaseUrl`; the URL the server uses for it and a way to drop it. */
export async function freshSchema(databaseUrl: string) {
  const admin = new pg.Client({ connectionString: databaseUrl })
  await admin.connect()
  const schema = `carnet_faults_${randomBytes(6).toString('hex')}`
  await admin.query(`CREATE SCHEMA ${schema}`)
  const url = new URL(databaseUrl)
  url.searchParams.set('options', `-c search_path=${schema}`)
  return {
    schema,
    url: url.toString(),
    /** A direct connection (not through the proxy), for the ledger check. */
    async reader() {
      const client = new pg.Client({ connectionString: url.toString() })
      await client.connect()
      return {
        all: async (sql: string) => (await client.query(sql)).rows as Record<string, unknown>[],
        close: () => client.end(),
      }
    },
    async drop() {
      await admin.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`)
      await admin.end()
    },
  }
}

/** Starts the proxy and the server behind it on a fresh schema. */
export async function serverBehindProxy(databaseUrl: string, env: Record<string, string> = {}) {
  const schema = await freshSchema(databaseUrl)
  const target = new URL(databaseUrl)
  const proxy = await startTcpProxy({ host: target.hostname, port: Number(target.port || 5432) })
  let server: ServerProcess
  try {
    server = await startServerProcess({ env: { DATABASE_URL: proxy.via(schema.url), ...env } })
  } catch (error) {
    await proxy.close()
    await schema.drop()
    throw error
  }
  return {
    proxy,
    server,
    schema,
    async close() {
      await server.stop('SIGKILL')
      await proxy.close()
      await schema.drop()
    },
  }
}

export async function runCuts(options: CutRunOptions): Promise<CutRunFigures> {
  const started = performance.now()
  const random = mulberry32(options.seed)
  const batch = options.batch ?? 9
  const timeoutMs = options.requestTimeoutMs ?? 10_000
  const setup = await serverBehindProxy(options.databaseUrl)
  const { proxy, server } = setup
  try {
    const logins = ['medecin.demo', 'infirmier.demo', 'medecin.demo', 'infirmier.demo']
    const devices: LedgerDevice[] = []
    for (let i = 0; i < (options.devices ?? 3); i += 1) {
      devices.push(
        await ledgerDevice(
          server.url,
          logins[i % logins.length] as string,
          SERVER_PASSWORD,
          options.seed + i,
          30,
        ),
      )
    }

    // Devices push without pause; during an outage they retry every 100 ms (not after Retry-After, so the
    // moment the service is back is seen).
    let outage: { attempts: { attempt: PushAttempt; sentAt: number }[] } | null = null
    let restoredAt = 0
    let firstSuccessAfterRestore: number | null = null
    let pushSent: (() => void) | null = null
    const recentMs: number[] = []
    let successes = 0
    let running = true
    const loop = async (device: LedgerDevice) => {
      while (running) {
        if (device.outbox.length - device.acknowledged.size < 2 * batch) queuePatients(device, 30)
        const sentAt = performance.now()
        pushSent?.()
        const attempt = await pushNext(server.url, device, batch, timeoutMs)
        if (outage !== null) outage.attempts.push({ attempt, sentAt })
        if (attempt.status === 200) {
          successes += 1
          recentMs.push(attempt.ms)
          if (recentMs.length > 20) recentMs.shift()
          if (restoredAt > 0 && firstSuccessAfterRestore === null && sentAt >= restoredAt) {
            firstSuccessAfterRestore = performance.now()
          }
        } else {
          await sleep(100)
        }
      }
    }
    const loops = devices.map(loop)

    const cuts: CutFigures[] = []
    const outcomes: Record<string, number> = {}
    let withoutRetryAfter = 0
    let late = 0
    try {
      // A few pushes first, for the typical push time.
      while (recentMs.length < 5) await sleep(20)
      for (let i = 0; i < options.cuts && server.exit() === null; i += 1) {
        // The cut comes at a random moment of a push: after the next push is sent, within its usual time; one
        // in five comes as a COMMIT is answered, the answer lost.
        await new Promise<void>((resolve) => (pushSent = resolve))
        pushSent = null
        const sentAt = performance.now()
        let at: CutReport
        if (i % 5 === 4) {
          at = await proxy.cutAtNextCommit(() => (outage = { attempts: [] }))
        } else {
          const typical = [...recentMs].sort((a, b) => a - b)[Math.floor(recentMs.length / 2)] ?? 20
          await sleep(random() * typical * 1.5)
          outage = { attempts: [] }
          at = await proxy.cut()
        }
        const afterPushMs = performance.now() - sentAt
        await sleep(options.outageMs)
        // Set in the proxy's callback, which the compiler cannot follow.
        const during = (outage as { attempts: { attempt: PushAttempt; sentAt: number }[] } | null) ?? {
          attempts: [],
        }
        outage = null
        firstSuccessAfterRestore = null
        await proxy.restore()
        restoredAt = performance.now()
        const backBy = performance.now() + 30_000
        while (firstSuccessAfterRestore === null && performance.now() < backBy && server.exit() === null) {
          await sleep(5)
        }
        const recoveryMs = (firstSuccessAfterRestore ?? Number.POSITIVE_INFINITY) - restoredAt
        for (const { attempt } of during.attempts) {
          const key = String(attempt.status)
          outcomes[key] = (outcomes[key] ?? 0) + 1
          if (attempt.status === 503 && attempt.retryAfter === null) withoutRetryAfter += 1
          if (typeof attempt.status !== 'number' || attempt.ms > 2_000) late += 1
        }
        const figures: CutFigures = {
          at,
          afterPushMs,
          answered: during.attempts.filter((a) => typeof a.attempt.status === 'number').length,
          slowestMs: Math.max(0, ...during.attempts.map((a) => a.attempt.ms)),
          recoveryMs,
        }
        cuts.push(figures)
        options.onCut?.(i, figures)
        // A few ordinary pushes before the next cut.
        const before = successes
        const until = performance.now() + 5_000
        while (successes < before + 3 && performance.now() < until) await sleep(10)
        await sleep(random() * 300)
      }
    } finally {
      running = false
      await Promise.all(loops)
    }

    // Every device pushes what it has queued to the end, then the ledger is checked.
    for (const device of devices) {
      const until = performance.now() + 60_000
      while (!isDone(device) && server.exit() === null && performance.now() < until) {
        const attempt = await pushNext(server.url, device, 100, timeoutMs)
        if (attempt.status !== 200) await sleep(100)
      }
    }
    const reader = await setup.schema.reader()
    let ledgerProblems: string[]
    try {
      ledgerProblems =
        server.exit() === null ? await checkLedger(server.url, devices, reader) : ['the server exited']
      for (const device of devices) {
        if (!isDone(device)) ledgerProblems.push(`${device.deviceId}: not every mutation answered at the end`)
      }
    } finally {
      await reader.close()
    }
    return {
      cuts,
      exit: server.exit(),
      outcomes,
      withoutRetryAfter,
      late,
      mutations: devices.reduce((n, d) => n + d.acknowledged.size, 0),
      ledgerProblems,
      seconds: (performance.now() - started) / 1000,
      output: server.output(),
    }
  } finally {
    await setup.close()
  }
}

export type { TcpProxy }
