import { z } from 'zod'
import type { Clock } from '../clock'
import { uuidv7 } from '../ids'
import { toIso, USER_COLUMNS, UserRow, type Executor, type SqlValue } from './queries'
import { recordRoleGrantChange } from './sync-records'
import { RuleErrorCodeSchema, type RuleErrorCode } from '../../../src/shared/errors'
import { REJECTION_RESOLUTIONS, type RejectionResolution } from '../../../src/shared/records'
import {
  PROFESSIONAL_ID_KINDS,
  PROFESSIONS,
  ROLES,
  type IsoTime,
  type Profession,
  type RoleGrant,
  type User,
} from './types'

// The administration dashboard's reads and writes. Every list is read by keyset — `(time, id) < (cursor)` in
// descending order, or `(name, id) > (cursor)` for people — on an index that starts with the organisation and
// the list's filter, so a page costs the same on the first and the thousandth screen.

/** Where a page resumes: the sort key and the id of the last row of the previous page. */
export type Keyset = { readonly key: string; readonly id: string }

/** What a page query asks: filters, the keyset to resume after (null: first page), the page size. */
export type PageRequest<F> = F & { readonly after: Keyset | null; readonly limit: number }

export type Site = {
  readonly id: string
  readonly name: string
  readonly postalCode: string | null
  readonly createdAt: IsoTime
}

export type DeviceListRow = {
  readonly id: string
  readonly name: string
  readonly userId: string | null
  readonly userName: string | null
  readonly registeredAt: IsoTime
  readonly lastSeenAt: IsoTime | null
  readonly lastSeq: number
  readonly pending: number | null
  readonly appVersion: string | null
  readonly storageUsed: number | null
  readonly storageQuota: number | null
  readonly persisted: boolean | null
  readonly revokedAt: IsoTime | null
  readonly revokedBy: string | null
  readonly revokedByName: string | null
  readonly reappearedEmptyAt: IsoTime | null
  readonly reappearedLastSeq: number | null
  readonly revokeMode: 'wipe' | 'after-export' | null
  readonly keysKeptUntil: IsoTime | null
  readonly keysDestroyedAt: IsoTime | null
  readonly exportImportedAt: IsoTime | null
  /** Sealed rows the device reported it could not open, in which tables, first reported when. */
  readonly brokenRows: number | null
  readonly brokenTables: string | null
  readonly brokenSeenAt: IsoTime | null
  /** Its changes set aside because their signature did not match (open rejections), and the first one's time. */
  readonly signatureMismatches: number
  readonly signatureMismatchSince: IsoTime | null
}

export type RejectionListRow = {
  readonly mutationId: string
  readonly deviceId: string
  readonly deviceName: string | null
  readonly userId: string
  readonly userName: string | null
  readonly mutation: string
  readonly error: RuleErrorCode
  readonly detail: string | null
  readonly rejectedAt: IsoTime
  readonly resolution: RejectionResolution | null
  readonly resolvedBy: string | null
  readonly resolvedByName: string | null
  readonly resolvedAt: IsoTime | null
  readonly note: string | null
}

export type AccessRequestRow = {
  readonly id: string
  readonly organisationId: string
  readonly name: string
  readonly profession: Profession
  readonly professionalIdKind: (typeof PROFESSIONAL_ID_KINDS)[number]
  readonly professionalIdValue: string
  readonly email: string
  readonly phone: string
  readonly message: string | null
  readonly createdAt: IsoTime
  readonly status: 'pending' | 'approved' | 'refused'
  readonly decidedBy: string | null
  readonly decidedByName: string | null
  readonly decidedAt: IsoTime | null
  readonly refusalReason: string | null
  readonly userId: string | null
}

export type NewAccessRequest = Omit<
  AccessRequestRow,
  'id' | 'createdAt' | 'status' | 'decidedBy' | 'decidedByName' | 'decidedAt' | 'refusalReason' | 'userId'
>

export type AccessRequestDecision = {
  readonly status: 'approved' | 'refused'
  readonly by: string
  readonly at: IsoTime
  readonly refusalReason: string | null
  readonly userId: string | null
}

