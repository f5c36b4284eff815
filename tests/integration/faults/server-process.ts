// The real server (sync-server/src/main.ts) in a process of its own, as an operator runs it: a fault that would
// kill it shows as an exit here, not as a failed test process. Optionally on a small disk: a tmpfs of a few
// megabytes mounted on DATA_DIR in a user and mount namespace of its own (`unshare -Urm`, no root needed), so
// SQLite meets a real ENOSPC. A holder process keeps that namespace (and the disk) across server restarts; the
// servers join it with nsenter, and the test fills and frees the disk through /proc/<holder>/root.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process'
import { closeSync, mkdtempSync, openSync, rmSync, unlinkSync, writeSync } from 'node:fs'
import { createServer } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'

const root = fileURLToPath(new URL('../../..', import.meta.url))

export const SERVER_PASSWORD = 'faults-password'

export type ServerProcess = {
  readonly url: string
  readonly dataDir: string
  readonly child: ChildProcess
  output(): string
  /** Null while it runs; how it ended otherwise. */
  exit(): { code: number | null; signal: NodeJS.Signals | null } | null
  /** A path inside DATA_DIR as the server sees it (through its mount namespace when on a small disk). */
  inDataDir(name: string): string
  /** Sends the signal and waits for the exit. */
  stop(signal?: NodeJS.Signals): Promise<{ code: number | null; signal: NodeJS.Signals | null }>
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer()
    probe.once('error', reject)
    probe.listen(0, '127.0.0.1', () => {
      const address = probe.address()
      probe.close(() =>
        typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port')),
      )
    })
  })
}

/** Why this machine cannot mount a small disk without root (user namespaces refused), or null when it can. */
export function smallDiskRefusal(): string | null {
  const probe = spawnSync('unshare', ['-Urm', 'sh', '-c', 'mount -t tmpfs -o size=1m tmpfs /mnt'], {
    encoding: 'utf8',
    timeout: 10_000,
  })
  return probe.status === 0 ? null : `unshare -Urm + mount tmpfs failed: ${probe.stderr || probe.error}`
}

/** A tmpfs of a few megabytes, mounted on `dir` in a namespace that a holder process keeps for 10 minutes at most. */
export type SmallDisk = {
  readonly dir: string
  readonly holderPid: number
  /** A path on the disk, as seen from outside its namespace. */
  path(name: string): string
  /** Fills what is left with a file of its own; answers the bytes written. */
  fill(): number
  /** Removes that file. */
  free(): void
  close(): Promise<void>
}

export async function createSmallDisk(size: string): Promise<SmallDisk> {
  const refusal = smallDiskRefusal()
  if (refusal !== null) throw new Error(`a small disk needs unprivileged user namespaces: ${refusal}`)
  const dir = mkdtempSync(join(tmpdir(), 'carnet-small-disk-'))
  // Bounded, so that a test process that dies leaves nothing behind for long.
  const holder = spawn(
    'unshare',
    [
      '-Urm',
      'sh',
      '-c',
      'mount -t tmpfs -o "size=$1" tmpfs "$2" && echo mounted && exec sleep 600',
      'sh',
      size,
      dir,
    ],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  )
  await new Promise<void>((resolve, reject) => {
    let said = ''
    holder.stdout?.on('data', (chunk: Buffer) => {
      said += chunk.toString()
      if (said.includes('mounted')) resolve()
    })
    holder.stderr?.on('data', (chunk: Buffer) => (said += chunk.toString()))
    holder.once('exit', () => reject(new Error(`the small disk was not mounted: ${said}`)))
  })
  const pid = holder.pid as number
  const path = (name: string) => join(`/proc/${pid}/root`, dir, name)
  const filler = path('filler')
  return {
    dir,
    holderPid: pid,
    path,
    fill() {
      const fd = openSync(filler, 'a')
      const chunk = Buffer.alloc(256 * 1024, 0x5a)
      let written = 0
      try {
        for (;;) written += writeSync(fd, chunk)
      } catch (error) {
        if ((error as { code?: unknown }).code !== 'ENOSPC') throw error
      } finally {
        closeSync(fd)
      }
      return written
    },
    free() {
      unlinkSync(filler)
    },
    async close() {
      if (holder.exitCode === null) {
        const exited = new Promise((resolve) => holder.once('exit', resolve))
        holder.kill('SIGKILL')
        await exited
      }
      rmSync(dir, { recursive: true, force: true })
    },
  }
}

export type ServerOptions = {
  readonly env?: Record<string, string>
  /** DATA_DIR on this small disk. */
  readonly disk?: SmallDisk
  /** Whether `url`/api/health must answer before this resolves; true. */
  readonly waitReady?: boolean
}

export async function startServerProcess(options: ServerOptions = {}): Promise<ServerProcess> {
  const port = await freePort()
  const ownDir = options.env?.DATA_DIR === undefined && options.disk === undefined
  const dataDir = options.disk?.dir ?? options.env?.DATA_DIR ?? mkdtempSync(join(tmpdir(), 'carnet-faults-'))
  const env = {
    ...process.env,
    PORT: String(port),
    HOST: '127.0.0.1',
    DATA_DIR: dataDir,
    DATABASE_URL: '',
    CARNET_DEMO_PASSWORD: SERVER_PASSWORD,
    LOG_LEVEL: 'warn',
    STATIC_DIR: join(tmpdir(), 'carnet-no-static'),
    ...options.env,
  }
  // node --import tsx, not the tsx binary, which would run the server in a child of its own.
  const node = [process.execPath, '--import', 'tsx', 'sync-server/src/main.ts']
  const child =
    options.disk === undefined
      ? spawn(node[0] as string, node.slice(1), { cwd: root, env, stdio: ['ignore', 'pipe', 'pipe'] })
      : spawn(
          'nsenter',
          [
            '-t',
            String(options.disk.holderPid),
            '-U',
            '-m',
            '--preserve-credentials',
            `--wd=${root}`,
            '--',
            ...node,
          ],
          { cwd: root, env, stdio: ['ignore', 'pipe', 'pipe'] },
        )
  let output = ''
  let exited: { code: number | null; signal: NodeJS.Signals | null } | null = null
  child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()))
  child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()))
  const exitedNow = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once('exit', (code, signal) => {
      exited = { code, signal }
      resolve(exited)
    }),
  )
  const url = `http://127.0.0.1:${port}`
  const server: ServerProcess = {
    url,
    dataDir,
    child,
    output: () => output,
    exit: () => exited,
    inDataDir: (name) => options.disk?.path(name) ?? join(dataDir, name),
    async stop(signal = 'SIGKILL') {
      if (exited === null) child.kill(signal)
      const outcome = await exitedNow
      if (ownDir) rmSync(dataDir, { recursive: true, force: true })
      return outcome
    },
  }
  if (options.waitReady === false) return server
  const deadline = Date.now() + 30_000
  for (;;) {
    if (exited !== null) throw new Error(`the server exited early:\n${output}`)
    try {
      if ((await fetch(`${url}/api/health`)).ok) break
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) {
      await server.stop()
      throw new Error(`no /api/health answer in 30 s:\n${output}`)
    }
    await new Promise((resolve) => setTimeout(resolve, 50))
  }
  return server
}
