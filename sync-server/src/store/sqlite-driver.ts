// The SQLite driver, better-sqlite3, in the build that runs on this Node. Open SQLite through this module only.
//
// better-sqlite3 up to 12 wraps its objects in Node's own ObjectWrap, whose destructor aborts the process from
// Node 24.19 on when the garbage collector frees a statement outside JavaScript (`Assertion failed: (env) !=
// nullptr` in node::RemoveEnvironmentCleanupHook): on Node 24 the server died within seconds of starting.
// better-sqlite3 13 is built on Node-API, which Node keeps stable across versions, and ships its binaries in the
// package; but it needs Node 22 and crashes on Node 20, where 12 is still right. Both are dependencies, 13 under
// the name better-sqlite3-napi. When Node 20 is no longer supported, depend on 13 alone and drop this module.
import { createRequire } from 'node:module'
import type BetterSqlite3 from 'better-sqlite3'

const require = createRequire(import.meta.url)

/** Node-API (better-sqlite3 13) from this major version of Node on. */
export const NAPI_FROM_NODE = 22

const nodeMajor = Number(process.versions.node.split('.')[0])

/** better-sqlite3's `Database` class: the same API in both builds. */
const Database: typeof BetterSqlite3 =
  nodeMajor >= NAPI_FROM_NODE ? require('better-sqlite3-napi') : require('better-sqlite3')

export default Database

/** Which build this process loaded, for messages. */
export const SQLITE_DRIVER =
  nodeMajor >= NAPI_FROM_NODE ? 'better-sqlite3 13 (Node-API)' : 'better-sqlite3 12'

export type SqliteDatabase = BetterSqlite3.Database
export type SqliteStatement = BetterSqlite3.Statement
