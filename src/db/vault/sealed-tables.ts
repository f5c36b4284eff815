// Rows sealed at rest, under Dexie (docs/device-encryption.md). A DBCore middleware seals every row written to a
// personal table and opens every row read from one, so the repositories and the sync code above still read and
// write plain rows, and IndexedDB (and the profile's files on disk) hold only:
// - the row's primary key and the few non-personal properties other code indexes (ids, an outbox entry's seq,
//   status and type, a rejection's date), in clear;
// - the identifiers searched by exact value (code de ciblage, NIR, NIR of the account holder, NISS, birth date) as
//   blind tokens under their usual index names (crypto.ts `blindToken`); the repositories query them by token;
// - everything else as one AES-GCM value `c`, bound to its table and key.
// Name-prefix search has no index on disk: ./name-index.ts keeps its entries sealed in their own table, written
// here in the same transaction as the patients they describe, and searches them in memory.
//
// Web Crypto is asynchronous and an IndexedDB transaction commits as soon as no request is pending at the end of
// a task, so while a value is sealed or opened the middleware keeps the transaction busy with a cheap read
// (`keepAlive`) and resumes in that read's success callback, where the transaction is active again.
//
// A row without `c` is a row of the clear form the database had before encryption (or of a device whose data key
// has not arrived yet): it is read as it is, and rewritten sealed by ./convert.ts. Once the database is sealed
// (`vault.sealed`), nothing personal is written without a key: a write while locked fails with VaultLockedError.
// A sealed row that does not open (tampered, truncated) is reported to the vault and left out of the answer, so
// one broken row never stops the rest of the app.
import Dexie, {
  type DBCore,
  type DBCoreCursor,
  type DBCoreMutateRequest,
  type DBCoreMutateResponse,
  type DBCoreTable,
  type DBCoreTransaction,
  type Middleware,
} from 'dexie'
import { blindToken, isArrayBuffer, openJson, SealBrokenError, sealJson, type DataKeys } from './crypto'
import { NAME_INDEX_TABLE, nameIndexEntryOf, sealNameIndexEntries, type NameIndexEntry } from './name-index'
import { VaultLockedError, type Vault } from './vault'

/** How one table is sealed. */
export type SealSpec = {
  /** The primary key's property. */
  readonly key: string
  /** Properties kept in clear beside `c` (the key, ids and statuses other code indexes; nothing personal). */
  readonly clear: readonly string[]
  /** Indexed identifiers stored as blind tokens: the index property, the token's label, the value to blind. */
  readonly blind: readonly { prop: string; label: string; of: (row: Record<string, unknown>) => unknown }[]
  /** Properties left out of the sealed value because they are derived again on reading (`restore`). */
  readonly derived?: readonly string[]
  /** Derives the left-out properties again from the opened row. */
  readonly restore?: (row: Record<string, unknown>) => void
  /** Whether its rows feed the in-memory name index. */
  readonly nameIndex?: boolean
}

/** The sealed property. */
export const SEALED_PROP = 'c'

type Row = Record<string, unknown>

// Rows read back in the clear form (written before the database was sealed): ./convert.ts rewrites them.
const clearRows = new WeakSet<object>()

/** Whether a row read from a sealed table was stored in clear (not sealed yet). */
export function isClearRow(row: unknown): boolean {
  return typeof row === 'object' && row !== null && clearRows.has(row)
}

function markClear(value: unknown): void {
  if (typeof value === 'object' && value !== null) clearRows.add(value)
}

function isRow(value: unknown): value is Row {
  return typeof value === 'object' && value !== null
}

/** Whether a stored row is in the sealed form. */
export function isSealedRow(value: unknown): boolean {
  if (!isRow(value)) return false
  return isArrayBuffer(value[SEALED_PROP])
}

function aadOf(table: string, key: unknown): string {
  return `${table}\u0000${String(key)}`
}