export type PasswordLinkRow = {
  readonly userId: string
  readonly createdAt: IsoTime
  readonly expiresAt: IsoTime
  readonly usedAt: IsoTime | null
}

export type AuditFilter = {
  readonly userId?: string
  readonly patientId?: string
  readonly action?: string
  readonly from?: IsoTime
  readonly to?: IsoTime
}

export type AuditListRow = {
  readonly chainPosition: number
  readonly id: string
  readonly userId: string
  readonly userName: string | null
  readonly onBehalfOf: string | null
  readonly onBehalfOfName: string | null
  readonly action: string
  readonly entity: string
  readonly entityId: string | null
  readonly patientId: string | null
  readonly fields: string | null
  readonly deviceId: string | null
  readonly deviceName: string | null
  readonly deviceTime: string | null
  readonly serverTime: IsoTime
  readonly outcome: 'done' | 'refused'
  readonly reason: string | null
}

/** Doses of one local day (time of action as the device wrote it) at one place with one vaccine. */
export type DoseDayCount = {
  readonly day: string
  readonly place: string | null
  readonly vaccineId: string | null
  readonly count: number
}

/** The dose counts of a range of days: by day of action (with place and vaccine), and by UTC receipt day. */
export type DoseActivity = {
  readonly recorded: readonly DoseDayCount[]
  readonly received: readonly { readonly day: string; readonly count: number }[]
}

export type StepSummary = { readonly id: string; readonly kind: string; readonly doseNumber: number | null }

export type AdminQueries = {
  listSites(organisationId: string): Promise<Site[]>
  createSite(organisationId: string, name: string, postalCode: string | null): Promise<Site>
  listDevicePage(
    organisationId: string,
    page: PageRequest<{ q: string | null; status: 'active' | 'revoked' | null }>,
  ): Promise<DeviceListRow[]>
  getDeviceRow(organisationId: string, deviceId: string): Promise<DeviceListRow | null>
  /** A device that had pushed came back pulling from the start with an empty outbox. */
  markDeviceReappearedEmpty(deviceId: string, at: IsoTime, lastSeq: number): Promise<void>
  setDevicePersisted(deviceId: string, persisted: boolean): Promise<void>
  listRejectionPage(
    organisationId: string,
    page: PageRequest<{ q: string | null; status: 'open' | 'resolved' | null }>,
  ): Promise<RejectionListRow[]>
  getRejectionRow(organisationId: string, mutationId: string): Promise<RejectionListRow | null>
  /** Patients' display data (`data` JSON text), by id, within the organisation. */
  patientData(organisationId: string, ids: readonly string[]): Promise<{ id: string; data: string }[]>
  stepSummaries(organisationId: string, ids: readonly string[]): Promise<StepSummary[]>
  userNames(ids: readonly string[]): Promise<{ id: string; name: string }[]>
  listUserPage(organisationId: string, page: PageRequest<{ q: string | null }>): Promise<User[]>
  grantsOfUsers(userIds: readonly string[]): Promise<RoleGrant[]>
  getGrant(grantId: string): Promise<RoleGrant | null>
  /** Sets the end of a grant not revoked; records the change for pull. Null when no such grant in force. */
  endGrant(grantId: string, endsAt: IsoTime): Promise<RoleGrant | null>
  /** Revokes a grant not revoked yet; records the change for pull. */
  revokeGrant(grantId: string, by: string, at: IsoTime): Promise<RoleGrant | null>
  findOrganisationByIdentifier(kind: 'finess' | 'inami', value: string): Promise<string | null>
  createAccessRequest(
    organisationId: string,
    input: Omit<NewAccessRequest, 'organisationId'>,
  ): Promise<AccessRequestRow>
  getAccessRequest(id: string): Promise<AccessRequestRow | null>
  listAccessRequestPage(
    organisationId: string,
    page: PageRequest<{ q: string | null; status: 'pending' | 'approved' | 'refused' }>,
  ): Promise<AccessRequestRow[]>
  /** False when the request was decided already. */
  decideAccessRequest(id: string, decision: AccessRequestDecision): Promise<boolean>
  createPasswordLink(input: {
    tokenHash: string
    userId: string
    createdBy: string | null
    expiresAt: IsoTime
  }): Promise<void>
  findPasswordLink(tokenHash: string): Promise<PasswordLinkRow | null>
  /** False when already used. */
  usePasswordLink(tokenHash: string, at: IsoTime): Promise<boolean>
  listAuditPage(organisationId: string, page: PageRequest<{ filter: AuditFilter }>): Promise<AuditListRow[]>
  /** Counts of the doses whose day of action, or receipt day, falls from `from` to `to` (days, both included). */
  doseActivity(organisationId: string, from: string, to: string): Promise<DoseActivity>
}

