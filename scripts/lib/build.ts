import { spawnSync } from 'node:child_process'
import { existsSync, readdirSync, statSync } from 'node:fs'
import { join } from 'node:path'

// What the PWA build depends on: a newer file in any of these means dist/ is stale.
const buildInputs = ['src', 'public', 'index.html', 'vite.config.ts', 'package.json', 'package-lock.json']

function newestMtime(path: string): number {
  if (!existsSync(path)) return 0
  const stat = statSync(path)
  if (!stat.isDirectory()) return stat.mtimeMs
  let newest = stat.mtimeMs
  for (const entry of readdirSync(path)) {
    if (entry.endsWith('.test.ts')) continue
    newest = Math.max(newest, newestMtime(join(path, entry)))
  }
  return newest
}

/** True when dist/index.html is missing or older than any input of the build. */
export function isBuildStale(root: string): boolean {
  const built = join(root, 'dist', 'index.html')
  if (!existsSync(built)) return true
  const builtAt = statSync(built).mtimeMs
  return buildInputs.some((input) => newestMtime(join(root, input)) > builtAt)
}

/** Builds the PWA when it is missing or stale; returns false when the build failed. */
export function ensureBuild(root: string, log: (line: string) => void = console.log): boolean {
  if (!isBuildStale(root)) return true
  log('Building the app (dist/ is missing or older than the sources)…')
  const result = spawnSync('npx', ['vite', 'build', '--logLevel', 'warn'], { cwd: root, stdio: 'inherit' })
  return result.status === 0
}
