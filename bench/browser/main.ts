// The bench page: the device's real code (Dexie database, repositories, outbox) on `window.carnetBench`, so
// bench/device.ts can load generated records and time searches and dose recordings inside Chromium, and
// bench/first-sync.ts can run the device's pull (src/sync/pull.ts over src/sync/transport.ts) from zero.
import { createCarnetDb, type CarnetDb } from '../../src/db/carnet-db'
import { putRecords, searchPatients } from '../../src/db/patients-repo'
import { allFiles } from '../../src/db/testing'
import type { DoseFields } from '../../src/shared/commands'
import type { PatientRecord, RoleGrantRecord, StepRecord, UserRecord } from '../../src/shared/records'
import { nowLocalIso } from '../../src/sync/clock'
import { bytesToBase64 } from '../../src/db/base64'
import { deriveDataKeys, importDataKey } from '../../src/db/vault/crypto'
import { importSigningKey, unwrapAccountKeys, wrapAccountKeys } from '../../src/db/vault/device-key'
import { uuidv7 } from '../../src/sync/ids'
import { pendingCount, recordChange } from '../../src/sync/outbox'
import { pullAll } from '../../src/sync/pull'
import { createTransport, type SyncTransport } from '../../src/sync/transport'

/** A dose 2 to record: the patient, and the fields but the time of injection (taken at submit). */
export type DoseToRecord = { patientId: string; fields: Omit<DoseFields, 'injectedAt'> }

/** A first sync to run in the page: a fresh database, a device token from the real login. */
export type FirstSyncInput = {
  dbName: string
  deviceId: string
  deviceToken: string
  /** Page size asked of the server; undefined = the app's (pullAll's default). */
  limit?: number
  /** Rows sealed at rest, as after an online sign-in. */
  sealed?: boolean
}

/** One pull page as the page saw it (performance.now() ms): request sent, answer parsed, page committed. */
export type FirstSyncPage = { requestedAt: number; answeredAt: number; committedAt: number; changes: number }

/** A pull request's resource timing: bytes on the wire and decoded, and request → last byte (ms). */
export type FirstSyncResource = {
  transferBytes: number
  encodedBytes: number
  decodedBytes: number
  ms: number
}

export type FirstSyncResult = {
  /** 'ok', or the failure's kind and reason. */
  outcome: string
  received: number
  ms: number
  pages: FirstSyncPage[]
  resources: FirstSyncResource[]
  counts: Record<string, number>
  estimateBefore: number
  estimateAfter: number
}

/** What an unlock costs once the records are there: password typed → keys → name index loaded. */
export type UnlockTiming = {
  totalMs: number
  keysMs: number
  nameIndexMs: number
  nameIndexRows: number
  indexed: number
}

export type CarnetBench = {
  /** Opens a database; `sealed` unlocks it with a fresh data key, as after an online sign-in. */
  open(name: string, sealed?: boolean): Promise<void>
  /** Locks the sealed database and unlocks it again with the password, as at the lock screen. */
  measureUnlock(): Promise<UnlockTiming>
  estimate(): Promise<{ usage: number; quota: number }>
  /** Writes one page of records through putPatients then putSteps; answers the time spent in ms. */
  load(patients: PatientRecord[], steps: StepRecord[]): Promise<number>
  putOrganisation(users: UserRecord[], grants: RoleGrantRecord[]): Promise<void>
  /** Runs the queries one after another; answers each one's time (ms) and hit count. */
  search(queries: string[]): Promise<{ ms: number[]; hits: number[] }>
  /** Records the doses one after another through recordChange; answers each one's submit → committed time. */
  recordDoses(input: {
    deviceKey: string
    deviceId: string
    userId: string
    doses: DoseToRecord[]
  }): Promise<{ ms: number[]; refused: string[] }>
  /** The JSON length of every patient and step row as stored (a binary id counts its 16 bytes), and the counts. */
  storedJson(): Promise<{ patientBytes: number; stepBytes: number; patients: number; steps: number }>
  /**
   * Opens a fresh database and runs the device's pull (pullAll, createTransport over the page's fetch, same
   * origin as the app) from an empty cursor to the end; answers the timings of each page and the row counts.
   */
  firstSync(input: FirstSyncInput): Promise<FirstSyncResult>
  /** Deletes a database of an earlier run. */
  drop(name: string): Promise<void>
}

