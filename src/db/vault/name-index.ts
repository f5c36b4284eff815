// Name-prefix search without a name on disk (docs/device-encryption.md). A blind token can only answer « equal
// to »: prefixes of every name would need a token each, and their counts would let whoever holds the disk guess
// common names. So the names searched by prefix are kept sealed in their own table, one row per write
// transaction that touched patients (written by ./sealed-tables.ts in that same transaction), and searched in
// memory after the app is unlocked.
//
// A row holds entries [patient id, name key, birth date, name words] (or [patient id] when the patient is
// gone). Rows are applied in key order (IndexedDB's key generator never goes back), a later entry replacing an
// earlier one. A compaction replaces every row up to a position by a snapshot of the state at that position,
// in one transaction; rows written after it keep larger keys and are applied after the snapshot.
import type Dexie from 'dexie'
import type { Table } from 'dexie'
import { openJson, sealJson, type DataKeys } from './crypto'

/** The table of sealed name-index rows. */
export const NAME_INDEX_TABLE = 'nameIndex'
const AAD = 'nameIndex'
/** Entries per snapshot row. */
const SNAPSHOT_ROW_ENTRIES = 5000
/** A row count past which the index is compacted after it is loaded. */
const COMPACT_AFTER_ROWS = 64

/** One entry: a patient's searchable names, or its id alone when it was deleted. */
export type NameIndexEntry = [id: string] | [id: string, nameKey: string, birthDate: string, words: string[]]

/** A stored row (the key is given by IndexedDB). */
export type NameIndexRow = { n?: number; c: ArrayBuffer }

type RowContent =
  | { kind: 'delta'; entries: NameIndexEntry[] }
  | { kind: 'snapshot'; pos: number; part: number; parts: number; entries: NameIndexEntry[] }

/** The entry of a plain patient row (the stored form of src/db/rows.ts, with its search keys). */
export function nameIndexEntryOf(row: Record<string, unknown>): NameIndexEntry {
  const id = String(row.id)
  const words = Array.isArray(row.nameWords)
    ? row.nameWords.filter((w): w is string => typeof w === 'string')
    : []
  return [
    id,
    typeof row.nameKey === 'string' ? row.nameKey : '',
    typeof row.birthDate === 'string' ? row.birthDate : '',
    words,
  ]
}

/** Seals a delta row of entries. */
export async function sealNameIndexEntries(keys: DataKeys, entries: NameIndexEntry[]): Promise<NameIndexRow> {
  return { c: await sealJson(keys, AAD, { kind: 'delta', entries } satisfies RowContent) }
}

function parseContent(value: unknown): RowContent | null {
  if (typeof value !== 'object' || value === null) return null
  const v = value as Partial<RowContent>
  if (!Array.isArray(v.entries)) return null
  if (v.kind === 'delta') return { kind: 'delta', entries: v.entries }
  if (
    v.kind === 'snapshot' &&
    typeof v.pos === 'number' &&
    typeof v.part === 'number' &&
    typeof v.parts === 'number'
  )
    return { kind: 'snapshot', pos: v.pos, part: v.part, parts: v.parts, entries: v.entries }
  return null
}

type Entry = { nameKey: string; birthDate: string; words: string[] }

/** The bucket of a word: its first two letters. */
function bucketOf(word: string): string {
  return word.slice(0, 2)
}

/** A patient id found by name, with what it is sorted by. */
export type NameMatch = { id: string; nameKey: string; birthDate: string }

/** The in-memory index of one database, filled from its sealed rows. */
export class NameIndex {
  private entries = new Map<string, Entry>()
  private buckets = new Map<string, Set<string>>()
  private lastKey = 0
  private rowCount = 0
  private loading: Promise<void> | null = null

  constructor(
    private readonly table: () => Table<NameIndexRow, number>,
    private readonly keys: () => DataKeys | null,
    private readonly onBroken: (key: number) => void = () => undefined,
  ) {}

  /** Forgets everything (lock, sign-out). */
  clear(): void {
    this.entries = new Map()
    this.buckets = new Map()
    this.lastKey = 0
    this.rowCount = 0
    this.loading = null
  }

  get size(): number {
    return this.entries.size
  }

  private remove(id: string): void {
    const old = this.entries.get(id)
    if (old === undefined) return
    for (const w of old.words) this.buckets.get(bucketOf(w))?.delete(id)
    this.entries.delete(id)
  }

  private apply(entries: readonly NameIndexEntry[]): void {
    for (const entry of entries) {
      const [id] = entry
      if (typeof id !== 'string') continue
      this.remove(id)
      if (entry.length !== 4) continue
      const [, nameKey, birthDate, words] = entry as [string, string, string, string[]]
      const unique = [...new Set(words)]
      this.entries.set(id, { nameKey, birthDate, words: unique })
      for (const w of unique) {
        const b = bucketOf(w)
        let set = this.buckets.get(b)
        if (set === undefined) this.buckets.set(b, (set = new Set()))
        set.add(id)
      }
    }
  }

