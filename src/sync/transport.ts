// The device's HTTP client for the sync API (sync-protocol.md): push, pull, rejection resolution and the
// "pull now" event stream. Every answer is parsed with the shared schemas and mapped to a typed outcome, so the
// replayer decides on values, never on raw statuses. `fetch` is injected: the app passes the browser's, the
// integration tests one that calls the real server in-process.
import { ErrorResponseSchema, type ErrorCode, type ErrorResponse } from '../shared/errors'
import type { Mutation } from '../shared/commands'
import { RejectionRecordSchema, type RejectionRecord, type RejectionResolution } from '../shared/records'
import {
  DeviceRevocationSchema,
  MAX_PULL_LIMIT,
  PullResponseSchema,
  PushResponseSchema,
  SeqGapResponseSchema,
  type DeviceRevocation,
  type PullResponse,
  type PushResponse,
} from '../shared/sync-api'

/** The slice of `fetch` the transport uses. */
export type FetchLike = (url: string, init: RequestInit) => Promise<Response>

/** What the device reports with every request (the dashboard's device health). */
export type DeviceStateHeaders = {
  pending: number
  storage?: { used: number; quota: number }
  /** Whether the browser granted persistent storage (`navigator.storage.persisted()`); unknown when absent. */
  persisted?: boolean
  /** Sealed rows this device could not open, and their tables (src/db/broken-rows.ts). */
  broken?: { count: number; tables: readonly string[] }
}

/** A problem of a refused request (`400 invalid-request` issues, or the `413` limits). */
export type RequestProblem = { path: (string | number)[]; message: string }

/** Why a request did not give its answer; `transient` ones are retried with backoff, the others are not. */
export type TransportFailure =
  | { kind: 'seq-gap'; expectedSeq: number; lastSeq?: number }
  /** The device was revoked: by whom, when and how, when the server said (its event stream does not). */
  | { kind: 'revoked'; revocation?: DeviceRevocation }
  | { kind: 'unauthenticated' }
  | { kind: 'upgrade-required' }
  | {
      kind: 'transient'
      reason: 'network' | 'unavailable' | 'server-error' | 'rate-limited' | 'invalid-response'
      status?: number
      retryAfterMs?: number
    }
  | {
      kind: 'refused'
      status: number
      error: ErrorCode | 'unknown'
      problems: RequestProblem[]
      detail?: Record<string, unknown>
    }

/** An answer, or why there is none. */
export type TransportResult<T> = { kind: 'ok'; value: T } | TransportFailure

/** How the "pull now" stream ended: closed by the server or the network (reconnect), or refused (stop). */
export type EventStreamEnd =
  | { kind: 'closed' }
  | Extract<
      TransportFailure,
      { kind: 'revoked' | 'unauthenticated' | 'upgrade-required' | 'transient' | 'refused' }
    >

/** The sync API as the device sees it. */
export type SyncTransport = {
  push(deviceId: string, mutations: readonly unknown[]): Promise<TransportResult<PushResponse>>
  pull(after: string, limit?: number): Promise<TransportResult<PullResponse>>
  /**
   * Sends the person's action on a rejection. `accessToken` is the access token of whoever acted, from a
   * session opened on this device (expired is fine: they may have acted offline); the server then records
   * them as the resolver rather than the device's registering user.
   */
  resolve(
    rejectionId: string,
    resolution: RejectionResolution,
    note?: string,
    accessToken?: string,
  ): Promise<TransportResult<RejectionRecord>>
  /**
   * Listens to `GET /api/sync/events` and calls `onPull` for each 'pull' event until the stream ends or
   * `signal` aborts (which resolves `{ kind: 'closed' }`). A 'revoked' event ends it as `{ kind: 'revoked' }`.
   */
  listen(onPull: () => void, signal: AbortSignal): Promise<EventStreamEnd>
}

/** What the transport needs: fetch, where the server is, the device token, the app version, the device state. */
export type TransportOptions = {
  fetch: FetchLike
  /** '' for the same origin (the server serves the PWA). */
  baseUrl?: string
  deviceToken: string
  appVersion: string
  /** Read before each request (outbox length, storage estimate). */
  deviceState?: () => Promise<DeviceStateHeaders>
}

