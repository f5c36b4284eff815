// The sync administration dashboard through its API: the organisation and its sites, device health and
// revocation, rejections and who settled them, the audit log (filters, paging, CSV) and the activity counts.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { parseCsv } from '../../src/domain/exports/csv'
import {
  ActivityResponseSchema,
  AdminDeviceSchema,
  AdminOrganisationSchema,
  AdminRejectionSchema,
  AuditListResponseSchema,
  DeviceListResponseSchema,
  RejectionListResponseSchema,
} from '../../src/shared/admin-api'
import { RejectionRecordSchema } from '../../src/shared/records'
import { LoginResponseSchema } from '../../src/shared/sync-api'
import {
  call,
  DAY,
  expectAdminError,
  NOW,
  startAdminWorld,
  type AdminWorld,
  type Signed,
} from './admin-world'
import {
  bearer,
  DEMO_PASSWORD,
  doseFields,
  eligibilityFields,
  mutation,
  newDeviceId,
  newId,
  pushOk,
  registerPayload,
  START,
  STORE_KINDS,
  type DeviceSession,
} from './sync-helpers'

/** Signs in through the real route and keeps both tokens (the device's and the person's). */
async function signInFully(world: AdminWorld, login: string, deviceId = newDeviceId(), deviceToken?: string) {
  world.h.clock.set(START)
  const res = await world.h.app.inject({
    method: 'POST',
    url: '/api/auth/login',
    payload: { login, password: DEMO_PASSWORD, deviceId, deviceName: `Tablette ${login}` },
  })
  world.h.clock.set(NOW)
  const answer = LoginResponseSchema.parse(res.json())
  const session: DeviceSession = {
    deviceId,
    deviceToken: answer.deviceToken ?? deviceToken ?? '',
    deviceKey: answer.deviceKey,
    userId: answer.user.id,
    organisationId: answer.organisation.id,
    nextSeq: 1,
  }
  return { session, accessToken: answer.accessToken }
}

/** Pushes one mutation the server rejects (an update of a patient nobody registered). */
async function pushRejected(world: AdminWorld, session: DeviceSession): Promise<string> {
  const rejected = mutation(session, 'patient.update', {
    patientId: newId('p'),
    changes: { firstNames: 'Anne' },
  })
  const answer = await pushOk(world.h.app, session, [rejected])
  expect(answer.results[0]?.status).toBe('rejected')
  return answer.results[0]?.id ?? ''
}

