// Sync for the signed-in session: owns the engine (src/sync/engine.ts) while someone is signed in, shows its
// state, and gives the « À traiter » inbox its data. The device token is the one the session store keeps in
// db.meta 'session'; a session without one (never online on this device) has nothing to sync with yet.
import { computed, shallowRef, watch } from 'vue'
import { defineStore } from 'pinia'
import { db } from '../db/carnet-db'
import { brokenRowsReport } from '../db/broken-rows'
import { readFiles } from '../db/patients-repo'
import { useLiveQuery } from '../composables/useLiveQuery'
import { buildInboxItems, type InboxItem, type InboxRejection } from '../components/inbox/inbox-items'
import type { PatientRecord, RejectionResolution, UserRecord } from '../shared/records'
import { nowLocalIso } from '../sync/clock'
import type { SyncEngine, SyncState } from '../sync/engine'
import type { SyncRunOutcome } from '../sync/replayer'
import type { DeviceStateHeaders } from '../sync/transport'
import { readStoredSession, useSessionStore } from './session'

const IDLE: SyncState = {
  status: 'idle',
  pending: 0,
  lastSyncAt: null,
  progress: null,
  lastError: null,
  nextRetryAt: null,
}

type InboxSource = {
  rejections: InboxRejection[]
  patients: Map<string, PatientRecord>
  users: Map<string, UserRecord>
  /** Set-aside changes (`signature-mismatch`) whose outbox entry is on this device: they can be exported. */
  inOutbox: Set<string>
}

async function readInboxSource(): Promise<InboxSource> {
  return db.transaction('r', db.rejections, db.files, db.users, db.outbox, async () => {
    const rejections = (await db.rejections.toArray()) as InboxRejection[]
    const ids = [
      ...new Set(
        rejections.flatMap((r) => {
          const id = (r.mutation.payload as { patientId?: unknown }).patientId
          return typeof id === 'string' ? [id] : []
        }),
      ),
    ]
    const setAside = rejections.filter((r) => r.error === 'signature-mismatch').map((r) => r.id)
    const [files, users, inOutbox] = await Promise.all([
      readFiles(db, ids),
      db.users.toArray(),
      setAside.length === 0 ? [] : outboxSeqsOf(setAside).then((found) => [...found.keys()]),
    ])
    const patients = new Map<string, PatientRecord>()
    for (const file of files.values()) if (file.patient !== undefined) patients.set(file.id, file.patient)
    return { rejections, patients, users: new Map(users.map((u) => [u.id, u])), inOutbox: new Set(inOutbox) }
  })
}

/** The outbox seq of each of these mutation ids on this device (read from the clear index: no key needed). */
async function outboxSeqsOf(ids: readonly string[]): Promise<Map<string, number>> {
  const found = new Map<string, number>()
  await db.outbox
    .where('id')
    .anyOf([...ids])
    .eachKey((id, cursor) => {
      found.set(String(id), Number(cursor.primaryKey))
    })
  return found
}

/**
 * The device-health part of every sync request: storage used and quota, and whether the browser granted
 * persistent storage. Only read here: asking for persistence is the storage status's job (one prompt per page).
 */
export async function readStorageState(
  storage: StorageManager | undefined = typeof navigator === 'undefined'
    ? undefined
    : (navigator.storage as StorageManager | undefined),
): Promise<Omit<DeviceStateHeaders, 'pending'>> {
  if (storage === undefined) return {}
  const [estimate, persisted] = await Promise.all([
    typeof storage.estimate === 'function' ? storage.estimate().catch(() => undefined) : undefined,
    typeof storage.persisted === 'function' ? storage.persisted().catch(() => undefined) : undefined,
  ])
  return {
    ...(estimate?.usage === undefined || estimate.quota === undefined
      ? {}
      : { storage: { used: estimate.usage, quota: estimate.quota } }),
    ...(typeof persisted === 'boolean' ? { persisted } : {}),
  }
}

