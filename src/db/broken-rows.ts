// Sealed rows that did not open (docs/device-encryption.md, "Rows at rest"): the read that met one leaves it out
// and goes on, and the vault reports it. Here the reports are kept in db.meta (table and key only, at most
// MAX_KEPT), so that the device tells the server with every sync request (`X-Carnet-Broken`) and the dashboard
// shows an alert until the rows open again — a pull that brings the server's version rewrites them — or are gone.
import Dexie from 'dexie'
import type { CarnetDb } from './carnet-db'
import type { BrokenRow } from './vault/vault'

/** The most broken rows remembered: past it the count stays at this floor. */
export const MAX_KEPT = 100

/** What the device reports: how many rows do not open, in which tables. */
export type BrokenRowsReport = { count: number; tables: string[] }

async function readKept(db: CarnetDb): Promise<BrokenRow[]> {
  const row = await db.meta.get('brokenRows')
  return row?.key === 'brokenRows' ? row.value : []
}

/** Remembers a broken row (once per table and key). */
export async function keepBrokenRow(db: CarnetDb, broken: BrokenRow): Promise<void> {
  await db.transaction('rw', db.meta, async () => {
    const kept = await readKept(db)
    if (kept.some((r) => r.table === broken.table && r.key === broken.key)) return
    if (kept.length >= MAX_KEPT) return
    await db.meta.put({ key: 'brokenRows', value: [...kept, broken] })
  })
}

const listening = new WeakSet<CarnetDb>()

/**
 * Keeps every row the vault reports broken, from now on. The report comes from inside the read that met the row,
 * possibly in its transaction: the write is made outside it.
 */
export function keepBrokenRows(db: CarnetDb): void {
  if (listening.has(db)) return
  listening.add(db)
  db.vault.onBroken((broken) => {
    void Dexie.ignoreTransaction(() => keepBrokenRow(db, broken)).catch(() => undefined)
  })
}

/** The count and tables of the rows remembered broken. */
export async function brokenRowsReport(db: CarnetDb): Promise<BrokenRowsReport> {
  const kept = await readKept(db)
  return { count: kept.length, tables: [...new Set(kept.map((r) => r.table))].sort() }
}

/**
 * Reads each remembered row again (the keys must be in memory): one that opens now, or that is gone, is
 * forgotten; one still broken is reported again and stays.
 */
export async function recheckBrokenRows(db: CarnetDb): Promise<void> {
  const kept = await readKept(db)
  if (kept.length === 0) return
  const still: BrokenRow[] = []
  for (const row of kept) {
    const table = db.tables.find((t) => t.name === row.table)
    if (table === undefined) continue
    // The outbox (seq) and the name index (n) have number keys; the report keeps every key as text.
    const isNumber = ['seq', 'n'].includes(String(table.schema.primKey.keyPath))
    const key = isNumber ? Number(row.key) : row.key
    const rows = await table.where(':id').equals(key).count()
    if (rows === 0) continue
    if ((await table.get(key)) === undefined) still.push(row)
  }
  await db.transaction('rw', db.meta, async () => {
    const now = await readKept(db)
    // Rows reported meanwhile stay.
    const next = now.filter(
      (r) =>
        still.some((s) => s.table === r.table && s.key === r.key) ||
        !kept.some((k) => k.table === r.table && k.key === r.key),
    )
    await db.meta.put({ key: 'brokenRows', value: next })
  })
}