// Characters the server's X-Carnet-App-Version check accepts; anything else would only be ignored there.
const APP_VERSION = /^[A-Za-z0-9][A-Za-z0-9.+_-]{0,63}$/

function retryAfterMs(response: Response): number | undefined {
  const header = response.headers.get('retry-after')
  if (header === null) return undefined
  const seconds = Number(header)
  if (Number.isFinite(seconds) && seconds >= 0) return seconds * 1000
  const at = Date.parse(header)
  return Number.isNaN(at) ? undefined : Math.max(0, at - Date.now())
}

async function readJson(response: Response): Promise<unknown> {
  try {
    return (await response.json()) as unknown
  } catch {
    return undefined
  }
}

function problemsOf(body: ErrorResponse | undefined): RequestProblem[] {
  if (body === undefined) return []
  if (body.issues !== undefined) return body.issues.map((i) => ({ path: [...i.path], message: i.message }))
  return body.detail === undefined
    ? []
    : Object.entries(body.detail).map(([key, value]) => ({ path: [key], message: String(value) }))
}

/** Maps a non-2xx answer to its outcome (the status first, the body's code where the status is ambiguous). */
export async function failureOf(response: Response): Promise<TransportFailure> {
  const status = response.status
  const raw = await readJson(response)
  const parsed = ErrorResponseSchema.safeParse(raw)
  const body = parsed.success ? parsed.data : undefined
  if (status === 401) {
    if (body?.error === 'device-revoked') {
      const revocation = DeviceRevocationSchema.safeParse(body.detail)
      return revocation.success ? { kind: 'revoked', revocation: revocation.data } : { kind: 'revoked' }
    }
    if (body?.error === 'invalid-signature') {
      return { kind: 'refused', status, error: body.error, problems: problemsOf(body), ...detailOf(body) }
    }
    return { kind: 'unauthenticated' }
  }
  if (status === 409 && body?.error === 'seq-gap') {
    const gap = SeqGapResponseSchema.safeParse(raw)
    if (gap.success) return { kind: 'seq-gap', ...gap.data.detail }
  }
  if (status === 426) return { kind: 'upgrade-required' }
  if (status === 429) return transient('rate-limited', status, retryAfterMs(response))
  if (status === 503) return transient('unavailable', status, retryAfterMs(response))
  if (status >= 500) return transient('server-error', status)
  return {
    kind: 'refused',
    status,
    error: body?.error ?? 'unknown',
    problems: problemsOf(body),
    ...detailOf(body),
  }
}

function detailOf(body: ErrorResponse | undefined): { detail?: Record<string, unknown> } {
  return body?.detail === undefined ? {} : { detail: body.detail }
}

function transient(
  reason: Extract<TransportFailure, { kind: 'transient' }>['reason'],
  status?: number,
  retryAfter?: number,
): Extract<TransportFailure, { kind: 'transient' }> {
  return {
    kind: 'transient',
    reason,
    ...(status === undefined ? {} : { status }),
    ...(retryAfter === undefined ? {} : { retryAfterMs: retryAfter }),
  }
}

/** Parses an SSE byte stream into event names (only `event:` lines matter: the server's data is always `{}`). */
export function createSseParser(onEvent: (name: string) => void): (chunk: string) => void {
  let buffer = ''
  let name = ''
  return (chunk) => {
    buffer += chunk
    const lines = buffer.split(/\r\n|\r|\n/)
    buffer = lines.pop() ?? ''
    for (const line of lines) {
      if (line === '') {
        if (name !== '') onEvent(name)
        name = ''
      } else if (line.startsWith('event:')) {
        name = line.slice(6).trim()
      }
    }
  }
}

