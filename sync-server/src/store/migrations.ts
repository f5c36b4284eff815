import { ACTIVITY_MIGRATION } from './activity-schema'
import { ADMIN_MIGRATION } from './admin-schema'
import { DEVICE_DATA_KEYS_MIGRATION } from './device-keys-schema'
import { DEVICE_PROTECTION_MIGRATION } from './device-protection-schema'
import { SYNC_MIGRATION } from './sync-schema'
import { SchemaTooNewError } from './types'

export type Migration = {
  readonly version: number
  readonly name: string
  readonly sqlite: string
  readonly postgres: string
}

// Both dialects describe the same schema. Append new migrations; never edit one that has shipped.
// Timestamps: TEXT holding `toISOString()` values in SQLite (so text order is time order),
// timestamptz in PostgreSQL. Kinds and professions are checked by the application, not by CHECK
// constraints, so that adding one needs no table rebuild in SQLite; roles are checked in both.
export const MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    name: 'organisations, sites, users, role grants, devices',
    sqlite: `
      CREATE TABLE organisations (
        id TEXT PRIMARY KEY,
        name TEXT NOT NULL CHECK (length(name) > 0),
        kind TEXT NOT NULL,
        country TEXT NOT NULL CHECK (country IN ('FR', 'BE')),
        finess TEXT,
        inami TEXT,
        enterprise_number TEXT,
        created_at TEXT NOT NULL
      ) STRICT;
      CREATE UNIQUE INDEX organisations_finess_unique ON organisations (finess);
      CREATE UNIQUE INDEX organisations_inami_unique ON organisations (inami);
      CREATE UNIQUE INDEX organisations_enterprise_number_unique ON organisations (enterprise_number);

      CREATE TABLE sites (
        id TEXT PRIMARY KEY,
        organisation_id TEXT NOT NULL REFERENCES organisations (id),
        name TEXT NOT NULL,
        postal_code TEXT,
        created_at TEXT NOT NULL
      ) STRICT;
      CREATE INDEX sites_organisation ON sites (organisation_id);

      CREATE TABLE users (
        id TEXT PRIMARY KEY,
        organisation_id TEXT NOT NULL REFERENCES organisations (id),
        login TEXT NOT NULL CHECK (length(login) > 0),
        display_name TEXT NOT NULL,
        profession TEXT NOT NULL,
        professional_id_kind TEXT CHECK (professional_id_kind IN ('rpps', 'adeli', 'inami', 'niss')),
        professional_id_value TEXT,
        email TEXT,
        password_hash TEXT,
        created_at TEXT NOT NULL,
        disabled INTEGER NOT NULL DEFAULT 0 CHECK (disabled IN (0, 1)),
        CHECK ((professional_id_kind IS NULL) = (professional_id_value IS NULL))
      ) STRICT;
      CREATE UNIQUE INDEX users_login_unique ON users (lower(login));
      CREATE INDEX users_organisation ON users (organisation_id);
      CREATE INDEX users_professional_id ON users (professional_id_kind, professional_id_value);

      CREATE TABLE role_grants (
        id TEXT PRIMARY KEY,
        user_id TEXT NOT NULL REFERENCES users (id),
        organisation_id TEXT NOT NULL REFERENCES organisations (id),
        role TEXT NOT NULL CHECK (role IN ('vaccinator', 'delegate', 'access-manager', 'sync-admin')),
        acts_for_user_id TEXT REFERENCES users (id),
        starts_at TEXT NOT NULL,
        ends_at TEXT,
        granted_by TEXT REFERENCES users (id),
        granted_at TEXT NOT NULL,
        revoked_at TEXT,
        revoked_by TEXT REFERENCES users (id),
        CHECK ((role = 'delegate') = (acts_for_user_id IS NOT NULL)),
        CHECK (ends_at IS NULL OR ends_at > starts_at)
      ) STRICT;
      CREATE INDEX role_grants_user ON role_grants (user_id);
      CREATE INDEX role_grants_organisation ON role_grants (organisation_id);

      CREATE TABLE devices (
        id TEXT PRIMARY KEY,
        organisation_id TEXT NOT NULL REFERENCES organisations (id),
        user_id TEXT REFERENCES users (id),
        name TEXT NOT NULL,
        token_hash TEXT NOT NULL,
        registered_at TEXT NOT NULL,
        last_seen_at TEXT,
        revoked_at TEXT,
        revoked_by TEXT REFERENCES users (id),
        app_version TEXT,
        pending INTEGER,
        storage_used INTEGER,
        storage_quota INTEGER,
        last_seq INTEGER NOT NULL DEFAULT 0
      ) STRICT;
      CREATE UNIQUE INDEX devices_token_hash_unique ON devices (token_hash);
      CREATE INDEX devices_organisation ON devices (organisation_id);
    `,
    postgres: `
      CREATE TABLE organisations (
        id text PRIMARY KEY,
        name text NOT NULL CHECK (length(name) > 0),
        kind text NOT NULL,
        country text NOT NULL CHECK (country IN ('FR', 'BE')),
        finess text,
        inami text,
        enterprise_number text,
        created_at timestamptz NOT NULL
      );
      CREATE UNIQUE INDEX organisations_finess_unique ON organisations (finess);
      CREATE UNIQUE INDEX organisations_inami_unique ON organisations (inami);
      CREATE UNIQUE INDEX organisations_enterprise_number_unique ON organisations (enterprise_number);

      CREATE TABLE sites (
        id text PRIMARY KEY,
        organisation_id text NOT NULL REFERENCES organisations (id),
        name text NOT NULL,
        postal_code text,
        created_at timestamptz NOT NULL
      );
      CREATE INDEX sites_organisation ON sites (organisation_id);

      CREATE TABLE users (
        id text PRIMARY KEY,
        organisation_id text NOT NULL REFERENCES organisations (id),
        login text NOT NULL CHECK (length(login) > 0),
        display_name text NOT NULL,
        profession text NOT NULL,
        professional_id_kind text CHECK (professional_id_kind IN ('rpps', 'adeli', 'inami', 'niss')),
        professional_id_value text,
        email text,
        password_hash text,
        created_at timestamptz NOT NULL,
        disabled boolean NOT NULL DEFAULT false,
        CHECK ((professional_id_kind IS NULL) = (professional_id_value IS NULL))
      );
      CREATE UNIQUE INDEX users_login_unique ON users (lower(login));
      CREATE INDEX users_organisation ON users (organisation_id);
      CREATE INDEX users_professional_id ON users (professional_id_kind, professional_id_value);

      CREATE TABLE role_grants (
        id text PRIMARY KEY,
        user_id text NOT NULL REFERENCES users (id),
        organisation_id text NOT NULL REFERENCES organisations (id),
        role text NOT NULL CHECK (role IN ('vaccinator', 'delegate', 'access-manager', 'sync-admin')),
        acts_for_user_id text REFERENCES users (id),
        starts_at timestamptz NOT NULL,
        ends_at timestamptz,
        granted_by text REFERENCES users (id),
        granted_at timestamptz NOT NULL,
        revoked_at timestamptz,
        revoked_by text REFERENCES users (id),
        CHECK ((role = 'delegate') = (acts_for_user_id IS NOT NULL)),
        CHECK (ends_at IS NULL OR ends_at > starts_at)
      );
      CREATE INDEX role_grants_user ON role_grants (user_id);
      CREATE INDEX role_grants_organisation ON role_grants (organisation_id);

      CREATE TABLE devices (
        id text PRIMARY KEY,
        organisation_id text NOT NULL REFERENCES organisations (id),
        user_id text REFERENCES users (id),
        name text NOT NULL,
        token_hash text NOT NULL,
        registered_at timestamptz NOT NULL,
        last_seen_at timestamptz,
        revoked_at timestamptz,
        revoked_by text REFERENCES users (id),
        app_version text,
        pending integer,
        storage_used bigint,
        storage_quota bigint,
        last_seq bigint NOT NULL DEFAULT 0
      );
      CREATE UNIQUE INDEX devices_token_hash_unique ON devices (token_hash);
      CREATE INDEX devices_organisation ON devices (organisation_id);
    `,
  },
  {
    version: 2,
    name: 'device keys, sessions',
    // The device key is stored as sent to the device (base64url of 32 random bytes): the server needs it
    // in clear to verify mutation HMACs. Access tokens are stored only as their SHA-256 hash.
    sqlite: `
      CREATE TABLE device_keys (
        user_id TEXT NOT NULL REFERENCES users (id),
        device_id TEXT NOT NULL REFERENCES devices (id),
        key TEXT NOT NULL CHECK (length(key) > 0),
        created_at TEXT NOT NULL,
        PRIMARY KEY (user_id, device_id)
      ) STRICT;
      CREATE INDEX device_keys_device ON device_keys (device_id);

      CREATE TABLE sessions (
        id TEXT PRIMARY KEY,
        token_hash TEXT NOT NULL,
        user_id TEXT NOT NULL REFERENCES users (id),
        device_id TEXT NOT NULL REFERENCES devices (id),
        created_at TEXT NOT NULL,
        expires_at TEXT NOT NULL,
        revoked_at TEXT,
        CHECK (expires_at > created_at)
      ) STRICT;
      CREATE UNIQUE INDEX sessions_token_hash_unique ON sessions (token_hash);
      CREATE INDEX sessions_user ON sessions (user_id);
    `,
    postgres: `
      CREATE TABLE device_keys (
        user_id text NOT NULL REFERENCES users (id),
        device_id text NOT NULL REFERENCES devices (id),
        key text NOT NULL CHECK (length(key) > 0),
        created_at timestamptz NOT NULL,
        PRIMARY KEY (user_id, device_id)
      );
      CREATE INDEX device_keys_device ON device_keys (device_id);

      CREATE TABLE sessions (
        id text PRIMARY KEY,
        token_hash text NOT NULL,
        user_id text NOT NULL REFERENCES users (id),
        device_id text NOT NULL REFERENCES devices (id),
        created_at timestamptz NOT NULL,
        expires_at timestamptz NOT NULL,
        revoked_at timestamptz,
        CHECK (expires_at > created_at)
      );
      CREATE UNIQUE INDEX sessions_token_hash_unique ON sessions (token_hash);
      CREATE INDEX sessions_user ON sessions (user_id);
    `,
  },
  SYNC_MIGRATION,
  ADMIN_MIGRATION,
  ACTIVITY_MIGRATION,
  DEVICE_DATA_KEYS_MIGRATION,
  DEVICE_PROTECTION_MIGRATION,
]

export const LATEST_SCHEMA_VERSION = MIGRATIONS.reduce((max, m) => Math.max(max, m.version), 0)

export const SCHEMA_MIGRATIONS_TABLE = {
  sqlite: `CREATE TABLE IF NOT EXISTS schema_migrations (
    version INTEGER PRIMARY KEY,
    name TEXT NOT NULL,
    applied_at TEXT NOT NULL
  ) STRICT`,
  postgres: `CREATE TABLE IF NOT EXISTS schema_migrations (
    version integer PRIMARY KEY,
    name text NOT NULL,
    applied_at timestamptz NOT NULL
  )`,
} as const

/** The migrations still to apply over `applied`, in version order; throws when the database is ahead. */
export function pendingMigrations(applied: readonly number[]): Migration[] {
  const newest = Math.max(0, ...applied)
  if (newest > LATEST_SCHEMA_VERSION) throw new SchemaTooNewError(newest, LATEST_SCHEMA_VERSION)
  const done = new Set(applied)
  return [...MIGRATIONS].filter((m) => !done.has(m.version)).sort((a, b) => a.version - b.version)
}
