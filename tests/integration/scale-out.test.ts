// Guarantee 4 (pull never skips) under concurrent writers — two instances on one PostgreSQL schema, or SQLite's
// single instance — and the events of `GET /api/sync/events` relayed across instances by LISTEN/NOTIFY.
import { randomBytes } from 'node:crypto'
import { request as httpRequest, type IncomingMessage } from 'node:http'
import type { AddressInfo } from 'node:net'
import type { FastifyInstance } from 'fastify'
import pg from 'pg'
import { pino } from 'pino'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { buildApp } from '../../sync-server/src/app'
import { seedDemo } from '../../sync-server/src/demo'
import {
  createPostgresSyncEvents,
  type PostgresSyncEvents,
} from '../../sync-server/src/rules/sync-events-postgres'
import type { Store } from '../../sync-server/src/store'
import { openPostgresStore } from '../../sync-server/src/store/postgres'
import type { PullResponse } from '../../src/shared/sync-api'
import {
  bearer,
  DATABASE_URL,
  DEMO_PASSWORD,
  eligibilityFields,
  movableClock,
  mutation,
  newId,
  NOW,
  pullAll,
  pullPage,
  push,
  pushOk,
  registerPayload,
  signIn,
  START,
  STORE_KINDS,
  startSyncServer,
  type DeviceSession,
  type SyncHarness,
} from './sync-helpers'

let nissSerial = 0
function uniqueNiss(): string {
  nissSerial += 1
  const body = `710${String(101 + Math.floor(nissSerial / 997)).padStart(3, '0')}${String((nissSerial % 997) + 1).padStart(3, '0')}`
  return body + String(97 - (Number(body) % 97)).padStart(2, '0')
}

const register = (s: DeviceSession, patientId = newId('p')) =>
  mutation(s, 'patient.register', registerPayload(patientId, { nir: undefined, niss: uniqueNiss() }))

const eligibility = (s: DeviceSession, patientId: string) =>
  mutation(s, 'step.record', {
    kind: 'eligibility',
    stepId: newId('s'),
    patientId,
    fields: eligibilityFields(),
  })

async function waitFor(condition: () => boolean, what: string, timeoutMs = 5000): Promise<void> {
  const until = Date.now() + timeoutMs
  while (!condition()) {
    if (Date.now() > until) throw new Error(`not in time: ${what}`)
    await new Promise((resolve) => setTimeout(resolve, 10))
  }
}

describe.each(STORE_KINDS)('pull never skips under concurrent writers (%s)', (kind) => {
  let h: SyncHarness
  let instances: FastifyInstance[]

  beforeAll(async () => {
    h = await startSyncServer(kind)
    instances = kind === 'postgres' ? [h.app, (await h.openInstance()).app] : [h.app]
  })
  afterAll(async () => {
    await h.close()
  })

  it('a reader paging during many concurrent pushes ends with exactly a full pull from zero', async () => {
    const writers: DeviceSession[] = []
    for (const login of ['medecin.demo', 'infirmier.demo', 'medecin.demo', 'infirmier.demo'])
      writers.push(await signIn(h, login))
    const stranger = await signIn(h, 'medecin.ehpad')
    const reader = await signIn(h, 'medecin.demo')
    const at = (i: number) => instances[i % instances.length] as FastifyInstance

    let writing = true
    const pushing = [...writers, stranger].map(async (s, w) => {
      for (let round = 0; round < 10; round += 1) {
        const batch = Array.from({ length: 3 }, () => {
          const patientId = newId('p')
          return [register(s, patientId), eligibility(s, patientId)]
        }).flat()
        const res = await push(at(w + round), s, batch)
        expect(res.statusCode, res.body).toBe(200)
      }
    })

    const seen: PullResponse['changes'] = []
    let cursor = ''
    let pages = 0
    const readPage = async () => {
      const page = await pullPage(at(pages), reader, cursor, 1 + (pages % 9))
      pages += 1
      seen.push(...page.changes)
      cursor = page.cursor
      return page
    }
    const reading = (async () => {
      while (writing) {
        await readPage()
        // In-process pulls need no I/O; the pushes' request bodies do: let them be read.
        await new Promise((resolve) => setImmediate(resolve))
      }
    })()
    try {
      await Promise.all(pushing)
    } finally {
      writing = false
      await reading
    }
    while ((await readPage()).hasMore);

    const positions = seen.map((c) => c.position)
    for (let i = 1; i < positions.length; i += 1) {
      expect(positions[i], `page order at ${i}`).toBeGreaterThan(positions[i - 1] ?? -1)
    }
    // Changes are superseded (a newer row for the same record replaces the older one), so the reader keeps the
    // latest of each record: it must equal the full pull, position for position.
    const latest = new Map<string, PullResponse['changes'][number]>()
    for (const change of seen) latest.set(`${change.entity}:${change.id}`, change)
    for (const app of instances) {
      const full = await pullAll(app, reader)
      const fullPositions = full.changes.map((c) => c.position)
      expect(new Set(fullPositions).size).toBe(fullPositions.length)
      expect([...latest.values()].sort((a, b) => a.position - b.position)).toEqual(full.changes)
      const written = writers.length * 10 * 3 * 2
      expect(full.changes.filter((c) => c.entity === 'patient' || c.entity === 'step').length).toBe(written)
      expect(full.changes.some((c) => c.entity === 'rejection')).toBe(false)
    }
    expect(pages).toBeGreaterThan(10)
    const theirs = await pullAll(at(1), stranger)
    expect(theirs.changes.filter((c) => c.entity === 'patient')).toHaveLength(10 * 3)
  }, 30_000)
})

