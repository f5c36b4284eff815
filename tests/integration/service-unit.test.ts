// deploy/carnet.service, the systemd unit an operator installs: systemd's own checker accepts it without a word,
// and what it tells the server agrees with the server (its settings parse, it may write where its data goes, it
// is given longer to stop than the server takes).
import { spawnSync } from 'node:child_process'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { loadConfig } from '../../sync-server/src/config'

const root = join(import.meta.dirname, '..', '..')
const unitPath = join(root, 'deploy', 'carnet.service')
const unit = readFileSync(unitPath, 'utf8')
const hasSystemdAnalyze = spawnSync('systemd-analyze', ['--version'], { stdio: 'ignore' }).status === 0

/** Every value of a key of the [Service] section, in order (a key may be given several times). */
function values(key: string): string[] {
  const service = unit.slice(unit.indexOf('[Service]'), unit.indexOf('[Install]'))
  return service
    .split('\n')
    .filter((line) => line.startsWith(`${key}=`))
    .map((line) => line.slice(key.length + 1))
}

const seconds = (value: string) => Number(/^(\d+)s$/.exec(value)?.[1] ?? Number.NaN)

describe('the systemd unit (deploy/carnet.service)', () => {
  if (!hasSystemdAnalyze) console.warn('systemd-analyze not found: the unit is not verified by systemd')

  it.skipIf(!hasSystemdAnalyze)('passes systemd-analyze verify with nothing to say', () => {
    const run = spawnSync('systemd-analyze', ['verify', unitPath], { encoding: 'utf8' })
    // verify exits 0 on an unknown key or a value it cannot parse: it only says so.
    expect(run.stderr + run.stdout).toBe('')
    expect(run.status).toBe(0)
  })

  it.skipIf(!hasSystemdAnalyze)('is rated OK by systemd-analyze security (exposure below 2)', () => {
    const run = spawnSync('systemd-analyze', ['security', '--offline=yes', unitPath], { encoding: 'utf8' })
    const exposure = /Overall exposure level for carnet\.service: ([\d.]+) (\w+)/.exec(run.stdout)
    expect(exposure, run.stdout + run.stderr).not.toBeNull()
    expect(Number(exposure?.[1])).toBeLessThan(2)
  })

  it('runs as its own user, restarts after a failure, and may write only its data folder', () => {
    expect(values('User')).toEqual(['carnet'])
    expect(values('Restart')).toEqual(['on-failure'])
    expect(values('NoNewPrivileges')).toEqual(['yes'])
    expect(values('PrivateTmp')).toEqual(['yes'])
    expect(values('ProtectSystem')).toEqual(['strict'])

    const env = Object.fromEntries(
      values('Environment')
        .flatMap((line) => line.split(' '))
        .map((pair) => [pair.slice(0, pair.indexOf('=')), pair.slice(pair.indexOf('=') + 1)]),
    )
    const loaded = loadConfig(env, values('WorkingDirectory')[0])
    if (!loaded.ok) throw new Error(loaded.message)
    expect(values('ReadWritePaths')).toEqual([loaded.config.dataDir])
    expect(loaded.config.demo).toBe(false)
    expect(loaded.config.host).toBe('127.0.0.1')
    // systemd kills after TimeoutStopSec: the server's own deadline must come first.
    expect(seconds(values('TimeoutStopSec')[0] ?? '') * 1000).toBeGreaterThan(loaded.config.shutdownTimeoutMs)
  })
})
