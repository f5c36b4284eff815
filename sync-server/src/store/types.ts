import type { Result } from '../../../src/domain/result'
import { PROFESSIONS as HEALTH_PROFESSIONS } from '../../../src/shared/vocabulary'
import type { AdminQueries } from './admin-queries'
import type { StorageFaultKind } from './faults'
import type { AuthQueries } from './auth-queries'
import type { DeviceProtectionQueries } from './device-protection-queries'
import type { SyncQueries } from './sync-queries'

export type {
  AuthQueries,
  DeviceState,
  NewSession,
  RevokeDeviceError,
  RevokeDeviceOptions,
  Session,
} from './auth-queries'
export type {
  BrokenRowsReport,
  DeviceProtectionQueries,
  DeviceRevocationRow,
} from './device-protection-queries'

export type StoreKind = 'sqlite' | 'postgres'

export const ROLES = ['vaccinator', 'delegate', 'access-manager', 'sync-admin'] as const
export type Role = (typeof ROLES)[number]

export const ORGANISATION_KINDS = ['mobile-team', 'nursing-home', 'health-centre', 'other'] as const
export type OrganisationKind = (typeof ORGANISATION_KINDS)[number]

export const COUNTRIES = ['FR', 'BE'] as const
export type Country = (typeof COUNTRIES)[number]

// Health professions are the shared vocabulary's (src/shared/vocabulary.ts); the server adds the staff who
// sign in without being health professionals, sent on the wire as `profession: null`.
export const STAFF_PROFESSIONS = ['secretaire-medical', 'administratif'] as const
export type StaffProfession = (typeof STAFF_PROFESSIONS)[number]
export const PROFESSIONS = [...HEALTH_PROFESSIONS, ...STAFF_PROFESSIONS] as const
export type Profession = (typeof PROFESSIONS)[number]

export const PROFESSIONAL_ID_KINDS = ['rpps', 'adeli', 'inami', 'niss'] as const
export type ProfessionalIdKind = (typeof PROFESSIONAL_ID_KINDS)[number]
export type ProfessionalId = { readonly kind: ProfessionalIdKind; readonly value: string }

/** Timestamps are ISO 8601 strings in UTC (`Date.prototype.toISOString`), whatever the dialect. */
export type IsoTime = string

export type Organisation = {
  readonly id: string
  readonly name: string
  readonly kind: OrganisationKind
  readonly country: Country
  readonly finess: string | null
  readonly inami: string | null
  readonly enterpriseNumber: string | null
  readonly createdAt: IsoTime
}

export type NewOrganisation = {
  readonly name: string
  readonly kind: OrganisationKind
  readonly country: Country
  readonly finess?: string | null
  readonly inami?: string | null
  readonly enterpriseNumber?: string | null
}

export type User = {
  readonly id: string
  readonly organisationId: string
  readonly login: string
  readonly displayName: string
  readonly profession: Profession
  readonly professionalId: ProfessionalId | null
  readonly email: string | null
  readonly createdAt: IsoTime
  readonly disabled: boolean
}

export type NewUser = {
  readonly organisationId: string
  readonly login: string
  readonly displayName: string
  readonly profession: Profession
  readonly professionalId?: ProfessionalId | null
  readonly email?: string | null
  readonly passwordHash: string | null
}

/** The password hash travels apart from `User` so that a user object can never leak it onto the wire. */
export type UserCredentials = { readonly user: User; readonly passwordHash: string | null }

export type RoleGrant = {
  readonly id: string
  readonly userId: string
  readonly organisationId: string
  readonly role: Role
  readonly actsForUserId: string | null
  readonly startsAt: IsoTime
  readonly endsAt: IsoTime | null
  readonly grantedBy: string | null
  readonly grantedAt: IsoTime
  readonly revokedAt: IsoTime | null
  readonly revokedBy: string | null
}

export type NewRoleGrant = {
  readonly userId: string
  readonly organisationId: string
  readonly role: Role
  readonly actsForUserId?: string | null
  /** Defaults to the store clock's now. */
  readonly startsAt?: IsoTime
  readonly endsAt?: IsoTime | null
  readonly grantedBy?: string | null
}

