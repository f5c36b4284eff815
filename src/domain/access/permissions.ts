// Who may do what in the administration of an organisation (product.md "Accounts and access", "Sync
// administration dashboard"). The server enforces these on every /api/admin request; the dashboard uses the
// same functions to show or hide pages and buttons. A role grants its permissions only while it is valid
// (roles.ts `isRoleValidAt`), and only inside the organisation of the person holding it.
import type { Role } from '../../shared/vocabulary'
import { err, ok, type Result } from '../result'
import { compareInstants, type IsoDateTime } from '../time/calendar'
import { isRoleValidAt } from './roles'

/** The administration permissions, each named by what it lets one do. */
export const PERMISSIONS = [
  'read-organisation',
  'manage-sites',
  'manage-users',
  'manage-access-requests',
  'read-audit',
  'read-devices',
  'revoke-devices',
  'manage-device-security',
  'read-rejections',
  'resolve-rejections',
  'read-activity',
] as const

/** An administration permission. */
export type Permission = (typeof PERMISSIONS)[number]

/**
 * What each role allows: access managers run the organisation's accounts and read the audit log; sync
 * administrators watch devices, rejections, audit and activity, revoke devices and settle rejections.
 * Sync administrators also set how the organisation's devices protect their data (the idle lock).
 * Vaccinators and delegates do their work on the device and administer nothing.
 */
export const PERMISSIONS_BY_ROLE = {
  vaccinator: [],
  delegate: [],
  'access-manager': [
    'read-organisation',
    'manage-sites',
    'manage-users',
    'manage-access-requests',
    'read-audit',
  ],
  'sync-admin': [
    'read-organisation',
    'read-audit',
    'read-devices',
    'revoke-devices',
    'manage-device-security',
    'read-rejections',
    'resolve-rejections',
    'read-activity',
  ],
} as const satisfies Record<Role, readonly Permission[]>

/** The part of a grant the permissions look at (a revoked grant is passed with its end at the revocation). */
export type GrantInForce = {
  readonly userId: string
  readonly role: Role
  readonly startsAt: IsoDateTime
  readonly endsAt?: IsoDateTime | null
}

/** The person acting: who they are, their organisation and their grants (in that organisation). */
export type AdminActor = {
  readonly userId: string
  readonly organisationId: string
  readonly grants: readonly GrantInForce[]
}

/** The refusals of the administration rules (HTTP: `forbidden` 403, `not-found` 404, the others 403/409/422). */
export type AdminRuleError =
  | 'forbidden'
  | 'not-found'
  | 'cannot-grant-sync-admin'
  | 'ends-before-start'
  | 'delegate-needs-professional'
  | 'acting-for-not-delegate'
  | 'acting-for-not-professional'
  | 'grant-already-ended'
  | 'end-in-past'

/** Gives the roles a user holds at `at` (expired and not-yet-valid grants hold nothing). */
export function rolesAt(grants: readonly GrantInForce[], userId: string, at: IsoDateTime): Set<Role> {
  return new Set(grants.filter((g) => g.userId === userId && isRoleValidAt(g, at)).map((g) => g.role))
}

/** Gives every administration permission a user holds at `at`, in `PERMISSIONS` order. */
export function permissionsAt(
  grants: readonly GrantInForce[],
  userId: string,
  at: IsoDateTime,
): Permission[] {
  const held = new Set<Permission>()
  for (const role of rolesAt(grants, userId, at)) for (const p of PERMISSIONS_BY_ROLE[role]) held.add(p)
  return PERMISSIONS.filter((p) => held.has(p))
}

/** Tells whether a user holds `permission` at `at` (the dashboard's show-or-hide test). */
export function hasPermission(
  grants: readonly GrantInForce[],
  userId: string,
  permission: Permission,
  at: IsoDateTime,
): boolean {
  return permissionsAt(grants, userId, at).includes(permission)
}

/**
 * Enforces an action on a resource of `organisationId`: another organisation's resource does not exist for the
 * actor (`not-found`, so ids cannot be probed), and a missing permission is `forbidden` with `need`.
 */
export function authorise(
  actor: AdminActor,
  permission: Permission,
  at: IsoDateTime,
  organisationId: string = actor.organisationId,
): Result<true, 'forbidden' | 'not-found'> {
  if (organisationId !== actor.organisationId) return err('not-found')
  if (!hasPermission(actor.grants, actor.userId, permission, at))
    return err('forbidden', { need: permission })
  return ok(true)
}

