import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { buildGrant, buildGrants, buildUser, buildUsers, USERS } from '../testing/builders'
import { addDays } from '../time/calendar'
import { canEnterData, canValidateSteps, isRoleValidAt } from './roles'

const users = Object.fromEntries(buildUsers().map((u) => [u.id, u]))
const user = (id: string) => users[id]!
const AT = '2026-03-04T10:15:00+01:00'

describe('isRoleValidAt', () => {
  const grant = buildGrant({ startsAt: '2026-03-01T00:00:00+01:00', endsAt: '2026-04-01T00:00:00+02:00' })
  it.each([
    ['before the start', '2026-02-28T23:59:59+01:00', false],
    ['at the start (inclusive)', '2026-02-28T23:00:00Z', true],
    ['inside', AT, true],
    ['at the end (exclusive)', '2026-03-31T22:00:00Z', false],
    ['just before the end', '2026-03-31T21:59:59Z', true],
    ['after the end', '2026-05-01T00:00:00+02:00', false],
  ])('%s', (_name, at, expected) => expect(isRoleValidAt(grant, at)).toBe(expected))

  it('without an end, is valid from the start on', () => {
    expect(isRoleValidAt(buildGrant({ endsAt: null }), '2099-01-01T00:00:00Z')).toBe(true)
  })
})

describe('canValidateSteps', () => {
  const grants = buildGrants()
  it.each([
    ['a médecin vaccinator', USERS.medecin, undefined, grants, null],
    ['an infirmier vaccinator', USERS.infirmier, undefined, grants, null],
    ['a secretary on her own', USERS.secretaire, undefined, grants, 'not-a-professional'],
    ['an access manager', USERS.gestionnaire, undefined, grants, 'not-a-professional'],
    ['a delegate for the médecin', USERS.secretaire, USERS.medecin, grants, null],
    ['a delegate for another médecin', USERS.secretaire, USERS.medecin2, grants, 'delegate-not-acting-for'],
    [
      'a médecin whose role expired',
      USERS.medecin,
      undefined,
      [buildGrant({ endsAt: '2026-03-01T00:00:00Z' })],
      'role-not-valid',
    ],
    [
      'a médecin whose role starts later',
      USERS.medecin,
      undefined,
      [buildGrant({ startsAt: '2026-04-01T00:00:00Z' })],
      'role-not-valid',
    ],
    [
      'a delegate whose grant expired',
      USERS.secretaire,
      USERS.medecin,
      grants.map((g) => (g.role === 'delegate' ? { ...g, endsAt: '2026-03-01T00:00:00Z' } : g)),
      'role-not-valid',
    ],
    [
      'a delegate for a médecin without a valid role',
      USERS.secretaire,
      USERS.medecin,
      grants.filter((g) => g.userId !== USERS.medecin),
      'role-not-valid',
    ],
    ['a professional acting for herself', USERS.medecin, USERS.medecin, grants, null],
  ])('%s', (_name, userId, onBehalfOf, g, error) => {
    const result = canValidateSteps(
      user(userId),
      g,
      AT,
      onBehalfOf === undefined ? undefined : user(onBehalfOf),
    )
    expect(result.ok ? null : result.error).toBe(error)
  })

  it('a delegate for a non-professional is refused', () => {
    const g = [
      ...grants,
      buildGrant({ id: 'x', userId: USERS.secretaire, role: 'delegate', actingFor: [USERS.gestionnaire] }),
    ]
    const result = canValidateSteps(user(USERS.secretaire), g, AT, user(USERS.gestionnaire))
    expect(result.ok ? null : result.error).toBe('not-a-professional')
  })

  it('an expired or future role grants nothing, wherever `at` falls (property)', () => {
    const instant = fc.integer({ min: 0, max: 400 }).map((d) => `${addDays('2026-01-01', d)}T00:00:00Z`)
    fc.assert(
      fc.property(instant, instant, instant, (start, end, at) => {
        const g = buildGrant({ startsAt: start, endsAt: end })
        const result = canValidateSteps(buildUser(), [g], at)
        return result.ok === isRoleValidAt(g, at)
      }),
    )
  })
})

describe('canEnterData', () => {
  it.each([
    ['a vaccinator', USERS.medecin, undefined, null],
    ['a delegate alone', USERS.secretaire, undefined, null],
    ['a delegate for the médecin', USERS.secretaire, USERS.medecin, null],
    ['a delegate for another', USERS.secretaire, USERS.medecin2, 'delegate-not-acting-for'],
    ['an access manager', USERS.gestionnaire, undefined, 'role-not-valid'],
  ])('%s', (_name, userId, onBehalfOf, error) => {
    const result = canEnterData(
      user(userId),
      buildGrants(),
      AT,
      onBehalfOf === undefined ? undefined : user(onBehalfOf),
    )
    expect(result.ok ? null : result.error).toBe(error)
  })
})