export type Device = {
  readonly id: string
  readonly organisationId: string
  readonly userId: string | null
  readonly name: string
  readonly registeredAt: IsoTime
  readonly lastSeenAt: IsoTime | null
  readonly revokedAt: IsoTime | null
  readonly revokedBy: string | null
  readonly appVersion: string | null
  readonly pending: number | null
  readonly storageUsed: number | null
  readonly storageQuota: number | null
  readonly lastSeq: number
}

export type NewDevice = {
  /** The device chooses its own id (UUID v7); the store makes one when absent. */
  readonly id?: string
  readonly organisationId: string
  readonly userId: string | null
  readonly name: string
  readonly tokenHash: string
  readonly appVersion?: string | null
}

export type CreateOrganisationError = 'organisation-identifier-taken'
export type CreateUserError = 'login-taken'
export type RegisterDeviceError = 'device-exists'

/** The core reads and writes: organisations, users, role grants, device registration. */
export type CoreQueries = {
  isEmpty(): Promise<boolean>
  createOrganisation(input: NewOrganisation): Promise<Result<Organisation, CreateOrganisationError>>
  getOrganisation(id: string): Promise<Organisation | null>
  getOrganisationByFiness(finess: string): Promise<Organisation | null>
  /** By name. */
  listOrganisations(): Promise<Organisation[]>
  createUser(input: NewUser): Promise<Result<User, CreateUserError>>
  getUser(id: string): Promise<User | null>
  /** Logins compare case-insensitively. */
  findUserByLogin(login: string): Promise<UserCredentials | null>
  /** By login. */
  listUsers(organisationId: string): Promise<User[]>
  /** False when no such user. */
  setPasswordHash(userId: string, passwordHash: string): Promise<boolean>
  grantRole(input: NewRoleGrant): Promise<RoleGrant>
  listRoleGrants(userId: string): Promise<RoleGrant[]>
  registerDevice(input: NewDevice): Promise<Result<Device, RegisterDeviceError>>
  /** By registration time; all organisations when none is given. */
  listDevices(organisationId?: string): Promise<Device[]>
}

/** Reads and writes available both on the store and inside a transaction. */
export type StoreQueries = CoreQueries & AuthQueries & SyncQueries & AdminQueries & DeviceProtectionQueries

export type BackupOutcome =
  | { readonly kind: 'file'; readonly path: string; readonly bytes: number }
  | { readonly kind: 'use-pg-dump'; readonly command: string }

export type MigrationReport = { readonly applied: readonly number[]; readonly version: number }

/** A write that failed for want of space, on a read-only disk or with an I/O error (store/faults.ts). */
export type StorageFault = {
  readonly kind: StorageFaultKind
  /** The driver's code: SQLITE_FULL, 53100, EROFS… */
  readonly code: string
  /** When (epoch ms). */
  readonly at: number
}

/** What `Store.probe` found. */
export type StoreProbe = {
  /** The newest migration applied to the database. */
  readonly schemaVersion: number
  /** Why the database would refuse a write now, or null when it takes one. */
  readonly writeError: unknown
  /** The last storage fault a write met, until a write goes through again. */
  readonly storageFault: StorageFault | null
}

export type Store = StoreQueries & {
  readonly kind: StoreKind
  migrate(): Promise<MigrationReport>
  close(): Promise<void>
  /** Resolves when the database answers a trivial query; rejects otherwise. */
  ping(): Promise<void>
  /**
   * The health check's look at the database: its schema version and whether it takes a write now. Rejects only
   * when the database cannot be reached at all.
   */
  probe(): Promise<StoreProbe>
  backup(destPath: string): Promise<BackupOutcome>
  /**
   * Runs `fn` in one database transaction: committed when `fn` resolves, rolled back when it throws.
   * Use only `tx` inside `fn`: calling the store itself there is refused (on SQLite it would wait
   * for the transaction it is part of).
   */
  withTransaction<T>(fn: (tx: StoreQueries) => Promise<T>): Promise<T>
}

/** The database holds a schema newer than this server's migrations: an older server must not touch it. */
export class SchemaTooNewError extends Error {
  constructor(
    readonly databaseVersion: number,
    readonly knownVersion: number,
  ) {
    super(`database schema version ${databaseVersion} is newer than this server's (${knownVersion})`)
    this.name = 'SchemaTooNewError'
  }
}

export class NestedStoreCallError extends Error {
  constructor() {
    super('store called directly inside withTransaction: use the transaction handle')
    this.name = 'NestedStoreCallError'
  }
}
