import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { hashPassword } from '../../sync-server/src/auth/passwords'
import {
  PatientRecordSchema,
  RejectionRecordSchema,
  RoleGrantRecordSchema,
  StepRecordSchema,
  UserRecordSchema,
} from '../../src/shared/records'
import {
  DEMO_PASSWORD,
  doseFields,
  eligibilityFields,
  mutation,
  newId,
  pullAll,
  pushOk,
  registerPayload,
  signIn,
  START,
  STORE_KINDS,
  startSyncServer,
  type DeviceSession,
  type SyncHarness,
} from './sync-helpers'

const MINUTE = 60_000
const at = (minutes: number) => new Date(START + minutes * MINUTE).toISOString()

describe.each(STORE_KINDS)('sync rules on the server (%s)', (kind) => {
  let h: SyncHarness

  beforeAll(async () => {
    h = await startSyncServer(kind)
  })
  afterAll(async () => {
    await h.close()
  })

  let nissCounter = 200
  function niss(): string {
    const body = `850730${String(nissCounter++).padStart(3, '0')}`
    return body + String(97 - (Number(body) % 97)).padStart(2, '0')
  }

  /** Registers a new patient with its eligibility step on `s`; answers the patient id. */
  async function patientWithEligibility(s: DeviceSession, identity = { nir: undefined, niss: niss() }) {
    const patientId = newId('p')
    const answer = await pushOk(h.app, s, [
      mutation(s, 'patient.register', registerPayload(patientId, identity)),
      mutation(s, 'step.record', {
        kind: 'eligibility',
        stepId: newId('s'),
        patientId,
        fields: eligibilityFields(),
      }),
    ])
    expect(answer.results.map((r) => r.status)).toEqual(['applied', 'applied'])
    return patientId
  }

  const dose = (s: DeviceSession, patientId: string, doseNumber: number, extra = {}, stepId = newId('s')) =>
    mutation(
      s,
      'step.record',
      {
        kind: 'dose',
        stepId,
        patientId,
        doseNumber,
        fields: doseFields(s.userId, { injectedAt: at(20 + doseNumber) }),
      },
      extra,
    )

  it('lets devices pull their organisation members and role grants', async () => {
    const s = await signIn(h, 'medecin.demo')
    const { changes } = await pullAll(h.app, s)
    const users = changes.filter((c) => c.entity === 'user').map((c) => UserRecordSchema.parse(c.data))
    expect(users.map((u) => u.login).sort()).toEqual([
      'admin.demo',
      'gestionnaire.demo',
      'infirmier.demo',
      'medecin.demo',
      'secretaire.demo',
    ])
    expect(users.find((u) => u.login === 'secretaire.demo')?.profession).toBeNull()
    const grants = changes
      .filter((c) => c.entity === 'role-grant')
      .map((c) => RoleGrantRecordSchema.parse(c.data))
    const secretary = users.find((u) => u.login === 'secretaire.demo')
    const doctor = users.find((u) => u.login === 'medecin.demo')
    expect(grants.find((g) => g.userId === secretary?.id)).toMatchObject({
      role: 'delegate',
      actingFor: [doctor?.id],
    })
  })

  it('keeps organisations apart: nothing pulled across, patients of another one not found', async () => {
    const team = await signIn(h, 'medecin.demo')
    const patientId = await patientWithEligibility(team)
    const ehpad = await signIn(h, 'medecin.ehpad')
    const theirs = await pullAll(h.app, ehpad)
    expect(theirs.changes.some((c) => c.id === patientId)).toBe(false)
    expect(theirs.changes.filter((c) => c.entity === 'user')).toHaveLength(1)
    const answer = await pushOk(h.app, ehpad, [dose(ehpad, patientId, 1)])
    expect(answer.results[0]).toMatchObject({ status: 'rejected', error: 'patient-not-found' })
    const ours = await pullAll(h.app, team)
    expect(ours.changes.some((c) => c.entity === 'rejection')).toBe(false)
    expect(
      ours.changes.filter(
        (c) => c.entity === 'step' && (c.data as { patientId: string }).patientId === patientId,
      ),
    ).toHaveLength(1)
  })

  it('judges conflicts by arrival: the first dose 1 wins, the second is rejected with who and when, and pulled back', async () => {
    const a = await signIn(h, 'medecin.demo')
    const b = await signIn(h, 'infirmier.demo')
    const patientId = await patientWithEligibility(a)
    const first = await pushOk(h.app, b, [dose(b, patientId, 1)])
    expect(first.results[0]?.status).toBe('applied')
    const second = await pushOk(h.app, a, [dose(a, patientId, 1, { at: at(10) })])
    const rejected = second.results[0]
    expect(rejected).toMatchObject({ status: 'rejected', error: 'step-already-recorded' })
    if (rejected?.status !== 'rejected') throw new Error('expected a rejection')
    expect(rejected.detail).toMatchObject({
      author: { userId: b.userId, name: 'Julien Bernard' },
      at: at(30),
    })
    const { changes } = await pullAll(h.app, a)
    const pulled = changes.find((c) => c.entity === 'rejection' && c.id === rejected.id)
    const record = RejectionRecordSchema.parse(pulled?.data)
    expect(record).toMatchObject({ id: rejected.id, error: 'step-already-recorded', mutation: { seq: 3 } })
    expect(record.resolution).toBeUndefined()
  })

  it('refuses an amendment by another professional (step-locked-by-author) and after the next step (step-locked-by-next-step)', async () => {
    const a = await signIn(h, 'medecin.demo')
    const b = await signIn(h, 'infirmier.demo')
    const patientId = await patientWithEligibility(a)
    const stepId = newId('s')
    await pushOk(h.app, a, [dose(a, patientId, 1, {}, stepId)])
    const amend = (s: DeviceSession) =>
      mutation(s, 'step.amend', {
        kind: 'dose',
        stepId,
        patientId,
        baseVersion: 1,
        changes: { lotNumber: 'FK9999' },
      })
    const byOther = await pushOk(h.app, b, [amend(b)])
    expect(byOther.results[0]).toMatchObject({ status: 'rejected', error: 'step-locked-by-author' })

    const byAuthor = await pushOk(h.app, a, [amend(a)])
    expect(byAuthor.results[0]?.status).toBe('applied')
    const step = StepRecordSchema.parse(
      (await pullAll(h.app, a)).changes.find((c) => c.entity === 'step' && c.id === stepId)?.data,
    )
    expect(step.versions.map((v) => v.version)).toEqual([1, 2])

    const dose2 = mutation(a, 'step.record', {
      kind: 'dose',
      stepId: newId('s'),
      patientId,
      doseNumber: 2,
      fields: doseFields(a.userId, { injectedAt: at(40), injectionSite: 'deltoid-right' }),
    })
    expect((await pushOk(h.app, a, [dose2])).results[0]?.status).toBe('applied')
    const late = mutation(a, 'step.amend', {
      kind: 'dose',
      stepId,
      patientId,
      baseVersion: 2,
      changes: { lotNumber: 'FK0001' },
    })
    expect((await pushOk(h.app, a, [late])).results[0]).toMatchObject({
      status: 'rejected',
      error: 'step-locked-by-next-step',
    })
  })

  it('judges a role at the time of action: role-not-valid before it starts', async () => {
    const org = (await h.store.findUserByLogin('medecin.demo'))?.user.organisationId ?? ''
    const login = `remplacant.${kind}`
    const user = await h.store.withTransaction(async (tx) => {
      const created = await tx.createUser({
        organisationId: org,
        login,
        displayName: 'Dr Remplaçant',
        profession: 'medecin',
        professionalId: { kind: 'rpps', value: '10000000017' },
        passwordHash: await hashPassword(DEMO_PASSWORD),
      })
      if (!created.ok) throw new Error(created.error)
      await tx.grantRole({
        userId: created.value.id,
        organisationId: org,
        role: 'vaccinator',
        startsAt: at(45),
      })
      return created.value
    })
    const s = await signIn(h, login)
    const other = await signIn(h, 'medecin.demo')
    const patientId = await patientWithEligibility(other)
    const before = await pushOk(h.app, s, [dose(s, patientId, 1, { at: at(30) })])
    expect(before.results[0]).toMatchObject({ status: 'rejected', error: 'role-not-valid' })
    const after = await pushOk(h.app, s, [dose(s, patientId, 1, { at: at(50) })])
    expect(after.results[0]?.status).toBe('applied')
    const { changes } = await pullAll(h.app, other)
    expect(changes.some((c) => c.entity === 'user' && c.id === user.id)).toBe(true)
  })

  it('merges a patient registered on two devices: one patient, mappedIds, both devices’ steps on it', async () => {
    const a = await signIn(h, 'medecin.demo')
    const b = await signIn(h, 'infirmier.demo')
    const identity = { nir: undefined, niss: niss() }
    const fromA = await patientWithEligibility(a, identity)
    const fromB = newId('p')
    const answer = await pushOk(h.app, b, [
      mutation(b, 'patient.register', registerPayload(fromB, identity)),
      dose(b, fromB, 1),
    ])
    expect(answer.results[0]).toMatchObject({ status: 'applied', mappedIds: { [fromB]: fromA } })
    expect(answer.results[1]?.status).toBe('applied')
    // A later push still using the device's own id follows the merge too.
    const later = await pushOk(h.app, b, [
      mutation(b, 'patient.update', { patientId: fromB, changes: { phone: '06 11 22 33 44' } }),
    ])
    expect(later.results[0]?.status).toBe('applied')
    const { changes } = await pullAll(h.app, a)
    expect(changes.some((c) => c.entity === 'patient' && c.id === fromB)).toBe(false)
    const steps = changes
      .filter((c) => c.entity === 'step')
      .map((c) => StepRecordSchema.parse(c.data))
      .filter((s) => s.patientId === fromA)
    expect(steps.map((s) => s.kind).sort()).toEqual(['dose', 'eligibility'])
    const patient = PatientRecordSchema.parse(
      changes.find((c) => c.entity === 'patient' && c.id === fromA)?.data,
    )
    expect(patient.phone).toBe('06 11 22 33 44')
  })

  it('merges contact edits from two devices field by field, the later time of action winning', async () => {
    const a = await signIn(h, 'medecin.demo')
    const b = await signIn(h, 'infirmier.demo')
    const patientId = await patientWithEligibility(a)
    const update = (s: DeviceSession, minutes: number, changes: Record<string, unknown>) =>
      mutation(s, 'patient.update', { patientId, changes }, { at: at(minutes) })
    await pushOk(h.app, b, [update(b, 40, { phone: '07 00 00 00 02' })])
    await pushOk(h.app, a, [update(a, 35, { phone: '07 00 00 00 01', email: 'eloise@exemple.fr' })])
    const patient = PatientRecordSchema.parse(
      (await pullAll(h.app, a)).changes.find((c) => c.entity === 'patient' && c.id === patientId)?.data,
    )
    expect(patient).toMatchObject({ phone: '07 00 00 00 02', email: 'eloise@exemple.fr' })
    expect(patient.stamps.phone).toMatchObject({ deviceId: b.deviceId })
  })
})