export type BenchWindow = { carnetBench: CarnetBench }

let current: CarnetDb | undefined
let unlockWith: { wrapped: unknown; password: string; context: string } | undefined
const db = (): CarnetDb => {
  if (current === undefined) throw new Error('carnetBench.open first')
  return current
}

const bench: CarnetBench = {
  async open(name, sealed = false) {
    current = createCarnetDb(name)
    await current.open()
    if (!sealed) return
    // The data key the server would give, wrapped under a password as at sign-in; kept for measureUnlock.
    const raw = crypto.getRandomValues(new Uint8Array(32))
    const password = 'mot de passe du banc 2026'
    const context = 'carnet:bench-user:bench-device'
    const wrapped = await wrapAccountKeys(
      { deviceKey: bytesToBase64(crypto.getRandomValues(new Uint8Array(32))), dataKey: bytesToBase64(raw) },
      password,
      { context },
    )
    unlockWith = { wrapped, password, context }
    current.vault.unlock(await deriveDataKeys(await importDataKey(raw)))
    // A device sealed from its first sync: no clear row to look for.
    const now = new Date().toISOString()
    await current.meta.put({ key: 'vault', value: { v: 1, sealedSince: now, converted: now } })
    current.vault.converted = true
  },
  async measureUnlock() {
    const database = db()
    if (unlockWith === undefined) throw new Error('open(name, true) first')
    database.vault.lock()
    database.names.clear()
    const started = performance.now()
    const unwrapped = await unwrapAccountKeys(unlockWith.wrapped, unlockWith.password, {
      context: unlockWith.context,
    })
    if (!unwrapped.ok) throw new Error(unwrapped.error)
    database.vault.unlock(await deriveDataKeys(unwrapped.value.data))
    const keysAt = performance.now()
    await database.names.refresh()
    const ended = performance.now()
    return {
      totalMs: ended - started,
      keysMs: keysAt - started,
      nameIndexMs: ended - keysAt,
      nameIndexRows: await database.nameIndex.count(),
      indexed: database.names.size,
    }
  },
  async estimate() {
    const estimate = await navigator.storage.estimate()
    return { usage: estimate.usage ?? 0, quota: estimate.quota ?? 0 }
  },
  async load(patients, steps) {
    const started = performance.now()
    await putRecords(db(), { patients, steps })
    return performance.now() - started
  },
  async putOrganisation(users, grants) {
    await db().users.bulkPut(users)
    await db().roleGrants.bulkPut(grants)
  },
  async search(queries) {
    const ms: number[] = []
    const hits: number[] = []
    for (const query of queries) {
      const started = performance.now()
      const found = await searchPatients(db(), query)
      ms.push(performance.now() - started)
      hits.push(found.length)
    }
    return { ms, hits }
  },
  async recordDoses({ deviceKey, deviceId, userId, doses }) {
    const signingKey = await importSigningKey(deviceKey)
    const ms: number[] = []
    const refused: string[] = []
    for (const dose of doses) {
      const started = performance.now()
      const at = nowLocalIso()
      const outcome = await recordChange(db(), {
        type: 'step.record',
        payload: {
          kind: 'dose',
          stepId: uuidv7(),
          patientId: dose.patientId,
          doseNumber: 2,
          isBooster: false,
          fields: { ...dose.fields, injectedAt: at },
        },
        actor: { userId },
        at,
        deviceId,
        signingKey,
      })
      ms.push(performance.now() - started)
      if (!outcome.ok) refused.push(outcome.error)
    }
    return { ms, refused }
  },
  async storedJson() {
    // Read below Dexie, as stored: ids are 16-byte binary keys there (src/db/binary-ids.ts), counted as 16 bytes.
    const asStored = (_key: string, value: unknown) =>
      value instanceof ArrayBuffer ? 'x'.repeat(Math.max(0, value.byteLength - 2)) : value
    // Sealed rows: their sealed value counts its bytes like an id.
    const bytesOf = (table: string) =>
      new Promise<number>((resolve, reject) => {
        let bytes = 0
        const request = db().backendDB().transaction(table).objectStore(table).openCursor()
        request.onsuccess = () => {
          const cursor = request.result
          if (cursor === null) return resolve(bytes)
          bytes += JSON.stringify(cursor.value, asStored).length
          cursor.continue()
        }
        request.onerror = () => reject(request.error)
      })
    // One row per patient file (patient and steps together): the bytes are the file rows'.
    const [fileBytes, files] = await Promise.all([bytesOf('files'), allFiles(db())])
    const patients = files.filter((f) => f.patient !== undefined).length
    const steps = files.reduce((n, f) => n + f.steps.length, 0)
    const patientBytes = fileBytes
    const stepBytes = 0
    return { patientBytes, stepBytes, patients, steps }
  },
  async drop(name) {
    if (current?.name === name) current.close()
    await new Promise<void>((resolve, reject) => {
      const request = indexedDB.deleteDatabase(name)
      request.onsuccess = () => resolve()
      request.onerror = () => reject(request.error ?? new Error('deleteDatabase failed'))
    })
  },
  async firstSync({ dbName, deviceId, deviceToken, limit, sealed }) {
    await bench.open(dbName, sealed === true)
    const database = db()
    const estimateBefore = (await bench.estimate()).usage
    // As the app builds it (src/stores/sync.ts): the page's fetch, same origin, the device state with each request.
    const transport = createTransport({
      fetch: (url, init) => fetch(url, init),
      baseUrl: '',
      deviceToken,
      appVersion: 'bench',
      deviceState: async () => {
        const [pending, storage] = await Promise.all([pendingCount(database), bench.estimate()])
        return { pending, storage: { used: storage.usage, quota: storage.quota } }
      },
    })
    const pages: FirstSyncPage[] = []
    const committed: number[] = []
    const timed: Pick<SyncTransport, 'pull'> = {
      async pull(after, pageLimit) {
        const requestedAt = performance.now()
        const result = await transport.pull(after, pageLimit)
        const changes = result.kind === 'ok' ? result.value.changes.length : 0
        pages.push({ requestedAt, answeredAt: performance.now(), committedAt: Number.NaN, changes })
        return result
      },
    }
    performance.clearResourceTimings()
    performance.setResourceTimingBufferSize(100_000)
    const started = performance.now()
    const outcome = await pullAll({
      db: database,
      transport: timed,
      now: nowLocalIso,
      deviceId,
      ...(limit === undefined ? {} : { limit }),
      onProgress: () => committed.push(performance.now()),
    })
    const ms = performance.now() - started
    committed.forEach((at, i) => {
      const page = pages[i]
      if (page !== undefined) page.committedAt = at
    })
    const resources = performance
      .getEntriesByType('resource')
      .filter((e): e is PerformanceResourceTiming => e.name.includes('/api/sync/pull'))
      .map((e) => ({
        transferBytes: e.transferSize,
        encodedBytes: e.encodedBodySize,
        decodedBytes: e.decodedBodySize,
        ms: e.responseEnd - e.startTime,
      }))
    const counts: Record<string, number> = {}
    for (const table of database.tables) counts[table.name] = await table.count()
    return {
      outcome:
        outcome.kind === 'ok' ? 'ok' : `${outcome.kind}${'reason' in outcome ? ` ${outcome.reason}` : ''}`,
      received: outcome.received,
      ms,
      pages,
      resources,
      counts,
      estimateBefore,
      estimateAfter: (await bench.estimate()).usage,
    }
  },
}

;(window as unknown as BenchWindow).carnetBench = bench
document.title = 'Carnet device bench (ready)'
