// Patient and step ids stored as their 16 bytes instead of 36 characters. Chromium's IndexedDB writes a string key
// as UTF-16 and repeats a record's primary key in its own entries and twice in every index entry, so a patient
// with two steps held about 25 copies of a 72-byte id: a third of the database. A UUID as a binary key costs 16
// bytes, sorts in the same order, and can never be mistaken for a text id (IndexedDB orders every binary key after
// every string).
//
// This DBCore middleware sits below every other Dexie layer: queries, live queries and the rows the app reads and
// writes still carry the ids as text. Only lower-case UUIDs (every id the device and the server make) are packed;
// any other id stays text and sorts before every UUID. A key range over ids is translated bound by bound, which is
// exact when both bounds have the same form (equality, anyOf over UUIDs, a whole table); a range from a UUID to a
// text id has no equivalent and is refused.
//
// Inside a version upgrade rows are passed as stored (ids as bytes or, before the upgrade to version 3, as text):
// an upgrade moves rows from one stored form to the next, with `packIds` below.
import type { DBCore, DBCoreCursor, DBCoreIndex, DBCoreKeyRange, DBCoreTable, Middleware } from 'dexie'

/** The properties holding an id, per table: the primary key and the indexes over ids. */
const ID_PROPERTIES: Readonly<Record<string, readonly string[]>> = {
  patients: ['id'],
  steps: ['id', 'patientId'],
  files: ['id'],
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/
const HEX = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, '0'))

function isBinary(value: unknown): value is ArrayBuffer {
  return value instanceof ArrayBuffer || Object.prototype.toString.call(value) === '[object ArrayBuffer]'
}

/** An id as stored: a lower-case UUID as its 16 bytes, anything else as it is. */
export function packId(id: unknown): unknown {
  if (typeof id !== 'string' || !UUID.test(id)) return id
  const bytes = new Uint8Array(16)
  const hex = id.replace(/-/g, '')
  for (let i = 0; i < 16; i += 1) bytes[i] = Number.parseInt(hex.slice(i * 2, i * 2 + 2), 16)
  return bytes.buffer
}

/** An id as read: 16 bytes back to the lower-case UUID text, anything else as it is. */
export function unpackId(stored: unknown): unknown {
  if (!isBinary(stored) || stored.byteLength !== 16) return stored
  const b = new Uint8Array(stored)
  const h = (from: number, to: number) => {
    let text = ''
    for (let i = from; i < to; i += 1) text += HEX[b[i] ?? 0]
    return text
  }
  return `${h(0, 4)}-${h(4, 6)}-${h(6, 8)}-${h(8, 10)}-${h(10, 16)}`
}

/** A copy of a row with its ids packed (the caller's object is never changed). */
export function packIds<T>(table: string, row: T): T {
  const properties = ID_PROPERTIES[table]
  if (properties === undefined || typeof row !== 'object' || row === null) return row
  const packed: Record<string, unknown> = { ...(row as Record<string, unknown>) }
  for (const p of properties) if (p in packed) packed[p] = packId(packed[p])
  return packed as T
}

/** Unpacks a row's ids in place: rows read back are fresh clones no one else holds. */
function unpackIds(properties: readonly string[], row: unknown): unknown {
  if (typeof row !== 'object' || row === null) return row
  const record = row as Record<string, unknown>
  for (const p of properties) if (p in record) record[p] = unpackId(record[p])
  return row
}

function isIdIndex(properties: readonly string[], index: DBCoreIndex): boolean {
  return (
    index.isPrimaryKey === true || (typeof index.keyPath === 'string' && properties.includes(index.keyPath))
  )
}

function packRange(range: DBCoreKeyRange): DBCoreKeyRange {
  const lower = packId(range.lower)
  const upper = packId(range.upper)
  if (
    typeof range.lower === 'string' &&
    typeof range.upper === 'string' &&
    isBinary(lower) !== isBinary(upper)
  ) {
    throw new RangeError(`carnet-db: no key range from ${range.lower} to ${range.upper} over packed ids`)
  }
  return { ...range, lower, upper }
}