const time = z.union([z.string(), z.date()]).transform(toIso)
const integer = z.union([z.number(), z.string(), z.bigint()]).transform(Number)
const flag = z.union([z.boolean(), z.number()]).transform(Boolean)

const SiteRow = z
  .object({ id: z.string(), name: z.string(), postal_code: z.string().nullable(), created_at: time })
  .transform((r): Site => ({ id: r.id, name: r.name, postalCode: r.postal_code, createdAt: r.created_at }))

const DeviceListRowSchema = z
  .object({
    id: z.string(),
    name: z.string(),
    user_id: z.string().nullable(),
    user_name: z.string().nullable(),
    registered_at: time,
    last_seen_at: time.nullable(),
    last_seq: integer,
    pending: integer.nullable(),
    app_version: z.string().nullable(),
    storage_used: integer.nullable(),
    storage_quota: integer.nullable(),
    persisted: flag.nullable(),
    revoked_at: time.nullable(),
    revoked_by: z.string().nullable(),
    revoked_by_name: z.string().nullable(),
    reappeared_empty_at: time.nullable(),
    reappeared_last_seq: integer.nullable(),
    revoke_mode: z.enum(['wipe', 'after-export']).nullable(),
    keys_kept_until: time.nullable(),
    keys_destroyed_at: time.nullable(),
    export_imported_at: time.nullable(),
    broken_rows: integer.nullable(),
    broken_tables: z.string().nullable(),
    broken_seen_at: time.nullable(),
    signature_mismatches: integer,
    signature_mismatch_since: time.nullable(),
  })
  .transform((r): DeviceListRow => ({
    id: r.id,
    name: r.name,
    userId: r.user_id,
    userName: r.user_name,
    registeredAt: r.registered_at,
    lastSeenAt: r.last_seen_at,
    lastSeq: r.last_seq,
    pending: r.pending,
    appVersion: r.app_version,
    storageUsed: r.storage_used,
    storageQuota: r.storage_quota,
    persisted: r.persisted,
    revokedAt: r.revoked_at,
    revokedBy: r.revoked_by,
    revokedByName: r.revoked_by_name,
    reappearedEmptyAt: r.reappeared_empty_at,
    reappearedLastSeq: r.reappeared_last_seq,
    revokeMode: r.revoke_mode,
    keysKeptUntil: r.keys_kept_until,
    keysDestroyedAt: r.keys_destroyed_at,
    exportImportedAt: r.export_imported_at,
    brokenRows: r.broken_rows,
    brokenTables: r.broken_tables,
    brokenSeenAt: r.broken_seen_at,
    signatureMismatches: r.signature_mismatches,
    signatureMismatchSince: r.signature_mismatch_since,
  }))

const RejectionListRowSchema = z
  .object({
    mutation_id: z.string(),
    device_id: z.string(),
    device_name: z.string().nullable(),
    user_id: z.string(),
    user_name: z.string().nullable(),
    mutation: z.string(),
    error: RuleErrorCodeSchema,
    detail: z.string().nullable(),
    rejected_at: time,
    resolution: z.enum(REJECTION_RESOLUTIONS).nullable(),
    resolved_by: z.string().nullable(),
    resolved_by_name: z.string().nullable(),
    resolved_at: time.nullable(),
    note: z.string().nullable(),
  })
  .transform((r): RejectionListRow => ({
    mutationId: r.mutation_id,
    deviceId: r.device_id,
    deviceName: r.device_name,
    userId: r.user_id,
    userName: r.user_name,
    mutation: r.mutation,
    error: r.error,
    detail: r.detail,
    rejectedAt: r.rejected_at,
    resolution: r.resolution,
    resolvedBy: r.resolved_by,
    resolvedByName: r.resolved_by_name,
    resolvedAt: r.resolved_at,
    note: r.note,
  }))

