import { statfsSync } from 'node:fs'
import type { Config } from './config'
import { redactUrl } from './config'
import { SchemaTooNewError } from './store'
import { storeFaultOf } from './store/faults'

type SystemErrorLike = { code?: unknown; message?: unknown }

const codeOf = (error: unknown): string => {
  const code = (error as SystemErrorLike | null)?.code
  return typeof code === 'string' && code !== ''
    ? code
    : error instanceof Error
      ? error.name
      : 'unknown error'
}

// PostgreSQL SQLSTATE classes that mean "cannot connect or sign in" rather than a bug.
const PG_CONNECTION_CODES = /^(08|28|3D|57P0)/

/** One line (no stack) saying why the store could not be opened, for stderr. */
export function describeStoreOpenError(error: unknown, config: Pick<Config, 'dataDir' | 'database'>): string {
  if (error instanceof SchemaTooNewError) {
    return `carnet: the database schema is at version ${error.databaseVersion}, newer than this server's (${error.knownVersion}): run a newer Carnet`
  }
  const code = codeOf(error)
  if (config.database.kind === 'postgres') {
    const where = redactUrl(config.database.url)
    if (
      PG_CONNECTION_CODES.test(code) ||
      /^E[A-Z]+$/.test(code) ||
      /timeout/i.test(String((error as SystemErrorLike).message))
    ) {
      return `carnet: cannot reach the database at ${where} (${code})`
    }
    return `carnet: cannot prepare the database at ${where} (${code})`
  }
  // A database closed cleanly needs room for its -wal and -shm files to open again: on a full disk that fails
  // with an I/O error that does not say why.
  const fault = storeFaultOf(error)
  if (fault === 'storage-full' || (fault === 'storage-error' && diskIsFull(config.dataDir))) {
    return `carnet: no space left on the disk of DATA_DIR ${config.dataDir}: free some and start again (${code})`
  }
  if (code.startsWith('SQLITE_'))
    return `carnet: cannot open the SQLite database ${config.database.file} (${code})`
  return `carnet: cannot write to DATA_DIR ${config.dataDir} (${code})`
}

function diskIsFull(dir: string): boolean {
  try {
    const fs = statfsSync(dir)
    // Less than 64 KiB for an unprivileged process: not enough for SQLite's shared-memory index.
    return fs.bavail * fs.bsize < 64 * 1024
  } catch {
    return false
  }
}

export function describeListenError(error: unknown, config: Pick<Config, 'host' | 'port'>): string {
  const code = codeOf(error)
  if (code === 'EADDRINUSE')
    return `carnet: port ${config.port} is already in use on ${config.host} (EADDRINUSE)`
  return `carnet: cannot listen on ${config.host}:${config.port} (${code})`
}
