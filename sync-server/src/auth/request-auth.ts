// Who is calling. Sync requests (push, pull, events) carry the device's long-lived token; account and admin
// requests carry a user's access token from a sign-in. Both tokens are looked up by their SHA-256 hash.
import type { FastifyReply, FastifyRequest, preHandlerAsyncHookHandler } from 'fastify'
import type { Clock } from '../clock'
import { sendProtocolError } from '../http-errors'
import type { DeviceState, Store } from '../store'
import { revocationDetail } from '../rules/device-revocation'
import { bearerToken, hashToken } from './tokens'

export type RequestAuthDeps = {
  readonly store: Store
  readonly clock: Clock
  /** Where `requireDevice` records what devices report; one of its own when absent. */
  readonly deviceStates?: DeviceStateRecorder
}

/** The device a sync request comes from; `userId` is the user who registered it (null if unknown). */
export type AuthenticatedDevice = {
  readonly id: string
  readonly organisationId: string
  readonly userId: string | null
  readonly name: string
}

/** The signed-in user of an account or admin request, and the device their session was opened on. */
export type AuthenticatedUser = {
  readonly id: string
  readonly organisationId: string
  readonly deviceId: string
  readonly sessionId: string
}

declare module 'fastify' {
  interface FastifyRequest {
    /** Set by `requireDevice`; absent on routes without it. */
    device?: AuthenticatedDevice
    /** Set by `requireUser`; absent on routes without it. */
    user?: AuthenticatedUser
  }
}

const MAX_SAFE = Number.MAX_SAFE_INTEGER
const COUNT = /^\d{1,15}$/
const STORAGE = /^(\d{1,16})\/(\d{1,16})$/
const APP_VERSION = /^[A-Za-z0-9][A-Za-z0-9.+_-]{0,63}$/
// `X-Carnet-Broken: <count>` or `<count>;<table>,<table>…`: sealed rows the device could not open.
const BROKEN = /^(\d{1,9})(?:;([A-Za-z]{1,40}(?:,[A-Za-z]{1,40}){0,15}))?$/

function single(value: string | string[] | undefined): string | undefined {
  return typeof value === 'string' ? value.trim() : undefined
}

/**
 * The device-state headers (`X-Carnet-Pending`, `X-Carnet-App-Version`, `X-Carnet-Storage: used/quota`,
 * `X-Carnet-Persisted: 1|0`, `X-Carnet-Broken: count;tables`);
 * a malformed one is ignored rather than refused, since it only feeds the dashboard.
 */
export function readDeviceStateHeaders(headers: FastifyRequest['headers']): Omit<DeviceState, 'seenAt'> {
  const state: {
    pending?: number
    appVersion?: string
    storageUsed?: number
    storageQuota?: number
    persisted?: boolean
    broken?: { count: number; tables: string[] }
  } = {}
  const persisted = single(headers['x-carnet-persisted'])
  if (persisted === '1' || persisted === '0') state.persisted = persisted === '1'
  const pending = single(headers['x-carnet-pending'])
  if (pending !== undefined && COUNT.test(pending)) state.pending = Number(pending)
  const appVersion = single(headers['x-carnet-app-version'])
  if (appVersion !== undefined && APP_VERSION.test(appVersion)) state.appVersion = appVersion
  const storage = STORAGE.exec(single(headers['x-carnet-storage']) ?? '')
  if (storage !== null) {
    const used = Number(storage[1])
    const quota = Number(storage[2])
    if (used <= MAX_SAFE && quota <= MAX_SAFE) {
      state.storageUsed = used
      state.storageQuota = quota
    }
  }
  const broken = BROKEN.exec(single(headers['x-carnet-broken']) ?? '')
  if (broken !== null) {
    const count = Number(broken[1])
    state.broken = {
      count,
      tables: count === 0 ? [] : [...new Set((broken[2] ?? '').split(',').filter(Boolean))],
    }
  }
  return state
}

/** A device's last-seen time is written at most this often while nothing else it reports changes. */
export const DEVICE_SEEN_INTERVAL_MS = 60_000
/** A changed device state (pending count, storage, version) is written within this delay. */
export const DEVICE_STATE_FLUSH_MS = 5_000
// Bounds the memory of what was written; past it the memory is dropped and states are written again.
const MAX_REMEMBERED_DEVICES = 100_000