function isVersionChange(trans: unknown): boolean {
  return (trans as { mode?: string }).mode === 'versionchange'
}

function wrapCursor(cursor: DBCoreCursor, properties: readonly string[], idIndex: boolean): DBCoreCursor {
  const key = (k: unknown) => (idIndex ? packId(k) : k)
  let lastValue: unknown
  return Object.create(cursor, {
    key: { get: () => (idIndex ? unpackId(cursor.key) : cursor.key) },
    primaryKey: { get: () => unpackId(cursor.primaryKey) },
    value: {
      get: () => {
        const value: unknown = cursor.value
        if (value !== lastValue) lastValue = unpackIds(properties, value)
        return value
      },
    },
    continue: { value: (k?: unknown) => (k === undefined ? cursor.continue() : cursor.continue(key(k))) },
    continuePrimaryKey: { value: (k: unknown, pk: unknown) => cursor.continuePrimaryKey(key(k), packId(pk)) },
  }) as DBCoreCursor
}

function packedTable(table: DBCoreTable, properties: readonly string[]): DBCoreTable {
  const unpackRow = (row: unknown) => unpackIds(properties, row)
  const query = <Q extends { index: DBCoreIndex; range: DBCoreKeyRange }>(q: Q): Q =>
    isIdIndex(properties, q.index) ? { ...q, range: packRange(q.range) } : q
  // No async/await here: the promises below are Dexie's, and chaining them with `then` keeps the transaction
  // they run in (a native await between two requests can let IndexedDB commit it early).
  return {
    ...table,
    mutate(req) {
      if (isVersionChange(req.trans)) return table.mutate(req)
      switch (req.type) {
        case 'add':
        case 'put':
          return table
            .mutate({
              ...req,
              values: req.values.map((v) => packIds(table.name, v)),
              ...(req.keys == null ? {} : { keys: req.keys.map(packId) }),
            })
            .then((res) => ({
              ...res,
              lastResult: unpackId(res.lastResult),
              results: res.results?.map(unpackId),
            }))
        case 'delete':
          return table
            .mutate({ ...req, keys: req.keys.map(packId) })
            .then((res) => ({ ...res, results: req.keys }))
        case 'deleteRange':
          return table.mutate({ ...req, range: packRange(req.range) })
      }
    },
    get(req) {
      if (isVersionChange(req.trans)) return table.get(req)
      return table.get({ ...req, key: packId(req.key) }).then(unpackRow)
    },
    getMany(req) {
      if (isVersionChange(req.trans)) return table.getMany(req)
      return table.getMany({ ...req, keys: req.keys.map(packId) }).then((rows) => rows.map(unpackRow))
    },
    query(req) {
      if (isVersionChange(req.trans)) return table.query(req)
      // Without values the answer is the primary keys (getAllKeys): ids either way.
      return table
        .query({ ...req, query: query(req.query) })
        .then((res) => ({ result: res.result.map(req.values === true ? unpackRow : unpackId) }))
    },
    openCursor(req) {
      if (isVersionChange(req.trans)) return table.openCursor(req)
      const idIndex = isIdIndex(properties, req.query.index)
      return table
        .openCursor({ ...req, query: query(req.query) })
        .then((cursor) => (cursor === null ? null : wrapCursor(cursor, properties, idIndex)))
    },
    count(req) {
      if (isVersionChange(req.trans)) return table.count(req)
      return table.count({ ...req, query: query(req.query) })
    },
  }
}

/** The middleware (closest to IndexedDB) that stores the ids of patients and steps as 16 bytes. */
export const binaryIdsMiddleware: Middleware<DBCore> = {
  stack: 'dbcore',
  name: 'CarnetBinaryIds',
  level: -10,
  create: (down) => ({
    ...down,
    table(name) {
      const table = down.table(name)
      const properties = ID_PROPERTIES[name]
      return properties === undefined ? table : packedTable(table, properties)
    },
  }),
}
