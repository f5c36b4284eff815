// One simulated run: a fresh copy of the template database behind a fresh in-process server, the scenario's
// devices on fresh local databases (each synced once, as at sign-in), the moves played, then every device
// online and synced until quiescent, then the invariants.
import type { SettledOutboxRow } from '../../../src/sync/replayer'
import { checkInvariants } from './invariants'
import { playMove, type PlayContext, type PlayLog, type Scenario } from './scenario'
import { openDevice, startServer, type Exchange, type SimDevice, type Template } from './world'

/** How many sync rounds (every device once) the final catch-up may take before it counts as not converging. */
const MAX_QUIESCENCE_ROUNDS = 6

export type RunReport = {
  problems: string[]
  log: PlayLog
  exchanges: Exchange[]
  tally: Map<string, number>
}

/** Counts what a run exercised (outcomes by reason, merges, faults, refusals on the device), for the summary. */
async function tallyRun(devices: readonly SimDevice[], log: PlayLog, exchanges: readonly Exchange[]) {
  const tally = new Map<string, number>()
  const add = (key: string) => tally.set(key, (tally.get(key) ?? 0) + 1)
  for (const d of devices) {
    for (const row of (await d.db.outbox.toArray()) as SettledOutboxRow[]) {
      add(row.status === 'rejected' ? `rejected ${row.error ?? '?'}` : `${row.status} ${row.type}`)
      if (row.mappedIds !== undefined) add('merged')
    }
  }
  for (const code of log.localRefusals) add(`refused on the device ${code}`)
  for (const e of exchanges) if (e.status === 'lost') add('request lost or offline')
  for (const line of log.lines) if (line === 'server restart') add('server restart')
  return tally
}

/**
 * Brings every device online and syncs them in rounds. A round in which no device pushed anything nor sent a
 * resolution left the server unchanged while every device pulled to its end: the devices are then quiescent.
 */
async function quiesce(devices: readonly SimDevice[], log: PlayLog): Promise<string[]> {
  for (const d of devices) {
    d.isOnline = true
    d.faults = []
  }
  let failures: string[] = []
  for (let round = 1; round <= MAX_QUIESCENCE_ROUNDS; round += 1) {
    let isQuiet = true
    failures = []
    for (const d of devices) {
      const resolving = await d.db.rejections.filter((r) => 'pendingResolution' in r).count()
      const outcome = await d.sync()
      log.lines.push(`final round ${round}, device ${d.index}: ${JSON.stringify(outcome)}`)
      if (outcome.kind !== 'ok') failures.push(`device ${d.index}: ${JSON.stringify(outcome)}`)
      if (outcome.kind !== 'ok' || outcome.pushed > 0 || resolving > 0) isQuiet = false
    }
    if (isQuiet) return []
  }
  return failures.length > 0
    ? failures.map((f) => `(1) the final sync fails on a healthy network: ${f}`)
    : [`(3) not quiescent after ${MAX_QUIESCENCE_ROUNDS} rounds of sync`]
}

export async function playScenario(template: Template, scenario: Scenario, run: number): Promise<RunReport> {
  const server = await startServer(template, run)
  const exchanges: Exchange[] = []
  const log: PlayLog = { lines: [], localRefusals: [] }
  const devices: SimDevice[] = []
  try {
    for (const [index, slot] of scenario.slots.entries()) {
      const d = await openDevice(template, server, slot, index, run, scenario.skews[index] ?? 0, exchanges)
      devices.push(d)
      const first = await d.sync()
      if (first.kind !== 'ok') throw new Error(`first sync of device ${index}: ${JSON.stringify(first)}`)
    }
    log.lines.push(
      ...devices.map((d) => `device ${d.index}: ${d.user.login}, clock skew ${d.skewMs / 60_000} min`),
    )
    const ctx: PlayContext = { run, server, devices, log, counter: 0 }
    for (const move of scenario.moves) await playMove(ctx, move)
    const problems = await quiesce(devices, log)
    problems.push(...(await checkInvariants(server, devices, template.prelude)))
    return { problems, log, exchanges, tally: await tallyRun(devices, log, exchanges) }
  } finally {
    await server.close()
    for (const d of devices) {
      d.db.close()
      await d.db.delete()
    }
  }
}
