import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { AuditListResponseSchema } from '../../src/shared/admin-api'
import { LoginResponseSchema } from '../../src/shared/sync-api'
import { MAX_PUSH_MUTATIONS, PushResponseSchema, SeqGapResponseSchema } from '../../src/shared/sync-api'
import {
  bearer,
  DEMO_PASSWORD,
  doseFields,
  eligibilityFields,
  expectError,
  mutation,
  newDeviceId,
  newId,
  pullAll,
  push,
  pushOk,
  registerPayload,
  sign,
  signIn,
  STORE_KINDS,
  startSyncServer,
  type DeviceSession,
  type SyncHarness,
} from './sync-helpers'

describe.each(STORE_KINDS)('sync push (%s)', (kind) => {
  let h: SyncHarness

  beforeAll(async () => {
    h = await startSyncServer(kind)
  })
  afterAll(async () => {
    await h.close()
  })

  const register = (s: DeviceSession, patientId = newId('p')) =>
    mutation(s, 'patient.register', registerPayload(patientId, { nir: undefined, niss: niss() }))

  // Distinct valid NISS numbers (11 digits, mod-97 key for a birth in 1985), so each test's patients are new.
  let nissCounter = 100
  function niss(): string {
    const body = `850730${String(nissCounter++).padStart(3, '0')}`
    return body + String(97 - (Number(body) % 97)).padStart(2, '0')
  }

  async function lastSeqOf(s: DeviceSession): Promise<number> {
    return (await pullAll(h.app, s)).lastSeq
  }

  it('applies a device queue in order and answers each result', async () => {
    const s = await signIn(h, 'medecin.demo')
    const patientId = newId('p')
    const eligibility = newId('s')
    const dose = newId('s')
    const answer = await pushOk(h.app, s, [
      register(s, patientId),
      mutation(s, 'step.record', {
        kind: 'eligibility',
        stepId: eligibility,
        patientId,
        fields: eligibilityFields(),
      }),
      mutation(s, 'step.record', {
        kind: 'dose',
        stepId: dose,
        patientId,
        doseNumber: 1,
        fields: doseFields(s.userId),
      }),
    ])
    expect(
      answer.results.map((r) => [r.seq, r.status]),
      JSON.stringify(answer.results),
    ).toEqual([
      [1, 'applied'],
      [2, 'applied'],
      [3, 'applied'],
    ])
    expect(answer.lastSeq).toBe(3)
    const pulled = await pullAll(h.app, s)
    expect(pulled.lastSeq).toBe(3)
    const entities = pulled.changes.map((c) => `${c.entity}:${c.id}`)
    expect(entities).toEqual(
      expect.arrayContaining([`patient:${patientId}`, `step:${eligibility}`, `step:${dose}`]),
    )
  })

  it('files the prints and exports a device audits under the patient they concern', async () => {
    const s = await signIn(h, 'medecin.demo')
    const patientId = newId('p')
    const eligibility = newId('s')
    const at = new Date(h.clock.now()).toISOString()
    await pushOk(h.app, s, [
      register(s, patientId),
      mutation(s, 'step.record', {
        kind: 'eligibility',
        stepId: eligibility,
        patientId,
        fields: eligibilityFields(),
      }),
      mutation(s, 'audit.append', {
        events: [
          { id: newId('a'), action: 'print', entity: 'step', entityId: eligibility, at, format: 'pdf' },
          { id: newId('a'), action: 'export', entity: 'certificate', entityId: patientId, at, format: 'pdf' },
          { id: newId('a'), action: 'export', entity: 'activity', entityId: '2026-03-04', at, format: 'csv' },
        ],
      }),
    ])
    const login = await h.app.inject({
      method: 'POST',
      url: '/api/auth/login',
      payload: { login: 'admin.demo', password: DEMO_PASSWORD, deviceId: newDeviceId() },
    })
    const { accessToken } = LoginResponseSchema.parse(login.json())
    const res = await h.app.inject({
      method: 'GET',
      url: `/api/admin/audit?patientId=${patientId}`,
      headers: bearer(accessToken),
    })
    expect(res.statusCode, res.body).toBe(200)
    const actions = AuditListResponseSchema.parse(res.json()).items.map((e) => `${e.action} ${e.entity}`)
    expect(actions).toEqual(expect.arrayContaining(['print:pdf step', 'export:pdf certificate']))
    expect(actions).not.toContain('export:csv activity')
  })

  it('recovers a lost response: the re-sent batch answers the stored results, replayed, and goes on', async () => {
    const s = await signIn(h, 'medecin.demo')
    const [m1, m2, m3] = [register(s), register(s), register(s)]
    const first = await pushOk(h.app, s, [m1, m2])
    const again = await pushOk(h.app, s, [m1, m2, m3])
    expect(again.results.slice(0, 2)).toEqual(first.results.map((r) => ({ ...r, replayed: true })))
    expect(again.results[2]).toMatchObject({ id: m3?.id, seq: 3, status: 'applied' })
    expect(again.results[2]?.replayed).toBeUndefined()
    expect(again.lastSeq).toBe(3)
  })

  it('applies a batch delivered twice at once exactly once', async () => {
    const s = await signIn(h, 'medecin.demo')
    const batch = [register(s), register(s), register(s)]
    const [a, b] = await Promise.all([push(h.app, s, batch), push(h.app, s, batch)])
    const answers = [a, b].map((res) => PushResponseSchema.parse(res.json()))
    const fresh = answers.filter((r) => r.results.every((x) => x.replayed !== true))
    expect(fresh).toHaveLength(1)
    const strip = (r: (typeof answers)[number]) => r.results.map(({ replayed: _r, ...rest }) => rest)
    expect(strip(answers[0]!)).toEqual(strip(answers[1]!))
    const patients = (await pullAll(h.app, s)).changes.filter((c) =>
      batch.some((m) => (m.payload as { patientId: string }).patientId === c.id),
    )
    expect(patients).toHaveLength(3)
  })

  it('answers 409 seq-gap when a batch starts past lastSeq + 1, then takes the queue in order', async () => {
    const s = await signIn(h, 'medecin.demo')
    const [m1, m2] = [register(s), register(s)]
    const res = await push(h.app, s, [m2])
    const body = expectError(res, 409, 'seq-gap')
    expect(SeqGapResponseSchema.parse(body)).toEqual({
      error: 'seq-gap',
      detail: { expectedSeq: 1, lastSeq: 0 },
    })
    expect(await lastSeqOf(s)).toBe(0)
    expect((await pushOk(h.app, s, [m1])).lastSeq).toBe(1)
    expect((await pushOk(h.app, s, [m2])).results).toEqual([
      expect.objectContaining({ seq: 2, status: 'applied' }),
    ])
  })

  it('commits the part of a batch before a gap and answers results for that part only', async () => {
    const s = await signIn(h, 'medecin.demo')
    const m1 = register(s)
    s.nextSeq += 1
    const m3 = register(s)
    const answer = await pushOk(h.app, s, [m1, m3])
    expect(answer.results.map((r) => r.seq)).toEqual([1])
    expect(answer.lastSeq).toBe(1)
    const res = await push(h.app, s, [m3])
    expect(expectError(res, 409, 'seq-gap').detail).toEqual({ expectedSeq: 2, lastSeq: 1 })
  })

  it('refuses a new mutation reusing the id of an earlier one (409 mutation-id-reused)', async () => {
    const s = await signIn(h, 'medecin.demo')
    const m1 = register(s)
    await pushOk(h.app, s, [m1])
    const reused = mutation(s, 'patient.register', registerPayload(newId('p')), { id: m1.id })
    expectError(await push(h.app, s, [reused]), 409, 'mutation-id-reused')
    expect(await lastSeqOf(s)).toBe(1)
  })

  it('refuses 501 mutations and more than 2 MB with 413 payload-too-large', async () => {
    const s = await signIn(h, 'medecin.demo')
    const one = register(s)
    const many = Array.from({ length: MAX_PUSH_MUTATIONS + 1 }, () => one)
    expectError(await push(h.app, s, many), 413, 'payload-too-large')
    const big = await h.app.inject({
      method: 'POST',
      url: '/api/sync/push',
      headers: bearer(s.deviceToken),
      payload: { deviceId: s.deviceId, mutations: [one], padding: 'x'.repeat(2 * 1024 * 1024) },
    })
    expectError(big, 413, 'payload-too-large')
    const huge = await h.app.inject({
      method: 'POST',
      url: '/api/sync/push',
      headers: bearer(s.deviceToken),
      payload: { deviceId: s.deviceId, mutations: [one], padding: 'x'.repeat(5 * 1024 * 1024) },
    })
    expectError(huge, 413, 'payload-too-large')
    expect(await lastSeqOf(s)).toBe(0)
  })

  it('refuses a malformed batch whole with 400 and the list of problems, applying nothing', async () => {
    const s = await signIn(h, 'medecin.demo')
    const good = register(s)
    const bad = { ...register(s), seq: 0, at: 'yesterday' }
    const res = await push(h.app, s, [good, bad])
    const body = expectError(res, 400, 'invalid-request')
    const paths = (body.issues ?? []).map((i) => i.path.join('.'))
    expect(paths).toEqual(expect.arrayContaining(['mutations.1.seq', 'mutations.1.at']))
    expect(await lastSeqOf(s)).toBe(0)
    for (const payload of ['not json', '[]', '{"deviceId":1}']) {
      const r = await h.app.inject({
        method: 'POST',
        url: '/api/sync/push',
        headers: { ...bearer(s.deviceToken), 'content-type': 'application/json' },
        payload,
      })
      expect(r.statusCode).toBe(400)
    }
  })

  it('answers 426 upgrade-required for an envelope version it does not know', async () => {
    const s = await signIn(h, 'medecin.demo')
    const future = { ...register(s), v: 2 }
    expectError(await push(h.app, s, [future]), 426, 'upgrade-required')
  })

  it('sets aside a mutation whose signature is wrong: rejected alone, never applied, the queue moves on', async () => {
    const s = await signIn(h, 'medecin.demo')
    const good = register(s)
    const forged = register(s)
    ;(forged.payload as { codeDeCiblage: string }).codeDeCiblage = 'ABCDEFGHJK0'
    const after = register(s)
    const res = await pushOk(h.app, s, [good, forged, after])
    expect(res.results.map((r) => [r.seq, r.status, r.status === 'rejected' ? r.error : null])).toEqual([
      [1, 'applied', null],
      [2, 'rejected', 'signature-mismatch'],
      [3, 'applied', null],
    ])
    expect(res.lastSeq).toBe(3)
    const pulled = (await pullAll(h.app, s)).changes
    const forgedId = (forged.payload as { patientId: string }).patientId
    expect(pulled.some((c) => c.entity === 'patient' && c.id === forgedId)).toBe(false)
    // Kept whole with its reason for the dashboard and the author's inbox, like any rejection.
    expect(pulled.find((c) => c.entity === 'rejection' && c.id === forged.id)?.data).toMatchObject({
      error: 'signature-mismatch',
      mutation: { id: forged.id, seq: 2 },
    })

    // Sent again, the set-aside entry replays its refusal; a badly signed copy of an applied one learns nothing.
    expect((await pushOk(h.app, s, [forged])).results[0]).toMatchObject({
      status: 'rejected',
      error: 'signature-mismatch',
      replayed: true,
    })
    const other = await signIn(h, 'infirmier.demo')
    const wrongKey = { ...good, sig: sign({ ...good }, other.deviceKey) }
    expectError(await push(h.app, s, [wrongKey]), 401, 'invalid-signature')
    expect(await lastSeqOf(s)).toBe(3)
  })

  it('verifies the signature over the envelope as received, before any trimming', async () => {
    const s = await signIn(h, 'medecin.demo')
    const untrimmed = mutation(s, 'patient.register', {
      ...registerPayload(newId('p'), { nir: undefined, niss: niss() }),
      codeDeCiblage: '  0123456789P  ',
    })
    expect((await pushOk(h.app, s, [untrimmed])).results[0]?.status).toBe('applied')
  })

  it('refuses a body for another device (403) and a request without a device token (401)', async () => {
    const s = await signIn(h, 'medecin.demo')
    const other = await signIn(h, 'medecin.demo')
    expectError(await push(h.app, s, [register(other)], other.deviceId), 403, 'device-mismatch')
    const anonymous = await h.app.inject({
      method: 'POST',
      url: '/api/sync/push',
      payload: { deviceId: s.deviceId, mutations: [] },
    })
    expectError(anonymous, 401, 'unauthenticated')
  })

  it('answers an empty push with the device state', async () => {
    const s = await signIn(h, 'medecin.demo')
    expect(await pushOk(h.app, s, [])).toMatchObject({ results: [], lastSeq: 0 })
  })
})
