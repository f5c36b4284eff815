import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { connect, type AddressInfo } from 'node:net'
import { join } from 'node:path'
import type { FastifyInstance } from 'fastify'
import { pino } from 'pino'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { z } from 'zod'
import { ErrorResponseSchema } from '../../src/shared/errors'
import { buildApp, type AppDeps } from './app'
import { fixedClock } from './clock'
import type { Store } from './store'
import { openSqliteStore } from './store/sqlite'

const clock = fixedClock('2026-03-04T09:15:00.000Z')
const logger = pino({ level: 'silent' })
const INDEX = '<!doctype html><title>Carnet</title><div id="app"></div>'
const BIG_SCRIPT = `export const data = ${JSON.stringify('x'.repeat(20_000))}\n`

describe('HTTP app', () => {
  let dir: string
  let staticDir: string
  let store: Store
  let app: FastifyInstance

  const deps = (overrides: Partial<AppDeps> = {}): AppDeps => ({
    store,
    clock,
    logger,
    staticDir,
    version: '1.2.3',
    ...overrides,
  })

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'carnet-app-'))
    staticDir = join(dir, 'dist')
    mkdirSync(join(staticDir, 'assets'), { recursive: true })
    writeFileSync(join(staticDir, 'index.html'), INDEX)
    writeFileSync(join(staticDir, 'sw.js'), 'self.addEventListener("install", () => {})')
    writeFileSync(join(staticDir, 'workbox-2fbc6a65.js'), 'define([], () => {})')
    writeFileSync(join(staticDir, 'manifest.webmanifest'), '{"name":"Carnet"}')
    writeFileSync(join(staticDir, 'robots.txt'), 'User-agent: *')
    writeFileSync(join(staticDir, 'assets', 'app-abc123.js'), BIG_SCRIPT)
    store = openSqliteStore({ file: join(dir, 'carnet.sqlite'), clock })
    await store.migrate()

    app = await buildApp(deps())
    const Echo = z.object({ name: z.string().min(1), count: z.number().int() })
    app.post('/api/test/echo', async (request) => Echo.parse(request.body))
    app.get('/api/test/boom', async () => {
      throw new Error('database password is hunter2')
    })
    await app.ready()
  })

  afterAll(async () => {
    await app.close()
    await store.close()
    rmSync(dir, { recursive: true, force: true })
  })

  describe('health', () => {
    it('answers ok with the version and the store kind', async () => {
      const res = await app.inject({ method: 'GET', url: '/api/health' })
      expect(res.statusCode).toBe(200)
      expect(res.json()).toEqual({ status: 'ok', version: '1.2.3', store: 'sqlite' })
      expect(res.headers['cache-control']).toBe('no-store')
    })

    it('stays alive but says degraded, and not ready, when the store does not answer', async () => {
      const down: Store = { ...store, probe: () => Promise.reject(new Error('disk gone')) }
      const broken = await buildApp(deps({ store: down }))
      const live = await broken.inject({ method: 'GET', url: '/api/health' })
      expect(live.statusCode).toBe(200)
      expect(live.json()).toEqual({
        status: 'degraded',
        version: '1.2.3',
        store: 'sqlite',
        reason: 'database-unreachable',
      })
      const ready = await broken.inject({ method: 'GET', url: '/api/health/ready' })
      expect(ready.statusCode).toBe(503)
      expect(Number(ready.headers['retry-after'])).toBeGreaterThan(0)
      expect(ready.json()).toEqual({
        status: 'not-ready',
        reason: 'database-unreachable',
        checks: { database: 'unreachable', writable: 'unknown', migrations: 'unknown' },
      })
      await broken.close()
    })

    it('is ready when the database answers, takes a write and has this server’s schema', async () => {
      const res = await app.inject({ method: 'GET', url: '/api/health/ready' })
      expect(res.statusCode).toBe(200)
      expect(res.json()).toEqual({
        status: 'ready',
        checks: { database: 'ok', writable: 'ok', migrations: 'ok' },
      })
      expect(res.headers['cache-control']).toBe('no-store')
    })
  })

  describe('shutting down', () => {
    /** A raw HTTP/1.1 exchange: the head now, the rest when `finish` is called; resolves with what came back. */
    const exchange = (port: number, head: string) => {
      const socket = connect(port, '127.0.0.1')
      let answer = ''
      const answered = new Promise<string>((resolve) => {
        socket.on('data', (chunk: Buffer) => (answer += chunk.toString()))
        socket.on('close', () => resolve(answer))
      })
      socket.write(head)
      return { answered, finish: (rest: string) => socket.write(rest) }
    }

    it('answers requests arriving meanwhile 503 with Retry-After, finishes the one in flight, and says so in health', async () => {
      const closing = await buildApp(deps())
      let release: () => void = () => undefined
      const released = new Promise<void>((resolve) => (release = resolve))
      let started: () => void = () => undefined
      const inHandler = new Promise<void>((resolve) => (started = resolve))
      closing.get('/api/test/slow', async () => {
        started()
        await released
        return { done: true }
      })
      await closing.listen({ port: 0, host: '127.0.0.1' })
      const { port } = closing.server.address() as AddressInfo
      const request = (path: string) => `GET ${path} HTTP/1.1\r\nHost: x\r\n`

      const slow = exchange(port, `${request('/api/test/slow')}\r\n`)
      await inHandler
      // Requests whose heads are under way when the close begins.
      const late = ['/api/auth/me', '/api/health/ready', '/api/health'].map((path) =>
        exchange(port, request(path)),
      )
      await new Promise((resolve) => setTimeout(resolve, 50))
      const closed = closing.close()
      await new Promise((resolve) => setTimeout(resolve, 50))
      for (const l of late) l.finish('\r\n')
      const [me, ready, live] = await Promise.all(late.map((l) => l.answered))

      expect(me).toMatch(/^HTTP\/1\.1 503 /)
      expect(me).toMatch(/\r\nretry-after: [1-9]\d*\r\n/i)
      expect(me).toMatch(/\r\nconnection: close\r\n/i)
      expect(me).toContain('{"error":"unavailable"}')
      expect(ready).toMatch(/^HTTP\/1\.1 503 /)
      expect(ready).toContain('"reason":"shutting-down"')
      expect(live).toMatch(/^HTTP\/1\.1 200 /)
      expect(live).toContain('"status":"degraded"')

      release()
      const answer = await slow.answered
      expect(answer).toMatch(/^HTTP\/1\.1 200 /)
      expect(answer).toMatch(/\r\nconnection: close\r\n/i)
      expect(answer).toContain('{"done":true}')
      await closed
    })
  })

  describe('security headers', () => {
    it('sends a CSP that allows the app and nothing else, and the usual hardening headers', async () => {
      for (const url of ['/api/health', '/', '/assets/app-abc123.js']) {
        const res = await app.inject({ method: 'GET', url })
        expect(res.headers['content-security-policy']).toBe(
          "default-src 'self';script-src 'self';style-src 'self';img-src 'self' data: blob:;font-src 'self';" +
            "connect-src 'self';worker-src 'self';manifest-src 'self';frame-src 'self' blob:;object-src blob:;" +
            "base-uri 'self';form-action 'self';frame-ancestors 'none'",
        )
        expect(res.headers['x-content-type-options']).toBe('nosniff')
        expect(res.headers['x-frame-options']).toBe('DENY')
        expect(res.headers['referrer-policy']).toBe('no-referrer')
        expect(res.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/)
      }
    })
  })

  describe('API errors', () => {
    it.each(['/api/test/echo', '/api/sync/push', '/api/anything'])(
      'answers 400 invalid-json to malformed JSON on %s',
      async (url) => {
        const res = await app.inject({
          method: 'POST',
          url,
          headers: { 'content-type': 'application/json' },
          payload: '{"name": "x",',
        })
        expect(res.statusCode).toBe(400)
        expect(res.json()).toEqual({ error: 'invalid-json' })
      },
    )

    it('answers 400 invalid-json to an empty JSON body', async () => {
      const res = await app.inject({
        method: 'POST',
        url: '/api/test/echo',
        headers: { 'content-type': 'application/json' },
        payload: '',
      })
      expect(res.statusCode).toBe(400)
      expect(res.json()).toEqual({ error: 'invalid-json' })
    })

    it('answers 400 invalid-request with the issues when the body does not fit the schema', async () => {
      const res = await app.inject({
        method: 'POST',
        url: '/api/test/echo',
        payload: { name: '', count: 1.5 },
      })
      expect(res.statusCode).toBe(400)
      const body = ErrorResponseSchema.parse(res.json())
      expect(body.error).toBe('invalid-request')
      expect(body.issues?.map((i) => i.path.join('.')).sort()).toEqual(['count', 'name'])
    })

    it('answers 413 payload-too-large beyond 2 MB', async () => {
      const res = await app.inject({
        method: 'POST',
        url: '/api/test/echo',
        headers: { 'content-type': 'application/json' },
        payload: JSON.stringify({ name: 'x'.repeat(2 * 1024 * 1024), count: 1 }),
      })
      expect(res.statusCode).toBe(413)
      expect(res.json()).toEqual({ error: 'payload-too-large' })
    })

    it('answers 415 to a body it cannot read', async () => {
      const res = await app.inject({
        method: 'POST',
        url: '/api/test/echo',
        headers: { 'content-type': 'application/x-carnet' },
        payload: 'hello',
      })
      expect(res.statusCode).toBe(415)
      expect(res.json()).toEqual({ error: 'invalid-request', message: 'unsupported media type' })
    })

    it('answers 404 not-found in JSON for an unknown /api route, whatever the method', async () => {
      for (const method of ['GET', 'POST', 'DELETE'] as const) {
        const res = await app.inject({ method, url: '/api/nope?x=1' })
        expect(res.statusCode).toBe(404)
        expect(res.headers['content-type']).toMatch(/^application\/json/)
        expect(res.json()).toEqual({ error: 'not-found' })
      }
    })

    it('answers 500 internal with no message and no stack trace', async () => {
      const res = await app.inject({ method: 'GET', url: '/api/test/boom' })
      expect(res.statusCode).toBe(500)
      expect(res.json()).toEqual({ error: 'internal' })
      expect(res.body).not.toContain('hunter2')
      expect(res.body).not.toMatch(/at .*\.ts/)
    })
  })

  describe('static app', () => {
    it.each([
      ['/', 'no-cache'],
      ['/index.html', 'no-cache'],
      ['/sw.js', 'no-cache'],
      ['/manifest.webmanifest', 'no-cache'],
      ['/assets/app-abc123.js', 'public, max-age=31536000, immutable'],
      ['/workbox-2fbc6a65.js', 'public, max-age=31536000, immutable'],
      ['/robots.txt', 'public, max-age=3600'],
    ])('serves %s with Cache-Control %s', async (url, cacheControl) => {
      const res = await app.inject({ method: 'GET', url })
      expect(res.statusCode).toBe(200)
      expect(res.headers['cache-control']).toBe(cacheControl)
    })

    it('answers the app shell for the routes of the single-page app', async () => {
      for (const url of ['/patients/0195a3b2', '/admin/devices?tab=2', '/assets']) {
        const res = await app.inject({ method: 'GET', url })
        expect(res.statusCode).toBe(200)
        expect(res.body).toBe(INDEX)
        expect(res.headers['content-type']).toMatch(/^text\/html/)
        expect(res.headers['cache-control']).toBe('no-cache')
      }
    })

    it('answers 404 for a missing file and for a non-GET outside /api', async () => {
      expect((await app.inject({ method: 'GET', url: '/assets/missing-123.js' })).statusCode).toBe(404)
      expect((await app.inject({ method: 'POST', url: '/patients' })).statusCode).toBe(404)
    })

    it('compresses text', async () => {
      const res = await app.inject({
        method: 'GET',
        url: '/assets/app-abc123.js',
        headers: { 'accept-encoding': 'gzip' },
      })
      expect(res.headers['content-encoding']).toBe('gzip')
      expect(res.rawPayload.length).toBeLessThan(BIG_SCRIPT.length / 10)
    })

    it('says the app is not built when there is no index.html', async () => {
      const empty = join(dir, 'empty')
      mkdirSync(empty)
      for (const dirOption of [empty, join(dir, 'absent'), null]) {
        const bare = await buildApp(deps({ staticDir: dirOption }))
        const res = await bare.inject({ method: 'GET', url: '/' })
        expect(res.statusCode).toBe(503)
        expect(res.headers['content-type']).toMatch(/^text\/html/)
        expect(res.body).toContain('npm run build')
        expect((await bare.inject({ method: 'GET', url: '/api/health' })).statusCode).toBe(200)
        await bare.close()
      }
    })
  })
})
