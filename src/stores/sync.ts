// Sync for the signed-in session: owns the engine (src/sync/engine.ts) while someone is signed in, shows its
// state, and gives the « À traiter » inbox its data. The device token is the one the session store keeps in
// db.meta 'session'; a session without one (never online on this device) has nothing to sync with yet.
import { computed, shallowRef, watch } from 'vue'
import { defineStore } from 'pinia'
import { db } from '../db/carnet-db'
import { readFiles } from '../db/patients-repo'
import { useLiveQuery } from '../composables/useLiveQuery'
import { buildInboxItems, type InboxItem, type InboxRejection } from '../components/inbox/inbox-items'
import type { PatientRecord, RejectionResolution, UserRecord } from '../shared/records'
import { nowLocalIso, todayLocal } from '../sync/clock'
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
}

async function readInboxSource(): Promise<InboxSource> {
  return db.transaction('r', db.rejections, db.files, db.users, async () => {
    const rejections = (await db.rejections.toArray()) as InboxRejection[]
    const ids = [
      ...new Set(
        rejections.flatMap((r) => {
          const id = (r.mutation.payload as { patientId?: unknown }).patientId
          return typeof id === 'string' ? [id] : []
        }),
      ),
    ]
    const [files, users] = await Promise.all([readFiles(db, ids), db.users.toArray()])
    const patients = new Map<string, PatientRecord>()
    for (const file of files.values()) if (file.patient !== undefined) patients.set(file.id, file.patient)
    return { rejections, patients, users: new Map(users.map((u) => [u.id, u])) }
  })
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
        const [pending, storage] = await Promise.all([outboxModule.pendingCount(db), readStorageState()])
        return { pending, ...storage }
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

  function stopEngine(): void {
    generation += 1
    engine?.stop()
    engine = null
  }

  watch(
    () => session.isSignedIn,
    (isSignedIn) => {
      // The engine is best effort: if the database closes under it (the tab is being torn down, the profile
      // deleted), nothing is lost — the outbox is replayed when the engine starts next.
      if (isSignedIn) void startEngine().catch((error: unknown) => console.warn('sync: not started', error))
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

  const { data: inboxSource } = useLiveQuery(readInboxSource, {
    initialValue: { rejections: [], patients: new Map(), users: new Map() },
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
   * Downloads the unsynced outbox as `carnet-outbox-<device>-<date>.json` (for the administrator's import when
   * the device cannot reach the server); answers the file name.
   */
  async function exportOutboxFile(): Promise<string> {
    const { exportOutbox } = await import('../sync/outbox')
    const [json, deviceId] = await Promise.all([
      exportOutbox(db, { now: nowLocalIso() }),
      session.loadDeviceId(),
    ])
    const name = `carnet-outbox-${deviceId}-${todayLocal()}.json`
    const url = URL.createObjectURL(new Blob([json], { type: 'application/json' }))
    try {
      const link = document.createElement('a')
      link.href = url
      link.download = name
      link.rel = 'noopener'
      document.body.append(link)
      link.click()
      link.remove()
    } finally {
      // Revoked after the click has been handed to the browser's download manager.
      setTimeout(() => URL.revokeObjectURL(url), 0)
    }
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
    resolveRejection,
  }
})
