// Wrong passwords typed on this device (docs/device-encryption.md, "Lock"). Offline, the password is checked by
// unwrapping the keys kept on the device: nothing but time limits how fast someone holding the tablet may guess.
// After FREE_ATTEMPTS wrong passwords for a login, each further attempt waits, twice as long each time: kept in
// db.meta (so a reload does not reset it), per login, and cleared by a right password.
import type { CarnetDb } from './carnet-db'

/** Wrong passwords allowed before a wait. */
export const FREE_ATTEMPTS = 5
/** The wait after the FREE_ATTEMPTS-th wrong password; it doubles with each further one. */
export const FIRST_WAIT_MS = 30_000
/** The longest wait. */
export const MAX_WAIT_MS = 15 * 60_000

type Failures = { failures: number; lastAt: number }

/** The wait imposed after `failures` wrong passwords in a row: none for the first four, then 30 s, 1 min, 2 min… */
export function waitAfter(failures: number): number {
  if (failures < FREE_ATTEMPTS) return 0
  return Math.min(MAX_WAIT_MS, FIRST_WAIT_MS * 2 ** Math.min(failures - FREE_ATTEMPTS, 20))
}

async function readAll(db: CarnetDb): Promise<Record<string, Failures>> {
  const row = await db.meta.get('signInFailures')
  return row?.key === 'signInFailures' ? row.value : {}
}

/** How long (ms) this login must still wait before its next attempt on this device; 0 when it may try now. */
export async function remainingWait(db: CarnetDb, login: string, now: number): Promise<number> {
  const entry = (await readAll(db))[login]
  if (entry === undefined) return 0
  return Math.max(0, entry.lastAt + waitAfter(entry.failures) - now)
}

/** Counts one more wrong password for this login; answers the wait before the next attempt (ms). */
export async function recordFailure(db: CarnetDb, login: string, now: number): Promise<number> {
  return db.transaction('rw', db.meta, async () => {
    const all = await readAll(db)
    const failures = (all[login]?.failures ?? 0) + 1
    await db.meta.put({ key: 'signInFailures', value: { ...all, [login]: { failures, lastAt: now } } })
    return waitAfter(failures)
  })
}

/** Forgets the wrong passwords of this login (it was just typed right). */
export async function clearFailures(db: CarnetDb, login: string): Promise<void> {
  await db.transaction('rw', db.meta, async () => {
    const all = await readAll(db)
    if (all[login] === undefined) return
    const { [login]: _cleared, ...rest } = all
    await db.meta.put({ key: 'signInFailures', value: rest })
  })
}
