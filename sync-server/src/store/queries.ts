import { z } from 'zod'
import { err, ok } from '../../../src/domain/result'
import type { Clock } from '../clock'
import { uuidv7 } from '../ids'
import { recordRoleGrantChange, recordUserChange } from './sync-records'
import {
  COUNTRIES,
  ORGANISATION_KINDS,
  PROFESSIONAL_ID_KINDS,
  PROFESSIONS,
  ROLES,
  type Device,
  type Organisation,
  type RoleGrant,
  type CoreQueries,
  type User,
} from './types'

export type SqlValue = string | number | boolean | null

/**
 * What a dialect provides to the shared queries. SQL is written once with `?` placeholders
 * (PostgreSQL's executor numbers them); each call is one statement.
 */
export type Executor = {
  /** Which database answers: the few statements written per dialect (a pull page's JSON) look at it. */
  readonly dialect: 'sqlite' | 'postgres'
  /**
   * `bulk`: a read that may take long (a pull page). SQLite runs short reads at once on its read connection,
   * and bulk ones in turn with the other store work, so that they cannot hold the event loop for long.
   */
  all(sql: string, params?: readonly SqlValue[], options?: { readonly bulk?: boolean }): Promise<unknown[]>
  run(sql: string, params?: readonly SqlValue[]): Promise<number>
}

export function toIso(value: string | Date): string {
  return new Date(value).toISOString()
}

// Rows are parsed, not cast: the dialects hand back different types for the same column
// (Date or text for timestamps, boolean or 0/1, bigint as text).
const time = z.union([z.string(), z.date()]).transform(toIso)
const optionalTime = time.nullable()
const integer = z.union([z.number(), z.string(), z.bigint()]).transform(Number)
const flag = z.union([z.boolean(), z.number()]).transform(Boolean)

const OrganisationRow = z
  .object({
    id: z.string(),
    name: z.string(),
    kind: z.enum(ORGANISATION_KINDS),
    country: z.enum(COUNTRIES),
    finess: z.string().nullable(),
    inami: z.string().nullable(),
    enterprise_number: z.string().nullable(),
    created_at: time,
  })
  .transform((r): Organisation => ({
    id: r.id,
    name: r.name,
    kind: r.kind,
    country: r.country,
    finess: r.finess,
    inami: r.inami,
    enterpriseNumber: r.enterprise_number,
    createdAt: r.created_at,
  }))

export const UserRow = z
  .object({
    id: z.string(),
    organisation_id: z.string(),
    login: z.string(),
    display_name: z.string(),
    profession: z.enum(PROFESSIONS),
    professional_id_kind: z.enum(PROFESSIONAL_ID_KINDS).nullable(),
    professional_id_value: z.string().nullable(),
    email: z.string().nullable(),
    password_hash: z.string().nullable(),
    created_at: time,
    disabled: flag,
  })
  .transform((r) => {
    const user: User = {
      id: r.id,
      organisationId: r.organisation_id,
      login: r.login,
      displayName: r.display_name,
      profession: r.profession,
      professionalId:
        r.professional_id_kind !== null && r.professional_id_value !== null
          ? { kind: r.professional_id_kind, value: r.professional_id_value }
          : null,
      email: r.email,
      createdAt: r.created_at,
      disabled: r.disabled,
    }
    return { user, passwordHash: r.password_hash }
  })

