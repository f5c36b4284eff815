import { mkdtempSync, rmSync } from 'node:fs'
import { createServer } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import Database from './sqlite-driver'
import pg from 'pg'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { retryAfterSeconds, storeFaultOf } from './faults'

// The drivers' own errors, made for real where that is cheap: the classification must follow what better-sqlite3,
// node-postgres and the OS actually throw, not what we think they throw.
describe('storeFaultOf', () => {
  let dir: string
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'carnet-faults-'))
  })
  afterAll(() => {
    rmSync(dir, { recursive: true, force: true })
  })

  const thrown = (fn: () => unknown): unknown => {
    try {
      fn()
    } catch (error) {
      return error
    }
    throw new Error('nothing thrown')
  }

  it('a full database (SQLITE_FULL, as a full disk gives it) is storage-full', () => {
    const db = new Database(join(dir, 'full.sqlite'))
    db.exec('CREATE TABLE t (x BLOB)')
    // The page limit is reached exactly as a disk fills: SQLite answers the same code and message.
    db.pragma(`max_page_count = ${Number(db.pragma('page_count', { simple: true })) + 1}`)
    const error = thrown(() => {
      for (let i = 0; i < 100; i += 1) db.prepare('INSERT INTO t VALUES (?)').run(Buffer.alloc(4096))
    })
    db.close()
    expect((error as { code?: string }).code).toBe('SQLITE_FULL')
    expect(storeFaultOf(error)).toBe('storage-full')
  })

  it('a database that refuses writes (SQLITE_READONLY) is storage-read-only', () => {
    const file = join(dir, 'ro.sqlite')
    new Database(file).exec('CREATE TABLE t (x)')
    const db = new Database(file, { readonly: true })
    const error = thrown(() => db.exec('INSERT INTO t VALUES (1)'))
    db.close()
    expect(storeFaultOf(error)).toBe('storage-read-only')
  })

  it('a write lock held elsewhere (SQLITE_BUSY) is busy', () => {
    const file = join(dir, 'busy.sqlite')
    const holder = new Database(file)
    holder.exec('CREATE TABLE t (x)')
    holder.exec('BEGIN IMMEDIATE')
    const other = new Database(file, { timeout: 0 })
    const error = thrown(() => other.exec('BEGIN IMMEDIATE'))
    holder.exec('ROLLBACK')
    holder.close()
    other.close()
    expect(storeFaultOf(error)).toBe('busy')
  })

  it('a database that cannot be reached (refused, cut, timed out) is unreachable', async () => {
    // A port nobody listens on.
    const port = await new Promise<number>((resolve) => {
      const probe = createServer().listen(0, '127.0.0.1', () => {
        const address = probe.address()
        probe.close(() => resolve(typeof address === 'object' && address !== null ? address.port : 1))
      })
    })
    const client = new pg.Client({ connectionString: `postgres://x@127.0.0.1:${port}/x` })
    const refused = await client.connect().then(
      () => null,
      (error: unknown) => error,
    )
    expect(storeFaultOf(refused)).toBe('unreachable')
    for (const message of [
      'Connection terminated unexpectedly',
      'Query read timeout',
      'timeout exceeded when trying to connect',
      'Client has encountered a connection error and is not queryable',
    ]) {
      expect(storeFaultOf(new Error(message))).toBe('unreachable')
    }
  })

  it('reads PostgreSQL and OS codes: disk full, read-only, I/O, contention, shutdown', () => {
    const coded = (code: string) => Object.assign(new Error(code), { code })
    expect(storeFaultOf(coded('53100'))).toBe('storage-full')
    expect(storeFaultOf(coded('ENOSPC'))).toBe('storage-full')
    expect(storeFaultOf(coded('25006'))).toBe('storage-read-only')
    expect(storeFaultOf(coded('EROFS'))).toBe('storage-read-only')
    expect(storeFaultOf(coded('58030'))).toBe('storage-error')
    expect(storeFaultOf(coded('SQLITE_IOERR_WRITE'))).toBe('storage-error')
    expect(storeFaultOf(coded('40001'))).toBe('busy')
    expect(storeFaultOf(coded('57014'))).toBe('busy')
    expect(storeFaultOf(coded('57P01'))).toBe('unreachable')
    expect(storeFaultOf(coded('08006'))).toBe('unreachable')
  })

  it('leaves bugs and bad input alone', () => {
    expect(storeFaultOf(new Error('boom'))).toBeNull()
    expect(storeFaultOf(Object.assign(new Error('dup'), { code: 'SQLITE_CONSTRAINT_UNIQUE' }))).toBeNull()
    expect(storeFaultOf(Object.assign(new Error('dup'), { code: '23505' }))).toBeNull()
    expect(storeFaultOf(Object.assign(new Error('corrupt'), { code: 'SQLITE_CORRUPT' }))).toBeNull()
    expect(storeFaultOf(null)).toBeNull()
    expect(storeFaultOf('Connection terminated')).toBeNull()
  })
})

describe('retryAfterSeconds', () => {
  it('spreads the devices over up to twice the base wait, in whole seconds', () => {
    expect(retryAfterSeconds('busy', () => 0)).toBe(1)
    expect(retryAfterSeconds('busy', () => 0.999)).toBe(2)
    expect(retryAfterSeconds('unreachable', () => 0)).toBe(3)
    expect(retryAfterSeconds('unreachable', () => 0.999)).toBe(6)
    expect(retryAfterSeconds('storage-full', () => 0)).toBe(30)
    expect(retryAfterSeconds('storage-full', () => 0.999)).toBe(60)
  })
})
