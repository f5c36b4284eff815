import { EventEmitter } from 'node:events'

/**
 * "Something changed in this organisation": published after a commit that wrote change-log rows, so the
 * devices listening on `GET /api/sync/events` pull. In-process here; several instances on one PostgreSQL relay
 * it with LISTEN/NOTIFY (sync-events-postgres.ts).
 */
export type SyncEvents = {
  subscribe(organisationId: string, listener: () => void): () => void
  notify(organisationId: string): void
  listenerCount(organisationId: string): number
  /** Releases what the publisher holds (a database connection); called when the app closes. */
  close?(): Promise<void>
}

/** The in-process publisher: one emitter, one event name per organisation. */
export function createSyncEvents(): SyncEvents {
  const emitter = new EventEmitter()
  emitter.setMaxListeners(0)
  return {
    subscribe(organisationId, listener) {
      emitter.on(organisationId, listener)
      return () => emitter.off(organisationId, listener)
    },
    notify(organisationId) {
      emitter.emit(organisationId)
    },
    listenerCount: (organisationId) => emitter.listenerCount(organisationId),
  }
}

/**
 * The topic of one device, published beside its organisation's when the device is revoked, so that its open event
 * streams close at once on every instance (relayed like an organisation id; organisation ids never start with
 * `device:`). A listener checks the device in the store before acting: the PostgreSQL relay also publishes every
 * topic it listens to after a reconnection.
 */
export function deviceTopic(deviceId: string): string {
  return `device:${deviceId}`
}
