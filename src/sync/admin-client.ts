// The HTTP client of the administration dashboard and of the account pages (access request, password link).
// Admin requests carry the signed-in user's access token (sync-protocol.md "Authentication"); every answer is
// parsed with the shared schemas of src/shared/admin-api.ts, and every failure becomes a value whose code the
// pages translate into French (admin.errors.*, workflow.errors.*). `fetch` is injected for tests.
import type { z } from 'zod'
import { AdminErrorResponseSchema } from '../shared/admin-api'

/** The slice of `fetch` the client uses. */
export type FetchLike = (url: string, init: RequestInit) => Promise<Response>

/**
 * Why a request gave no answer: `offline` (no network or server unreachable), `invalid-response` (an answer the
 * schema refuses), `server` (5xx or an unreadable error), or the server's own code with its detail.
 */
export type AdminFailure = {
  code: string
  status: number
  detail?: Record<string, unknown>
  issues?: { path: (string | number)[]; message: string }[]
}

/** An answer or why there is none. */
export type AdminResult<T> = { ok: true; value: T } | { ok: false; error: AdminFailure }

/** A downloaded CSV file. */
export type CsvFile = { blob: Blob; filename: string }

/** Query parameters; empty and undefined values are left out of the URL. */
export type Query = Record<string, string | number | undefined | null>

/** What the client needs: how to read the current access token, fetch, and where the server is. */
export type AdminClientOptions = {
  accessToken: () => string | null
  fetch?: FetchLike
  /** '' for the same origin (the server serves the PWA). */
  baseUrl?: string
}

/** Builds `path?query`, leaving out empty values. */
export function withQuery(path: string, query: Query = {}): string {
  const params = new URLSearchParams()
  for (const [key, value] of Object.entries(query)) {
    if (value === undefined || value === null || value === '') continue
    params.set(key, String(value))
  }
  const text = params.toString()
  return text === '' ? path : `${path}?${text}`
}

async function failureOf(response: Response): Promise<AdminFailure> {
  const body: unknown = await response.json().catch(() => undefined)
  const parsed = AdminErrorResponseSchema.safeParse(body)
  if (parsed.success) {
    return {
      code: parsed.data.error,
      status: response.status,
      ...(parsed.data.detail === undefined ? {} : { detail: parsed.data.detail }),
      ...(parsed.data.issues === undefined ? {} : { issues: parsed.data.issues }),
    }
  }
  // Codes the shared list does not know yet (account-specific refusals) still reach the page as text.
  const loose = typeof body === 'object' && body !== null ? (body as Record<string, unknown>) : {}
  if (typeof loose.error === 'string' && /^[a-z0-9-]{1,80}$/.test(loose.error)) {
    const detail = loose.detail
    return {
      code: loose.error,
      status: response.status,
      ...(typeof detail === 'object' && detail !== null && !Array.isArray(detail)
        ? { detail: detail as Record<string, unknown> }
        : {}),
    }
  }
  if (response.status === 401) return { code: 'unauthenticated', status: 401 }
  if (response.status === 403) return { code: 'forbidden', status: 403 }
  if (response.status === 404) return { code: 'not-found', status: 404 }
  if (response.status === 429) return { code: 'rate-limited', status: 429 }
  return { code: 'server', status: response.status }
}

function filenameOf(response: Response, fallback: string): string {
  const disposition = response.headers.get('content-disposition') ?? ''
  const match = /filename\*?=(?:UTF-8'')?"?([^";]+)"?/i.exec(disposition)
  return match?.[1] === undefined ? fallback : decodeURIComponent(match[1])
}

/** The dashboard's client: JSON GET and POST parsed with a schema, and CSV downloads. */
export function createAdminClient(options: AdminClientOptions) {
  const baseUrl = options.baseUrl ?? ''
  const doFetch: FetchLike = options.fetch ?? ((url, init) => fetch(url, init))

  async function send(
    path: string,
    init: RequestInit,
    isAuthenticated: boolean,
  ): Promise<Response | AdminFailure> {
    const headers = new Headers(init.headers)
    if (isAuthenticated) {
      const token = options.accessToken()
      if (token === null) return { code: 'unauthenticated', status: 401 }
      headers.set('authorization', `Bearer ${token}`)
    }
    try {
      return await doFetch(`${baseUrl}${path}`, { ...init, headers })
    } catch {
      return { code: 'offline', status: 0 }
    }
  }

  async function json<S extends z.ZodType>(
    method: 'GET' | 'POST' | 'PATCH',
    path: string,
    schema: S,
    body: unknown,
    isAuthenticated: boolean,
  ): Promise<AdminResult<z.output<S>>> {
    const init: RequestInit =
      method === 'GET'
        ? { method, headers: { accept: 'application/json' } }
        : {
            method,
            headers: { accept: 'application/json', 'content-type': 'application/json' },
            body: JSON.stringify(body ?? {}),
          }
    const response = await send(path, init, isAuthenticated)
    if (!(response instanceof Response)) return { ok: false, error: response }
    if (!response.ok) return { ok: false, error: await failureOf(response) }
    const parsed = schema.safeParse(await response.json().catch(() => undefined))
    if (!parsed.success) return { ok: false, error: { code: 'invalid-response', status: response.status } }
    return { ok: true, value: parsed.data }
  }

  return {
    /** GET an admin resource with the access token, parsed with `schema`. */
    get<S extends z.ZodType>(path: string, schema: S, query?: Query): Promise<AdminResult<z.output<S>>> {
      return json('GET', withQuery(path, query), schema, undefined, true)
    },
    /** POST to an admin resource with the access token, the answer parsed with `schema`. */
    post<S extends z.ZodType>(path: string, body: unknown, schema: S): Promise<AdminResult<z.output<S>>> {
      return json('POST', path, schema, body, true)
    },
    /** PATCH an admin resource with the access token, the answer parsed with `schema`. */
    patch<S extends z.ZodType>(path: string, body: unknown, schema: S): Promise<AdminResult<z.output<S>>> {
      return json('PATCH', path, schema, body, true)
    },
    /** GET a public account resource (no token). */
    getPublic<S extends z.ZodType>(path: string, schema: S): Promise<AdminResult<z.output<S>>> {
      return json('GET', path, schema, undefined, false)
    },
    /** POST to a public account resource (no token). */
    postPublic<S extends z.ZodType>(
      path: string,
      body: unknown,
      schema: S,
    ): Promise<AdminResult<z.output<S>>> {
      return json('POST', path, schema, body, false)
    },
    /** Downloads a CSV export with the access token. */
    async csv(path: string, query: Query, fallbackName: string): Promise<AdminResult<CsvFile>> {
      const response = await send(
        withQuery(path, query),
        { method: 'GET', headers: { accept: 'text/csv' } },
        true,
      )
      if (!(response instanceof Response)) return { ok: false, error: response }
      if (!response.ok) return { ok: false, error: await failureOf(response) }
      const blob = await response.blob()
      return { ok: true, value: { blob, filename: filenameOf(response, fallbackName) } }
    },
  }
}

/** The dashboard's client. */
export type AdminClient = ReturnType<typeof createAdminClient>
