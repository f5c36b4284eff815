import type { RoleGrantRecord, UserRecord } from '../../../src/shared/records'
import { PROFESSIONS as HEALTH_PROFESSIONS, type Profession } from '../../../src/shared/vocabulary'
import type { Executor } from './queries'
import { appendChangesWith } from './sync-queries'
import type { RoleGrant, User } from './types'

// Users and role grants as devices pull them (entities `user`, `role-grant`): what the local rule checks
// need (names, professions, validity in time), never login secrets.

const isHealthProfession = (p: string): p is Profession =>
  (HEALTH_PROFESSIONS as readonly string[]).includes(p)

/** A member as a device sees it: staff without a health profession carry `profession: null`. */
export function userRecordOf(user: User): UserRecord {
  return {
    id: user.id,
    name: user.displayName,
    login: user.login,
    profession: isHealthProfession(user.profession) ? user.profession : null,
    ...(user.professionalId === null ? {} : { [user.professionalId.kind]: user.professionalId.value }),
  }
}

/** A grant as a device sees it: a revocation ends it at the revocation time. */
export function roleGrantRecordOf(grant: {
  readonly id: string
  readonly userId: string
  readonly role: string
  readonly actsForUserId: string | null
  readonly startsAt: string
  readonly endsAt: string | null
  readonly revokedAt: string | null
}): RoleGrantRecord {
  const endsAt =
    grant.revokedAt !== null && (grant.endsAt === null || grant.revokedAt < grant.endsAt)
      ? grant.revokedAt
      : grant.endsAt
  return {
    id: grant.id,
    userId: grant.userId,
    role: grant.role as RoleGrantRecord['role'],
    startsAt: grant.startsAt,
    endsAt,
    actingFor: grant.actsForUserId === null ? [] : [grant.actsForUserId],
  }
}

/** Puts a created or changed user into its organisation's change log (call inside the writing transaction). */
export async function recordUserChange(db: Executor, user: User): Promise<void> {
  await appendChangesWith(db, user.organisationId, [
    { entity: 'user', entityId: user.id, version: null, data: userRecordOf(user) },
  ])
}

/** Puts a created, ended or revoked role grant into its organisation's change log. */
export async function recordRoleGrantChange(db: Executor, grant: RoleGrant): Promise<void> {
  await appendChangesWith(db, grant.organisationId, [
    { entity: 'role-grant', entityId: grant.id, version: null, data: roleGrantRecordOf(grant) },
  ])
}
