// The in-memory side of a device database's encryption: whether its rows are sealed, and the keys while unlocked.
import type { DataKeys } from './crypto'

/** A sealed table was read or written while the app is locked (no key in memory). */
export class VaultLockedError extends Error {
  constructor(table: string) {
    super(`the device database is locked (${table})`)
    this.name = 'VaultLockedError'
  }
}

/** A row that did not open, as reported to the person and to the dashboard. */
export type BrokenRow = { table: string; key: string; at: string }

/**
 * One per database. `sealed` is read from the database's meta row when it opens and set for good once the first
 * data key arrives; from then on no personal row is written in clear. `keys` is set by an unlock (sign-in) and
 * dropped by a lock (sign-out, idle lock, revocation).
 */
export class Vault {
  private current: DataKeys | null = null
  private listeners = new Set<(row: BrokenRow) => void>()
  /** Rows seen broken since the app started (kept short). */
  readonly broken: BrokenRow[] = []
  /** The database holds (or must hold) sealed rows. */
  sealed = false
  /** Every row written before encryption has been rewritten sealed: lookups need not look for clear rows. */
  converted = false

  get keys(): DataKeys | null {
    return this.current
  }

  get isUnlocked(): boolean {
    return this.current !== null
  }

  unlock(keys: DataKeys): void {
    this.current = keys
    this.sealed = true
  }

  lock(): void {
    this.current = null
  }

  /** Records a row that did not open; the read that met it leaves it out and goes on. */
  reportBroken(table: string, key: unknown, now: string = new Date().toISOString()): void {
    const row = { table, key: String(key), at: now }
    if (this.broken.length < 100) this.broken.push(row)
    for (const listener of this.listeners) listener(row)
  }

  onBroken(listener: (row: BrokenRow) => void): () => void {
    this.listeners.add(listener)
    return () => this.listeners.delete(listener)
  }
}
