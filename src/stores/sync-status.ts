// What the device owes the server, as the header shows it: how many changes wait in the outbox and when the
// last sync succeeded. Both are live queries, so a save or a sync in another tab updates the header at once.
import { computed } from 'vue'
import { defineStore } from 'pinia'
import { db, UNSYNCED_STATUSES } from '../db/carnet-db'
import { useLiveQuery } from '../composables/useLiveQuery'

/** The outbox and sync figures shown to the person (« 3 modifications en attente », « dernière synchro »). */
export const useSyncStatusStore = defineStore('sync-status', () => {
  // The query of pendingChangeCount (src/sync/outbox.ts), written here so the header does not pull the whole
  // recording path (rules, schemas, signing) into the first page's script.
  const { data: pending } = useLiveQuery(
    () =>
      db.outbox
        .where('status')
        .anyOf(UNSYNCED_STATUSES)
        .filter((row) => row.type !== 'audit.append')
        .count(),
    { initialValue: 0 },
  )
  const { data: lastSync } = useLiveQuery(
    async () => {
      const row = await db.meta.get('lastSyncAt')
      return row?.key === 'lastSyncAt' ? row.value : null
    },
    { initialValue: null },
  )

  /** Changes saved here and not yet settled by the server. */
  const pendingChanges = computed(() => pending.value ?? 0)
  const hasPending = computed(() => pendingChanges.value > 0)
  /** The last successful sync (ISO 8601), or null when this device never synced. */
  const lastSyncAt = computed(() => lastSync.value ?? null)

  return { pendingChanges, hasPending, lastSyncAt }
})
