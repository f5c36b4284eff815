// The server's rows as the wire records of src/shared, for the sign-in answer (and any route that lists users).
import type { Organisation as OrganisationRecord } from '../../../src/shared/sync-api'
import type { RoleGrantRecord, UserRecord } from '../../../src/shared/records'
import type { Profession as HealthProfession } from '../../../src/shared/vocabulary'
import {
  STAFF_PROFESSIONS,
  type Organisation,
  type Profession,
  type RoleGrant,
  type StaffProfession,
  type User,
} from '../store'

const isStaff = (profession: Profession): profession is StaffProfession =>
  (STAFF_PROFESSIONS as readonly string[]).includes(profession)

/** A health profession as is; staff who are not health professionals (secretary, administration) → null. */
export function toWireProfession(profession: Profession): HealthProfession | null {
  return isStaff(profession) ? null : profession
}

export function toUserRecord(user: User): UserRecord {
  const id = user.professionalId
  return {
    id: user.id,
    name: user.displayName,
    login: user.login,
    profession: toWireProfession(user.profession),
    ...(id === null ? {} : { [id.kind]: id.value }),
  }
}

/** The organisation as its devices receive it, with the settings they apply (the idle lock). */
export function toOrganisationRecord(
  organisation: Organisation,
  settings: { readonly idleLockMinutes: number | null } = { idleLockMinutes: null },
): OrganisationRecord {
  return {
    id: organisation.id,
    name: organisation.name,
    ...(organisation.finess === null ? {} : { finess: organisation.finess }),
    ...(organisation.inami === null ? {} : { inami: organisation.inami }),
    ...(settings.idleLockMinutes === null ? {} : { idleLockMinutes: settings.idleLockMinutes }),
  }
}

/**
 * The grants the device needs to judge a role at the time of action, expired and future ones included; a
 * revoked grant is left out, as if never granted.
 */
export function toRoleGrantRecords(grants: readonly RoleGrant[]): RoleGrantRecord[] {
  return grants
    .filter((grant) => grant.revokedAt === null)
    .map((grant) => ({
      id: grant.id,
      userId: grant.userId,
      role: grant.role,
      startsAt: grant.startsAt,
      endsAt: grant.endsAt,
      actingFor: grant.actsForUserId === null ? [] : [grant.actsForUserId],
    }))
}
