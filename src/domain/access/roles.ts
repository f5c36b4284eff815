// Who may act, judged at the time of action `at` (sync-protocol.md guarantee 6): a role grants something only
// between its start (inclusive) and its optional end (exclusive); only health professionals validate steps;
// a delegate enters data on behalf of a named professional and never validates as themselves.
import type { RoleGrantRecord, UserRecord } from '../../shared/records'
import type { Profession, Role } from '../../shared/vocabulary'
import { err, ok, type Result } from '../result'
import { compareInstants, type IsoDateTime } from '../time/calendar'

/** A role grant (start, optional end, delegate's professionals). */
export type RoleGrant = RoleGrantRecord
/** A member of the organisation. */
export type User = UserRecord

/**
 * The professions allowed to validate vaccination steps (product.md: médecin, infirmier·e, pharmacien·ne,
 * sage-femme; the seed's teleservice opened with médecins only, so nothing beyond the product's four).
 */
export const VACCINATING_PROFESSIONS = [
  'medecin',
  'infirmier',
  'pharmacien',
  'sage-femme',
] as const satisfies readonly Profession[]

/** The refusals of the access rules. */
export type AccessError = 'role-not-valid' | 'not-a-professional' | 'delegate-not-acting-for'

/** Enforces role validity in time: valid from `startsAt` (inclusive) until `endsAt` (exclusive) when set. */
export function isRoleValidAt(grant: Pick<RoleGrant, 'startsAt' | 'endsAt'>, at: IsoDateTime): boolean {
  if (compareInstants(grant.startsAt, at) > 0) return false
  return grant.endsAt == null || compareInstants(at, grant.endsAt) < 0
}

/** Gives a user's grants of one role that are valid at `at` (an expired or future role grants nothing). */
export function validGrants(
  grants: readonly RoleGrant[],
  userId: string,
  role: Role,
  at: IsoDateTime,
): RoleGrant[] {
  return grants.filter((g) => g.userId === userId && g.role === role && isRoleValidAt(g, at))
}

/** Tells whether a user holds one of `roles` at `at`, the check of every mutation that is not a step validation. */
export function hasAnyRoleAt(
  grants: readonly RoleGrant[],
  userId: string,
  roles: readonly Role[],
  at: IsoDateTime,
): boolean {
  return roles.some((role) => validGrants(grants, userId, role, at).length > 0)
}

/** Tells whether a user's profession allows them to validate vaccination steps. */
export function isVaccinatingProfessional(
  user: Pick<User, 'profession'>,
  professions: readonly Profession[] = VACCINATING_PROFESSIONS,
): boolean {
  return user.profession != null && professions.includes(user.profession)
}

function checkProfessional(
  professional: User,
  grants: readonly RoleGrant[],
  at: IsoDateTime,
  professions: readonly Profession[],
): Result<User, AccessError> {
  if (!isVaccinatingProfessional(professional, professions)) {
    return err('not-a-professional', { userId: professional.id, profession: professional.profession })
  }
  if (validGrants(grants, professional.id, 'vaccinator', at).length === 0) {
    return err('role-not-valid', { userId: professional.id, role: 'vaccinator', at })
  }
  return ok(professional)
}

/**
 * Enforces who may validate a step at `at`: a vaccinating health professional with a vaccinator role valid at
 * `at`; or a delegate with a delegate grant valid at `at` listing `onBehalfOf`, the represented professional
 * themselves holding a valid vaccinator role. Returns the professional the step will be authored by.
 */
export function canValidateSteps(
  user: User,
  grants: readonly RoleGrant[],
  at: IsoDateTime,
  onBehalfOf?: User,
  professions: readonly Profession[] = VACCINATING_PROFESSIONS,
): Result<User, AccessError> {
  if (onBehalfOf === undefined || onBehalfOf.id === user.id) {
    return checkProfessional(user, grants, at, professions)
  }
  const delegateGrants = validGrants(grants, user.id, 'delegate', at)
  if (delegateGrants.length === 0) {
    return err('role-not-valid', { userId: user.id, role: 'delegate', at })
  }
  if (!delegateGrants.some((g) => g.actingFor.includes(onBehalfOf.id))) {
    return err('delegate-not-acting-for', { userId: user.id, onBehalfOf: onBehalfOf.id })
  }
  return checkProfessional(onBehalfOf, grants, at, professions)
}

/**
 * Enforces who may enter data that is not a step validation (register or update a patient, record a lot or
 * an adverse event): a vaccinator valid at `at`, or a delegate valid at `at` (acting for `onBehalfOf` when given).
 */
export function canEnterData(
  user: User,
  grants: readonly RoleGrant[],
  at: IsoDateTime,
  onBehalfOf?: User,
): Result<User, AccessError> {
  if (onBehalfOf !== undefined && onBehalfOf.id !== user.id) {
    const delegateGrants = validGrants(grants, user.id, 'delegate', at)
    if (delegateGrants.length === 0) return err('role-not-valid', { userId: user.id, role: 'delegate', at })
    if (!delegateGrants.some((g) => g.actingFor.includes(onBehalfOf.id))) {
      return err('delegate-not-acting-for', { userId: user.id, onBehalfOf: onBehalfOf.id })
    }
    return ok(onBehalfOf)
  }
  if (hasAnyRoleAt(grants, user.id, ['vaccinator', 'delegate'], at)) return ok(user)
  return err('role-not-valid', { userId: user.id, role: 'vaccinator', at })
}
