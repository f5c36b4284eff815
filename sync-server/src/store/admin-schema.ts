import type { Migration } from './migrations'

// Schema v4: what the administration dashboard reads and writes. Access requests and one-time password links
// (held as their SHA-256 hash), the device's storage persistence and its "reappeared empty" alert, and one
// index per list filter, each ending in the list's keyset (time, id) so that every page is a range scan.
export const ADMIN_MIGRATION: Migration = {
  version: 4,
  name: 'access requests, password links, device alerts, dashboard indexes',
  sqlite: `
    CREATE TABLE access_requests (
      id TEXT PRIMARY KEY,
      organisation_id TEXT NOT NULL REFERENCES organisations (id),
      name TEXT NOT NULL CHECK (length(name) > 0),
      profession TEXT NOT NULL,
      professional_id_kind TEXT NOT NULL CHECK (professional_id_kind IN ('rpps', 'adeli', 'inami', 'niss')),
      professional_id_value TEXT NOT NULL,
      email TEXT NOT NULL,
      phone TEXT NOT NULL,
      message TEXT,
      created_at TEXT NOT NULL,
      status TEXT NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'approved', 'refused')),
      decided_by TEXT REFERENCES users (id),
      decided_at TEXT,
      refusal_reason TEXT,
      user_id TEXT REFERENCES users (id),
      CHECK ((status = 'pending') = (decided_at IS NULL))
    ) STRICT;
    CREATE INDEX access_requests_page ON access_requests (organisation_id, status, created_at, id);

    CREATE TABLE password_links (
      token_hash TEXT PRIMARY KEY,
      user_id TEXT NOT NULL REFERENCES users (id),
      created_by TEXT REFERENCES users (id),
      created_at TEXT NOT NULL,
      expires_at TEXT NOT NULL,
      used_at TEXT,
      CHECK (expires_at > created_at)
    ) STRICT;
    CREATE INDEX password_links_user ON password_links (user_id);

    ALTER TABLE devices ADD COLUMN persisted INTEGER CHECK (persisted IN (0, 1));
    ALTER TABLE devices ADD COLUMN reappeared_empty_at TEXT;
    ALTER TABLE devices ADD COLUMN reappeared_last_seq INTEGER;
    CREATE INDEX devices_page ON devices (organisation_id, registered_at, id);
    CREATE INDEX devices_active_page ON devices (organisation_id, registered_at, id) WHERE revoked_at IS NULL;
    CREATE INDEX devices_revoked_page ON devices (organisation_id, registered_at, id)
      WHERE revoked_at IS NOT NULL;

    CREATE INDEX rejections_page ON rejections (organisation_id, rejected_at, mutation_id);
    CREATE INDEX rejections_open_page ON rejections (organisation_id, rejected_at, mutation_id)
      WHERE resolution IS NULL;
    CREATE INDEX rejections_resolved_page ON rejections (organisation_id, rejected_at, mutation_id)
      WHERE resolution IS NOT NULL;

    CREATE INDEX users_page ON users (organisation_id, display_name, id);
    CREATE INDEX role_grants_acts_for ON role_grants (acts_for_user_id) WHERE acts_for_user_id IS NOT NULL;

    CREATE INDEX audit_events_time ON audit_events (organisation_id, server_time, chain_position);
    CREATE INDEX audit_events_user_time ON audit_events (organisation_id, user_id, server_time, chain_position);
    CREATE INDEX audit_events_patient_time
      ON audit_events (organisation_id, patient_id, server_time, chain_position);
    CREATE INDEX audit_events_action_time
      ON audit_events (organisation_id, action, server_time, chain_position);
    CREATE INDEX steps_kind ON steps (organisation_id, kind);
  `,
  postgres: `
    CREATE TABLE access_requests (
      id text PRIMARY KEY,
      organisation_id text NOT NULL REFERENCES organisations (id),
      name text NOT NULL CHECK (length(name) > 0),
      profession text NOT NULL,
      professional_id_kind text NOT NULL CHECK (professional_id_kind IN ('rpps', 'adeli', 'inami', 'niss')),
      professional_id_value text NOT NULL,
      email text NOT NULL,
      phone text NOT NULL,
      message text,
      created_at timestamptz NOT NULL,
      status text NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'approved', 'refused')),
      decided_by text REFERENCES users (id),
      decided_at timestamptz,
      refusal_reason text,
      user_id text REFERENCES users (id),
      CHECK ((status = 'pending') = (decided_at IS NULL))
    );
    CREATE INDEX access_requests_page ON access_requests (organisation_id, status, created_at, id);

    CREATE TABLE password_links (
      token_hash text PRIMARY KEY,
      user_id text NOT NULL REFERENCES users (id),
      created_by text REFERENCES users (id),
      created_at timestamptz NOT NULL,
      expires_at timestamptz NOT NULL,
      used_at timestamptz,
      CHECK (expires_at > created_at)
    );
    CREATE INDEX password_links_user ON password_links (user_id);

    ALTER TABLE devices ADD COLUMN persisted boolean;
    ALTER TABLE devices ADD COLUMN reappeared_empty_at timestamptz;
    ALTER TABLE devices ADD COLUMN reappeared_last_seq bigint;
    CREATE INDEX devices_page ON devices (organisation_id, registered_at, id);
    CREATE INDEX devices_active_page ON devices (organisation_id, registered_at, id) WHERE revoked_at IS NULL;
    CREATE INDEX devices_revoked_page ON devices (organisation_id, registered_at, id)
      WHERE revoked_at IS NOT NULL;

    CREATE INDEX rejections_page ON rejections (organisation_id, rejected_at, mutation_id);
    CREATE INDEX rejections_open_page ON rejections (organisation_id, rejected_at, mutation_id)
      WHERE resolution IS NULL;
    CREATE INDEX rejections_resolved_page ON rejections (organisation_id, rejected_at, mutation_id)
      WHERE resolution IS NOT NULL;

    CREATE INDEX users_page ON users (organisation_id, display_name, id);
    CREATE INDEX role_grants_acts_for ON role_grants (acts_for_user_id) WHERE acts_for_user_id IS NOT NULL;

    CREATE INDEX audit_events_time ON audit_events (organisation_id, server_time, chain_position);
    CREATE INDEX audit_events_user_time ON audit_events (organisation_id, user_id, server_time, chain_position);
    CREATE INDEX audit_events_patient_time
      ON audit_events (organisation_id, patient_id, server_time, chain_position);
    CREATE INDEX audit_events_action_time
      ON audit_events (organisation_id, action, server_time, chain_position);
    CREATE INDEX steps_kind ON steps (organisation_id, kind);
  `,
}
