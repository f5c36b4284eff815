// Name-prefix search without a name on disk (docs/device-encryption.md). A blind token can only answer « equal
// to »: prefixes of every name would need a token each, and their counts would let whoever holds the disk guess
// common names. So what files are searched by — name words, sort key, birth date, days of their doses — is kept
// sealed in its own table, one row per write transaction that touched files (written by ./sealed-tables.ts in
// that same transaction), and searched in memory after the app is unlocked.
//
// A row holds entries of five strings, flat: patient id, name key ('BIRTHNAME FIRSTNAMES' folded), birth date,
// the name words not already in the name key (usual name), the dose days; an entry whose name key is empty says
// the file is gone or holds no patient. Rows are applied in key order (IndexedDB's key generator never goes back),
// a later entry replacing an earlier one. A compaction replaces every row up to a position by a snapshot of the
// state at that position, in one transaction; rows written after it keep larger keys and are applied after it.
//
// In memory: parallel arrays (one slot per patient) and, per first two letters of a word, the slots having such
// a word. Loading 100,000 patients is one JSON parse per row and a pass over flat arrays; a query reads one bucket
// and checks each candidate with one substring test over its words.
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
const FIELDS = 5

/**
 * One entry: a patient's sort key, birth date, name words and dose days; or its id alone when the file was
 * deleted or holds no patient.
 */
export type NameIndexEntry =
  | [id: string]
  | [id: string, nameKey: string, birthDate: string, words: readonly string[], days: readonly string[]]

/** A stored row (the key is given by IndexedDB). */
export type NameIndexRow = { n?: number; c: ArrayBuffer }

type RowContent =
  | { kind: 'delta'; flat: string[] }
  | { kind: 'snapshot'; pos: number; part: number; parts: number; flat: string[] }

const strings = (value: unknown): string[] =>
  Array.isArray(value) ? value.filter((w): w is string => typeof w === 'string') : []

/** The entry of a plain file row (src/db/files.ts, with its search keys); a file without patient is not searched. */
export function nameIndexEntryOf(row: Record<string, unknown>): NameIndexEntry {
  const id = String(row.id)
  if (typeof row.nameKey !== 'string' || typeof row.birthDate !== 'string' || row.nameKey === '') return [id]
  return [id, row.nameKey, row.birthDate, strings(row.nameWords), strings(row.days)]
}

/** The five strings of an entry: the words already in the name key are not repeated. */
function flatten(entries: readonly NameIndexEntry[]): string[] {
  const flat: string[] = []
  for (const entry of entries) {
    if (entry.length === 1) {
      flat.push(entry[0], '', '', '', '')
      continue
    }
    const [id, nameKey, birthDate, words, days] = entry
    const inKey = new Set(nameKey.split(' '))
    flat.push(id, nameKey, birthDate, words.filter((w) => !inKey.has(w)).join(' '), days.join(' '))
  }
  return flat
}

/** Seals a delta row of entries. */
export async function sealNameIndexEntries(keys: DataKeys, entries: NameIndexEntry[]): Promise<NameIndexRow> {
  return { c: await sealJson(keys, AAD, { kind: 'delta', flat: flatten(entries) } satisfies RowContent) }
}

function parseContent(value: unknown): RowContent | null {
  if (typeof value !== 'object' || value === null) return null
  const v = value as Partial<RowContent>
  if (!Array.isArray(v.flat) || v.flat.length % FIELDS !== 0) return null
  if (v.kind === 'delta') return { kind: 'delta', flat: v.flat }
  if (
    v.kind === 'snapshot' &&
    typeof v.pos === 'number' &&
    typeof v.part === 'number' &&
    typeof v.parts === 'number'
  )
    return { kind: 'snapshot', pos: v.pos, part: v.part, parts: v.parts, flat: v.flat }
  return null
}

/** A patient id found by name, with what it is sorted by. */
export type NameMatch = { id: string; nameKey: string; birthDate: string }