/** The sync state the UI shows, the inbox of rejected changes, and the actions on both. */
export const useSyncStore = defineStore('sync', () => {
  const session = useSessionStore()
  const state = shallowRef<SyncState>(IDLE)
  const hasToken = shallowRef<boolean | null>(null)
  let engine: SyncEngine | null = null
  let generation = 0

  async function startEngine(): Promise<void> {
    stopEngine()
    const mine = (generation += 1)
    const [stored, deviceId, engineModule, transportModule, outboxModule] = await Promise.all([
      readStoredSession(),
      session.loadDeviceId(),
      import('../sync/engine'),
      import('../sync/transport'),
      import('../sync/outbox'),
    ])
    if (mine !== generation) return
    hasToken.value = stored.deviceToken !== undefined
    if (stored.deviceToken === undefined) return
    const transport = transportModule.createTransport({
      fetch: (url, init) => fetch(url, init),
      baseUrl: '',
      deviceToken: stored.deviceToken,
      appVersion: __APP_VERSION__,
      deviceState: async () => {
        const [pending, storage, broken] = await Promise.all([
          outboxModule.pendingCount(db),
          readStorageState(),
          brokenRowsReport(db),
        ])
        return { pending, ...storage, broken }
      },
    })
    engine = engineModule.createSyncEngine({
      db,
      transport,
      deviceId,
      now: nowLocalIso,
      onState: (next) => {
        if (mine === generation) state.value = next
      },
    })
    engine.start()
  }

  // The run a stopped engine may still be finishing (a lock waits for it before the keys leave memory).
  let stopping: Promise<void> = Promise.resolve()

  function stopEngine(): void {
    generation += 1
    const stopped = engine
    engine = null
    if (stopped === null) return
    stopped.stop()
    stopping = stopped.whenIdle()
  }

  // Sync runs while someone is signed in and the app is not locked; an unlock starts it again.
  watch(
    () => session.isSignedIn && !session.isLocked,
    (isActive) => {
      // The engine is best effort: if the database closes under it (the tab is being torn down, the profile
      // deleted), nothing is lost — the outbox is replayed when the engine starts next.
      if (isActive) void startEngine().catch((error: unknown) => console.warn('sync: not started', error))
      else {
        stopEngine()
        state.value = IDLE
      }
    },
    { immediate: true },
  )

  // A change recorded anywhere in the app (a new outbox key, this tab or another) is pushed right away.
  const { data: lastOutboxKey } = useLiveQuery(() => db.outbox.toCollection().lastKey(), {
    initialValue: undefined,
  })
  watch(lastOutboxKey, (next, previous) => {
    if (typeof next === 'number' && (typeof previous !== 'number' || next > previous)) engine?.notifyChange()
  })

  // A lock waits for the run in progress (a first sync writes its page with the keys) before they leave memory.
  session.beforeLock(() => {
    stopEngine()
    return stopping
  })

  // Told by the server that this device is revoked: the session learns it (notice, wipe).
  watch(
    () => state.value.status,
    (status) => {
      if (status === 'revoked') {
        void session.learnRevoked(state.value.revocation).catch((error: unknown) => {
          console.warn('sync: revocation not applied', error)
        })
      }
    },
  )

  const { data: inboxSource } = useLiveQuery(readInboxSource, {
    initialValue: { rejections: [], patients: new Map(), users: new Map(), inOutbox: new Set<string>() },
  })

  /** The signed-in person's unresolved rejections, newest first. */
  const inboxItems = computed<InboxItem[]>(() => {
    const userId = session.user?.id
    const source = inboxSource.value
    if (userId === undefined || source === undefined) return []
    return buildInboxItems(source.rejections, {
      userId,
      actingFor: session.actingForIds,
      patients: source.patients,
      users: source.users,
      inOutbox: source.inOutbox,
    })
  })

  const status = computed(() => state.value.status)
  const isSyncing = computed(() => state.value.status === 'syncing')
  const isRevoked = computed(() => state.value.status === 'revoked')
  const needsUpgrade = computed(() => state.value.status === 'upgrade-required')

  /** Syncs now (joins a run in progress); nothing to do without a signed-in session and a device token. */
  async function syncNow(): Promise<SyncRunOutcome | null> {
    return engine === null ? null : engine.syncNow()
  }

  /** Tells sync a change was recorded (the outbox watch does it too; calling both is harmless). */
  function notifyChange(): void {
    engine?.notifyChange()
  }

  /**
   * Downloads the unsynced outbox, sealed for the server, as `carnet-outbox-<device>-<date>.json` (for the
   * administrator's import when the device cannot reach the server); answers the file name.
   */
  function exportOutboxFile(): Promise<string> {
    return session.exportPendingChanges()
  }

  /** Downloads one set-aside change (its outbox entry, sealed for the server) for the administrator. */
  async function exportSetAside(mutationId: string): Promise<string | null> {
    const seq = (await outboxSeqsOf([mutationId])).get(mutationId)
    if (seq === undefined) return null
    const [{ exportOutbox }, { saveBlob }, deviceId] = await Promise.all([
      import('../sync/outbox'),
      import('../components/documents/deliver'),
      session.loadDeviceId(),
    ])
    const json = await exportOutbox(db, { now: nowLocalIso(), seqs: [seq] })
    const name = `carnet-a-traiter-${deviceId}-${seq}.json`
    saveBlob(new Blob([json], { type: 'application/json' }), name)
    return name
  }

  /**
   * Records the person's action on a rejection: kept on the device first (it leaves the inbox at once and
   * survives a reload), then sent to the server's resolve endpoint by the next sync — right away when online.
   */
  async function resolveRejection(
    id: string,
    resolution: RejectionResolution,
    note?: string,
  ): Promise<boolean> {
    const by = session.user?.id
    if (by === undefined) return false
    const trimmed = note?.trim()
    // Signed in online, the person's access token names them as the resolver on a shared device; signed in
    // offline there is none, and the server falls back to the device's registering user.
    const token = session.accessToken
    const options = {
      by,
      ...(trimmed === undefined || trimmed === '' ? {} : { note: trimmed }),
      ...(token === null ? {} : { accessToken: token }),
    }
    if (engine !== null) return engine.resolveRejection(id, resolution, options)
    const { queueResolution } = await import('../sync/replayer')
    return queueResolution(db, id, { kind: resolution, at: nowLocalIso(), ...options })
  }

  return {
    state,
    status,
    isSyncing,
    isRevoked,
    needsUpgrade,
    hasToken,
    inboxItems,
    syncNow,
    notifyChange,
    exportOutboxFile,
    exportSetAside,
    resolveRejection,
  }
})
