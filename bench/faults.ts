// The server against its own infrastructure: PostgreSQL cut at random moments of pushes, many times over, and a
// silent partition with the default time limits. The server runs in its own process behind a TCP proxy
// (tests/integration/faults/), the fault suite's harness; the suite runs 5 short cuts, this the full count.
import { runCuts, serverBehindProxy, type CutRunFigures } from '../tests/integration/faults/postgres-cuts'
import { ledgerDevice, pushNext } from '../tests/integration/faults/ledger'
import { SERVER_PASSWORD } from '../tests/integration/faults/server-process'
import { sleep } from './lib/stats'

export type PartitionFigures = {
  /** Each push's time to its answer, sent into the partition (three devices, one push each, at once). */
  readonly answeredMs: readonly number[]
  readonly statuses: readonly (number | string)[]
  /** From the partition healed to the first push answered 200 (retried every 50 ms). */
  readonly recoveryMs: number
  readonly exited: boolean
}

export async function measureCuts(
  databaseUrl: string,
  cuts: number,
  outageMs: number,
  onCut: (index: number, line: string) => void,
): Promise<CutRunFigures> {
  return runCuts({
    databaseUrl,
    cuts,
    outageMs,
    seed: Number(process.env.BENCH_SEED ?? 20_260_304),
    onCut: (i, cut) =>
      onCut(
        i,
        `cut ${i + 1}: ${cut.afterPushMs.toFixed(0)} ms into a push, ${cut.at.open} connections open (${cut.at.inTransaction} in a transaction, ${cut.at.onCommit} on COMMIT); ${cut.answered} pushes answered during the outage, slowest ${cut.slowestMs.toFixed(0)} ms; back ${cut.recoveryMs.toFixed(0)} ms after the database`,
      ),
  })
}

/**
 * A silent partition with the default limits (15 s a statement, 5 s to connect): three devices push at once into
 * it; how long until each is answered, and how soon after it heals pushes go through.
 */
export async function measurePartition(databaseUrl: string): Promise<PartitionFigures> {
  const setup = await serverBehindProxy(databaseUrl)
  try {
    const { server, proxy } = setup
    const devices = []
    for (const [i, login] of ['medecin.demo', 'infirmier.demo', 'medecin.demo'].entries()) {
      devices.push(await ledgerDevice(server.url, login, SERVER_PASSWORD, 900 + i, 30))
    }
    for (const device of devices) await pushNext(server.url, device, 9, 30_000)
    proxy.stall()
    const attempts = await Promise.all(devices.map((d) => pushNext(server.url, d, 9, 60_000)))
    const answeredMs = attempts.map((a) => a.ms)
    await proxy.restore()
    const healedAt = performance.now()
    let recoveryMs = Number.POSITIVE_INFINITY
    const [first] = devices
    while (first !== undefined && performance.now() - healedAt < 60_000) {
      const attempt = await pushNext(server.url, first, 9, 30_000)
      if (attempt.status === 200) {
        recoveryMs = performance.now() - healedAt
        break
      }
      await sleep(50)
    }
    return {
      answeredMs,
      statuses: attempts.map((a) => a.status),
      recoveryMs,
      exited: server.exit() !== null,
    }
  } finally {
    await setup.close()
  }
}