/** Seals one plain row of `table` into its stored form. */
export async function sealRow(keys: DataKeys, table: string, spec: SealSpec, row: Row): Promise<Row> {
  const stored: Row = {}
  const rest: Row = { ...row }
  for (const prop of spec.clear) {
    if (prop in row) stored[prop] = row[prop]
    delete rest[prop]
  }
  for (const prop of spec.derived ?? []) delete rest[prop]
  const tokens = await Promise.all(
    spec.blind.map(async (b) => {
      const value = b.of(row)
      return [
        b.prop,
        typeof value === 'string' && value !== '' ? await blindToken(keys, b.label, value) : undefined,
      ] as const
    }),
  )
  for (const [prop, token] of tokens) if (token !== undefined) stored[prop] = token
  stored[SEALED_PROP] = await sealJson(keys, aadOf(table, row[spec.key]), rest)
  return stored
}

/** Opens one stored row of `table` into its plain form (a clear row is returned as it is). */
export async function openRow(keys: DataKeys, table: string, spec: SealSpec, stored: Row): Promise<Row> {
  const opened = await openJson(keys, aadOf(table, stored[spec.key]), stored[SEALED_PROP] as ArrayBuffer)
  if (!isRow(opened) || Array.isArray(opened)) throw new SealBrokenError(aadOf(table, stored[spec.key]))
  const row: Row = { ...opened }
  for (const prop of spec.clear) if (prop in stored) row[prop] = stored[prop]
  spec.restore?.(row)
  return row
}

/**
 * Runs `work` while keeping the IndexedDB transaction alive with reads of `store`, and settles the returned
 * (Dexie) promise inside the success callback of one of those reads, where the transaction is active: the caller
 * can go on issuing requests in it.
 */
export function keepAlive<T>(trans: DBCoreTransaction, store: string, work: Promise<T>): Promise<T> {
  return new Dexie.Promise<T>((resolve, reject) => {
    let outcome: { ok: true; value: T } | { ok: false; error: unknown } | null = null
    work.then(
      (value) => (outcome = { ok: true, value }),
      (error: unknown) => (outcome = { ok: false, error }),
    )
    let objectStore: IDBObjectStore
    try {
      objectStore = (trans as unknown as IDBTransaction).objectStore(store)
    } catch (error) {
      reject(error)
      return
    }
    const spin = () => {
      if (outcome !== null) {
        if (outcome.ok) resolve(outcome.value)
        else reject(outcome.error)
        return
      }
      try {
        const request = objectStore.get(-Infinity)
        request.onsuccess = spin
        request.onerror = () => reject(request.error)
      } catch (error) {
        reject(error)
      }
    }
    spin()
  }) as unknown as Promise<T>
}

/** Rows sealed before their writes are handed to IndexedDB, the next chunk being sealed meanwhile. */
const SEAL_CHUNK = 250

/** One response for a write done in chunks: results in order, failures at their place in the whole. */
function mergeResponses(responses: readonly DBCoreMutateResponse[], chunk: number): DBCoreMutateResponse {
  const failures: Record<number, Error> = {}
  let numFailures = 0
  const results: unknown[] = []
  responses.forEach((res, i) => {
    numFailures += res.numFailures
    for (const [at, error] of Object.entries(res.failures)) failures[i * chunk + Number(at)] = error
    results.push(...(res.results ?? []))
  })
  return { numFailures, failures, results, lastResult: responses.at(-1)?.lastResult }
}

function locked(table: string): Promise<never> {
  return Dexie.Promise.reject(new VaultLockedError(table)) as unknown as Promise<never>
}

type Opened = { row: Row | undefined }

