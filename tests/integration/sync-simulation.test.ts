// Seeded simulation of the sync protocol (issue "Sync", item 5): 3 to 5 devices of the demo organisation run the
// REAL device sync code against the REAL server in-process, through a network that loses requests and
// responses and delivers twice, with server restarts and device clocks skewed up to a day. After each run every
// device comes online and syncs until quiescent, then the invariants of sync-protocol.md are checked (see
// sync-simulation/invariants.ts).
//
// Replay a failure with the seed and path it prints:
//   CARNET_SIM_SEED=<seed> CARNET_SIM_PATH=<path> npx vitest run --project node tests/integration/sync-simulation.test.ts
// CARNET_SIM_RUNS=<n> changes the number of runs (CARNET_SIM_SEED alone replays the whole series).
import 'fake-indexeddb/auto'
import fc from 'fast-check'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { playScenario, type RunReport } from './sync-simulation/run'
import { scenarioArb } from './sync-simulation/scenario'
import { createTemplate, type Template } from './sync-simulation/world'

// 1,000 runs of 5–15 moves take about 85 s (≈ 85 ms of CPU a run) on the 2-core machine, well within the CI budget.
const DEFAULT_RUNS = 1000
const RUNS = Number(process.env.CARNET_SIM_RUNS ?? DEFAULT_RUNS)
const SEED = process.env.CARNET_SIM_SEED === undefined ? undefined : Number(process.env.CARNET_SIM_SEED)
const PATH = process.env.CARNET_SIM_PATH

function describeFailure(report: RunReport): string {
  return [
    `${report.problems.length} invariant(s) broken:`,
    ...report.problems.map((p) => `- ${p}`),
    'scenario:',
    ...report.log.lines,
  ].join('\n')
}

describe('sync simulation', () => {
  let template: Template

  beforeAll(async () => {
    template = await createTemplate()
  })
  afterAll(() => {
    template.close()
  })

  it(
    `keeps every guarantee over ${RUNS} seeded runs of devices, faults, restarts and skewed clocks`,
    async () => {
      let run = 0
      const tally = new Map<string, number>()
      const property = fc.asyncProperty(scenarioArb({ minMoves: 5, maxMoves: 15 }), async (scenario) => {
        run += 1
        const report = await playScenario(template, scenario, run)
        for (const [key, n] of report.tally) tally.set(key, (tally.get(key) ?? 0) + n)
        if (report.problems.length > 0) throw new Error(describeFailure(report))
      })
      const details = await fc.check(property, {
        numRuns: RUNS,
        ...(SEED === undefined ? {} : { seed: SEED }),
        ...(PATH === undefined ? {} : { path: PATH }),
      })
      if (details.failed) {
        const replay = `CARNET_SIM_SEED=${details.seed} CARNET_SIM_PATH=${details.counterexamplePath ?? ''}`
        const cause =
          details.errorInstance instanceof Error
            ? details.errorInstance.message
            : String(details.errorInstance)
        expect.fail(
          `simulation failed after ${details.numRuns} run(s), shrunk ${details.numShrinks} time(s)\n` +
            `replay: ${replay} npx vitest run --project node tests/integration/sync-simulation.test.ts\n` +
            `counterexample: ${JSON.stringify(details.counterexample)}\n${cause}`,
        )
      }
      console.info(
        `sync simulation: ${run} run(s), seed ${details.seed}\n` +
          [...tally.entries()]
            .sort((a, b) => b[1] - a[1])
            .map(([key, n]) => `  ${String(n).padStart(6)}  ${key}`)
            .join('\n'),
      )
      expect(details.numRuns).toBe(PATH === undefined ? RUNS : 1)
    },
    30 * 60_000,
  )
})