type Reported = Omit<DeviceState, 'seenAt'>

/**
 * Records what devices report on each sync request (the dashboard's device health) without a database write per
 * request. A device's state is written at once when this process has not written it for
 * `DEVICE_SEEN_INTERVAL_MS` (its first request, in particular); otherwise a changed value waits in memory and is
 * written with the others in one transaction within `DEVICE_STATE_FLUSH_MS`, and an unchanged one is not written
 * again. So `last_seen_at` is up to a minute behind and the other columns up to a few seconds; `flush()` writes
 * what waits (the app calls it when it closes). This is telemetry: sync outcomes never depend on it.
 */
export type DeviceStateRecorder = {
  record(deviceId: string, state: DeviceState): Promise<void>
  flush(): Promise<void>
}

export function createDeviceStateRecorder(
  deps: Pick<RequestAuthDeps, 'store' | 'clock'>,
  { seenIntervalMs = DEVICE_SEEN_INTERVAL_MS, flushMs = DEVICE_STATE_FLUSH_MS } = {},
): DeviceStateRecorder {
  // What was last written per device, and when (by the clock).
  const written = new Map<string, { at: number; state: Reported }>()
  const waiting = new Map<string, DeviceState>()
  let timer: NodeJS.Timeout | null = null
  let flushing: Promise<void> = Promise.resolve()

  const merged = (base: Reported, next: Reported): Reported => ({ ...base, ...next })
  const same = (a: Reported, b: Reported) =>
    a.pending === b.pending &&
    a.appVersion === b.appVersion &&
    a.storageUsed === b.storageUsed &&
    a.storageQuota === b.storageQuota &&
    a.persisted === b.persisted &&
    a.broken?.count === b.broken?.count &&
    a.broken?.tables.join(',') === b.broken?.tables.join(',')
  const remember = (deviceId: string, state: DeviceState) => {
    if (written.size >= MAX_REMEMBERED_DEVICES && !written.has(deviceId)) written.clear()
    const { seenAt, ...reported } = state
    const before = written.get(deviceId)?.state ?? {}
    written.set(deviceId, { at: Date.parse(seenAt), state: merged(before, reported) })
  }

  const writeWaiting = async () => {
    timer = null
    if (waiting.size === 0) return
    const batch = [...waiting]
    waiting.clear()
    try {
      await deps.store.withTransaction(async (tx) => {
        for (const [deviceId, state] of batch) await tx.recordDeviceState(deviceId, state)
      })
    } catch (error) {
      // Kept for the next flush unless the device reported something newer meanwhile.
      for (const [deviceId, state] of batch) if (!waiting.has(deviceId)) waiting.set(deviceId, state)
      throw error
    }
    for (const [deviceId, state] of batch) remember(deviceId, state)
  }
  const flush = () => {
    if (timer !== null) clearTimeout(timer)
    flushing = flushing.then(writeWaiting, writeWaiting)
    return flushing
  }

  return {
    async record(deviceId, state) {
      const last = written.get(deviceId)
      const { seenAt, ...reported } = state
      const due = last === undefined || Date.parse(seenAt) - last.at >= seenIntervalMs
      if (due) {
        const now = { ...waiting.get(deviceId), ...state }
        waiting.delete(deviceId)
        await deps.store.recordDeviceState(deviceId, now)
        remember(deviceId, now)
        return
      }
      const pending = waiting.get(deviceId)
      const current = merged(merged(last.state, pending ?? {}), reported)
      if (pending === undefined && same(current, last.state)) return
      waiting.set(deviceId, { ...pending, ...state })
      if (timer === null) {
        timer = setTimeout(() => {
          flush().catch(() => undefined)
        }, flushMs)
        timer.unref()
      }
    },
    flush,
  }
}

/**
 * preHandler of the sync routes: `Authorization: Bearer <deviceToken>` → `request.device`, and the
 * device's reported state and last-seen time recorded (`DeviceStateRecorder`, best effort: a failed write is
 * logged, not answered). Refuses `401 unauthenticated`
 * (no or unknown token) or `401 device-revoked`; a transient store failure it throws answers
 * `503 unavailable` (the app's error handler), so the device backs off and retries instead of treating it as a
 * bug.
 */