const RoleGrantRow = z
  .object({
    id: z.string(),
    user_id: z.string(),
    organisation_id: z.string(),
    role: z.enum(ROLES),
    acts_for_user_id: z.string().nullable(),
    starts_at: time,
    ends_at: optionalTime,
    granted_by: z.string().nullable(),
    granted_at: time,
    revoked_at: optionalTime,
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

export const DeviceRow = z
  .object({
    id: z.string(),
    organisation_id: z.string(),
    user_id: z.string().nullable(),
    name: z.string(),
    registered_at: time,
    last_seen_at: optionalTime,
    revoked_at: optionalTime,
    revoked_by: z.string().nullable(),
    app_version: z.string().nullable(),
    pending: integer.nullable(),
    storage_used: integer.nullable(),
    storage_quota: integer.nullable(),
    last_seq: integer,
  })
  .transform((r): Device => ({
    id: r.id,
    organisationId: r.organisation_id,
    userId: r.user_id,
    name: r.name,
    registeredAt: r.registered_at,
    lastSeenAt: r.last_seen_at,
    revokedAt: r.revoked_at,
    revokedBy: r.revoked_by,
    appVersion: r.app_version,
    pending: r.pending,
    storageUsed: r.storage_used,
    storageQuota: r.storage_quota,
    lastSeq: r.last_seq,
  }))

const ORGANISATION_COLUMNS = 'id, name, kind, country, finess, inami, enterprise_number, created_at'
export const USER_COLUMNS = `id, organisation_id, login, display_name, profession, professional_id_kind,
  professional_id_value, email, password_hash, created_at, disabled`
const ROLE_GRANT_COLUMNS = `id, user_id, organisation_id, role, acts_for_user_id, starts_at, ends_at,
  granted_by, granted_at, revoked_at, revoked_by`
export const DEVICE_COLUMNS = `id, organisation_id, user_id, name, registered_at, last_seen_at, revoked_at,
  revoked_by, app_version, pending, storage_used, storage_quota, last_seq`

/** The store's reads and writes over one executor (the pool, a connection or a transaction). */
export function createQueries(db: Executor, clock: Clock): CoreQueries {
  const now = () => clock.now()
  const organisations = async (sql: string, params: readonly SqlValue[] = []) =>
    (await db.all(sql, params)).map((row) => OrganisationRow.parse(row))
  const users = async (sql: string, params: readonly SqlValue[] = []) =>
    (await db.all(sql, params)).map((row) => UserRow.parse(row))

  return {
    async isEmpty() {
      return (await db.all('SELECT 1 AS one FROM organisations LIMIT 1')).length === 0
    },

    async createOrganisation(input) {
      const at = now()
      // ON CONFLICT DO NOTHING rather than catching the violation: in PostgreSQL a failed
      // statement aborts the surrounding transaction.
      const [created] = await organisations(
        `INSERT INTO organisations (${ORGANISATION_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?)
         ON CONFLICT DO NOTHING RETURNING ${ORGANISATION_COLUMNS}`,
        [
          uuidv7(at.getTime()),
          input.name,
          input.kind,
          input.country,
          input.finess ?? null,
          input.inami ?? null,
          input.enterpriseNumber ?? null,
          at.toISOString(),
        ],
      )
      return created === undefined ? err('organisation-identifier-taken') : ok(created)
    },

    async getOrganisation(id) {
      const [found] = await organisations(`SELECT ${ORGANISATION_COLUMNS} FROM organisations WHERE id = ?`, [
        id,
      ])
      return found ?? null
    },

    async getOrganisationByFiness(finess) {
      const [found] = await organisations(
        `SELECT ${ORGANISATION_COLUMNS} FROM organisations WHERE finess = ?`,
        [finess],
      )
      return found ?? null
    },

    async listOrganisations() {
      return organisations(`SELECT ${ORGANISATION_COLUMNS} FROM organisations ORDER BY name, id`)
    },

    async createUser(input) {
      const at = now()
      const [created] = await users(
        `INSERT INTO users (${USER_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
         ON CONFLICT DO NOTHING RETURNING ${USER_COLUMNS}`,
        [
          uuidv7(at.getTime()),
          input.organisationId,
          input.login,
          input.displayName,
          input.profession,
          input.professionalId?.kind ?? null,
          input.professionalId?.value ?? null,
          input.email ?? null,
          input.passwordHash,
          at.toISOString(),
          false,
        ],
      )
      if (created === undefined) return err('login-taken')
      // Devices pull their organisation's members from the change log (call inside a transaction).
      await recordUserChange(db, created.user)
      return ok(created.user)
    },

    async getUser(id) {
      const [found] = await users(`SELECT ${USER_COLUMNS} FROM users WHERE id = ?`, [id])
      return found?.user ?? null
    },

    async findUserByLogin(login) {
      const [found] = await users(`SELECT ${USER_COLUMNS} FROM users WHERE lower(login) = lower(?)`, [login])
      return found ?? null
    },

    async listUsers(organisationId) {
      const rows = await users(
        `SELECT ${USER_COLUMNS} FROM users WHERE organisation_id = ? ORDER BY login, id`,
        [organisationId],
      )
      return rows.map((row) => row.user)
    },

    async setPasswordHash(userId, passwordHash) {
      return (await db.run('UPDATE users SET password_hash = ? WHERE id = ?', [passwordHash, userId])) > 0
    },

    async grantRole(input) {
      const at = now()
      const rows = await db.all(
        `INSERT INTO role_grants (${ROLE_GRANT_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
         RETURNING ${ROLE_GRANT_COLUMNS}`,
        [
          uuidv7(at.getTime()),
          input.userId,
          input.organisationId,
          input.role,
          input.actsForUserId ?? null,
          toIso(input.startsAt ?? at),
          input.endsAt == null ? null : toIso(input.endsAt),
          input.grantedBy ?? null,
          at.toISOString(),
          null,
          null,
        ],
      )
      const grant = RoleGrantRow.parse(rows[0])
      await recordRoleGrantChange(db, grant)
      return grant
    },

    async listRoleGrants(userId) {
      const rows = await db.all(
        `SELECT ${ROLE_GRANT_COLUMNS} FROM role_grants WHERE user_id = ? ORDER BY granted_at, id`,
        [userId],
      )
      return rows.map((row) => RoleGrantRow.parse(row))
    },

    async registerDevice(input) {
      const at = now()
      const rows = await db.all(
        `INSERT INTO devices (id, organisation_id, user_id, name, token_hash, registered_at, app_version)
         VALUES (?, ?, ?, ?, ?, ?, ?)
         ON CONFLICT DO NOTHING RETURNING ${DEVICE_COLUMNS}`,
        [
          input.id ?? uuidv7(at.getTime()),
          input.organisationId,
          input.userId,
          input.name,
          input.tokenHash,
          at.toISOString(),
          input.appVersion ?? null,
        ],
      )
      return rows[0] === undefined ? err('device-exists') : ok(DeviceRow.parse(rows[0]))
    },

    async listDevices(organisationId) {
      const rows =
        organisationId === undefined
          ? await db.all(`SELECT ${DEVICE_COLUMNS} FROM devices ORDER BY registered_at, id`)
          : await db.all(
              `SELECT ${DEVICE_COLUMNS} FROM devices WHERE organisation_id = ? ORDER BY registered_at, id`,
              [organisationId],
            )
      return rows.map((row) => DeviceRow.parse(row))
    },
  }
}