const GrantRow = z
  .object({
    id: z.string(),
    user_id: z.string(),
    organisation_id: z.string(),
    role: z.enum(ROLES),
    acts_for_user_id: z.string().nullable(),
    starts_at: time,
    ends_at: time.nullable(),
    granted_by: z.string().nullable(),
    granted_at: time,
    revoked_at: time.nullable(),
    revoked_by: z.string().nullable(),
  })
  .transform((r): RoleGrant => ({
    id: r.id,
    userId: r.user_id,
    organisationId: r.organisation_id,
    role: r.role,
    actsForUserId: r.acts_for_user_id,
    startsAt: r.starts_at,
    endsAt: r.ends_at,
    grantedBy: r.granted_by,
    grantedAt: r.granted_at,
    revokedAt: r.revoked_at,
    revokedBy: r.revoked_by,
  }))

const AccessRequestRowSchema = z
  .object({
    id: z.string(),
    organisation_id: z.string(),
    name: z.string(),
    profession: z.enum([...PROFESSIONS]),
    professional_id_kind: z.enum(PROFESSIONAL_ID_KINDS),
    professional_id_value: z.string(),
    email: z.string(),
    phone: z.string(),
    message: z.string().nullable(),
    created_at: time,
    status: z.enum(['pending', 'approved', 'refused']),
    decided_by: z.string().nullable(),
    decided_by_name: z.string().nullable(),
    decided_at: time.nullable(),
    refusal_reason: z.string().nullable(),
    user_id: z.string().nullable(),
  })
  .transform((r): AccessRequestRow => ({
    id: r.id,
    organisationId: r.organisation_id,
    name: r.name,
    profession: r.profession,
    professionalIdKind: r.professional_id_kind,
    professionalIdValue: r.professional_id_value,
    email: r.email,
    phone: r.phone,
    message: r.message,
    createdAt: r.created_at,
    status: r.status,
    decidedBy: r.decided_by,
    decidedByName: r.decided_by_name,
    decidedAt: r.decided_at,
    refusalReason: r.refusal_reason,
    userId: r.user_id,
  }))

const AuditRowSchema = z
  .object({
    chain_position: integer,
    id: z.string(),
    user_id: z.string(),
    user_name: z.string().nullable(),
    on_behalf_of: z.string().nullable(),
    on_behalf_of_name: z.string().nullable(),
    action: z.string(),
    entity: z.string(),
    entity_id: z.string().nullable(),
    patient_id: z.string().nullable(),
    fields: z.string().nullable(),
    device_id: z.string().nullable(),
    device_name: z.string().nullable(),
    device_time: z.string().nullable(),
    server_time: time,
    outcome: z.enum(['done', 'refused']),
    reason: z.string().nullable(),
  })
  .transform((r): AuditListRow => ({
    chainPosition: r.chain_position,
    id: r.id,
    userId: r.user_id,
    userName: r.user_name,
    onBehalfOf: r.on_behalf_of,
    onBehalfOfName: r.on_behalf_of_name,
    action: r.action,
    entity: r.entity,
    entityId: r.entity_id,
    patientId: r.patient_id,
    fields: r.fields,
    deviceId: r.device_id,
    deviceName: r.device_name,
    deviceTime: r.device_time,
    serverTime: r.server_time,
    outcome: r.outcome,
    reason: r.reason,
  }))

const DoseCountRow = z.object({
  series: z.enum(['recorded', 'received']),
  day: z.string(),
  place: z.string().nullable(),
  vaccine_id: z.string().nullable(),
  count: integer,
})

const GRANT_COLUMNS = `id, user_id, organisation_id, role, acts_for_user_id, starts_at, ends_at, granted_by,
  granted_at, revoked_at, revoked_by`

