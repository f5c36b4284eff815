import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { ROLES, type Role } from '../../shared/vocabulary'
import {
  authorise,
  checkEndGrant,
  checkGrantRole,
  checkRevokeGrant,
  hasPermission,
  permissionsAt,
  PERMISSIONS,
  type ActedForProfessional,
  type AdminActor,
  type GrantInForce,
} from './permissions'

const NOW = '2026-03-04T10:00:00Z'
const PAST = '2025-01-01T00:00:00Z'
const FUTURE = '2027-01-01T00:00:00Z'
const ORG = 'org-a'
const OTHER = 'org-b'

const grant = (role: Role, over: Partial<GrantInForce> = {}): GrantInForce => ({
  userId: 'me',
  role,
  startsAt: PAST,
  endsAt: null,
  ...over,
})
const actor = (...grants: GrantInForce[]): AdminActor => ({ userId: 'me', organisationId: ORG, grants })
const medecin: ActedForProfessional = { userId: 'dr', organisationId: ORG, isVaccinatingProfessional: true }

describe('permissionsAt', () => {
  it.each([
    ['vaccinator', []],
    ['delegate', []],
    [
      'access-manager',
      ['read-organisation', 'manage-sites', 'manage-users', 'manage-access-requests', 'read-audit'],
    ],
    [
      'sync-admin',
      [
        'read-organisation',
        'read-audit',
        'read-devices',
        'revoke-devices',
        'manage-device-security',
        'read-rejections',
        'resolve-rejections',
        'read-activity',
      ],
    ],
  ] as const)('a %s holds %j', (role, expected) => {
    expect(permissionsAt([grant(role)], 'me', NOW)).toEqual(expected)
  })

  it.each([
    ['expired', { endsAt: '2026-03-01T00:00:00Z' }],
    ['ending exactly now (end exclusive)', { endsAt: NOW }],
    ['not yet valid', { startsAt: FUTURE }],
  ])('an %s access-manager role grants nothing', (_name, over) => {
    expect(permissionsAt([grant('access-manager', over)], 'me', NOW)).toEqual([])
  })

  it('counts a role from its start (inclusive)', () => {
    expect(hasPermission([grant('access-manager', { startsAt: NOW })], 'me', 'manage-users', NOW)).toBe(true)
  })

  it("ignores other people's grants", () => {
    expect(permissionsAt([grant('sync-admin', { userId: 'someone' })], 'me', NOW)).toEqual([])
  })

  it('adds up the permissions of both administration roles', () => {
    expect(permissionsAt([grant('access-manager'), grant('sync-admin')], 'me', NOW)).toEqual([...PERMISSIONS])
  })
})

describe('authorise', () => {
  it('answers not-found for another organisation, whatever the roles', () => {
    expect(authorise(actor(grant('access-manager')), 'manage-users', NOW, OTHER)).toMatchObject({
      ok: false,
      error: 'not-found',
    })
  })

  it('answers forbidden with the permission needed', () => {
    expect(authorise(actor(grant('vaccinator')), 'read-devices', NOW)).toEqual({
      ok: false,
      error: 'forbidden',
      detail: { need: 'read-devices' },
    })
  })
})

