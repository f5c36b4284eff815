import { request as httpRequest, type IncomingMessage } from 'node:http'
import type { AddressInfo } from 'node:net'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { RejectionRecordSchema } from '../../src/shared/records'
import { PushResponseSchema } from '../../src/shared/sync-api'
import {
  bearer,
  doseFields,
  eligibilityFields,
  expectError,
  mutation,
  newId,
  pullAll,
  pullPage,
  push,
  pushOk,
  registerPayload,
  signIn,
  STORE_KINDS,
  startSyncServer,
  type DeviceSession,
  type SyncHarness,
} from './sync-helpers'

describe.each(STORE_KINDS)('sync pull, rejections, events, import (%s)', (kind) => {
  let h: SyncHarness

  beforeAll(async () => {
    h = await startSyncServer(kind)
  })
  afterAll(async () => {
    await h.close()
  })

  let nissCounter = 300
  function niss(): string {
    const body = `850730${String(nissCounter++).padStart(3, '0')}`
    return body + String(97 - (Number(body) % 97)).padStart(2, '0')
  }
  const register = (s: DeviceSession, patientId = newId('p')) =>
    mutation(s, 'patient.register', registerPayload(patientId, { nir: undefined, niss: niss() }))

  /** A rejected dose 1 (the patient has no eligibility step): answers the rejection's mutation id. */
  async function rejectedMutation(s: DeviceSession): Promise<string> {
    const patientId = newId('p')
    const answer = await pushOk(h.app, s, [
      register(s, patientId),
      mutation(s, 'step.record', {
        kind: 'dose',
        stepId: newId('s'),
        patientId,
        doseNumber: 1,
        fields: doseFields(s.userId),
      }),
    ])
    expect(answer.results[1]).toMatchObject({ status: 'rejected', error: 'previous-step-missing' })
    return answer.results[1]?.id ?? ''
  }

  it('pages with an opaque cursor, resumes where it stopped, and refuses a bad cursor or limit', async () => {
    const s = await signIn(h, 'medecin.demo')
    await pushOk(
      h.app,
      s,
      Array.from({ length: 7 }, () => register(s)),
    )
    const all = await pullAll(h.app, s)
    const first = await pullPage(h.app, s, '', 3)
    expect(first.changes).toEqual(all.changes.slice(0, 3))
    expect(first.hasMore).toBe(true)
    const second = await pullPage(h.app, s, first.cursor, 3)
    expect(second.changes).toEqual(all.changes.slice(3, 6))
    const end = await pullPage(h.app, s, all.cursor)
    expect(end).toMatchObject({ changes: [], hasMore: false, cursor: all.cursor, lastSeq: 7 })
    for (const query of ['after=not-a-cursor', 'after=%00', 'limit=5001', 'limit=0', 'limit=abc']) {
      const res = await h.app.inject({
        method: 'GET',
        url: `/api/sync/pull?${query}`,
        headers: bearer(s.deviceToken),
      })
      expectError(res, 400, 'invalid-request')
    }
  })

  it('never skips a change while other devices push concurrently', async () => {
    const pushers: DeviceSession[] = []
    for (const login of ['medecin.demo', 'infirmier.demo', 'medecin.demo'])
      pushers.push(await signIn(h, login))
    const reader = await signIn(h, 'medecin.demo')
    const instances = kind === 'postgres' ? [h.app, (await h.openInstance()).app] : [h.app]
    const start = await pullAll(h.app, reader)
    const expected = new Set<string>()
    let done = false
    const writers = pushers.map(async (s, i) => {
      const app = instances[i % instances.length] ?? h.app
      for (let round = 0; round < 8; round += 1) {
        const batch = Array.from({ length: 5 }, () => register(s))
        for (const m of batch) expected.add((m.payload as { patientId: string }).patientId)
        const res = await push(app, s, batch)
        expect(res.statusCode, res.body).toBe(200)
      }
    })
    const seen = new Set<string>()
    let cursor = start.cursor
    const reading = (async () => {
      while (!done) {
        const page = await pullPage(instances[instances.length - 1] ?? h.app, reader, cursor, 4)
        for (const c of page.changes) seen.add(c.id)
        cursor = page.cursor
        await new Promise((resolve) => setImmediate(resolve))
      }
    })()
    await Promise.all(writers)
    done = true
    await reading
    const rest = await pullAll(h.app, reader, cursor)
    for (const c of rest.changes) seen.add(c.id)
    expect([...expected].filter((id) => !seen.has(id))).toEqual([])
  })

  it('resolves a rejection once, within its organisation, and devices pull the resolution', async () => {
    const s = await signIn(h, 'medecin.demo')
    const id = await rejectedMutation(s)
    const ehpad = await signIn(h, 'medecin.ehpad')
    const resolve = (session: DeviceSession, body: unknown) =>
      h.app.inject({
        method: 'POST',
        url: `/api/sync/rejections/${id}/resolve`,
        headers: bearer(session.deviceToken),
        payload: body as object,
      })
    expectError(await resolve(ehpad, { resolution: 'discarded' }), 404, 'not-found')
    expectError(await resolve(s, { resolution: 'forgotten' }), 400, 'invalid-request')
    const ok = await resolve(s, { resolution: 're-entered', note: 'ressaisi après l’éligibilité' })
    expect(ok.statusCode, ok.body).toBe(200)
    expect(RejectionRecordSchema.parse(ok.json()).resolution).toMatchObject({
      kind: 're-entered',
      by: s.userId,
      note: 'ressaisi après l’éligibilité',
    })
    expectError(await resolve(s, { resolution: 'discarded' }), 409, 'already-resolved')
    const other = await signIn(h, 'infirmier.demo')
    const pulled = (await pullAll(h.app, other)).changes.filter(
      (c) => c.entity === 'rejection' && c.id === id,
    )
    expect(pulled).toHaveLength(1)
    expect(RejectionRecordSchema.parse(pulled[0]?.data).resolution?.kind).toBe('re-entered')
  })

  it('tells listening devices of the same organisation to pull (server-sent events)', async () => {
    await h.app.listen({ port: 0, host: '127.0.0.1' })
    const { port } = h.app.server.address() as AddressInfo
    const listener = await signIn(h, 'infirmier.demo')
    const stranger = await signIn(h, 'medecin.ehpad')
    const open = (s: DeviceSession) =>
      new Promise<{ res: IncomingMessage; events: string[] }>((resolve, reject) => {
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
    const mine = await open(listener)
    const theirs = await open(stranger)
    expect(mine.res.statusCode).toBe(200)
    expect(mine.res.headers['content-type']).toContain('text/event-stream')
    await waitFor(() => mine.events.length >= 1 && theirs.events.length >= 1)
    const pusher = await signIn(h, 'medecin.demo')
    await pushOk(h.app, pusher, [register(pusher)])
    await waitFor(() => mine.events.length >= 2)
    expect(mine.events).toEqual(['event: pull', 'event: pull'])
    expect(theirs.events).toEqual(['event: pull'])
    mine.res.destroy()
    theirs.res.destroy()
    const unauthenticated = await h.app.inject({ method: 'GET', url: '/api/sync/events' })
    expectError(unauthenticated, 401, 'unauthenticated')
  })

  it('imports an exported outbox through the push path: checked, in order, exactly once', async () => {
    const lost = await signIn(h, 'infirmier.demo')
    const patientId = newId('p')
    const outbox = [
      register(lost, patientId),
      mutation(lost, 'step.record', {
        kind: 'eligibility',
        stepId: newId('s'),
        patientId,
        fields: eligibilityFields(),
      }),
    ]
    const admin = await signIn(h, 'admin.demo')
    const nurse = await signIn(h, 'medecin.demo')
    const importFile = (s: DeviceSession, body: unknown) =>
      h.app.inject({
        method: 'POST',
        url: '/api/sync/import',
        headers: bearer(s.deviceToken),
        payload: body as object,
      })

    expectError(await importFile(nurse, { deviceId: lost.deviceId, mutations: outbox }), 403, 'forbidden')
    const ehpad = await signIn(h, 'medecin.ehpad')
    expectError(await importFile(ehpad, { deviceId: lost.deviceId, mutations: outbox }), 404, 'not-found')
    // An entry past a gap stops the file: nothing is applied from the gap on.
    const gap = [{ ...outbox[1], seq: 5 }]
    expectError(await importFile(admin, { deviceId: lost.deviceId, mutations: gap }), 409, 'seq-gap')

    const first = await importFile(admin, { deviceId: lost.deviceId, mutations: outbox })
    expect(first.statusCode, first.body).toBe(200)
    expect(PushResponseSchema.parse(first.json()).results.map((r) => r.status)).toEqual([
      'applied',
      'applied',
    ])
    const again = PushResponseSchema.parse(
      (await importFile(admin, { deviceId: lost.deviceId, mutations: outbox })).json(),
    )
    expect(again.results.every((r) => r.replayed === true)).toBe(true)
    expect(again.lastSeq).toBe(2)
  })
})

async function waitFor(condition: () => boolean, timeoutMs = 5000): Promise<void> {
  const until = Date.now() + timeoutMs
  while (!condition()) {
    if (Date.now() > until) throw new Error('condition not met in time')
    await new Promise((resolve) => setTimeout(resolve, 10))
  }
}