const DEVICE_LIST_SQL = `SELECT d.id, d.name, d.user_id, u.display_name AS user_name, d.registered_at, d.last_seen_at,
    d.last_seq, d.pending, d.app_version, d.storage_used, d.storage_quota, d.persisted, d.revoked_at, d.revoked_by,
    r.display_name AS revoked_by_name, d.reappeared_empty_at, d.reappeared_last_seq, d.revoke_mode,
    d.keys_kept_until, d.keys_destroyed_at, d.export_imported_at, d.broken_rows, d.broken_tables, d.broken_seen_at,
    (SELECT count(*) FROM rejections m WHERE m.device_id = d.id AND m.error = 'signature-mismatch'
      AND m.resolution IS NULL) AS signature_mismatches,
    (SELECT min(m.rejected_at) FROM rejections m WHERE m.device_id = d.id AND m.error = 'signature-mismatch'
      AND m.resolution IS NULL) AS signature_mismatch_since
  FROM devices d LEFT JOIN users u ON u.id = d.user_id LEFT JOIN users r ON r.id = d.revoked_by`

const REJECTION_LIST_SQL = `SELECT j.mutation_id, j.device_id, d.name AS device_name, j.user_id,
    u.display_name AS user_name, j.mutation, j.error, j.detail, j.rejected_at, j.resolution, j.resolved_by,
    b.display_name AS resolved_by_name, j.resolved_at, j.note
  FROM rejections j LEFT JOIN devices d ON d.id = j.device_id LEFT JOIN users u ON u.id = j.user_id
  LEFT JOIN users b ON b.id = j.resolved_by`

const ACCESS_REQUEST_SQL = `SELECT a.id, a.organisation_id, a.name, a.profession, a.professional_id_kind,
    a.professional_id_value, a.email, a.phone, a.message, a.created_at, a.status, a.decided_by,
    u.display_name AS decided_by_name, a.decided_at, a.refusal_reason, a.user_id
  FROM access_requests a LEFT JOIN users u ON u.id = a.decided_by`

const AUDIT_SQL = `SELECT e.chain_position, e.id, e.user_id, u.display_name AS user_name, e.on_behalf_of,
    o.display_name AS on_behalf_of_name, e.action, e.entity, e.entity_id, e.patient_id, e.fields, e.device_id,
    d.name AS device_name, e.device_time, e.server_time, e.outcome, e.reason
  FROM audit_events e LEFT JOIN users u ON u.id = e.user_id LEFT JOIN users o ON o.id = e.on_behalf_of
  LEFT JOIN devices d ON d.id = e.device_id`

/** A `LIKE` pattern matching `text` anywhere, its wildcards escaped (used with `ESCAPE '\'`). */
export function containsPattern(text: string): string {
  return `%${text.toLowerCase().replace(/[\\%_]/g, (c) => `\\${c}`)}%`
}

const marks = (n: number) => Array.from({ length: n }, () => '?').join(', ')

