import { randomUUID } from 'node:crypto'
import { existsSync, statSync } from 'node:fs'
import { join, relative, sep } from 'node:path'
import compress from '@fastify/compress'
import helmet from '@fastify/helmet'
import fastifyStatic from '@fastify/static'
import Fastify, { type FastifyBaseLogger, type FastifyInstance } from 'fastify'
import { ZodError } from 'zod'
import type { Clock } from './clock'
import {
  issuesOf,
  sendProtocolError,
  sendUnavailable,
  type ErrorCode,
  type HttpErrorBody,
} from './http-errors'
import type { PasswordLinkSender } from './rules/admin-accounts'
import { registerAccessRequestRoutes, type PublicRateLimit } from './routes/access-requests'
import { registerAdminRoutes } from './routes/admin'
import { registerAuthRoutes, type LoginRateLimit } from './routes/auth'
import { registerHealthRoutes } from './routes/health'
import { registerSyncRoutes } from './routes/sync'
import { startKeySweeper } from './rules/device-revocation'
import { createHealthMonitor, type HealthMonitor } from './rules/store-health'
import { createSyncEvents, type SyncEvents } from './rules/sync-events'
import { transientFaultOf } from './rules/sync-transient'
import type { Store } from './store'

export type AppDeps = {
  readonly store: Store
  readonly clock: Clock
  readonly logger: FastifyBaseLogger
  /** The built PWA (vite's dist/); null to serve the API only. */
  readonly staticDir: string | null
  readonly version: string
  /** Sign-in attempts per client address and per login; 10 a minute when absent. */
  readonly loginRateLimit?: LoginRateLimit
  /**
   * Where committed changes are announced to `GET /api/sync/events`; an in-process one when absent. The app
   * closes it when it closes.
   */
  readonly syncEvents?: SyncEvents
  /** Public requests (access requests, password links) per client address; 10 per 10 minutes when absent. */
  readonly publicRateLimit?: PublicRateLimit
  /** Hands new users their one-time set-password link; when absent the link is only shown to the manager. */
  readonly passwordLinkSender?: PasswordLinkSender
  /** The app's public origin for those links; the request's own origin when absent. */
  readonly publicUrl?: string | null
  /** What the health routes report (rules/store-health.ts); one on `store` with its defaults when absent. */
  readonly health?: HealthMonitor
}

// The sync protocol caps a push at 2 MB; nothing else under /api is larger.
export const BODY_LIMIT_BYTES = 2 * 1024 * 1024

const IMMUTABLE = 'public, max-age=31536000, immutable'
const SHORT = 'public, max-age=3600'
// Files whose names do not change between releases: the browser must revalidate them, or an update
// of the service worker and of the shell would not be seen.
const ENTRY_FILES = new Set(['index.html', 'sw.js', 'registerSW.js', 'manifest.webmanifest'])
// Content-hashed by Vite (assets/) and by workbox-build (workbox-<hex>.js next to sw.js).
const HASHED = /^(assets\/.+|workbox-[0-9a-f]{8}\.js)$/

export const CONTENT_SECURITY_POLICY = {
  defaultSrc: ["'self'"],
  scriptSrc: ["'self'"],
  styleSrc: ["'self'"],
  imgSrc: ["'self'", 'data:', 'blob:'],
  fontSrc: ["'self'"],
  connectSrc: ["'self'"],
  workerSrc: ["'self'"],
  manifestSrc: ["'self'"],
  frameSrc: ["'self'", 'blob:'],
  // A PDF opened from a blob: URL inherits this policy; Chrome's viewer embeds it as a plugin, which
  // object-src 'none' may block on some versions: blob: URLs are only ever made by the app itself.
  objectSrc: ['blob:'],
  baseUri: ["'self'"],
  formAction: ["'self'"],
  frameAncestors: ["'none'"],
}

