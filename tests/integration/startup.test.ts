import { spawn, type ChildProcess } from 'node:child_process'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'

const root = join(import.meta.dirname, '..', '..')
const tsx = join(root, 'node_modules', '.bin', 'tsx')
const main = join(root, 'sync-server', 'src', 'main.ts')

type Run = { code: number | null; stdout: string; stderr: string }

function baseEnv(extra: Record<string, string>): NodeJS.ProcessEnv {
  const { DATABASE_URL: _ignored, ...env } = process.env
  return { ...env, LOG_LEVEL: 'warn', ...extra }
}

function startMain(env: Record<string, string>): { child: ChildProcess; done: Promise<Run> } {
  const child = spawn(tsx, [main], { cwd: root, env: baseEnv(env), stdio: ['ignore', 'pipe', 'pipe'] })
  let stdout = ''
  let stderr = ''
  child.stdout?.on('data', (chunk: Buffer) => (stdout += chunk.toString()))
  child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()))
  const done = new Promise<Run>((resolve) => child.on('close', (code) => resolve({ code, stdout, stderr })))
  return { child, done }
}

async function waitForUrl(child: ChildProcess): Promise<string> {
  return new Promise((resolve, reject) => {
    let seen = ''
    const timer = setTimeout(() => reject(new Error(`server did not start: ${seen}`)), 15_000)
    child.stdout?.on('data', (chunk: Buffer) => {
      seen += chunk.toString()
      const match = /Carnet is running on (http:\/\/localhost:\d+)/.exec(seen)
      if (match?.[1] !== undefined) {
        clearTimeout(timer)
        resolve(match[1])
      }
    })
    child.on('close', () => reject(new Error(`server exited: ${seen}`)))
  })
}

describe('sync server startup (main.ts)', () => {
  let dir: string

  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'carnet-startup-'))
  })
  afterAll(() => {
    rmSync(dir, { recursive: true, force: true })
  })

  it('refuses a DATA_DIR it cannot create, with one line and exit code 1', async () => {
    const file = join(dir, 'a-file')
    writeFileSync(file, '')
    const { done } = startMain({ DATA_DIR: join(file, 'data') })
    const run = await done
    expect(run.code).toBe(1)
    expect(run.stderr).toBe(`carnet: cannot write to DATA_DIR ${join(file, 'data')} (ENOTDIR)\n`)
  })

  it('refuses an invalid DATABASE_URL with one line and exit code 1', async () => {
    const { done } = startMain({
      DATA_DIR: join(dir, 'unused'),
      DATABASE_URL: 'mysql://root@localhost/carnet',
    })
    const run = await done
    expect(run.code).toBe(1)
    expect(run.stderr).toBe('carnet: DATABASE_URL must be a postgres:// or postgresql:// URL\n')
  })

  it('refuses an unreachable database with one line, its password masked, and exit code 1', async () => {
    const { done } = startMain({ DATABASE_URL: 'postgres://carnet:s3cret@127.0.0.1:1/carnet' })
    const run = await done
    expect(run.code).toBe(1)
    expect(run.stderr).toBe(
      'carnet: cannot reach the database at postgres://carnet:***@127.0.0.1:1/carnet (ECONNREFUSED)\n',
    )
  })

  it('starts, seeds the demo data once, answers health and stops cleanly on SIGTERM', async () => {
    const env = {
      DATA_DIR: join(dir, 'data'),
      PORT: '0',
      CARNET_DEMO_PASSWORD: 'demo',
      STATIC_DIR: join(dir, 'none'),
    }
    const first = startMain(env)
    const url = await waitForUrl(first.child)
    const health = await fetch(`${url}/api/health`)
    expect(health.status).toBe(200)
    expect(await health.json()).toMatchObject({ status: 'ok', store: 'sqlite' })
    first.child.kill('SIGTERM')
    const run = await first.done
    expect(run.code).toBe(0)
    expect(run.stdout).toContain('Carnet demo data created')
    expect(run.stdout).toContain('secretaire.demo')
    expect(run.stderr).toBe('')

    const second = startMain(env)
    await waitForUrl(second.child)
    second.child.kill('SIGINT')
    const again = await second.done
    expect(again.code).toBe(0)
    expect(again.stdout).not.toContain('Carnet demo data created')
  })

  it('creates no demo data when CARNET_DEMO=0', async () => {
    const { child, done } = startMain({ DATA_DIR: join(dir, 'no-demo'), PORT: '0', CARNET_DEMO: '0' })
    await waitForUrl(child)
    child.kill('SIGTERM')
    const run = await done
    expect(run.code).toBe(0)
    expect(run.stdout).not.toContain('demo data')
  })
})