/** The administration queries over one executor (the pool, a connection or a transaction). */
export function createAdminQueries(db: Executor, clock: Clock): AdminQueries {
  const grants = async (sql: string, params: readonly SqlValue[]) =>
    (await db.all(sql, params)).map((row) => GrantRow.parse(row))
  const devices = async (sql: string, params: readonly SqlValue[]) =>
    (await db.all(sql, params)).map((row) => DeviceListRowSchema.parse(row))
  const rejections = async (sql: string, params: readonly SqlValue[]) =>
    (await db.all(sql, params)).map((row) => RejectionListRowSchema.parse(row))
  const requests = async (sql: string, params: readonly SqlValue[]) =>
    (await db.all(sql, params)).map((row) => AccessRequestRowSchema.parse(row))
  // PostgreSQL compares a timestamptz column with text only through a cast; SQLite compares ISO text.
  const ts = db.dialect === 'postgres' ? '?::timestamptz' : '?'

  const queries: AdminQueries = {
    async listSites(organisationId) {
      const rows = await db.all(
        'SELECT id, name, postal_code, created_at FROM sites WHERE organisation_id = ? ORDER BY name, id',
        [organisationId],
      )
      return rows.map((row) => SiteRow.parse(row))
    },

    async createSite(organisationId, name, postalCode) {
      const at = clock.now()
      const rows = await db.all(
        `INSERT INTO sites (id, organisation_id, name, postal_code, created_at) VALUES (?, ?, ?, ?, ?)
         RETURNING id, name, postal_code, created_at`,
        [uuidv7(at.getTime()), organisationId, name, postalCode, at.toISOString()],
      )
      return SiteRow.parse(rows[0])
    },

    async listDevicePage(organisationId, { q, status, after, limit }) {
      const where = ['d.organisation_id = ?']
      const params: SqlValue[] = [organisationId]
      if (status === 'active') where.push('d.revoked_at IS NULL')
      if (status === 'revoked') where.push('d.revoked_at IS NOT NULL')
      if (q !== null) {
        where.push(
          `(lower(d.name) LIKE ? ESCAPE '\\' OR lower(coalesce(u.display_name, '')) LIKE ? ESCAPE '\\')`,
        )
        params.push(containsPattern(q), containsPattern(q))
      }
      if (after !== null) {
        where.push(`(d.registered_at, d.id) < (${ts}, ?)`)
        params.push(after.key, after.id)
      }
      return devices(
        `${DEVICE_LIST_SQL} WHERE ${where.join(' AND ')} ORDER BY d.registered_at DESC, d.id DESC LIMIT ?`,
        [...params, limit],
      )
    },

    async getDeviceRow(organisationId, deviceId) {
      const [row] = await devices(`${DEVICE_LIST_SQL} WHERE d.organisation_id = ? AND d.id = ?`, [
        organisationId,
        deviceId,
      ])
      return row ?? null
    },

    async markDeviceReappearedEmpty(deviceId, at, lastSeq) {
      await db.run('UPDATE devices SET reappeared_empty_at = ?, reappeared_last_seq = ? WHERE id = ?', [
        at,
        lastSeq,
        deviceId,
      ])
    },

    async setDevicePersisted(deviceId, persisted) {
      await db.run('UPDATE devices SET persisted = ? WHERE id = ?', [persisted, deviceId])
    },

    async listRejectionPage(organisationId, { q, status, after, limit }) {
      const where = ['j.organisation_id = ?']
      const params: SqlValue[] = [organisationId]
      if (status === 'open') where.push('j.resolution IS NULL')
      if (status === 'resolved') where.push('j.resolution IS NOT NULL')
      if (q !== null) {
        // The rejected mutation's text holds its patient and step ids (and, for a registration, the name).
        where.push(`(lower(coalesce(u.display_name, '')) LIKE ? ESCAPE '\\'
          OR lower(coalesce(d.name, '')) LIKE ? ESCAPE '\\' OR j.error LIKE ? ESCAPE '\\'
          OR lower(j.mutation) LIKE ? ESCAPE '\\')`)
        const pattern = containsPattern(q)
        params.push(pattern, pattern, pattern, pattern)
      }
      if (after !== null) {
        where.push(`(j.rejected_at, j.mutation_id) < (${ts}, ?)`)
        params.push(after.key, after.id)
      }
      return rejections(
        `${REJECTION_LIST_SQL} WHERE ${where.join(' AND ')}
         ORDER BY j.rejected_at DESC, j.mutation_id DESC LIMIT ?`,
        [...params, limit],
      )
    },

    async getRejectionRow(organisationId, mutationId) {
      const [row] = await rejections(
        `${REJECTION_LIST_SQL} WHERE j.organisation_id = ? AND j.mutation_id = ?`,
        [organisationId, mutationId],
      )
      return row ?? null
    },

    async patientData(organisationId, ids) {
      if (ids.length === 0) return []
      const rows = await db.all(
        `SELECT id, data FROM patients WHERE organisation_id = ? AND id IN (${marks(ids.length)})`,
        [organisationId, ...ids],
      )
      return rows.map((row) => z.object({ id: z.string(), data: z.string() }).parse(row))
    },

    async stepSummaries(organisationId, ids) {
      if (ids.length === 0) return []
      const dose =
        db.dialect === 'postgres' ? `(data::json->>'doseNumber')` : `json_extract(data, '$.doseNumber')`
      const rows = await db.all(
        `SELECT id, kind, ${dose} AS dose_number FROM steps
         WHERE organisation_id = ? AND id IN (${marks(ids.length)})`,
        [organisationId, ...ids],
      )
      return rows.map((row) => {
        const r = z.object({ id: z.string(), kind: z.string(), dose_number: integer.nullable() }).parse(row)
        return { id: r.id, kind: r.kind, doseNumber: r.dose_number }
      })
    },

    async userNames(ids) {
      const unique = [...new Set(ids)]
      if (unique.length === 0) return []
      const rows = await db.all(
        `SELECT id, display_name FROM users WHERE id IN (${marks(unique.length)})`,
        unique,
      )
      return rows.map((row) => {
        const r = z.object({ id: z.string(), display_name: z.string() }).parse(row)
        return { id: r.id, name: r.display_name }
      })
    },

    async listUserPage(organisationId, { q, after, limit }) {
      const where = ['organisation_id = ?']
      const params: SqlValue[] = [organisationId]
      if (q !== null) {
        where.push(`(lower(display_name) LIKE ? ESCAPE '\\' OR lower(login) LIKE ? ESCAPE '\\'
          OR lower(coalesce(professional_id_value, '')) LIKE ? ESCAPE '\\')`)
        const pattern = containsPattern(q)
        params.push(pattern, pattern, pattern)
      }
      if (after !== null) {
        where.push('(display_name, id) > (?, ?)')
        params.push(after.key, after.id)
      }
      const rows = await db.all(
        `SELECT ${USER_COLUMNS} FROM users WHERE ${where.join(' AND ')} ORDER BY display_name, id LIMIT ?`,
        [...params, limit],
      )
      return rows.map((row) => UserRow.parse(row).user)
    },

    async grantsOfUsers(userIds) {
      if (userIds.length === 0) return []
      return grants(
        `SELECT ${GRANT_COLUMNS} FROM role_grants WHERE user_id IN (${marks(userIds.length)})
         ORDER BY granted_at DESC, id DESC`,
        userIds,
      )
    },

    async getGrant(grantId) {
      const [found] = await grants(`SELECT ${GRANT_COLUMNS} FROM role_grants WHERE id = ?`, [grantId])
      return found ?? null
    },

    async endGrant(grantId, endsAt) {
      const [changed] = await grants(
        `UPDATE role_grants SET ends_at = ? WHERE id = ? AND revoked_at IS NULL RETURNING ${GRANT_COLUMNS}`,
        [endsAt, grantId],
      )
      if (changed === undefined) return null
      await recordRoleGrantChange(db, changed)
      return changed
    },

    async revokeGrant(grantId, by, at) {
      const [changed] = await grants(
        `UPDATE role_grants SET revoked_at = ?, revoked_by = ? WHERE id = ? AND revoked_at IS NULL
         RETURNING ${GRANT_COLUMNS}`,
        [at, by, grantId],
      )
      if (changed === undefined) return null
      await recordRoleGrantChange(db, changed)
      return changed
    },

    async findOrganisationByIdentifier(kind, value) {
      const column = kind === 'finess' ? 'finess' : 'inami'
      const [row] = await db.all(`SELECT id FROM organisations WHERE ${column} = ?`, [value])
      return row === undefined ? null : z.object({ id: z.string() }).parse(row).id
    },

    async createAccessRequest(organisationId, input) {
      const at = clock.now()
      const id = uuidv7(at.getTime())
      await db.run(
        `INSERT INTO access_requests (id, organisation_id, name, profession, professional_id_kind,
           professional_id_value, email, phone, message, created_at)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
        [
          id,
          organisationId,
          input.name,
          input.profession,
          input.professionalIdKind,
          input.professionalIdValue,
          input.email,
          input.phone,
          input.message,
          at.toISOString(),
        ],
      )
      const created = await queries.getAccessRequest(id)
      if (created === null) throw new Error(`access request ${id} not found after insert`)
      return created
    },

    async getAccessRequest(id) {
      const [found] = await requests(`${ACCESS_REQUEST_SQL} WHERE a.id = ?`, [id])
      return found ?? null
    },

    async listAccessRequestPage(organisationId, { q, status, after, limit }) {
      const where = ['a.organisation_id = ?', 'a.status = ?']
      const params: SqlValue[] = [organisationId, status]
      if (q !== null) {
        where.push(`(lower(a.name) LIKE ? ESCAPE '\\' OR lower(a.email) LIKE ? ESCAPE '\\'
          OR a.professional_id_value LIKE ? ESCAPE '\\')`)
        const pattern = containsPattern(q)
        params.push(pattern, pattern, pattern)
      }
      if (after !== null) {
        where.push(`(a.created_at, a.id) < (${ts}, ?)`)
        params.push(after.key, after.id)
      }
      return requests(
        `${ACCESS_REQUEST_SQL} WHERE ${where.join(' AND ')} ORDER BY a.created_at DESC, a.id DESC LIMIT ?`,
        [...params, limit],
      )
    },

    async decideAccessRequest(id, decision) {
      const changed = await db.run(
        `UPDATE access_requests SET status = ?, decided_by = ?, decided_at = ?, refusal_reason = ?, user_id = ?
         WHERE id = ? AND status = 'pending'`,
        [decision.status, decision.by, decision.at, decision.refusalReason, decision.userId, id],
      )
      return changed > 0
    },

    async createPasswordLink(input) {
      await db.run(
        `INSERT INTO password_links (token_hash, user_id, created_by, created_at, expires_at)
         VALUES (?, ?, ?, ?, ?)`,
        [input.tokenHash, input.userId, input.createdBy, clock.now().toISOString(), input.expiresAt],
      )
    },

    async findPasswordLink(tokenHash) {
      const [row] = await db.all(
        'SELECT user_id, created_at, expires_at, used_at FROM password_links WHERE token_hash = ?',
        [tokenHash],
      )
      if (row === undefined) return null
      const r = z
        .object({ user_id: z.string(), created_at: time, expires_at: time, used_at: time.nullable() })
        .parse(row)
      return { userId: r.user_id, createdAt: r.created_at, expiresAt: r.expires_at, usedAt: r.used_at }
    },

    async usePasswordLink(tokenHash, at) {
      return (
        (await db.run('UPDATE password_links SET used_at = ? WHERE token_hash = ? AND used_at IS NULL', [
          at,
          tokenHash,
        ])) > 0
      )
    },

    async listAuditPage(organisationId, { filter, after, limit }) {
      const where = ['e.organisation_id = ?']
      const params: SqlValue[] = [organisationId]
      if (filter.userId !== undefined) {
        where.push('e.user_id = ?')
        params.push(filter.userId)
      }
      if (filter.patientId !== undefined) {
        where.push('e.patient_id = ?')
        params.push(filter.patientId)
      }
      if (filter.action !== undefined) {
        where.push('e.action = ?')
        params.push(filter.action)
      }
      if (filter.from !== undefined) {
        where.push(`e.server_time >= ${ts}`)
        params.push(filter.from)
      }
      if (filter.to !== undefined) {
        where.push(`e.server_time < ${ts}`)
        params.push(filter.to)
      }
      if (after !== null) {
        where.push(`(e.server_time, e.chain_position) < (${ts}, ?)`)
        params.push(after.key, Number(after.id))
      }
      const rows = await db.all(
        `${AUDIT_SQL} WHERE ${where.join(' AND ')} ORDER BY e.server_time DESC, e.chain_position DESC LIMIT ?`,
        [...params, limit],
      )
      return rows.map((row) => AuditRowSchema.parse(row))
    },

    async doseActivity(organisationId, from, to) {
      // One statement, so both series come from one snapshot; each side is a range of its own index.
      const rows = await db.all(
        `SELECT 'recorded' AS series, day, place, vaccine_id, count(*) AS count FROM dose_activity
           WHERE organisation_id = ? AND day >= ? AND day <= ? GROUP BY day, place, vaccine_id
         UNION ALL
         SELECT 'received' AS series, received_day AS day, NULL AS place, NULL AS vaccine_id, count(*) AS count
           FROM dose_activity
           WHERE organisation_id = ? AND received_day >= ? AND received_day <= ? GROUP BY received_day`,
        [organisationId, from, to, organisationId, from, to],
      )
      const recorded: DoseDayCount[] = []
      const received: { day: string; count: number }[] = []
      for (const row of rows) {
        const r = DoseCountRow.parse(row)
        if (r.series === 'received') received.push({ day: r.day, count: r.count })
        else recorded.push({ day: r.day, place: r.place, vaccineId: r.vaccine_id, count: r.count })
      }
      return { recorded, received }
    },
  }
  return queries
}