export function requireDevice(deps: RequestAuthDeps): preHandlerAsyncHookHandler {
  const states = deps.deviceStates ?? createDeviceStateRecorder(deps)
  return async function requireDevice(request: FastifyRequest, reply: FastifyReply) {
    const token = bearerToken(request.headers.authorization)
    if (token === null) return sendProtocolError(reply, 'unauthenticated')
    const device = await deps.store.findDeviceByTokenHash(hashToken(token))
    if (device === null) return sendProtocolError(reply, 'unauthenticated')
    if (device.revokedAt !== null) {
      return sendProtocolError(reply, 'device-revoked', await revocationDetail(deps.store, device.id))
    }
    // Telemetry, never a reason to refuse: on a full or read-only disk a pull still answers.
    await states
      .record(device.id, {
        seenAt: deps.clock.now().toISOString(),
        ...readDeviceStateHeaders(request.headers),
      })
      .catch((error: unknown) => request.log.warn({ err: error }, 'device state not recorded'))
    request.device = {
      id: device.id,
      organisationId: device.organisationId,
      userId: device.userId,
      name: device.name,
    }
  }
}

/**
 * preHandler of account and admin routes: `Authorization: Bearer <accessToken>` → `request.user`. Refuses
 * `401 unauthenticated` (no, unknown, revoked or expired token — the last with `detail.reason: 'expired'` —
 * or a disabled user) or `401 device-revoked` when the session's device was revoked since.
 */
export function requireUser(deps: RequestAuthDeps): preHandlerAsyncHookHandler {
  return async function requireUser(request: FastifyRequest, reply: FastifyReply) {
    const token = bearerToken(request.headers.authorization)
    if (token === null) return sendProtocolError(reply, 'unauthenticated')
    const session = await deps.store.findSessionByTokenHash(hashToken(token))
    if (session === null || session.revokedAt !== null) return sendProtocolError(reply, 'unauthenticated')
    if (Date.parse(session.expiresAt) <= deps.clock.now().getTime()) {
      return sendProtocolError(reply, 'unauthenticated', { reason: 'expired' })
    }
    const [user, device] = await Promise.all([
      deps.store.getUser(session.userId),
      deps.store.getDevice(session.deviceId),
    ])
    if (user === null || user.disabled) return sendProtocolError(reply, 'unauthenticated')
    if (device === null || device.revokedAt !== null) return sendProtocolError(reply, 'device-revoked')
    request.user = {
      id: user.id,
      organisationId: user.organisationId,
      deviceId: session.deviceId,
      sessionId: session.id,
    }
  }
}

/** The device of a request behind `requireDevice`; throws when the route forgot the preHandler. */
export function authenticatedDevice(request: FastifyRequest): AuthenticatedDevice {
  if (request.device === undefined) throw new Error(`${request.url}: requireDevice is not installed`)
  return request.device
}

/** The user of a request behind `requireUser`; throws when the route forgot the preHandler. */
export function authenticatedUser(request: FastifyRequest): AuthenticatedUser {
  if (request.user === undefined) throw new Error(`${request.url}: requireUser is not installed`)
  return request.user
}

/**
 * The user of an optional access token sent beside a device token (`X-Carnet-Access-Token`), for actions a device
 * replays for whoever was signed in when they acted: the session must have been opened on that same device and
 * not revoked. It may have expired since — the action was taken offline, while it was valid — so expiry is not
 * checked. Null when absent; `invalid` when the token names no such session.
 */
export async function userOfDeviceSession(
  store: Store,
  header: string | string[] | undefined,
  deviceId: string,
): Promise<{ readonly userId: string; readonly organisationId: string } | null | 'invalid'> {
  const token = typeof header === 'string' ? header.trim() : ''
  if (token === '') return null
  if (!/^[A-Za-z0-9._~+/-]+=*$/.test(token)) return 'invalid'
  const session = await store.findSessionByTokenHash(hashToken(token))
  if (session === null || session.revokedAt !== null || session.deviceId !== deviceId) return 'invalid'
  const user = await store.getUser(session.userId)
  if (user === null || user.disabled) return 'invalid'
  return { userId: user.id, organisationId: user.organisationId }
}