/** The in-memory index of one database, filled from its sealed rows. */
export class NameIndex {
  private slotOf = new Map<string, number>()
  private ids: string[] = []
  private nameKeys: string[] = []
  private births: string[] = []
  /** ' WORD WORD…': every name word, each after a space, for one substring test per candidate. */
  private words: string[] = []
  private extras: string[] = []
  private days: string[] = []
  private buckets = new Map<string, number[]>()
  private live = 0
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
    this.slotOf = new Map()
    this.ids = []
    this.nameKeys = []
    this.births = []
    this.words = []
    this.extras = []
    this.days = []
    this.buckets = new Map()
    this.live = 0
    this.lastKey = 0
    this.rowCount = 0
    this.loading = null
  }

  /** Patients indexed. */
  get size(): number {
    return this.live
  }

  private bucket(word: string, slot: number): void {
    const key = word.slice(0, 2)
    const list = this.buckets.get(key)
    if (list === undefined) this.buckets.set(key, [slot])
    else list.push(slot)
  }

  /** Applies flat entries in order; a slot whose words change is added to its new buckets (old ones go stale). */
  private apply(flat: readonly string[]): void {
    for (let i = 0; i + FIELDS <= flat.length; i += FIELDS) {
      const id = flat[i] as string
      const nameKey = flat[i + 1] as string
      let slot = this.slotOf.get(id)
      if (slot === undefined) {
        if (nameKey === '') continue
        slot = this.ids.length
        this.slotOf.set(id, slot)
        this.ids.push(id)
        this.nameKeys.push('')
        this.births.push('')
        this.words.push('')
        this.extras.push('')
        this.days.push('')
      }
      const wasLive = this.nameKeys[slot] !== ''
      const extra = flat[i + 3] as string
      const words = nameKey === '' ? '' : ` ${nameKey}${extra === '' ? '' : ` ${extra}`}`
      const changed = words !== this.words[slot]
      this.nameKeys[slot] = nameKey
      this.births[slot] = flat[i + 2] as string
      this.words[slot] = words
      this.extras[slot] = extra
      this.days[slot] = flat[i + 4] as string
      if (wasLive && nameKey === '') this.live -= 1
      if (!wasLive && nameKey !== '') this.live += 1
      if (changed && words !== '')
        for (const w of words.slice(1).split(' ')) if (w !== '') this.bucket(w, slot)
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
    // The newest snapshot, if any, is the starting point; deltas after its position follow.
    let pos = 0
    for (const r of opened) if (r.content.kind === 'snapshot') pos = Math.max(pos, r.content.pos)
    for (const r of opened)
      if (r.content.kind === 'snapshot' && r.content.pos === pos) this.apply(r.content.flat)
    for (const r of opened) if (r.content.kind === 'delta' && r.n > pos) this.apply(r.content.flat)
    for (const row of rows) this.lastKey = Math.max(this.lastKey, row.n ?? 0)
    this.rowCount += rows.length
  }

  /** Compacts the table into a snapshot of what this index holds, when it has grown past a few dozen rows. */
  async compactIfLarge(db: Dexie, force = false): Promise<boolean> {
    const keys = this.keys()
    if (keys === null || (!force && this.rowCount <= COMPACT_AFTER_ROWS)) return false
    const pos = this.lastKey
    const flat: string[] = []
    for (let slot = 0; slot < this.ids.length; slot += 1) {
      if (this.nameKeys[slot] === '') continue
      flat.push(
        this.ids[slot] as string,
        this.nameKeys[slot] as string,
        this.births[slot] as string,
        this.extras[slot] as string,
        this.days[slot] as string,
      )
    }
    const perRow = SNAPSHOT_ROW_ENTRIES * FIELDS
    const parts = Math.max(1, Math.ceil(flat.length / perRow))
    const rows: NameIndexRow[] = await Promise.all(
      Array.from({ length: parts }, async (_, part) => ({
        c: await sealJson(keys, AAD, {
          kind: 'snapshot',
          pos,
          part,
          parts,
          flat: flat.slice(part * perRow, (part + 1) * perRow),
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

  /** The patients born on `birthDate` (identity candidates). */
  bornOn(birthDate: string): string[] {
    const ids: string[] = []
    for (let slot = 0; slot < this.ids.length; slot += 1)
      if (this.births[slot] === birthDate && this.nameKeys[slot] !== '') ids.push(this.ids[slot] as string)
    return ids
  }

  /** The patients with a dose given on `day` (the day's list, the day's export). */
  dosedOn(day: string): string[] {
    const ids: string[] = []
    for (let slot = 0; slot < this.ids.length; slot += 1)
      if ((this.days[slot] as string).includes(day) && this.nameKeys[slot] !== '')
        ids.push(this.ids[slot] as string)
    return ids
  }

  /**
   * The patients whose name words start with every one of `words` (folded like the search keys), on `birthDate`
   * when given, sorted by name then birth date, at most `limit`.
   */
  search(words: readonly string[], birthDate: string | undefined, limit: number): NameMatch[] {
    const [driver] = [...words].sort((a, b) => b.length - a.length)
    const needles = words.map((w) => ` ${w}`)
    const matches = (slot: number) =>
      this.nameKeys[slot] !== '' &&
      (birthDate === undefined || this.births[slot] === birthDate) &&
      needles.every((n) => (this.words[slot] as string).includes(n))
    const found = new Set<number>()
    if (driver === undefined) {
      if (birthDate === undefined) return []
      for (let slot = 0; slot < this.ids.length; slot += 1) if (matches(slot)) found.add(slot)
    } else if (driver.length >= 2) {
      for (const slot of this.buckets.get(driver.slice(0, 2)) ?? []) if (matches(slot)) found.add(slot)
    } else {
      for (const [key, list] of this.buckets)
        if (key.startsWith(driver)) for (const slot of list) if (matches(slot)) found.add(slot)
    }
    const sorted = [...found].sort((a, b) => {
      const ka = this.nameKeys[a] as string
      const kb = this.nameKeys[b] as string
      return ka < kb ? -1 : ka > kb ? 1 : (this.births[a] as string).localeCompare(this.births[b] as string)
    })
    return sorted.slice(0, limit).map((slot) => ({
      id: this.ids[slot] as string,
      nameKey: this.nameKeys[slot] as string,
      birthDate: this.births[slot] as string,
    }))
  }
}
