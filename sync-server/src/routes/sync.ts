import type { FastifyInstance, FastifyReply } from 'fastify'
import { z } from 'zod'
import { IdSchema } from '../../../src/shared/primitives'
import { MAX_PUSH_BYTES } from '../../../src/shared/sync-api'
import {
  authenticatedDevice,
  createDeviceStateRecorder,
  readDeviceStateHeaders,
  requireDevice,
  userOfDeviceSession,
} from '../auth/request-auth'
import type { Clock } from '../clock'
import { sendProtocolError, sendUnavailable } from '../http-errors'
import type { Store } from '../store'
import { deviceTopic, type SyncEvents } from '../rules/sync-events'
import { pullChanges } from '../rules/sync-pull'
import type { HealthMonitor } from '../rules/store-health'
import { deviceIdOfExport, importOutbox, MAX_IMPORT_BYTES, MAX_IMPORT_MUTATIONS } from '../rules/sync-import'
import { checkFraming, pushMutations, type PushOutcome, type Refusal } from '../rules/sync-push'
import { resolveRejection } from '../rules/sync-rejections'
import { transientFaultOf } from '../rules/sync-transient'

export type SyncRouteDeps = {
  readonly store: Store
  readonly clock: Clock
  readonly events: SyncEvents
  /** Told of the faults requests meet, so the health report shows them at once. */
  readonly health?: Pick<HealthMonitor, 'noteFault'>
}

// Fastify's own limit sits above the protocol's, so a body just over 2 MB is parsed and answered
// `413 payload-too-large` here, like a push of 501 mutations; far larger bodies stop at Fastify's limit.
const PUSH_BODY_LIMIT = MAX_PUSH_BYTES + 256 * 1024
export { MAX_IMPORT_BYTES, MAX_IMPORT_MUTATIONS } from '../rules/sync-import'
const KEEP_ALIVE_MS = 25_000

// Ids are checked as the wire schemas check them before any lookup: what is not an id names no record.
const RejectionIdParams = z.object({ id: IdSchema })

function bodyBytes(headers: Record<string, string | string[] | undefined>, body: unknown): number {
  const declared = Number(headers['content-length'])
  if (Number.isSafeInteger(declared) && declared >= 0) return declared
  return Buffer.byteLength(JSON.stringify(body ?? null) ?? '', 'utf8')
}

const refuse = (reply: FastifyReply, refusal: Refusal) => reply.code(refusal.status).send(refusal.body)

