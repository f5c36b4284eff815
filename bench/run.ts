// `npm run bench`: prints each figure with what produced it. Figures, not assertions: the targets are
// read against them in the closing notes of the work, never asserted in the test suite.
import { fileURLToPath } from 'node:url'
import { ensureBuild } from '../scripts/lib/build'
import { measureBundle } from './bundle'
import { loadHealth } from './health'

const root = fileURLToPath(new URL('..', import.meta.url))
const only = process.argv.slice(2)
const wants = (name: string) => only.length === 0 || only.includes(name)
const kb = (bytes: number) => `${(bytes / 1024).toFixed(1)} KB`

async function main(): Promise<void> {
  console.log(`Carnet bench — node ${process.version}, ${new Date().toISOString()}`)

  if (wants('bundle')) {
    if (!ensureBuild(root)) throw new Error('the build failed')
    const bundle = measureBundle(`${root}/dist`)
    console.log('\n[bundle] gzip -9 of dist/ files (vite build)')
    console.log(
      `  initial JavaScript: ${kb(bundle.initialJsGzip)} gzip (${bundle.initialJsFiles.join(', ')})  target ≤ 150 KB`,
    )
    console.log(
      `  precache: ${bundle.precacheFiles} files, ${kb(bundle.precacheGzip)} gzip, ${kb(bundle.precacheRaw)} raw`,
    )
  }

  if (wants('health')) {
    const seconds = Number(process.env.BENCH_SECONDS ?? 10)
    const load = await loadHealth(seconds)
    console.log(
      `\n[health] autocannon, 50 connections, ${seconds} s, GET /api/health, server in its own process (SQLite)`,
    )
    console.log(
      `  ${Math.round(load.requestsPerSecond)} requests/s, p50 ${load.p50Ms} ms, p99 ${load.p99Ms} ms, errors ${load.errors}, non-2xx ${load.non2xx}  target ≥ 5,000 requests/s`,
    )
  }
}

main().catch((error: unknown) => {
  console.error(`bench failed: ${error instanceof Error ? error.message : String(error)}`)
  process.exit(1)
})