/** Opens stored rows, leaving out (as undefined) and reporting those that do not open. */
async function openAll(
  vault: Vault,
  keys: DataKeys,
  table: string,
  spec: SealSpec,
  stored: readonly unknown[],
): Promise<(Row | undefined)[]> {
  return Promise.all(
    stored.map(async (value): Promise<Row | undefined> => {
      if (!isSealedRow(value)) {
        markClear(value)
        return value as Row | undefined
      }
      try {
        return await openRow(keys, table, spec, value as Row)
      } catch (error) {
        if (!(error instanceof SealBrokenError)) throw error
        vault.reportBroken(table, (value as Row)[spec.key])
        return undefined
      }
    }),
  )
}

function needsKeys(stored: readonly unknown[]): boolean {
  return stored.some(isSealedRow)
}

function sealedTable(
  table: DBCoreTable,
  spec: SealSpec,
  vault: Vault,
  nameIndex: DBCoreTable | null,
): DBCoreTable {
  const name = table.name
  const isVersionChange = (trans: DBCoreTransaction) =>
    (trans as unknown as { mode?: string }).mode === 'versionchange'

  // Reads: open what is sealed (a clear row passes as it is).
  const openMany = (trans: DBCoreTransaction, stored: readonly unknown[]): Promise<(Row | undefined)[]> => {
    if (!needsKeys(stored)) {
      for (const value of stored) markClear(value)
    }
    if (!needsKeys(stored))
      return Dexie.Promise.resolve(stored as (Row | undefined)[]) as unknown as Promise<(Row | undefined)[]>
    const keys = vault.keys
    if (keys === null) return locked(name)
    return keepAlive(trans, name, openAll(vault, keys, name, spec, stored))
  }

  const writeNameIndex = (
    trans: DBCoreTransaction,
    keys: DataKeys,
    entries: NameIndexEntry[],
  ): Promise<unknown> => {
    if (nameIndex === null || entries.length === 0)
      return Dexie.Promise.resolve() as unknown as Promise<unknown>
    return keepAlive(trans, name, sealNameIndexEntries(keys, entries)).then((value) =>
      nameIndex.mutate({ trans, type: 'add', values: [value] }),
    )
  }

  const mutate = (req: DBCoreMutateRequest): Promise<DBCoreMutateResponse> => {
    if (isVersionChange(req.trans)) return table.mutate(req)
    const keys = vault.keys
    if (keys === null) {
      if (vault.sealed && (req.type === 'add' || req.type === 'put')) return locked(name)
      return table.mutate(req)
    }
    const indexed = spec.nameIndex === true && nameIndex !== null
    switch (req.type) {
      case 'add':
      case 'put': {
        const values = req.values as Row[]
        const entries = indexed ? values.map((v) => nameIndexEntryOf(v)) : []
        const {
          updates: _updates,
          changeSpec: _changeSpec,
          ...rest
        } = req as DBCoreMutateRequest & {
          updates?: unknown
          changeSpec?: unknown
        }
        // Sealed a chunk at a time, each chunk's writes handed to IndexedDB before the next is sealed: the browser
        // writes one chunk while the page seals the next (a first sync writes pages of thousands of rows).
        const chunks: Row[][] = []
        for (let i = 0; i < values.length; i += SEAL_CHUNK) chunks.push(values.slice(i, i + SEAL_CHUNK))
        const given = (req as { keys?: unknown[] }).keys
        const keysOf = (i: number) =>
          given == null ? {} : { keys: given.slice(i * SEAL_CHUNK, (i + 1) * SEAL_CHUNK) }
        const writes: Promise<DBCoreMutateResponse>[] = []
        const sealChunk = (i: number): Promise<unknown> => {
          const chunk = chunks[i]
          if (chunk === undefined) return Dexie.Promise.resolve() as unknown as Promise<unknown>
          return keepAlive(req.trans, name, Promise.all(chunk.map((v) => sealRow(keys, name, spec, v)))).then(
            (sealed) => {
              writes.push(table.mutate({ ...rest, ...keysOf(i), values: sealed } as DBCoreMutateRequest))
              return sealChunk(i + 1)
            },
          )
        }
        return sealChunk(0)
          .then(() => Dexie.Promise.all(writes) as unknown as Promise<DBCoreMutateResponse[]>)
          .then((responses) => mergeResponses(responses, SEAL_CHUNK))
          .then((res) => writeNameIndex(req.trans, keys, entries).then(() => res))
      }
      case 'delete': {
        if (!indexed) return table.mutate(req)
        const entries = req.keys.map((k): NameIndexEntry => [String(k)])
        return table.mutate(req).then((res) => writeNameIndex(req.trans, keys, entries).then(() => res))
      }
      case 'deleteRange': {
        if (!indexed) return table.mutate(req)
        return table
          .query({
            trans: req.trans,
            query: { index: table.schema.primaryKey, range: req.range },
            values: false,
          })
          .then(({ result }) => {
            const entries = result.map((k): NameIndexEntry => [String(k)])
            return table.mutate(req).then((res) => writeNameIndex(req.trans, keys, entries).then(() => res))
          })
      }
    }
  }

  const decryptingCursor = (cursor: DBCoreCursor): DBCoreCursor => {
    let current: Opened = { row: undefined }
    const fail = (error: unknown) => cursor.fail(error instanceof Error ? error : new Error(String(error)))
    const next = (onNext: () => void) => {
      try {
        onNext()
      } catch (error) {
        fail(error)
      }
    }
    // The cursor below may be a native IDBCursor: its accessors must be read on it, not on this wrapper.
    return Object.create(cursor, {
      key: { get: () => cursor.key },
      primaryKey: { get: () => cursor.primaryKey },
      value: { get: () => current.row },
      start: {
        value: (onNext: () => void) =>
          cursor.start(() => {
            const stored: unknown = cursor.value
            if (!isSealedRow(stored)) {
              markClear(stored)
              current = { row: stored as Row }
              next(onNext)
              return
            }
            openMany(cursor.trans, [stored]).then(([row]) => {
              // A row that does not open (reported) is stepped over, as queries leave it out.
              if (row === undefined) {
                cursor.continue()
                return
              }
              current = { row }
              next(onNext)
            }, fail)
          }),
      },
    }) as DBCoreCursor
  }

  return {
    ...table,
    mutate,
    get(req) {
      if (isVersionChange(req.trans)) return table.get(req)
      return table.get(req).then((stored: unknown) => openMany(req.trans, [stored]).then(([row]) => row))
    },
    getMany(req) {
      if (isVersionChange(req.trans)) return table.getMany(req)
      return table.getMany(req).then((stored) => openMany(req.trans, stored))
    },
    query(req) {
      if (isVersionChange(req.trans) || req.values !== true) return table.query(req)
      return table
        .query(req)
        .then((res) =>
          openMany(req.trans, res.result).then((rows) => ({ result: rows.filter((r) => r !== undefined) })),
        )
    },
    openCursor(req) {
      if (isVersionChange(req.trans) || req.values === false) return table.openCursor(req)
      return table.openCursor(req).then((cursor) => (cursor === null ? null : decryptingCursor(cursor)))
    },
  }
}

/** The middleware that seals the tables of `specs` for the database whose `vault` it is given. */
export function sealedTablesMiddleware(
  vault: Vault,
  specs: Readonly<Record<string, SealSpec>>,
): Middleware<DBCore> {
  return {
    stack: 'dbcore',
    name: 'CarnetSealedTables',
    // Above Dexie's observability and cache (level 0), so that live queries and their cache see the stored form
    // (blind tokens under the index names, as the repositories query them); below its virtual indexes (level 1).
    level: 0.5,
    create: (down) => {
      const nameIndex = down.schema.tables.some((t) => t.name === NAME_INDEX_TABLE)
        ? down.table(NAME_INDEX_TABLE)
        : null
      return {
        ...down,
        table(tableName) {
          const table = down.table(tableName)
          const spec = specs[tableName]
          return spec === undefined ? table : sealedTable(table, spec, vault, nameIndex)
        },
      }
    },
  }
}
