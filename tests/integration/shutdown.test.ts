// Stopping as a service manager stops it (SIGTERM): the real server in its own process finishes the request in
// flight, closes the open event streams instead of waiting for them, writes what it holds and exits 0; a request
// that never ends, or a second signal, does not keep it from exiting.
import { request, type IncomingMessage } from 'node:http'
import { connect, type Socket } from 'node:net'
import { afterEach, describe, expect, it } from 'vitest'
import { PushResponseSchema } from '../../src/shared/sync-api'
import { ledgerDevice, type LedgerDevice } from './faults/ledger'
import { SERVER_PASSWORD, startServerProcess, type ServerProcess } from './faults/server-process'

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

/** Opens `GET /api/sync/events`; resolves once the stream has started, with a promise of its end. */
function openEvents(server: ServerProcess, device: LedgerDevice): Promise<{ ended: Promise<string> }> {
  return new Promise((resolve, reject) => {
    const req = request(`${server.url}/api/sync/events`, {
      headers: { authorization: `Bearer ${device.deviceToken}` },
    })
    req.on('response', (res: IncomingMessage) => {
      let text = ''
      const ended = new Promise<string>((done) => {
        res.on('data', (chunk: Buffer) => (text += chunk.toString()))
        res.on('end', () => done(text))
        res.on('close', () => done(text))
      })
      resolve({ ended })
    })
    req.on('error', reject)
    req.end()
  })
}

/** A push whose headers and first half are sent now, the rest when `finish` is called. */
function startPush(server: ServerProcess, device: LedgerDevice, count: number) {
  const body = JSON.stringify({ deviceId: device.deviceId, mutations: device.outbox.slice(0, count) })
  const url = new URL(server.url)
  const socket: Socket = connect(Number(url.port), url.hostname)
  let answer = ''
  const answered = new Promise<string>((resolve) => {
    socket.on('data', (chunk: Buffer) => (answer += chunk.toString()))
    socket.on('close', () => resolve(answer))
    socket.on('error', () => resolve(answer))
  })
  socket.write(
    `POST /api/sync/push HTTP/1.1\r\nHost: ${url.host}\r\nAuthorization: Bearer ${device.deviceToken}\r\n` +
      `Content-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n`,
  )
  const half = Math.floor(body.length / 2)
  socket.write(body.slice(0, half))
  return {
    answered,
    finish: () => socket.write(body.slice(half)),
  }
}

describe('graceful shutdown of the server process', () => {
  let server: ServerProcess | null = null
  afterEach(async () => {
    await server?.stop('SIGKILL')
    server = null
  })

  it('on SIGTERM finishes the push in flight, closes the event streams, and exits 0', async () => {
    server = await startServerProcess({ env: { LOG_LEVEL: 'info' } })
    const device = await ledgerDevice(server.url, 'medecin.demo', SERVER_PASSWORD, 21, 3)
    const events = await openEvents(server, device)
    const push = startPush(server, device, 9)
    // The request is in the server (its headers read) when the signal comes.
    await sleep(300)
    const exited = server.stop('SIGTERM')
    await sleep(300)
    expect(server.exit()).toBeNull()
    push.finish()

    const raw = await push.answered
    expect(raw).toMatch(/^HTTP\/1\.1 200 /)
    expect(raw.toLowerCase()).toContain('connection: close')
    const results = PushResponseSchema.parse(JSON.parse(raw.slice(raw.indexOf('\r\n\r\n') + 4))).results
    expect(results.map((r) => r.status)).toEqual(Array.from({ length: 9 }, () => 'applied'))
    expect(await events.ended).toContain('event: pull')
    expect(await exited).toEqual({ code: 0, signal: null })
    expect(server.output()).toContain('shutting down: finishing requests in flight')
    expect(server.output()).toContain('"msg":"stopped"')
  })

  it('exits 1 when a request does not end within SHUTDOWN_TIMEOUT_MS', async () => {
    server = await startServerProcess({ env: { LOG_LEVEL: 'info', SHUTDOWN_TIMEOUT_MS: '1000' } })
    const device = await ledgerDevice(server.url, 'medecin.demo', SERVER_PASSWORD, 22, 3)
    // Half a push, never finished.
    startPush(server, device, 9)
    await sleep(300)
    expect(await server.stop('SIGTERM')).toEqual({ code: 1, signal: null })
    expect(server.output()).toContain('shutdown took too long: exiting now')
  })

  it('exits at once on a second signal', async () => {
    server = await startServerProcess({ env: { LOG_LEVEL: 'info', SHUTDOWN_TIMEOUT_MS: '60000' } })
    const device = await ledgerDevice(server.url, 'medecin.demo', SERVER_PASSWORD, 23, 3)
    startPush(server, device, 9)
    await sleep(300)
    const exited = server.stop('SIGTERM')
    await sleep(300)
    expect(server.exit()).toBeNull()
    server.child.kill('SIGINT')
    expect(await exited).toEqual({ code: 1, signal: null })
    expect(server.output()).toContain('second signal: exiting now')
  })
})