describe.each(STORE_KINDS)('sync administration dashboard (%s)', (kind) => {
  let world: AdminWorld
  let syncAdmin: Signed
  let manager: Signed

  beforeAll(async () => {
    world = await startAdminWorld(kind)
    syncAdmin = await world.signedIn('admin.demo')
    manager = await world.signedIn('gestionnaire.demo')
  })
  afterAll(async () => {
    await world.close()
  })
  const app = () => world.h.app

  it('shows the organisation with its identifiers and the sites an access manager adds', async () => {
    const added = await call(app(), manager, 'POST', '/api/admin/organisation/sites', {
      name: 'Salle des fêtes',
      postalCode: '01000',
    })
    expect(added.statusCode, added.body).toBe(201)
    expectAdminError(
      await call(app(), manager, 'POST', '/api/admin/organisation/sites', { name: 'X', postalCode: '1' }),
      400,
      'invalid-request',
    )
    const res = await call(app(), syncAdmin, 'GET', '/api/admin/organisation')
    expect(AdminOrganisationSchema.parse(res.json())).toMatchObject({
      name: 'Équipe mobile de vaccination (démo)',
      kind: 'mobile-team',
      country: 'FR',
      finess: '010000016',
      sites: [expect.objectContaining({ name: 'Salle des fêtes', postalCode: '01000' })],
    })
  })

  describe('devices', () => {
    it('lists device health as devices report it, searchable, filtered and paged', async () => {
      const { session } = await signInFully(world, 'infirmier.demo')
      const pulled = await app().inject({
        method: 'GET',
        url: '/api/sync/pull?after=',
        headers: {
          ...bearer(session.deviceToken),
          'x-carnet-pending': '3',
          'x-carnet-app-version': '1.4.0',
          'x-carnet-storage': '1048576/10485760',
          'x-carnet-persisted': '1',
        },
      })
      expect(pulled.statusCode).toBe(200)
      const res = await call(app(), syncAdmin, 'GET', '/api/admin/devices?q=tablette%20infirmier')
      const page = DeviceListResponseSchema.parse(res.json())
      expect(page.items).toEqual([
        expect.objectContaining({
          id: session.deviceId,
          user: { id: session.userId, name: 'Julien Bernard' },
          pending: 3,
          appVersion: '1.4.0',
          storageUsed: 1048576,
          storageQuota: 10485760,
          persisted: true,
          revokedAt: null,
          alerts: [],
        }),
      ])

      const ids: string[] = []
      let cursor: string | null = ''
      while (cursor !== null) {
        const next = await call(
          app(),
          syncAdmin,
          'GET',
          `/api/admin/devices?status=active&limit=2&cursor=${cursor}`,
        )
        const parsed = DeviceListResponseSchema.parse(next.json())
        ids.push(...parsed.items.map((d) => d.id))
        cursor = parsed.nextCursor
      }
      expect(ids).toContain(session.deviceId)
      expect(new Set(ids).size).toBe(ids.length)
      expectAdminError(
        await call(app(), syncAdmin, 'GET', '/api/admin/devices?cursor=n%27importe'),
        400,
        'invalid-request',
      )
      expectAdminError(
        await call(app(), syncAdmin, 'GET', '/api/admin/devices?limit=201'),
        400,
        'invalid-request',
      )
    })

    it('revokes a device: it stops syncing, the list shows who revoked it, twice is refused', async () => {
      const { session } = await signInFully(world, 'infirmier.demo')
      const res = await call(app(), syncAdmin, 'POST', `/api/admin/devices/${session.deviceId}/revoke`)
      expect(AdminDeviceSchema.parse(res.json())).toMatchObject({
        revokedAt: new Date(NOW).toISOString(),
        revokedBy: { id: syncAdmin.user.id, name: 'Thomas Leroy' },
      })
      const pull = await app().inject({
        method: 'GET',
        url: '/api/sync/pull',
        headers: bearer(session.deviceToken),
      })
      expect(pull.statusCode).toBe(401)
      expect(pull.json()).toMatchObject({ error: 'device-revoked' })
      expectAdminError(
        await call(app(), syncAdmin, 'POST', `/api/admin/devices/${session.deviceId}/revoke`),
        409,
        'device-already-revoked',
      )
      const revoked = await call(app(), syncAdmin, 'GET', '/api/admin/devices?status=revoked')
      expect(DeviceListResponseSchema.parse(revoked.json()).items.map((d) => d.id)).toContain(
        session.deviceId,
      )
    })

    it('raises « reappeared empty » when a device that pushed pulls from the start with an empty outbox', async () => {
      const { session } = await signInFully(world, 'medecin.demo')
      await pushRejected(world, session)
      await app().inject({
        method: 'GET',
        url: '/api/sync/pull?after=',
        headers: { ...bearer(session.deviceToken), 'x-carnet-pending': '0' },
      })
      const res = await call(app(), syncAdmin, 'GET', '/api/admin/devices?q=medecin.demo')
      const device = DeviceListResponseSchema.parse(res.json()).items.find((d) => d.id === session.deviceId)
      expect(device?.alerts).toEqual([
        { code: 'reappeared-empty', at: new Date(NOW).toISOString(), detail: { lastSeq: 1 } },
      ])
    })
  })

  describe('rejections', () => {
    it('lists a rejection with its reason, author, device and mutation, open then resolved by the signed-in person', async () => {
      const { session } = await signInFully(world, 'infirmier.demo')
      const id = await pushRejected(world, session)
      const open = await call(app(), syncAdmin, 'GET', '/api/admin/rejections?status=open&q=julien')
      const row = RejectionListResponseSchema.parse(open.json()).items.find((r) => r.id === id)
      expect(row).toMatchObject({
        error: 'patient-not-found',
        mutationType: 'patient.update',
        actor: { id: session.userId, name: 'Julien Bernard' },
        device: { id: session.deviceId, name: 'Tablette infirmier.demo' },
        resolution: null,
      })

      const resolved = await call(app(), syncAdmin, 'POST', `/api/admin/rejections/${id}/resolve`, {
        resolution: 'discarded',
        note: 'saisie en double',
      })
      expect(AdminRejectionSchema.parse(resolved.json()).resolution).toEqual({
        kind: 'discarded',
        note: 'saisie en double',
        by: { id: syncAdmin.user.id, name: 'Thomas Leroy' },
        at: new Date(NOW).toISOString(),
      })
      expectAdminError(
        await call(app(), syncAdmin, 'POST', `/api/admin/rejections/${id}/resolve`, {
          resolution: 'discarded',
        }),
        409,
        'already-resolved',
      )
      const listed = await call(app(), syncAdmin, 'GET', '/api/admin/rejections?status=resolved')
      expect(RejectionListResponseSchema.parse(listed.json()).items.map((r) => r.id)).toContain(id)
      const stillOpen = await call(app(), syncAdmin, 'GET', '/api/admin/rejections?status=open')
      expect(RejectionListResponseSchema.parse(stillOpen.json()).items.map((r) => r.id)).not.toContain(id)
    })

    it('records as resolver the person signed in on the device when the device sends their access token', async () => {
      const first = await signInFully(world, 'medecin.demo')
      const second = await signInFully(
        world,
        'infirmier.demo',
        first.session.deviceId,
        first.session.deviceToken,
      )
      const id = await pushRejected(world, first.session)
      const resolve = (headers: Record<string, string>) =>
        app().inject({
          method: 'POST',
          url: `/api/sync/rejections/${id}/resolve`,
          headers: { ...bearer(first.session.deviceToken), ...headers },
          payload: { resolution: 'correction-requested' },
        })
      expect((await resolve({ 'x-carnet-access-token': 'not-a-session' })).statusCode).toBe(401)
      const res = await resolve({ 'x-carnet-access-token': second.accessToken })
      expect(res.statusCode, res.body).toBe(200)
      expect(RejectionRecordSchema.parse(res.json()).resolution?.by).toBe(second.session.userId)
    })

    it('keeps resolving as the device’s user when no access token is sent', async () => {
      const { session } = await signInFully(world, 'medecin.demo')
      const id = await pushRejected(world, session)
      const res = await app().inject({
        method: 'POST',
        url: `/api/sync/rejections/${id}/resolve`,
        headers: bearer(session.deviceToken),
        payload: { resolution: 'discarded' },
      })
      expect(RejectionRecordSchema.parse(res.json()).resolution?.by).toBe(session.userId)
    })
  })

  describe('audit', () => {
    it('filters by person, action and time, pages newest first and exports CSV', async () => {
      for (let i = 0; i < 3; i += 1) {
        await call(app(), manager, 'POST', '/api/admin/organisation/sites', { name: `Site ${i}` })
      }
      const firstPage = await call(
        app(),
        syncAdmin,
        'GET',
        `/api/admin/audit?action=site.create&userId=${manager.user.id}&limit=2`,
      )
      const page = AuditListResponseSchema.parse(firstPage.json())
      expect(page.items).toHaveLength(2)
      expect(page.nextCursor).not.toBeNull()
      const rest = await call(
        app(),
        syncAdmin,
        'GET',
        `/api/admin/audit?action=site.create&userId=${manager.user.id}&limit=200&cursor=${page.nextCursor}`,
      )
      const all = [...page.items, ...AuditListResponseSchema.parse(rest.json()).items]
      expect(all.length).toBeGreaterThanOrEqual(3)
      expect(new Set(all.map((e) => e.id)).size).toBe(all.length)
      expect(all.every((e) => e.action === 'site.create' && e.user.id === manager.user.id)).toBe(true)

      const later = new Date(NOW + 1000).toISOString()
      const none = await call(app(), syncAdmin, 'GET', `/api/admin/audit?from=${encodeURIComponent(later)}`)
      expect(AuditListResponseSchema.parse(none.json()).items).toEqual([])

      const csv = await call(app(), manager, 'GET', `/api/admin/audit.csv?action=site.create`)
      expect(csv.headers['content-type']).toContain('text/csv')
      expect(csv.body.startsWith('\uFEFF')).toBe(true)
      const rows = parseCsv(csv.body)
      expect(rows[0]?.[0]).toBe('Heure serveur')
      expect(rows.slice(1).filter((r) => r[4] === 'site.create').length).toBe(all.length)
      expect(rows[1]?.[2]).toBe('Nadia Roux')
    })

    it('refuses a time that is not an ISO instant', async () => {
      expectAdminError(
        await call(app(), syncAdmin, 'GET', '/api/admin/audit?from=hier'),
        400,
        'invalid-request',
      )
    })
  })

  describe('activity', () => {
    it('counts doses per day, site and vaccine, and recorded versus received per day', async () => {
      const dose = (at: string, recordedAt: string, place: string, vaccineId: string) => ({
        id: newId('s'),
        patientId: newId('p'),
        kind: 'dose',
        version: 1,
        data: { at, recordedAt, versions: [{ fields: { place: { name: place }, vaccineId } }] },
        updatedAt: recordedAt,
      })
      const steps = [
        dose('2026-03-02T10:00:00+01:00', '2026-03-02T09:05:00.000Z', 'EHPAD Les Tilleuls', 'comirnaty'),
        dose('2026-03-02T11:00:00+01:00', '2026-03-03T08:00:00.000Z', 'EHPAD Les Tilleuls', 'comirnaty'),
        dose('2026-03-03T09:30:00+01:00', '2026-03-03T08:31:00.000Z', 'Salle des fêtes', 'efluelda'),
      ]
      await world.h.store.withTransaction(async (tx) => {
        const last = await tx.lockPositions(world.orgA)
        const device = await tx.getDevice(syncAdmin.deviceId)
        await tx.writePush({
          organisationId: world.orgA,
          deviceId: syncAdmin.deviceId,
          lastSeq: device?.lastSeq ?? 0,
          lastPosition: last,
          receivedAt: new Date(NOW).toISOString(),
          patients: [],
          steps,
          adverseEvents: [],
          lots: [],
          aliases: [],
          changes: [],
          results: [],
          rejections: [],
          audit: [],
        })
      })
      const res = await call(app(), syncAdmin, 'GET', '/api/admin/activity?from=2026-03-01&to=2026-03-03')
      expect(ActivityResponseSchema.parse(res.json())).toEqual({
        from: '2026-03-01',
        to: '2026-03-03',
        dosesPerDay: [
          { key: '2026-03-01', count: 0 },
          { key: '2026-03-02', count: 2 },
          { key: '2026-03-03', count: 1 },
        ],
        dosesPerSite: [
          { key: 'EHPAD Les Tilleuls', count: 2 },
          { key: 'Salle des fêtes', count: 1 },
        ],
        dosesPerVaccine: [
          { key: 'comirnaty', count: 2 },
          { key: 'efluelda', count: 1 },
        ],
        recordedVersusReceived: [
          { day: '2026-03-01', recorded: 0, received: 0 },
          { day: '2026-03-02', recorded: 2, received: 1 },
          { day: '2026-03-03', recorded: 1, received: 2 },
        ],
      })
      const csv = await call(app(), syncAdmin, 'GET', '/api/admin/activity.csv?from=2026-03-01&to=2026-03-03')
      expect(parseCsv(csv.body)).toContainEqual(['jour', '2026-03-02', '2', '1'])
      expectAdminError(
        await call(app(), syncAdmin, 'GET', '/api/admin/activity?from=2026-03-04&to=2026-03-01'),
        422,
        'ends-before-start',
      )
    })

    it('counts a dose recorded then amended once, under its new vaccine and place, on its first receipt day', async () => {
      const { session } = await signInFully(world, 'medecin.ehpad')
      const admin = await world.person(world.orgB, ['sync-admin'])
      const patientId = newId('p')
      const stepId = newId('s')
      const recorded = await pushOk(app(), session, [
        mutation(session, 'patient.register', registerPayload(patientId)),
        mutation(session, 'step.record', {
          kind: 'eligibility',
          stepId: newId('s'),
          patientId,
          fields: eligibilityFields(),
        }),
        mutation(session, 'step.record', {
          kind: 'dose',
          stepId,
          patientId,
          doseNumber: 1,
          fields: doseFields(session.userId),
        }),
      ])
      expect(recorded.results.map((r) => r.status)).toEqual(['applied', 'applied', 'applied'])
      // The amendment reaches the server the next day: the dose stays received on the day it first arrived.
      world.h.clock.set(NOW + DAY)
      const amendment = await pushOk(app(), session, [
        mutation(session, 'step.amend', {
          kind: 'dose',
          stepId,
          patientId,
          baseVersion: 1,
          changes: {
            vaccineId: 'spikevax',
            place: { type: 'centre-de-vaccination', postalCode: '75011', name: 'Gymnase Voltaire' },
          },
        }),
      ])
      world.h.clock.set(NOW)
      expect(amendment.results[0]?.status).toBe('applied')

      const res = await call(app(), admin, 'GET', '/api/admin/activity?from=2026-03-04&to=2026-03-05')
      expect(ActivityResponseSchema.parse(res.json())).toEqual({
        from: '2026-03-04',
        to: '2026-03-05',
        dosesPerDay: [
          { key: '2026-03-04', count: 1 },
          { key: '2026-03-05', count: 0 },
        ],
        dosesPerSite: [{ key: 'Gymnase Voltaire', count: 1 }],
        dosesPerVaccine: [{ key: 'spikevax', count: 1 }],
        recordedVersusReceived: [
          { day: '2026-03-04', recorded: 1, received: 1 },
          { day: '2026-03-05', recorded: 0, received: 0 },
        ],
      })
    })
  })
})
