// Seals, in place, the rows a device wrote before it had a data key (docs/device-encryption.md, "Upgrade").
//
// Runs after an unlock, in the background, a page at a time: each page is read and written back in ONE
// read-write transaction (so a change made meanwhile by the sync or a form is never overwritten by an older
// copy), and only its clear rows are rewritten, so a run stopped by a crash or a closed tab simply starts again
// and skips what is already sealed. The database is marked converted when every table has been walked.
import type { Table } from 'dexie'
import { SEALED_TABLES, type CarnetDb } from '../carnet-db'
import { isClearRow } from './sealed-tables'

const PAGE = 500

/** How far the sealing of older rows has gone. */
export type ConvertProgress = { done: number; total: number }

/** Seals every clear row of the personal tables; resolves true once the database is wholly sealed. */
export async function sealClearRows(
  db: CarnetDb,
  options: { onProgress?: (progress: ConvertProgress) => void; now?: () => string } = {},
): Promise<boolean> {
  if (db.vault.converted) return true
  if (db.vault.keys === null) return false
  const names = Object.keys(SEALED_TABLES)
  const tables = names.map((name) => db.table(name) as Table<Record<string, unknown>, unknown>)
  const counts = await Promise.all(tables.map((t) => t.count()))
  const total = counts.reduce((a, b) => a + b, 0)
  let done = 0
  options.onProgress?.({ done, total })
  for (const table of tables) {
    const scope = SEALED_TABLES[table.name]?.nameIndex === true ? [table, db.nameIndex] : [table]
    let after: unknown
    for (;;) {
      if (db.vault.keys === null) return false
      const page = await db.transaction('rw', scope, async () => {
        const rows = await (after === undefined ? table.orderBy(':id') : table.where(':id').above(after))
          .limit(PAGE)
          .toArray()
        const clear = rows.filter(isClearRow)
        if (clear.length > 0) await table.bulkPut(clear)
        return rows
      })
      if (page.length === 0) break
      const last = page.at(-1) as Record<string, unknown>
      after = last[table.schema.primKey.keyPath as string]
      done += page.length
      options.onProgress?.({ done: Math.min(done, total), total })
      if (page.length < PAGE) break
    }
  }
  const now = options.now?.() ?? new Date().toISOString()
  await db.transaction('rw', db.meta, async () => {
    const row = await db.meta.get('vault')
    const value = row?.key === 'vault' ? row.value : { v: 1 as const, sealedSince: now }
    await db.meta.put({ key: 'vault', value: { ...value, converted: now } })
  })
  db.vault.converted = true
  return true
}