/** A member of the organisation as the grant rules see them. */
export type GrantTarget = {
  readonly userId: string
  readonly organisationId: string
}

/** A professional a delegate would act for: their organisation and whether they may validate steps. */
export type ActedForProfessional = GrantTarget & { readonly isVaccinatingProfessional: boolean }

/** A role to grant: from `startsAt`, until `endsAt` when set, acting for the listed user ids (delegates). */
export type GrantRequest = {
  readonly role: Role
  readonly startsAt: IsoDateTime
  readonly endsAt?: IsoDateTime | null
  readonly actingFor?: readonly string[]
}

/**
 * Enforces who may grant which role: an access manager, valid at `at`, grants roles to members of their own
 * organisation only; sync administration only when they are a sync administrator themselves (never to
 * themselves otherwise); the end is after the start; a delegate acts for at least one vaccinating
 * professional of the same organisation, and only a delegate acts for anyone. `professionals` are the
 * users the request's `actingFor` ids were found to be (an id not among them is unknown).
 */
export function checkGrantRole(
  actor: AdminActor,
  target: GrantTarget,
  request: GrantRequest,
  at: IsoDateTime,
  professionals: readonly ActedForProfessional[] = [],
): Result<true, AdminRuleError> {
  const allowed = authorise(actor, 'manage-users', at, target.organisationId)
  if (!allowed.ok) return allowed
  if (request.role === 'sync-admin' && !rolesAt(actor.grants, actor.userId, at).has('sync-admin')) {
    return err('cannot-grant-sync-admin', { self: target.userId === actor.userId })
  }
  if (request.endsAt != null && compareInstants(request.endsAt, request.startsAt) <= 0) {
    return err('ends-before-start', { startsAt: request.startsAt, endsAt: request.endsAt })
  }
  const ids = request.actingFor ?? []
  if (request.role !== 'delegate') {
    return ids.length > 0 ? err('acting-for-not-delegate', { role: request.role }) : ok(true)
  }
  if (ids.length === 0) return err('delegate-needs-professional')
  const found = new Map(professionals.map((p) => [p.userId, p]))
  for (const id of ids) {
    const professional = found.get(id)
    if (
      professional === undefined ||
      professional.organisationId !== target.organisationId ||
      !professional.isVaccinatingProfessional ||
      id === target.userId
    ) {
      return err('acting-for-not-professional', { userId: id })
    }
  }
  return ok(true)
}

/** A grant as it stands, for ending or revoking it. */
export type ExistingGrant = {
  readonly organisationId: string
  readonly startsAt: IsoDateTime
  readonly endsAt: IsoDateTime | null
  readonly revokedAt: IsoDateTime | null
}

/**
 * Enforces ending a grant at `endsAt`: an access manager of the grant's own organisation, on a grant neither
 * revoked nor already over at `at`, with an end after its start and not before `at`: what was valid stays
 * valid in the history, so an end is set or brought forward, never backdated.
 */
export function checkEndGrant(
  actor: AdminActor,
  grant: ExistingGrant,
  endsAt: IsoDateTime,
  at: IsoDateTime,
): Result<true, AdminRuleError> {
  const allowed = checkRevokeGrant(actor, grant, at)
  if (!allowed.ok) return allowed
  if (compareInstants(endsAt, grant.startsAt) <= 0) {
    return err('ends-before-start', { startsAt: grant.startsAt, endsAt })
  }
  if (compareInstants(endsAt, at) < 0) return err('end-in-past', { endsAt, now: at })
  return ok(true)
}

/** Enforces revoking a grant: an access manager of the grant's own organisation, on a grant still in force or to come. */
export function checkRevokeGrant(
  actor: AdminActor,
  grant: ExistingGrant,
  at: IsoDateTime,
): Result<true, AdminRuleError> {
  const allowed = authorise(actor, 'manage-users', at, grant.organisationId)
  if (!allowed.ok) return allowed
  if (grant.revokedAt !== null || (grant.endsAt !== null && compareInstants(grant.endsAt, at) <= 0)) {
    return err('grant-already-ended', { endsAt: grant.revokedAt ?? grant.endsAt })
  }
  return ok(true)
}
