import pg from 'pg'
import { createSyncEvents, type SyncEvents } from './sync-events'

/** The channel every instance on one database LISTENs on; the payload is the organisation's id. */
export const SYNC_EVENTS_CHANNEL = 'carnet_sync'

export type SyncEventsLogger = {
  warn(details: object, message: string): void
  info(details: object, message: string): void
}

export type PostgresSyncEventsOptions = {
  readonly url: string
  readonly logger: SyncEventsLogger
  /** First reconnection delay; it doubles up to 30 s while the database stays out of reach. */
  readonly reconnectMs?: number
  /**
   * How often the idle LISTEN connection is asked a trivial query: over a silent partition nothing else would
   * tell it is dead, and notices from the other instances would stop without a word. 30 s.
   */
  readonly heartbeatMs?: number
}

export type PostgresSyncEvents = SyncEvents & {
  /** Resolves once the instance LISTENs (tests wait for it; the server starts without waiting). */
  listening(): Promise<void>
  close(): Promise<void>
}

const MAX_RECONNECT_MS = 30_000
const DEFAULT_HEARTBEAT_MS = 30_000

/**
 * SyncEvents across the instances sharing one PostgreSQL: a local publish reaches this instance's listeners at
 * once and is sent as `pg_notify('carnet_sync', organisationId)` on a dedicated connection that also LISTENs;
 * every other instance relays it to its own listeners. The notification carries the sender's backend pid, so
 * an instance ignores its own. A notice is a nudge, not a record: one lost while the connection is down is
 * made good on reconnection, where every organisation with local listeners is told to pull and the notices
 * queued meanwhile are sent.
 */
export function createPostgresSyncEvents(options: PostgresSyncEventsOptions): PostgresSyncEvents {
  const local = createSyncEvents()
  const baseDelay = options.reconnectMs ?? 500
  const heartbeatMs = options.heartbeatMs ?? DEFAULT_HEARTBEAT_MS
  const subscribed = new Map<string, number>()
  const queued = new Set<string>()
  let client: pg.Client | null = null
  let ownPid: number | null = null
  let isListening = false
  let everListened = false
  let closed = false
  let delay = baseDelay
  let timer: NodeJS.Timeout | null = null
  let heartbeat: NodeJS.Timeout | null = null
  let resolveListening: () => void = () => undefined
  let listeningNow = new Promise<void>((resolve) => (resolveListening = resolve))

  const send = (c: pg.Client, organisationId: string) => {
    c.query('SELECT pg_notify($1, $2)', [SYNC_EVENTS_CHANNEL, organisationId]).catch((error: unknown) => {
      queued.add(organisationId)
      options.logger.warn({ err: error }, 'sync events: notify failed')
    })
  }

  const lost = (c: pg.Client, error: unknown) => {
    if (c !== client) return
    client = null
    ownPid = null
    if (heartbeat !== null) clearInterval(heartbeat)
    heartbeat = null
    if (isListening) listeningNow = new Promise<void>((resolve) => (resolveListening = resolve))
    isListening = false
    c.end().catch(() => undefined)
    if (closed) return
    options.logger.warn({ err: error }, 'sync events: LISTEN connection lost, reconnecting')
    schedule()
  }

  const schedule = () => {
    if (closed || timer !== null) return
    timer = setTimeout(() => {
      timer = null
      void connect()
    }, delay)
    timer.unref()
    delay = Math.min(delay * 2, MAX_RECONNECT_MS)
  }

  const connect = async () => {
    const c = new pg.Client({
      connectionString: options.url,
      connectionTimeoutMillis: 10_000,
      // A statement unanswered this long means the connection is gone (the heartbeat's, a notify's).
      query_timeout: Math.max(1_000, Math.min(10_000, heartbeatMs)),
      keepAlive: true,
      keepAliveInitialDelayMillis: 10_000,
    })
    client = c
    c.on('error', (error) => lost(c, error))
    c.on('end', () => lost(c, new Error('connection ended')))
    c.on('notification', (message) => {
      if (message.channel !== SYNC_EVENTS_CHANNEL || message.payload === undefined) return
      if (message.processId === ownPid) return
      local.notify(message.payload)
    })
    try {
      await c.connect()
      const { rows } = await c.query<{ pid: number }>('SELECT pg_backend_pid() AS pid')
      await c.query(`LISTEN ${SYNC_EVENTS_CHANNEL}`)
      if (c !== client) return
      if (closed) {
        await c.end()
        return
      }
      ownPid = rows[0]?.pid ?? null
      isListening = true
      delay = baseDelay
      let beating = false
      heartbeat = setInterval(() => {
        if (beating) return
        beating = true
        c.query('SELECT 1')
          .catch((error: unknown) => lost(c, error))
          .finally(() => (beating = false))
      }, heartbeatMs)
      heartbeat.unref()
      if (everListened) {
        for (const organisationId of subscribed.keys()) local.notify(organisationId)
      }
      everListened = true
      const pending = [...queued]
      queued.clear()
      for (const organisationId of pending) send(c, organisationId)
      resolveListening()
    } catch (error) {
      lost(c, error)
    }
  }

  void connect()

  return {
    subscribe(organisationId, listener) {
      subscribed.set(organisationId, (subscribed.get(organisationId) ?? 0) + 1)
      const unsubscribe = local.subscribe(organisationId, listener)
      let active = true
      return () => {
        if (!active) return
        active = false
        unsubscribe()
        const left = (subscribed.get(organisationId) ?? 1) - 1
        if (left === 0) subscribed.delete(organisationId)
        else subscribed.set(organisationId, left)
      }
    },
    notify(organisationId) {
      local.notify(organisationId)
      if (isListening && client !== null) send(client, organisationId)
      else queued.add(organisationId)
    },
    listenerCount: (organisationId) => local.listenerCount(organisationId),
    listening: () => listeningNow,
    async close() {
      closed = true
      if (timer !== null) clearTimeout(timer)
      timer = null
      if (heartbeat !== null) clearInterval(heartbeat)
      heartbeat = null
      const c = client
      client = null
      isListening = false
      await c?.end().catch(() => undefined)
    },
  }
}