/** Builds the sync API client. */
export function createTransport(options: TransportOptions): SyncTransport {
  const base = (options.baseUrl ?? '').replace(/\/+$/, '')

  async function headers(extra: Record<string, string> = {}): Promise<Record<string, string>> {
    const state =
      options.deviceState === undefined ? undefined : await options.deviceState().catch(() => undefined)
    const out: Record<string, string> = {
      authorization: `Bearer ${options.deviceToken}`,
      accept: 'application/json',
      ...extra,
    }
    if (APP_VERSION.test(options.appVersion)) out['x-carnet-app-version'] = options.appVersion
    if (state !== undefined) {
      out['x-carnet-pending'] = String(Math.max(0, Math.trunc(state.pending)))
      if (state.storage !== undefined) {
        out['x-carnet-storage'] = `${Math.trunc(state.storage.used)}/${Math.trunc(state.storage.quota)}`
      }
      if (state.persisted !== undefined) out['x-carnet-persisted'] = state.persisted ? '1' : '0'
      if (state.broken !== undefined) {
        const tables = state.broken.tables.filter((t) => /^[A-Za-z]{1,40}$/.test(t)).slice(0, 16)
        const count = Math.max(0, Math.trunc(state.broken.count))
        out['x-carnet-broken'] =
          count === 0 || tables.length === 0 ? String(count) : `${count};${tables.join(',')}`
      }
    }
    return out
  }

  async function request<T>(
    path: string,
    init: RequestInit,
    parse: (body: unknown) => { success: true; data: T } | { success: false },
  ): Promise<TransportResult<T>> {
    let response: Response
    try {
      response = await options.fetch(`${base}${path}`, init)
    } catch {
      return transient('network')
    }
    if (!response.ok) return failureOf(response)
    const parsed = parse(await readJson(response))
    // A 200 that is not the API's answer: a captive portal's page, a proxy's error. Retried like a network error.
    return parsed.success
      ? { kind: 'ok', value: parsed.data }
      : transient('invalid-response', response.status)
  }

  return {
    async push(deviceId, mutations) {
      return request(
        '/api/sync/push',
        {
          method: 'POST',
          headers: await headers({ 'content-type': 'application/json' }),
          body: JSON.stringify({ deviceId, mutations: mutations as Mutation[] }),
        },
        (body) => PushResponseSchema.safeParse(body),
      )
    },

    async pull(after, limit = MAX_PULL_LIMIT) {
      const query = new URLSearchParams({ after, limit: String(Math.min(limit, MAX_PULL_LIMIT)) })
      return request(`/api/sync/pull?${query}`, { method: 'GET', headers: await headers() }, (body) =>
        PullResponseSchema.safeParse(body),
      )
    },

    async resolve(rejectionId, resolution, note, accessToken) {
      const who: Record<string, string> =
        accessToken === undefined || accessToken === '' ? {} : { 'x-carnet-access-token': accessToken }
      return request(
        `/api/sync/rejections/${encodeURIComponent(rejectionId)}/resolve`,
        {
          method: 'POST',
          headers: await headers({ 'content-type': 'application/json', ...who }),
          body: JSON.stringify(
            note === undefined || note.trim() === '' ? { resolution } : { resolution, note },
          ),
        },
        (body) => RejectionRecordSchema.safeParse(body),
      )
    },

    // EventSource cannot send an Authorization header and the server authenticates /api/sync/events with the
    // device token as a Bearer header only, so the stream is read with fetch and parsed here.
    async listen(onPull, signal): Promise<EventStreamEnd> {
      let response: Response
      try {
        response = await options.fetch(`${base}/api/sync/events`, {
          method: 'GET',
          headers: await headers({ accept: 'text/event-stream' }),
          signal,
          cache: 'no-store',
        })
      } catch {
        return signal.aborted ? { kind: 'closed' } : transient('network')
      }
      if (!response.ok) {
        const failure = await failureOf(response)
        return failure.kind === 'seq-gap'
          ? { kind: 'refused', status: response.status, error: 'seq-gap', problems: [] }
          : failure
      }
      if (response.body === null) return { kind: 'closed' }
      let isRevoked = false
      const parse = createSseParser((name) => {
        if (name === 'pull') onPull()
        // The server revoked this device while it listened: it says so, then closes the stream.
        if (name === 'revoked') isRevoked = true
      })
      const reader = response.body.getReader()
      const decoder = new TextDecoder()
      try {
        while (!isRevoked) {
          const { done, value } = await reader.read()
          if (done) break
          parse(decoder.decode(value, { stream: true }))
        }
        if (isRevoked) await reader.cancel().catch(() => undefined)
      } catch {
        return signal.aborted ? { kind: 'closed' } : transient('network')
      } finally {
        reader.releaseLock()
      }
      return isRevoked ? { kind: 'revoked' } : { kind: 'closed' }
    },
  }
}