type EventStream = { readonly res: IncomingMessage; readonly events: string[] }

function openEvents(app: FastifyInstance, s: DeviceSession): Promise<EventStream> {
  const { port } = app.server.address() as AddressInfo
  return new Promise((resolve, reject) => {
    const req = httpRequest({
      port,
      host: '127.0.0.1',
      path: '/api/sync/events',
      headers: bearer(s.deviceToken),
    })
    req.on('response', (res) => {
      const events: string[] = []
      res.setEncoding('utf8')
      res.on('data', (chunk: string) =>
        events.push(...chunk.split('\n').filter((l) => l.startsWith('event:'))),
      )
      resolve({ res, events })
    })
    req.on('error', reject)
    req.end()
  })
}

describe.skipIf(DATABASE_URL === '')('events across instances (PostgreSQL LISTEN/NOTIFY)', () => {
  const logger = pino({ level: 'silent' })
  const clock = movableClock(NOW)
  const schema = `carnet_events_${randomBytes(6).toString('hex')}`
  const admin = new pg.Client({ connectionString: DATABASE_URL })
  const opened: { app: FastifyInstance; store: Store; events: PostgresSyncEvents; name: string }[] = []

  async function instance(name: string) {
    const store = openPostgresStore({ url: DATABASE_URL, clock, schema })
    await store.migrate()
    const url = new URL(DATABASE_URL)
    url.searchParams.set('application_name', name)
    const events = createPostgresSyncEvents({ url: url.toString(), logger, reconnectMs: 20 })
    const app = await buildApp({ store, clock, logger, staticDir: null, version: 'test', syncEvents: events })
    await app.listen({ port: 0, host: '127.0.0.1' })
    await events.listening()
    opened.push({ app, store, events, name })
    return { app, store, events, name }
  }

  beforeAll(async () => {
    await admin.connect()
    await admin.query(`CREATE SCHEMA ${schema}`)
  })
  afterAll(async () => {
    for (const { app, store } of opened) {
      await app.close()
      await store.close()
    }
    await admin.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`)
    await admin.end()
  })

  it('a device listening on instance A is told to pull after a push to instance B, once; other organisations are not', async () => {
    const suffix = randomBytes(4).toString('hex')
    const a = await instance(`carnet-events-a-${suffix}`)
    const b = await instance(`carnet-events-b-${suffix}`)
    clock.set(START - 24 * 60 * 60_000)
    await seedDemo(a.store, { password: DEMO_PASSWORD })
    clock.set(NOW)
    const onA = await openEvents(a.app, await signIn({ app: a.app, clock }, 'infirmier.demo'))
    const onB = await openEvents(b.app, await signIn({ app: b.app, clock }, 'medecin.demo'))
    const strangerOnA = await openEvents(a.app, await signIn({ app: a.app, clock }, 'medecin.ehpad'))
    await waitFor(
      () => onA.events.length === 1 && onB.events.length === 1 && strangerOnA.events.length === 1,
      'the opening pull of each stream',
    )

    const pusher = await signIn({ app: b.app, clock }, 'medecin.demo')
    await pushOk(b.app, pusher, [register(pusher)])
    await waitFor(() => onA.events.length === 2, 'A relays the push to B')
    await waitFor(() => onB.events.length === 2, 'B tells its own listeners')
    // B's own notification comes back to it through LISTEN: it must not be delivered a second time.
    await new Promise((resolve) => setTimeout(resolve, 200))
    expect(onB.events).toHaveLength(2)
    expect(onA.events).toHaveLength(2)
    expect(strangerOnA.events).toHaveLength(1)

    // A's LISTEN connection is cut: it reconnects, tells its listeners to pull (notices may have been missed
    // meanwhile), and relays again.
    const terminated = await admin.query(
      'SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = $1',
      [a.name],
    )
    expect(terminated.rowCount).toBe(1)
    await waitFor(() => onA.events.length === 3, 'A reconnects and asks for a pull')
    await a.events.listening()
    await pushOk(b.app, pusher, [register(pusher)])
    await waitFor(() => onA.events.length === 4, 'A relays again after reconnecting')
    expect(strangerOnA.events).toHaveLength(2)
    for (const stream of [onA, onB, strangerOnA]) stream.res.destroy()
  }, 20_000)
})