/** The sync API of sync-protocol.md: push, pull, rejection resolution, events, outbox import. */
export function registerSyncRoutes(app: FastifyInstance, deps: SyncRouteDeps): void {
  /**
   * Runs store work; a transient failure (busy, serialisation, connection, full disk, shutdown) answers 503 with
   * Retry-After, nothing advanced.
   */
  async function guarded<T>(reply: FastifyReply, work: () => Promise<T>): Promise<T | FastifyReply> {
    try {
      return await work()
    } catch (error) {
      const fault = transientFaultOf(error)
      if (fault === null) throw error
      reply.request.log.warn({ err: error, fault }, 'sync: transient store failure')
      deps.health?.noteFault(fault, error)
      return sendUnavailable(reply, fault)
    }
  }

  const deviceStates = createDeviceStateRecorder(deps)
  const auth = requireDevice({ ...deps, deviceStates })
  // What devices reported in the last seconds is written before the store closes.
  app.addHook('onClose', async () => {
    await deviceStates
      .flush()
      .catch((error: unknown) => app.log.warn({ err: error }, 'device states not written'))
  })

  app.post('/api/sync/push', { bodyLimit: PUSH_BODY_LIMIT, preHandler: auth }, async (request, reply) => {
    const device = authenticatedDevice(request)
    const framing = checkFraming(request.body, bodyBytes(request.headers, request.body), MAX_PUSH_BYTES)
    if (framing !== null) return refuse(reply, framing)
    return guarded(reply, async () => {
      const outcome: PushOutcome = await pushMutations(deps, device, request.body)
      if (!outcome.ok) return refuse(reply, outcome.refusal)
      if (outcome.changed) deps.events.notify(device.organisationId)
      return reply.send(outcome.response)
    })
  })

  app.get('/api/sync/pull', { preHandler: auth }, async (request, reply) => {
    const device = authenticatedDevice(request)
    return guarded(reply, async () => {
      // Telemetry: a pull is a read, and is answered even when this write fails (a full disk).
      await noteReappearedEmpty(
        deps,
        device,
        request.query,
        readDeviceStateHeaders(request.headers).pending,
      ).catch((error: unknown) =>
        request.log.warn({ err: error }, 'sync: reappeared-empty alert not written'),
      )
      const outcome = await pullChanges(deps.store, device, request.query)
      if (!outcome.ok) return refuse(reply, outcome.refusal)
      // Already JSON text (sync-pull.ts): sent as it is, not serialised again.
      return reply.type('application/json; charset=utf-8').send(outcome.body)
    })
  })

  app.post('/api/sync/rejections/:id/resolve', { preHandler: auth }, async (request, reply) => {
    const device = authenticatedDevice(request)
    const params = RejectionIdParams.safeParse(request.params)
    if (!params.success) return sendProtocolError(reply, 'not-found')
    return guarded(reply, async () => {
      const signedIn = await userOfDeviceSession(
        deps.store,
        request.headers['x-carnet-access-token'],
        device.id,
      )
      if (
        signedIn === 'invalid' ||
        (signedIn !== null && signedIn.organisationId !== device.organisationId)
      ) {
        return sendProtocolError(reply, 'unauthenticated')
      }
      const resolver = {
        organisationId: device.organisationId,
        userId: signedIn?.userId ?? device.userId,
        deviceId: device.id,
      }
      const outcome = await resolveRejection(deps, resolver, params.data.id, request.body)
      if (!outcome.ok) return refuse(reply, outcome.refusal)
      deps.events.notify(device.organisationId)
      return reply.send(outcome.rejection)
    })
  })

  const streams = new Set<() => void>()
  app.addHook('preClose', async () => {
    for (const close of [...streams]) close()
  })

  app.get('/api/sync/events', { preHandler: auth }, async (request, reply) => {
    const device = authenticatedDevice(request)
    reply.hijack()
    const res = reply.raw
    res.writeHead(200, {
      'content-type': 'text/event-stream; charset=utf-8',
      'cache-control': 'no-store',
      connection: 'keep-alive',
      'x-accel-buffering': 'no',
      'x-request-id': request.id,
    })
    // A device (re)connecting may have missed notifications: it pulls once at the start.
    res.write('retry: 5000\n\nevent: pull\ndata: {}\n\n')
    const unsubscribe = deps.events.subscribe(device.organisationId, () => {
      res.write('event: pull\ndata: {}\n\n')
    })
    // Revoked while listening: the stream says so and ends at once (the device's next request gets the 401).
    const unsubscribeDevice = deps.events.subscribe(deviceTopic(device.id), () => {
      deps.store
        .getDevice(device.id)
        .then((current) => {
          if (current !== null && current.revokedAt === null) return
          if (!res.writableEnded) res.write('event: revoked\ndata: {}\n\n')
          close()
        })
        .catch((error: unknown) => request.log.warn({ err: error }, 'sync events: revocation not checked'))
    })
    const timer = setInterval(() => res.write(': keep-alive\n\n'), KEEP_ALIVE_MS)
    timer.unref()
    const close = () => {
      if (!streams.delete(close)) return
      clearInterval(timer)
      unsubscribe()
      unsubscribeDevice()
      if (!res.writableEnded) res.end()
    }
    streams.add(close)
    request.raw.on('close', close)
    res.on('close', close)
  })

  app.post(
    '/api/sync/import',
    { bodyLimit: MAX_IMPORT_BYTES + 256 * 1024, preHandler: auth },
    async (request, reply) => {
      const importer = authenticatedDevice(request)
      const deviceId = deviceIdOfExport(request.body)
      if (deviceId === null) return sendProtocolError(reply, 'invalid-request')
      if (bodyBytes(request.headers, request.body) > MAX_IMPORT_BYTES) {
        return sendProtocolError(reply, 'payload-too-large', {
          maxMutations: MAX_IMPORT_MUTATIONS,
          maxBytes: MAX_IMPORT_BYTES,
        })
      }
      return guarded(reply, async () => {
        const source = await deps.store.getDevice(deviceId)
        if (source === null || source.organisationId !== importer.organisationId) {
          return sendProtocolError(reply, 'not-found')
        }
        if (!(await mayImport(deps, importer.userId, source.userId)))
          return sendProtocolError(reply, 'forbidden')
        const outcome = await importOutbox(deps, source, request.body)
        if (!outcome.ok) return refuse(reply, outcome.refusal)
        if (outcome.changed) deps.events.notify(source.organisationId)
        return reply.send(outcome.response)
      })
    },
  )
}

/**
 * Raises the dashboard's `reappeared-empty` alert: a device the server holds pushed mutations from (lastSeq > 0)
 * pulls from the start with an empty outbox — its storage was evicted or the app reinstalled under the same
 * device. Whatever it had queued and not pushed is lost on it; the alert keeps the last seq the server had.
 */
async function noteReappearedEmpty(
  deps: SyncRouteDeps,
  device: { readonly id: string },
  query: unknown,
  pending: number | undefined,
): Promise<void> {
  const after = (query as { after?: unknown } | null)?.after
  if (pending !== 0 || (after !== undefined && after !== '')) return
  const lastSeq = await deps.store.deviceLastSeq(device.id)
  if (lastSeq === null || lastSeq === 0) return
  await deps.store.markDeviceReappearedEmpty(device.id, deps.clock.now().toISOString(), lastSeq)
}

/** Who may import a device's outbox: its own user, or a sync administrator of the organisation. */
async function mayImport(deps: SyncRouteDeps, importerUserId: string | null, ownerUserId: string | null) {
  if (importerUserId === null) return false
  if (importerUserId === ownerUserId) return true
  const now = deps.clock.now().getTime()
  return (await deps.store.listRoleGrants(importerUserId)).some(
    (g) =>
      g.role === 'sync-admin' &&
      g.revokedAt === null &&
      Date.parse(g.startsAt) <= now &&
      (g.endsAt === null || now < Date.parse(g.endsAt)),
  )
}
