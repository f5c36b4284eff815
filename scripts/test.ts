// `npm test`: every suite. Unit, component, store and server-integration suites run in Vitest;
// the browser suite runs against the built app served by the real server, in Debian's Chromium.
// With no Chromium the browser suite is skipped in one line, unless CARNET_REQUIRE_BROWSER=1.
import { spawnSync } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import { ensureBuild } from './lib/build'
import { findChromium } from './lib/chromium'

const root = fileURLToPath(new URL('..', import.meta.url))
const e2eOnly = process.argv.includes('--e2e-only')
const requireBrowser = process.env.CARNET_REQUIRE_BROWSER === '1'
const failures: string[] = []

function run(name: string, args: string[]): void {
  const result = spawnSync('npx', args, { cwd: root, stdio: 'inherit', env: process.env })
  if (result.status !== 0) failures.push(name)
}

if (!e2eOnly) run('unit, component, store and server suites', ['vitest', 'run'])

const chromium = findChromium()
if (!chromium) {
  const line = "Browser suite skipped: no Chromium found (install Debian's chromium or set CHROME_PATH)."
  if (requireBrowser) {
    console.error(`${line} CARNET_REQUIRE_BROWSER=1 makes this a failure.`)
    failures.push('browser suite (no Chromium)')
  } else {
    console.warn(line)
  }
} else if (!ensureBuild(root)) {
  failures.push('build for the browser suite')
} else {
  process.env.CHROME_PATH = chromium
  run('browser suite', ['vitest', 'run', '--config', 'vitest.e2e.config.ts'])
}

if (failures.length > 0) {
  console.error(`\nFailed: ${failures.join('; ')}`)
  process.exit(1)
}
console.log('\nAll suites passed.')
