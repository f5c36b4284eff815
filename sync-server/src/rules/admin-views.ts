// Stored rows turned into the administration API's answers (src/shared/admin-api.ts).
import { isRoleValidAt } from '../../../src/domain/access/roles'
import type {
  AdminAccessRequest,
  AdminAuditEvent,
  AdminDevice,
  DeviceAlert,
  AdminGrant,
  AdminRejection,
  AdminUser,
  GrantStatus,
  NamedRef,
} from '../../../src/shared/admin-api'
import { MUTATION_TYPES } from '../../../src/shared/commands'
import type {
  AccessRequestRow,
  AuditListRow,
  DeviceListRow,
  RejectionListRow,
  StepSummary,
} from '../store/admin-queries'
import type { RoleGrant, User } from '../store'

/** Names by id, for the people a row mentions. */
export type Names = ReadonlyMap<string, string>

const named = (id: string, names: Names): NamedRef => ({ id, name: names.get(id) ?? id })
const ref = (id: string | null, names: Names): NamedRef | null => (id === null ? null : named(id, names))

/** Where a grant stands at `now`. */
export function grantStatus(grant: RoleGrant, now: string): GrantStatus {
  if (grant.revokedAt !== null) return 'revoked'
  if (isRoleValidAt(grant, now)) return 'active'
  return grant.startsAt > now ? 'scheduled' : 'ended'
}

/** A grant with its history, names resolved. */
export function adminGrantOf(grant: RoleGrant, names: Names, now: string): AdminGrant {
  return {
    id: grant.id,
    userId: grant.userId,
    role: grant.role,
    startsAt: grant.startsAt,
    endsAt: grant.endsAt,
    actingFor: grant.actsForUserId === null ? [] : [named(grant.actsForUserId, names)],
    grantedBy: ref(grant.grantedBy, names),
    grantedAt: grant.grantedAt,
    revokedBy: ref(grant.revokedBy, names),
    revokedAt: grant.revokedAt,
    status: grantStatus(grant, now),
  }
}

/** The ids a set of grants mentions (to look their names up). */
export function peopleOfGrants(grants: readonly RoleGrant[]): string[] {
  return grants
    .flatMap((g) => [g.userId, g.actsForUserId, g.grantedBy, g.revokedBy])
    .filter((id) => id !== null)
}

/** A member with their current grants (in force or to come). */
export function adminUserOf(user: User, grants: readonly RoleGrant[], names: Names, now: string): AdminUser {
  return {
    id: user.id,
    login: user.login,
    name: user.displayName,
    profession: user.profession,
    professionalId: user.professionalId,
    email: user.email,
    disabled: user.disabled,
    createdAt: user.createdAt,
    grants: grants
      .filter((g) => g.userId === user.id)
      .map((g) => adminGrantOf(g, names, now))
      .filter((g) => g.status === 'active' || g.status === 'scheduled'),
  }
}

/** A device row; `reappeared-empty` when it came back pulling from the start with an empty outbox. */
export function adminDeviceOf(row: DeviceListRow): AdminDevice {
  return {
    id: row.id,
    name: row.name,
    user: row.userId === null ? null : { id: row.userId, name: row.userName ?? row.userId },
    registeredAt: row.registeredAt,
    lastSyncAt: row.lastSeenAt,
    lastSeq: row.lastSeq,
    pending: row.pending,
    appVersion: row.appVersion,
    storageUsed: row.storageUsed,
    storageQuota: row.storageQuota,
    persisted: row.persisted,
    revokedAt: row.revokedAt,
    revokedBy:
      row.revokedBy === null ? null : { id: row.revokedBy, name: row.revokedByName ?? row.revokedBy },
    revokeMode: row.revokedAt === null ? null : (row.revokeMode ?? 'wipe'),
    keysKeptUntil: row.keysDestroyedAt === null ? row.keysKeptUntil : null,
    keysDestroyedAt: row.keysDestroyedAt,
    exportImportedAt: row.exportImportedAt,
    alerts: deviceAlertsOf(row),
  }
}

/** A device's health alerts, oldest concern first. */
function deviceAlertsOf(row: DeviceListRow): DeviceAlert[] {
  const alerts: DeviceAlert[] = []
  if (row.reappearedEmptyAt !== null) {
    alerts.push({
      code: 'reappeared-empty',
      at: row.reappearedEmptyAt,
      detail: { lastSeq: row.reappearedLastSeq ?? 0 },
    })
  }
  if (row.brokenRows !== null && row.brokenRows > 0 && row.brokenSeenAt !== null) {
    alerts.push({
      code: 'broken-rows',
      at: row.brokenSeenAt,
      detail: { count: row.brokenRows, tables: (row.brokenTables ?? '').split(',').filter(Boolean) },
    })
  }
  if (row.signatureMismatches > 0 && row.signatureMismatchSince !== null) {
    alerts.push({
      code: 'signature-mismatch',
      at: row.signatureMismatchSince,
      detail: { count: row.signatureMismatches },
    })
  }
  return alerts
}

type MutationFacts = {
  readonly type: (typeof MUTATION_TYPES)[number]
  readonly at: string
  readonly onBehalfOf: string | null
  readonly patientId: string | null
  readonly stepId: string | null
}

