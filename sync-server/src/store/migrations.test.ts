import { describe, expect, it } from 'vitest'
import { LATEST_SCHEMA_VERSION, MIGRATIONS, pendingMigrations } from './migrations'
import { SchemaTooNewError } from './types'

describe('migrations', () => {
  // Versions only need to be unique and in order (branches merged later may leave a number unused for a while).
  it('are numbered from 1 in increasing order, with SQL for both dialects', () => {
    const versions = MIGRATIONS.map((m) => m.version)
    expect(versions[0]).toBe(1)
    expect(versions).toEqual([...new Set(versions)].sort((a, b) => a - b))
    for (const m of MIGRATIONS) {
      expect(m.name).not.toBe('')
      expect(m.sqlite.trim()).not.toBe('')
      expect(m.postgres.trim()).not.toBe('')
    }
  })

  it('create the same tables and indexes in both dialects', () => {
    const names = (sql: string) =>
      [...sql.matchAll(/CREATE (?:UNIQUE )?(?:TABLE|INDEX) (\w+)/g)].map((m) => m[1])
    for (const m of MIGRATIONS) expect(names(m.sqlite)).toEqual(names(m.postgres))
  })

  it('lists what is left to apply and refuses a database ahead of this server', () => {
    expect(pendingMigrations([]).map((m) => m.version)).toEqual(MIGRATIONS.map((m) => m.version))
    expect(pendingMigrations(MIGRATIONS.map((m) => m.version))).toEqual([])
    expect(() => pendingMigrations([LATEST_SCHEMA_VERSION + 1])).toThrow(SchemaTooNewError)
  })
})
