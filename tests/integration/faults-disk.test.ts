// The server rides out a full disk under SQLite: the real server in its own process keeps its data on a tmpfs of
// 8 MB (mounted in a user and mount namespace of its own, no root needed: faults/server-process.ts) that the test
// fills and frees. A real ENOSPC, met where SQLite meets it (the WAL, the shared-memory index), rather than a
// simulated error: SQLite's `max_page_count` gives the same SQLITE_FULL, but only where the database file grows.
import { copyFileSync, existsSync, mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import Database from '../../sync-server/src/store/sqlite-driver'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { LoginResponseSchema } from '../../src/shared/sync-api'
import { httpJson } from '../../bench/lib/http'
import { checkLedger, ledgerDevice, pushNext, type LedgerDb, type LedgerDevice } from './faults/ledger'
import {
  createSmallDisk,
  SERVER_PASSWORD,
  startServerProcess,
  type ServerProcess,
  type SmallDisk,
} from './faults/server-process'

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

/**
 * The SQLite database read directly: a copy of its file and WAL taken from inside the disk's namespace (SQLite
 * resolves /proc/<pid>/root as the link it is, to this namespace's empty folder). A WAL copied during a write
 * ends in a torn frame, which SQLite ignores: the copy is the last committed state.
 */
function sqliteReader(disk: SmallDisk): LedgerDb & { close(): void } {
  const dir = mkdtempSync(join(tmpdir(), 'carnet-ledger-'))
  for (const name of ['carnet.sqlite', 'carnet.sqlite-wal']) {
    if (existsSync(disk.path(name))) copyFileSync(disk.path(name), join(dir, name))
  }
  const db = new Database(join(dir, 'carnet.sqlite'))
  return {
    all: async (sql) => db.prepare(sql).all() as Record<string, unknown>[],
    close: () => {
      db.close()
      rmSync(dir, { recursive: true, force: true })
    },
  }
}

async function healthOf(server: ServerProcess) {
  const live = await httpJson(`${server.url}/api/health`)
  const ready = await httpJson(`${server.url}/api/health/ready`)
  return { live: { status: live.status, body: JSON.parse(live.text) as unknown }, ready }
}

/** The health report, once it has caught up with the disk (it keeps a probe's result for a second). */
async function waitForHealth(server: ServerProcess, status: string) {
  const until = Date.now() + 10_000
  for (;;) {
    const { live } = await healthOf(server)
    if ((live.body as { status?: string }).status === status || Date.now() > until) return live
    await sleep(200)
  }
}

describe('a full disk under SQLite: the server rides it out', () => {
  let disk: SmallDisk
  let server: ServerProcess
  let pusher: LedgerDevice
  let reader: LedgerDevice
  let accessToken: string

  const pull = () =>
    httpJson(`${server.url}/api/sync/pull?limit=1000`, {
      headers: { authorization: `Bearer ${reader.deviceToken}`, 'x-carnet-pending': '0' },
    })

  beforeAll(async () => {
    disk = await createSmallDisk('8m')
    server = await startServerProcess({ disk })
    pusher = await ledgerDevice(server.url, 'medecin.demo', SERVER_PASSWORD, 11, 400)
    reader = await ledgerDevice(server.url, 'infirmier.demo', SERVER_PASSWORD, 12, 1)
    const login = await httpJson(`${server.url}/api/auth/login`, {
      body: { login: 'infirmier.demo', password: SERVER_PASSWORD, deviceId: reader.deviceId },
    })
    accessToken = LoginResponseSchema.parse(JSON.parse(login.text)).accessToken
    for (let i = 0; i < 3; i += 1) expect((await pushNext(server.url, pusher, 60, 10_000)).status).toBe(200)
  }, 60_000)

  afterAll(async () => {
    await server?.stop('SIGKILL')
    await disk?.close()
  })

  it('answers writes 503 with Retry-After, says so in its health and its log, and still serves reads', async () => {
    const answered = pusher.acknowledged.size
    expect(disk.fill()).toBeGreaterThan(0)

    for (let attempt = 0; attempt < 2; attempt += 1) {
      const push = await pushNext(server.url, pusher, 60, 10_000)
      expect(push.status, push.body).toBe(503)
      expect(JSON.parse(push.body)).toEqual({ error: 'unavailable' })
      // A full disk is not cured in a second: the devices are told to wait at least 30 s.
      expect(Number(push.retryAfter)).toBeGreaterThanOrEqual(30)
    }
    expect(pusher.acknowledged.size).toBe(answered)

    const { live, ready } = await healthOf(server)
    expect(live).toEqual({
      status: 200,
      body: { status: 'degraded', version: expect.any(String), store: 'sqlite', reason: 'storage-full' },
    })
    expect(ready.status).toBe(503)
    expect(Number(ready.retryAfter)).toBeGreaterThan(0)
    expect(JSON.parse(ready.text)).toEqual({
      status: 'not-ready',
      reason: 'storage-full',
      checks: { database: 'ok', writable: 'storage-full', migrations: 'ok' },
    })
    expect(server.output()).toContain('database storage full: writes answer 503 until space is freed')

    // Reads: a device pulls everything pushed so far; a signed-in user reads their profile.
    const page = await pull()
    expect(page.status, page.text).toBe(200)
    const changes = (JSON.parse(page.text) as { changes: { entity: string }[] }).changes
    expect(changes.filter((c) => c.entity === 'patient')).toHaveLength(answered / 3)
    const me = await httpJson(`${server.url}/api/auth/me`, {
      headers: { authorization: `Bearer ${accessToken}` },
    })
    expect(me.status, me.text).toBe(200)
    expect(server.exit()).toBeNull()
  })

  it('writes again by itself once space is freed, and the health report follows', async () => {
    disk.free()
    const push = await pushNext(server.url, pusher, 60, 10_000)
    expect(push.status, push.body).toBe(200)
    expect(await waitForHealth(server, 'ok')).toEqual({
      status: 200,
      body: { status: 'ok', version: expect.any(String), store: 'sqlite' },
    })
    expect((await httpJson(`${server.url}/api/health/ready`)).status).toBe(200)
    const db = sqliteReader(disk)
    try {
      expect(await checkLedger(server.url, [pusher], db)).toEqual([])
    } finally {
      db.close()
    }
  })

  it('killed on a full disk and started again on it: pulls are served, writes wait for space', async () => {
    disk.fill()
    await server.stop('SIGKILL')
    server = await startServerProcess({ disk })
    const page = await pull()
    expect(page.status, page.text).toBe(200)
    const push = await pushNext(server.url, pusher, 60, 10_000)
    expect(push.status, push.body).toBe(503)
    expect(Number(push.retryAfter)).toBeGreaterThanOrEqual(30)
    expect((await waitForHealth(server, 'degraded')).body).toMatchObject({ reason: 'storage-full' })

    disk.free()
    const until = Date.now() + 10_000
    let after = await pushNext(server.url, pusher, 60, 10_000)
    while (after.status !== 200 && Date.now() < until) {
      await sleep(200)
      after = await pushNext(server.url, pusher, 60, 10_000)
    }
    expect(after.status, after.body).toBe(200)
    const db = sqliteReader(disk)
    try {
      expect(await checkLedger(server.url, [pusher], db)).toEqual([])
    } finally {
      db.close()
    }
    expect(server.exit()).toBeNull()
  })

  it('stopped cleanly, then the disk filled: refuses to start with one line saying so', async () => {
    expect(await server.stop('SIGTERM')).toEqual({ code: 0, signal: null })
    disk.fill()
    const refused = await startServerProcess({ disk, waitReady: false })
    const until = Date.now() + 20_000
    while (refused.exit() === null && Date.now() < until) await sleep(50)
    expect(refused.exit()).toEqual({ code: 1, signal: null })
    expect(refused.output()).toMatch(
      new RegExp(
        `^carnet: no space left on the disk of DATA_DIR ${disk.dir}: free some and start again \\(SQLITE_`,
      ),
    )
    disk.free()
    server = await startServerProcess({ disk })
    expect((await pull()).status).toBe(200)
  })
})
