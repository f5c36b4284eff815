import { mkdirSync } from 'node:fs'
import type { Clock } from '../clock'
import type { Config } from '../config'
import { openPostgresStore } from './postgres'
import { openSqliteStore } from './sqlite'
import type { Store } from './types'

export * from './types'

export type OpenStoreOptions = {
  /** PostgreSQL's time limits; the store's defaults when absent. */
  readonly databaseTimeouts?: Config['databaseTimeouts']
  /** Errors of idle PostgreSQL connections (a restart, a cut): logged; the next query reconnects. */
  readonly onIdleError?: (error: Error) => void
}

/** Opens the configured store and brings its schema up to date; DATA_DIR is created for SQLite. */
export async function openStore(
  config: Pick<Config, 'dataDir' | 'database'>,
  clock: Clock,
  options: OpenStoreOptions = {},
): Promise<Store> {
  const database = config.database
  let store: Store
  if (database.kind === 'sqlite') {
    mkdirSync(config.dataDir, { recursive: true })
    store = openSqliteStore({ file: database.file, clock })
  } else {
    store = openPostgresStore({
      url: database.url,
      clock,
      ...(options.databaseTimeouts === undefined
        ? {}
        : {
            statementTimeoutMs: options.databaseTimeouts.statementMs,
            connectTimeoutMs: options.databaseTimeouts.connectMs,
          }),
      ...(options.onIdleError === undefined ? {} : { onIdleError: options.onIdleError }),
    })
  }
  try {
    await store.migrate()
  } catch (error) {
    await store.close().catch(() => undefined)
    throw error
  }
  return store
}