  private async openRows(
    rows: readonly NameIndexRow[],
    keys: DataKeys,
  ): Promise<{ n: number; content: RowContent }[]> {
    const opened = await Promise.all(
      rows.map(async (row) => {
        const n = row.n ?? 0
        try {
          const content = parseContent(await openJson(keys, AAD, row.c))
          if (content === null) throw new Error('bad content')
          return { n, content }
        } catch {
          this.onBroken(n)
          return null
        }
      }),
    )
    return opened.filter((r): r is { n: number; content: RowContent } => r !== null).sort((a, b) => a.n - b.n)
  }

  /** Reads the rows this index has not applied yet (all of them the first time); a new snapshot reloads it all. */
  refresh(): Promise<void> {
    this.loading ??= this.load().finally(() => {
      this.loading = null
    })
    return this.loading
  }

  private async load(): Promise<void> {
    const keys = this.keys()
    if (keys === null) return
    const rows = await this.table().where('n').above(this.lastKey).toArray()
    if (rows.length === 0) return
    const opened = await this.openRows(rows, keys)
    if (opened.some((r) => r.content.kind === 'snapshot') && this.lastKey > 0) {
      // Another tab compacted: start again from the table as it is now.
      this.clear()
      await this.load()
      return
    }
    // The newest complete snapshot, if any, is the starting point; deltas after its position follow.
    const snapshots = opened.filter((r) => r.content.kind === 'snapshot')
    const pos =
      snapshots.length === 0 ? 0 : Math.max(...snapshots.map((r) => (r.content as { pos: number }).pos))
    for (const r of opened)
      if (r.content.kind === 'snapshot' && r.content.pos === pos) this.apply(r.content.entries)
    for (const r of opened) if (r.content.kind === 'delta' && r.n > pos) this.apply(r.content.entries)
    this.lastKey = Math.max(this.lastKey, ...opened.map((r) => r.n), ...rows.map((r) => r.n ?? 0))
    this.rowCount += rows.length
  }

  /** Compacts the table into a snapshot of what this index holds, when it has grown past a few dozen rows. */
  async compactIfLarge(db: Dexie, force = false): Promise<boolean> {
    const keys = this.keys()
    if (keys === null || (!force && this.rowCount <= COMPACT_AFTER_ROWS)) return false
    const pos = this.lastKey
    const all: NameIndexEntry[] = [...this.entries].map(([id, e]) => [id, e.nameKey, e.birthDate, e.words])
    const parts = Math.max(1, Math.ceil(all.length / SNAPSHOT_ROW_ENTRIES))
    const rows: NameIndexRow[] = await Promise.all(
      Array.from({ length: parts }, async (_, part) => ({
        c: await sealJson(keys, AAD, {
          kind: 'snapshot',
          pos,
          part,
          parts,
          entries: all.slice(part * SNAPSHOT_ROW_ENTRIES, (part + 1) * SNAPSHOT_ROW_ENTRIES),
        } satisfies RowContent),
      })),
    )
    const table = this.table()
    await db.transaction('rw', table, async () => {
      await table.where('n').belowOrEqual(pos).delete()
      await table.bulkAdd(rows)
    })
    // The snapshot rows have keys past every row this index applied: read them as the new start.
    this.clear()
    await this.refresh()
    return true
  }

  /**
   * The patients whose name words start with every one of `words` (folded like the search keys), on `birthDate`
   * when given, sorted by name then birth date, at most `limit`.
   */
  search(words: readonly string[], birthDate: string | undefined, limit: number): NameMatch[] {
    const [driver] = [...words].sort((a, b) => b.length - a.length)
    let candidates: Iterable<string>
    if (driver === undefined) {
      if (birthDate === undefined) return []
      candidates = this.entries.keys()
    } else if (driver.length >= 2) {
      candidates = this.buckets.get(bucketOf(driver)) ?? []
    } else {
      const ids = new Set<string>()
      for (const [b, set] of this.buckets) if (b.startsWith(driver)) for (const id of set) ids.add(id)
      candidates = ids
    }
    const found: NameMatch[] = []
    for (const id of candidates) {
      const e = this.entries.get(id)
      if (e === undefined) continue
      if (birthDate !== undefined && e.birthDate !== birthDate) continue
      if (!words.every((w) => e.words.some((n) => n.startsWith(w)))) continue
      found.push({ id, nameKey: e.nameKey, birthDate: e.birthDate })
    }
    found.sort((a, b) =>
      a.nameKey < b.nameKey ? -1 : a.nameKey > b.nameKey ? 1 : a.birthDate.localeCompare(b.birthDate),
    )
    return found.slice(0, limit)
  }
}
