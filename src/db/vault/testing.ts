// Test helpers: a database unlocked with a random data key, as after an online sign-in.
import { createCarnetDb, type CarnetDb } from '../carnet-db'
import { deriveDataKeys, importDataKey, type DataKeys } from './crypto'

/** Random data keys (the raw bytes are dropped: like the app's, they cannot be read back). */
export async function randomDataKeys(): Promise<DataKeys> {
  return deriveDataKeys(await importDataKey(crypto.getRandomValues(new Uint8Array(32))))
}

/** How a test database stores its rows. */
export type StorageForm = 'clear' | 'sealed'

/** Both forms, for `describe.each`. */
export const STORAGE_FORMS: readonly StorageForm[] = ['clear', 'sealed']

/** A fresh database of its own, sealed and unlocked with random keys when asked. */
export async function createTestDb(
  form: StorageForm,
  name = `test-${crypto.randomUUID()}`,
): Promise<CarnetDb> {
  const db = createCarnetDb(name)
  if (form === 'sealed') {
    await db.open()
    db.vault.unlock(await randomDataKeys())
  }
  return db
}