const str = (value: unknown): string | null => (typeof value === 'string' ? value : null)

/** What the dashboard shows of a rejected mutation: its type, time, on whose behalf, which patient and step. */
export function mutationFactsOf(text: string): MutationFacts {
  const m = JSON.parse(text) as Record<string, unknown>
  const payload = (typeof m.payload === 'object' && m.payload !== null ? m.payload : {}) as Record<
    string,
    unknown
  >
  const actor = (typeof m.actor === 'object' && m.actor !== null ? m.actor : {}) as Record<string, unknown>
  const type = MUTATION_TYPES.find((t) => t === m.type) ?? 'patient.update'
  return {
    type,
    at: str(m.at) ?? '',
    onBehalfOf: str(actor.onBehalfOf),
    patientId: str(payload.patientId),
    stepId: str(payload.stepId),
  }
}

/** A patient's name as lists show it: NOM (usual name) Prénoms. */
export function patientNameOf(data: string): { name: string; codeDeCiblage: string | null } {
  const p = JSON.parse(data) as Record<string, unknown>
  const usual = str(p.usualName)
  const name = [
    str(p.birthName)?.toUpperCase(),
    usual === null ? null : `(${usual.toUpperCase()})`,
    str(p.firstNames),
  ]
    .filter((part) => part != null && part !== '')
    .join(' ')
  return { name, codeDeCiblage: str(p.codeDeCiblage) }
}

/** A rejection row, with the patient, step and people it mentions. */
export function adminRejectionOf(
  row: RejectionListRow,
  patients: ReadonlyMap<string, { name: string; codeDeCiblage: string | null }>,
  steps: ReadonlyMap<string, StepSummary>,
  names: Names,
): AdminRejection {
  const facts = mutationFactsOf(row.mutation)
  const patient = facts.patientId === null ? undefined : patients.get(facts.patientId)
  const step = facts.stepId === null ? undefined : steps.get(facts.stepId)
  const payloadKind = (JSON.parse(row.mutation) as { payload?: { kind?: unknown; doseNumber?: unknown } })
    .payload
  const kind = step?.kind ?? str(payloadKind?.kind)
  const doseNumber =
    step?.doseNumber ?? (typeof payloadKind?.doseNumber === 'number' ? payloadKind.doseNumber : null)
  return {
    id: row.mutationId,
    error: row.error,
    ...(row.detail === null ? {} : { detail: JSON.parse(row.detail) as Record<string, unknown> }),
    mutationType: facts.type,
    patient:
      facts.patientId === null
        ? null
        : { id: facts.patientId, name: patient?.name ?? null, codeDeCiblage: patient?.codeDeCiblage ?? null },
    step:
      facts.stepId === null
        ? null
        : {
            id: facts.stepId,
            kind: kind === 'dose' || kind === 'eligibility' ? kind : null,
            doseNumber: kind === 'dose' ? doseNumber : null,
          },
    actor: { id: row.userId, name: row.userName ?? row.userId },
    onBehalfOf: ref(facts.onBehalfOf, names),
    device: { id: row.deviceId, name: row.deviceName ?? row.deviceId },
    at: facts.at === '' ? row.rejectedAt : facts.at,
    rejectedAt: row.rejectedAt,
    resolution:
      row.resolution === null || row.resolvedAt === null
        ? null
        : {
            kind: row.resolution,
            note: row.note,
            by:
              row.resolvedBy === null
                ? null
                : { id: row.resolvedBy, name: row.resolvedByName ?? row.resolvedBy },
            at: row.resolvedAt,
          },
  }
}

/** An access request row. */
export function adminAccessRequestOf(row: AccessRequestRow): AdminAccessRequest {
  return {
    id: row.id,
    name: row.name,
    profession: row.profession,
    professionalId: { kind: row.professionalIdKind, value: row.professionalIdValue },
    email: row.email,
    phone: row.phone,
    message: row.message,
    createdAt: row.createdAt,
    status: row.status,
    decidedBy:
      row.decidedBy === null ? null : { id: row.decidedBy, name: row.decidedByName ?? row.decidedBy },
    decidedAt: row.decidedAt,
    refusalReason: row.refusalReason,
    userId: row.userId,
  }
}

/** An audit row: field names only, never values (the trail never held any). */
export function adminAuditEventOf(row: AuditListRow): AdminAuditEvent {
  const fields = row.fields === null ? [] : (JSON.parse(row.fields) as unknown)
  return {
    id: row.id,
    user: { id: row.userId, name: row.userName ?? row.userId },
    onBehalfOf:
      row.onBehalfOf === null ? null : { id: row.onBehalfOf, name: row.onBehalfOfName ?? row.onBehalfOf },
    action: row.action,
    entity: row.entity,
    entityId: row.entityId,
    patientId: row.patientId,
    fields: Array.isArray(fields) ? fields.filter((f): f is string => typeof f === 'string') : [],
    device: row.deviceId === null ? null : { id: row.deviceId, name: row.deviceName ?? row.deviceId },
    deviceTime: row.deviceTime,
    serverTime: row.serverTime,
    outcome: row.outcome,
    reason: row.reason,
  }
}