describe('checkGrantRole', () => {
  const manager = actor(grant('access-manager'))
  const target = { userId: 'new', organisationId: ORG }
  const request = { role: 'vaccinator' as const, startsAt: NOW }

  it.each([
    ['a vaccinator role by an access manager', manager, target, request, [], null],
    [
      'a role in another organisation',
      manager,
      { ...target, organisationId: OTHER },
      request,
      [],
      'not-found',
    ],
    ['a role by a sync admin alone', actor(grant('sync-admin')), target, request, [], 'forbidden'],
    [
      'a role by an expired access manager',
      actor(grant('access-manager', { endsAt: '2026-01-01T00:00:00Z' })),
      target,
      request,
      [],
      'forbidden',
    ],
    [
      'sync admin by a plain access manager',
      manager,
      target,
      { ...request, role: 'sync-admin' },
      [],
      'cannot-grant-sync-admin',
    ],
    [
      'sync admin to oneself',
      manager,
      { ...target, userId: 'me' },
      { ...request, role: 'sync-admin' },
      [],
      'cannot-grant-sync-admin',
    ],
    [
      'sync admin by an access manager who is a sync admin',
      actor(grant('access-manager'), grant('sync-admin')),
      target,
      { ...request, role: 'sync-admin' },
      [],
      null,
    ],
    ['an end before the start', manager, target, { ...request, endsAt: PAST }, [], 'ends-before-start'],
    ['an end equal to the start', manager, target, { ...request, endsAt: NOW }, [], 'ends-before-start'],
    [
      'a delegate for nobody',
      manager,
      target,
      { ...request, role: 'delegate' },
      [],
      'delegate-needs-professional',
    ],
    [
      'a delegate for a médecin',
      manager,
      target,
      { ...request, role: 'delegate', actingFor: ['dr'] },
      [medecin],
      null,
    ],
    [
      'a delegate for an unknown id',
      manager,
      target,
      { ...request, role: 'delegate', actingFor: ['ghost'] },
      [],
      'acting-for-not-professional',
    ],
    [
      'a delegate for a secretary',
      manager,
      target,
      { ...request, role: 'delegate', actingFor: ['dr'] },
      [{ ...medecin, isVaccinatingProfessional: false }],
      'acting-for-not-professional',
    ],
    [
      'a delegate for a médecin of another organisation',
      manager,
      target,
      { ...request, role: 'delegate', actingFor: ['dr'] },
      [{ ...medecin, organisationId: OTHER }],
      'acting-for-not-professional',
    ],
    [
      'a vaccinator acting for someone',
      manager,
      target,
      { ...request, actingFor: ['dr'] },
      [medecin],
      'acting-for-not-delegate',
    ],
  ] as const)('%s', (_name, who, whom, what, professionals, expected) => {
    const outcome = checkGrantRole(who, whom, what, NOW, professionals)
    expect(outcome.ok ? null : outcome.error).toBe(expected)
  })

  it('no combination lets a non-sync-admin grant sync administration, nor anyone act on another organisation', () => {
    const grantArb = fc.record({
      userId: fc.constantFrom('me', 'other'),
      role: fc.constantFrom(...ROLES),
      startsAt: fc.constantFrom(PAST, NOW, FUTURE),
      endsAt: fc.constantFrom(null, PAST, NOW, FUTURE),
    })
    fc.assert(
      fc.property(
        fc.array(grantArb, { maxLength: 6 }),
        fc.constantFrom(ORG, OTHER),
        fc.constantFrom('me', 'new'),
        fc.constantFrom(...ROLES),
        fc.constantFrom(null, NOW, FUTURE),
        (grants, organisationId, userId, role, endsAt) => {
          const who = actor(...grants)
          const outcome = checkGrantRole(
            who,
            { userId, organisationId },
            { role, startsAt: PAST, endsAt, actingFor: role === 'delegate' ? ['dr'] : [] },
            NOW,
            [medecin],
          )
          const isSyncAdmin = grants.some(
            (g) =>
              g.userId === 'me' &&
              g.role === 'sync-admin' &&
              g.startsAt <= NOW &&
              (g.endsAt === null || g.endsAt > NOW),
          )
          if (organisationId === OTHER) expect(outcome.ok).toBe(false)
          if (role === 'sync-admin' && !isSyncAdmin) expect(outcome.ok).toBe(false)
        },
      ),
    )
  })
})

describe('ending and revoking grants', () => {
  const manager = actor(grant('access-manager'))
  const existing = { organisationId: ORG, startsAt: PAST, endsAt: null, revokedAt: null }

  it.each([
    ['ends a grant from now on', manager, existing, FUTURE, null],
    [
      "refuses another organisation's grant",
      manager,
      { ...existing, organisationId: OTHER },
      FUTURE,
      'not-found',
    ],
    ['refuses a vaccinator', actor(grant('vaccinator')), existing, FUTURE, 'forbidden'],
    ['refuses a revoked grant', manager, { ...existing, revokedAt: PAST }, FUTURE, 'grant-already-ended'],
    [
      'refuses a grant already over',
      manager,
      { ...existing, endsAt: '2026-01-01T00:00:00Z' },
      FUTURE,
      'grant-already-ended',
    ],
    ['refuses an end before the start', manager, { ...existing, startsAt: FUTURE }, NOW, 'ends-before-start'],
    ['refuses a backdated end', manager, existing, '2026-01-01T00:00:00Z', 'end-in-past'],
  ] as const)('%s', (_name, who, what, endsAt, expected) => {
    const outcome = checkEndGrant(who, what, endsAt, NOW)
    expect(outcome.ok ? null : outcome.error).toBe(expected)
  })

  it('revokes a grant still to come, and never one of another organisation', () => {
    expect(checkRevokeGrant(manager, { ...existing, startsAt: FUTURE }, NOW).ok).toBe(true)
    fc.assert(
      fc.property(
        fc.array(
          fc.constantFrom(...ROLES).map((r) => grant(r)),
          { maxLength: 4 },
        ),
        (grants) => {
          const outcome = checkRevokeGrant(actor(...grants), { ...existing, organisationId: OTHER }, NOW)
          expect(outcome).toMatchObject({ ok: false, error: 'not-found' })
        },
      ),
    )
  })
})
