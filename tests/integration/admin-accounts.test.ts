// Accounts and access through the administration API: users, role grants (with their history and the change
// devices pull), access requests and the one-time set-password links, and the refusals an access manager reads.
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest'
import {
  AccessRequestListResponseSchema,
  AdminGrantSchema,
  ApproveAccessRequestResponseSchema,
  CreateUserResponseSchema,
  GrantListResponseSchema,
  GrantRoleResponseSchema,
  PasswordLinkInfoSchema,
  UserListResponseSchema,
} from '../../src/shared/admin-api'
import { LoginResponseSchema } from '../../src/shared/sync-api'
import {
  call,
  DAY,
  expectAdminError,
  NOW,
  startAdminWorld,
  unique,
  type AdminWorld,
  type Signed,
} from './admin-world'
import { newDeviceId, pullAll, signIn, STORE_KINDS } from './sync-helpers'

const now = new Date(NOW).toISOString()
const inDays = (days: number) => new Date(NOW + days * DAY).toISOString()
const tokenOf = (url: string) => url.slice(url.lastIndexOf('/') + 1)

const REQUEST = {
  professionalIdKind: 'rpps',
  professionalId: '10024681354',
  name: 'Dr Léa Moreau',
  profession: 'pharmacien',
  email: 'lea.moreau@example.org',
  phone: '06 12 34 56 78',
  organisationFiness: '010000016',
  message: 'Je rejoins l’équipe mobile.',
}