const NOT_BUILT_PAGE = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Carnet: app not built</title></head>
<body><h1>Carnet: the app is not built</h1>
<p>The sync server is running, but there is no built app to serve. Run <code>npm run build</code>
(or <code>npm start</code>, which builds it when needed), then reload this page.</p></body></html>
`

export function cacheControlFor(root: string, filePath: string): string {
  const name = relative(root, filePath).split(sep).join('/')
  if (ENTRY_FILES.has(name) || name.endsWith('.html')) return 'no-cache'
  if (HASHED.test(name)) return IMMUTABLE
  return SHORT
}

const isApiPath = (path: string) => path === '/api' || path.startsWith('/api/')
const isHealthPath = (path: string) => path === '/api/health' || path.startsWith('/api/health/')
const looksLikeFile = (path: string) => /\.[A-Za-z0-9]+$/.test(path.slice(path.lastIndexOf('/') + 1))

function isDirectory(path: string | null): path is string {
  try {
    return path !== null && statSync(path).isDirectory()
  } catch {
    return false
  }
}

type ErrorLike = Error & { code?: string; statusCode?: number; validation?: unknown }

const CODE_BY_CLIENT_STATUS: Readonly<Record<number, ErrorCode>> = {
  401: 'unauthenticated',
  403: 'forbidden',
  404: 'not-found',
  413: 'payload-too-large',
  429: 'rate-limited',
}

/** Builds the HTTP app (not listening) from its dependencies, so tests drive it in-process with `inject`. */
export async function buildApp(deps: AppDeps): Promise<FastifyInstance> {
  const app = Fastify({
    loggerInstance: deps.logger,
    bodyLimit: BODY_LIMIT_BYTES,
    genReqId: () => randomUUID(),
    // Requests arriving while the server closes are answered below, in the protocol's format with Retry-After.
    return503OnClosing: false,
    // The router's own refusals (an undecodable URL, a path segment over 100 characters) answer in the
    // protocol's error format like every other refusal, not in Fastify's.
    frameworkErrors: (error, _request, reply) => {
      sendProtocolError(reply, error.code === 'FST_ERR_MAX_PARAM_LENGTH' ? 'not-found' : 'invalid-request')
    },
  })

  const health = deps.health ?? createHealthMonitor({ store: deps.store, logger: deps.logger })
  // Shutting down (SIGTERM): requests already in the server finish; new ones are sent to try again in a moment
  // (on another instance behind a load balancer), and every answer closes its connection so the close is quick.
  let closing = false
  app.addHook('preClose', async () => {
    closing = true
    health.drain()
  })
  app.addHook('onRequest', async (request, reply) => {
    reply.header('x-request-id', request.id)
    if (!closing) return
    reply.header('connection', 'close')
    if (!isHealthPath(request.url.split('?')[0] ?? '')) return sendUnavailable(reply, 'unreachable')
  })
  app.addHook('onSend', async (request, reply, payload) => {
    if (isApiPath(request.url.split('?')[0] ?? '') && !reply.hasHeader('cache-control')) {
      reply.header('cache-control', 'no-store')
    }
    if (closing) reply.header('connection', 'close')
    return payload
  })

  await app.register(helmet, {
    contentSecurityPolicy: { useDefaults: false, directives: CONTENT_SECURITY_POLICY },
    frameguard: { action: 'deny' },
  })
  await app.register(compress, { global: true })

  app.setErrorHandler((error: ErrorLike, request, reply) => {
    const send = (status: number, body: HttpErrorBody) => reply.code(status).send(body)
    if (error instanceof ZodError) return send(400, { error: 'invalid-request', issues: issuesOf(error) })
    switch (error.code) {
      case 'FST_ERR_CTP_INVALID_JSON_BODY':
      case 'FST_ERR_CTP_EMPTY_JSON_BODY':
        return send(400, { error: 'invalid-json' })
      case 'FST_ERR_CTP_BODY_TOO_LARGE':
        return send(413, { error: 'payload-too-large' })
      case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
        return send(415, { error: 'invalid-request', message: 'unsupported media type' })
    }
    if (error.validation !== undefined) return send(400, { error: 'invalid-request', issues: [] })
    // Text PostgreSQL cannot hold (NUL) that a free-text field let through: the input is at fault, not the server.
    if (error.code === '22021' || error.code === '22P05') {
      request.log.info({ err: error }, 'request refused: unstorable characters')
      return send(400, { error: 'invalid-request', message: 'unsupported characters' })
    }
    // A store that is busy, unreachable, out of space or shutting down: the client retries, nothing was committed
    // (or, when the answer to a commit was lost, the stored results settle the retry).
    const fault = transientFaultOf(error)
    if (fault !== null) {
      request.log.warn({ err: error, fault }, 'transient store failure')
      health.noteFault(fault, error)
      return sendUnavailable(reply, fault)
    }
    const status = error.statusCode ?? 500
    if (status >= 400 && status < 500) {
      request.log.info({ err: error }, 'request refused')
      return send(status, { error: CODE_BY_CLIENT_STATUS[status] ?? 'invalid-request' })
    }
    request.log.error({ err: error }, 'unexpected error')
    return send(500, { error: 'internal' })
  })

  registerHealthRoutes(app, { ...deps, health })
  await registerAuthRoutes(app, deps)
  const syncEvents = deps.syncEvents ?? createSyncEvents()
  registerSyncRoutes(app, { ...deps, events: syncEvents, health })
  registerAdminRoutes(app, { ...deps, events: syncEvents })
  registerAccessRequestRoutes(app, deps)
  // The keys of devices revoked after export are destroyed once their export window has passed.
  const stopKeySweeper = startKeySweeper({ store: deps.store, clock: deps.clock, log: app.log })
  app.addHook('onClose', async () => {
    stopKeySweeper()
    await syncEvents.close?.()
  })

  const staticDir = isDirectory(deps.staticDir) ? deps.staticDir : null
  if (staticDir !== null) {
    await app.register(fastifyStatic, {
      root: staticDir,
      cacheControl: false,
      setHeaders: (res, filePath) => {
        res.setHeader('cache-control', cacheControlFor(staticDir, filePath))
      },
      allowedPath: (pathName: string) => !isApiPath(pathName),
    })
  }

  app.setNotFoundHandler((request, reply) => {
    const path = request.url.split('?')[0] ?? '/'
    if (isApiPath(path)) return reply.code(404).send({ error: 'not-found' } satisfies HttpErrorBody)
    const isRead = request.method === 'GET' || request.method === 'HEAD'
    if (!isRead || looksLikeFile(path))
      return reply.code(404).type('text/plain; charset=utf-8').send('Not found')
    // The SPA's routes live in the browser: every other page answers the shell.
    if (staticDir !== null && existsSync(join(staticDir, 'index.html'))) {
      return reply.sendFile('index.html')
    }
    return reply
      .code(503)
      .header('cache-control', 'no-store')
      .type('text/html; charset=utf-8')
      .send(NOT_BUILT_PAGE)
  })

  return app
}
