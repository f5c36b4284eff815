import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { fixedClock } from '../clock'
import { openSqliteStore } from './sqlite'
import type { Store } from './types'

const clock = fixedClock('2026-03-04T09:15:00.000Z')

describe('SQLite store: queued work, group commit, read connection', () => {
  let dir: string
  let store: Store

  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), 'carnet-sqlite-'))
    store = openSqliteStore({ file: join(dir, 'carnet.sqlite'), clock })
    await store.migrate()
  })
  afterEach(async () => {
    await store.close()
    rmSync(dir, { recursive: true, force: true })
  })

  it('commits waiting transactions together, each settled on its own; a failing one leaves no trace', async () => {
    const outcomes = await Promise.allSettled(
      Array.from({ length: 20 }, (_, i) =>
        store.withTransaction(async (tx) => {
          const created = await tx.createOrganisation({ name: `Org ${i}`, kind: 'other', country: 'FR' })
          if (i === 7) throw new Error('refused 7')
          return created.ok ? created.value.name : null
        }),
      ),
    )
    expect(outcomes.filter((o) => o.status === 'fulfilled')).toHaveLength(19)
    expect(outcomes[7]).toEqual({ status: 'rejected', reason: new Error('refused 7') })
    expect(outcomes[3]).toEqual({ status: 'fulfilled', value: 'Org 3' })
    const names = (await store.listOrganisations()).map((o) => o.name)
    expect(names).toHaveLength(19)
    expect(names).not.toContain('Org 7')
  })

  it('a transaction sees the effects of the one committed with it before it', async () => {
    const first = store.withTransaction((tx) =>
      tx.createOrganisation({ name: 'First', kind: 'other', country: 'FR' }),
    )
    const second = store.withTransaction(async (tx) => (await tx.listOrganisations()).map((o) => o.name))
    await first
    expect(await second).toEqual(['First'])
  })

  it('reads see what an answered write committed, and nothing of a transaction still running', async () => {
    let release!: () => void
    const gate = new Promise<void>((resolve) => (release = resolve))
    const running = store.withTransaction(async (tx) => {
      await tx.createOrganisation({ name: 'Pending', kind: 'other', country: 'FR' })
      await gate
    })
    // Let the transaction start, then read beside it (the read connection does not wait for it).
    await new Promise((resolve) => setTimeout(resolve, 20))
    expect(await store.listOrganisations()).toEqual([])
    release()
    await running
    expect((await store.listOrganisations()).map((o) => o.name)).toEqual(['Pending'])
  })
})