describe.each(STORE_KINDS)('accounts and access (%s)', (kind) => {
  let world: AdminWorld
  let manager: Signed
  let syncAdmin: Signed
  let both: Signed

  beforeAll(async () => {
    world = await startAdminWorld(kind)
    manager = await world.signedIn('gestionnaire.demo')
    syncAdmin = await world.signedIn('admin.demo')
    both = await world.person(world.orgA, ['access-manager', 'sync-admin'])
  })
  afterAll(async () => {
    await world.close()
  })

  const app = () => world.h.app
  const grant = (who: Signed, userId: string, body: Record<string, unknown>) =>
    call(app(), who, 'POST', `/api/admin/users/${userId}/grants`, body)

  describe('users', () => {
    it('lists the organisation’s members with their current grants, searchable and paged', async () => {
      const res = await call(app(), manager, 'GET', '/api/admin/users?q=martin')
      expect(res.statusCode, res.body).toBe(200)
      const page = UserListResponseSchema.parse(res.json())
      expect(page.items.map((u) => u.login)).toEqual(['medecin.demo'])
      expect(page.items[0]?.grants.map((g) => g.role)).toEqual(['vaccinator'])
      expect(page.items[0]?.professionalId).toEqual({ kind: 'rpps', value: '10012345673' })

      const seen: string[] = []
      let cursor: string | null = ''
      while (cursor !== null) {
        const next = await call(app(), manager, 'GET', `/api/admin/users?limit=2&cursor=${cursor}`)
        const parsed = UserListResponseSchema.parse(next.json())
        seen.push(...parsed.items.map((u) => u.id))
        cursor = parsed.nextCursor
      }
      expect(new Set(seen).size).toBe(seen.length)
      expect(seen).toContain(world.demo.get('secretaire.demo')?.id)
      expect(seen).not.toContain(world.demo.get('medecin.ehpad')?.id)
    })

    it('creates a user without password and answers a one-time link to choose it', async () => {
      const login = unique('nouvelle')
      const res = await call(app(), manager, 'POST', '/api/admin/users', {
        login,
        name: 'Claire Fontaine',
        profession: 'infirmier',
        professionalId: { kind: 'rpps', value: '10098765430' },
        email: 'claire@example.org',
      })
      expect(res.statusCode, res.body).toBe(201)
      const created = CreateUserResponseSchema.parse(res.json())
      expect(created.user).toMatchObject({ login, name: 'Claire Fontaine', grants: [], disabled: false })
      expect(created.setPasswordUrl).toMatch(/\/mot-de-passe\/[A-Za-z0-9_-]{40,}$/)

      const info = await call(
        app(),
        null,
        'GET',
        `/api/auth/password-links/${tokenOf(created.setPasswordUrl)}`,
      )
      expect(PasswordLinkInfoSchema.parse(info.json())).toMatchObject({ name: 'Claire Fontaine', login })
    })

    it('refuses a taken login, a wrong RPPS key and an unknown identifier kind', async () => {
      const base = { name: 'Jean Test', profession: 'medecin' }
      expectAdminError(
        await call(app(), manager, 'POST', '/api/admin/users', { ...base, login: 'MEDECIN.demo' }),
        409,
        'login-taken',
      )
      const wrongKey = await call(app(), manager, 'POST', '/api/admin/users', {
        ...base,
        login: unique('cle'),
        professionalId: { kind: 'rpps', value: '10012345674' },
      })
      expect(expectAdminError(wrongKey, 422, 'invalid-professional-id').detail).toEqual({
        kind: 'rpps',
        reason: 'rpps-key',
      })
      const unknownKind = await call(app(), manager, 'POST', '/api/admin/users', {
        ...base,
        login: unique('type'),
        professionalId: { kind: 'siret', value: '123' },
      })
      expectAdminError(unknownKind, 400, 'invalid-request')
    })
  })

  describe('grants', () => {
    it('grants a role from a date, keeps the history and sends the grant to devices', async () => {
      const member = await world.person(world.orgA, [])
      const device = await signIn(world.h, 'infirmier.demo')
      const res = await grant(manager, member.user.id, {
        role: 'vaccinator',
        startsAt: now,
        endsAt: inDays(90),
      })
      expect(res.statusCode, res.body).toBe(201)
      const [granted] = GrantRoleResponseSchema.parse(res.json()).grants
      expect(granted).toMatchObject({
        role: 'vaccinator',
        status: 'active',
        grantedBy: { id: manager.user.id, name: 'Nadia Roux' },
      })

      const ended = await call(app(), manager, 'POST', `/api/admin/grants/${granted?.id}/end`, {
        endsAt: inDays(30),
      })
      expect(AdminGrantSchema.parse(ended.json()).endsAt).toBe(inDays(30))
      const revoked = await call(app(), manager, 'POST', `/api/admin/grants/${granted?.id}/revoke`)
      expect(AdminGrantSchema.parse(revoked.json())).toMatchObject({
        status: 'revoked',
        revokedBy: { id: manager.user.id },
        revokedAt: now,
      })
      expectAdminError(
        await call(app(), manager, 'POST', `/api/admin/grants/${granted?.id}/revoke`),
        409,
        'grant-already-ended',
      )

      const history = await call(app(), manager, 'GET', `/api/admin/users/${member.user.id}/grants`)
      expect(GrantListResponseSchema.parse(history.json()).items).toEqual([
        expect.objectContaining({ id: granted?.id, endsAt: inDays(30), revokedAt: now, status: 'revoked' }),
      ])

      // The device learns the grant ended at its revocation.
      const pulled = await pullAll(app(), device)
      const last = pulled.changes.filter((c) => c.entity === 'role-grant' && c.id === granted?.id).at(-1)
      expect(last?.data).toMatchObject({ userId: member.user.id, role: 'vaccinator', endsAt: now })
    })

    it('grants a delegate one grant per professional acted for', async () => {
      const member = await world.person(world.orgA, [])
      const medecin = world.demo.get('medecin.demo')!
      const infirmier = world.demo.get('infirmier.demo')!
      const res = await grant(manager, member.user.id, {
        role: 'delegate',
        startsAt: now,
        actingFor: [medecin.id, infirmier.id],
      })
      expect(res.statusCode, res.body).toBe(201)
      const grants = GrantRoleResponseSchema.parse(res.json()).grants
      expect(grants.map((g) => g.actingFor.map((p) => p.name)).sort()).toEqual([
        ['Dr Camille Martin'],
        ['Julien Bernard'],
      ])
    })

    it.each([
      [
        'an end before the start',
        { role: 'vaccinator', startsAt: now, endsAt: inDays(-1) },
        422,
        'ends-before-start',
      ],
      [
        'a delegate without a professional',
        { role: 'delegate', startsAt: now },
        422,
        'delegate-needs-professional',
      ],
      [
        'a vaccinator acting for someone',
        { role: 'vaccinator', startsAt: now, actingFor: ['x'] },
        422,
        'acting-for-not-delegate',
      ],
      [
        'sync administration by a plain access manager',
        { role: 'sync-admin', startsAt: now },
        403,
        'cannot-grant-sync-admin',
      ],
      ['a start that is not a date', { role: 'vaccinator', startsAt: '04/03/2026' }, 400, 'invalid-request'],
      ['an unknown role', { role: 'admin', startsAt: now }, 400, 'invalid-request'],
    ])('refuses %s', async (_name, body, status, error) => {
      const member = await world.person(world.orgA, [])
      expectAdminError(await grant(manager, member.user.id, body), status, error)
      const history = await call(app(), manager, 'GET', `/api/admin/users/${member.user.id}/grants`)
      expect(GrantListResponseSchema.parse(history.json()).items).toEqual([])
    })

    it('refuses a delegate for a non-professional, for another organisation’s médecin, or for nobody known', async () => {
      const member = await world.person(world.orgA, [])
      for (const id of [
        world.demo.get('secretaire.demo')!.id,
        world.demo.get('medecin.ehpad')!.id,
        'u-inconnu',
      ]) {
        const res = await grant(manager, member.user.id, { role: 'delegate', startsAt: now, actingFor: [id] })
        expect(expectAdminError(res, 422, 'acting-for-not-professional').detail).toEqual({ userId: id })
      }
    })

    it('never lets an access manager give themselves sync administration; a sync administrator may', async () => {
      const self = await grant(manager, manager.user.id, { role: 'sync-admin', startsAt: now })
      expect(expectAdminError(self, 403, 'cannot-grant-sync-admin').detail).toEqual({ self: true })
      // The attempt is in the audit trail (written once the answer has gone).
      await vi.waitFor(async () => {
        const res = await call(app(), syncAdmin, 'GET', `/api/admin/audit?userId=${manager.user.id}`)
        expect((res.json() as { items: unknown[] }).items).toContainEqual(
          expect.objectContaining({
            action: 'POST /api/admin/users/:id/grants',
            entityId: manager.user.id,
            outcome: 'refused',
            reason: 'cannot-grant-sync-admin',
          }),
        )
      })
      const member = await world.person(world.orgA, [])
      expect((await grant(both, member.user.id, { role: 'sync-admin', startsAt: now })).statusCode).toBe(201)
    })

    it('answers not-found for a member or grant of another organisation', async () => {
      const ehpad = world.demo.get('medecin.ehpad')!
      expectAdminError(
        await grant(manager, ehpad.id, { role: 'vaccinator', startsAt: now }),
        404,
        'not-found',
      )
      const [theirs] = await world.h.store.listRoleGrants(ehpad.id)
      expectAdminError(
        await call(app(), manager, 'POST', `/api/admin/grants/${theirs?.id}/revoke`),
        404,
        'not-found',
      )
      expect((await world.h.store.getGrant(theirs?.id ?? ''))?.revokedAt).toBeNull()
    })

    it('refuses to backdate an end', async () => {
      const member = await world.person(world.orgA, ['vaccinator'])
      const [theirs] = await world.h.store.listRoleGrants(member.user.id)
      const res = await call(app(), manager, 'POST', `/api/admin/grants/${theirs?.id}/end`, {
        endsAt: inDays(-0.5),
      })
      expectAdminError(res, 422, 'end-in-past')
    })
  })

  describe('access requests and password links', () => {
    const ask = (body: Record<string, unknown>, remoteAddress = '10.0.0.1') =>
      app().inject({ method: 'POST', url: '/api/access-requests', payload: body, remoteAddress })

    it('shows the demo request, records a new one, and approves it into an account that signs in', async () => {
      const listed = await call(app(), manager, 'GET', '/api/admin/access-requests?status=pending')
      const pending = AccessRequestListResponseSchema.parse(listed.json()).items
      expect(pending.map((r) => r.name)).toContain('Dr Léa Moreau')

      const asked = await ask({ ...REQUEST, name: 'Dr Hugo Lambert', email: 'hugo@example.org' })
      expect(asked.statusCode, asked.body).toBe(202)
      const { id } = asked.json() as { id: string }

      const login = unique('hugo')
      const approved = await call(app(), manager, 'POST', `/api/admin/access-requests/${id}/approve`, {
        login,
        roles: [{ role: 'vaccinator', startsAt: now }],
      })
      expect(approved.statusCode, approved.body).toBe(200)
      const answer = ApproveAccessRequestResponseSchema.parse(approved.json())
      expect(answer.request).toMatchObject({ status: 'approved', decidedBy: { id: manager.user.id } })
      expect(answer.user).toMatchObject({ login, name: 'Dr Hugo Lambert', profession: 'pharmacien' })
      expect(answer.user.grants.map((g) => g.role)).toEqual(['vaccinator'])
      expectAdminError(
        await call(app(), manager, 'POST', `/api/admin/access-requests/${id}/refuse`, { reason: 'non' }),
        409,
        'request-already-decided',
      )

      const token = tokenOf(answer.setPasswordUrl)
      const short = await call(app(), null, 'POST', `/api/auth/password-links/${token}`, {
        password: 'court',
      })
      expect(expectAdminError(short, 422, 'password-too-short').detail).toEqual({ min: 12 })
      const set = await call(app(), null, 'POST', `/api/auth/password-links/${token}`, {
        password: 'un mot de passe long',
      })
      expect(set.json()).toEqual({ login })
      expectAdminError(
        await call(app(), null, 'POST', `/api/auth/password-links/${token}`, {
          password: 'un autre mot de passe',
        }),
        410,
        'link-expired',
      )
      const signedIn = await app().inject({
        method: 'POST',
        url: '/api/auth/login',
        payload: { login, password: 'un mot de passe long', deviceId: newDeviceId() },
      })
      expect(LoginResponseSchema.parse(signedIn.json()).roles.map((r) => r.role)).toEqual(['vaccinator'])
    })

    it('refuses a request with its reason, kept for the list of refused requests', async () => {
      const asked = await ask({ ...REQUEST, name: 'Inconnu Total' })
      const { id } = asked.json() as { id: string }
      const refusedRes = await call(app(), manager, 'POST', `/api/admin/access-requests/${id}/refuse`, {
        reason: 'Personne inconnue du service',
      })
      expect(refusedRes.json()).toMatchObject({
        status: 'refused',
        refusalReason: 'Personne inconnue du service',
      })
      const listed = await call(app(), manager, 'GET', '/api/admin/access-requests?status=refused')
      expect(AccessRequestListResponseSchema.parse(listed.json()).items.map((r) => r.id)).toContain(id)
    })

    it.each([
      ['an invalid FINESS', { organisationFiness: '010000017' }, 422, 'invalid-organisation-id'],
      ['a FINESS no organisation has', { organisationFiness: '750712184' }, 422, 'unknown-organisation'],
      ['a wrong RPPS key', { professionalId: '10024681355' }, 422, 'invalid-professional-id'],
      ['both FINESS and INAMI', { organisationInami: '71023695' }, 400, 'invalid-request'],
      ['an unknown identifier kind', { professionalIdKind: 'siret' }, 400, 'invalid-request'],
      ['a malformed e-mail', { email: 'pas-un-mail' }, 400, 'invalid-request'],
    ])('refuses a request with %s', async (_name, change, status, error) => {
      expectAdminError(await ask({ ...REQUEST, ...change }, `10.1.0.${status}`), status, error)
    })

    it('limits public requests per address', async () => {
      const statuses: number[] = []
      for (let i = 0; i < 12; i += 1) statuses.push((await ask({ ...REQUEST }, '10.9.9.9')).statusCode)
      expect(statuses.slice(0, 10).every((s) => s === 202)).toBe(true)
      expect(statuses.at(-1)).toBe(429)
    })

    it('answers 404 for an unknown link and 410 once it expired', async () => {
      expectAdminError(
        await call(app(), null, 'GET', `/api/auth/password-links/${'a'.repeat(43)}`),
        404,
        'not-found',
      )
      const created = await call(app(), manager, 'POST', '/api/admin/users', {
        login: unique('tardif'),
        name: 'Lent Tardif',
        profession: 'infirmier',
      })
      const token = tokenOf(CreateUserResponseSchema.parse(created.json()).setPasswordUrl)
      world.h.clock.advance(73 * 60 * 60_000)
      try {
        expectAdminError(
          await call(app(), null, 'GET', `/api/auth/password-links/${token}`),
          410,
          'link-expired',
        )
      } finally {
        world.h.clock.set(NOW)
      }
    })
  })

  it('writes each change to the audit trail with field names, never values', async () => {
    const login = unique('audit')
    await call(app(), manager, 'POST', '/api/admin/users', {
      login,
      name: 'Valeur Secrète',
      profession: 'infirmier',
      email: 'secret@example.org',
    })
    const res = await call(
      app(),
      syncAdmin,
      'GET',
      `/api/admin/audit?userId=${manager.user.id}&action=user.create`,
    )
    expect(res.statusCode, res.body).toBe(200)
    const [event] = (res.json() as { items: Record<string, unknown>[] }).items
    expect(event).toMatchObject({
      user: { id: manager.user.id, name: 'Nadia Roux' },
      action: 'user.create',
      entity: 'user',
      fields: ['login', 'name', 'profession', 'email'],
      device: { id: manager.deviceId },
      outcome: 'done',
    })
    expect(res.body).not.toContain('Secrète')
    expect(res.body).not.toContain('secret@example.org')
  })
})
