import type { Migration } from './migrations'

// Schema v3: the synced records, the per-organisation change log and what makes push exactly-once.
// Records are kept whole as JSON text (`data`, parsed with the src/shared record schemas on the way out);
// the columns beside it are only what the server looks up by. Keys are (organisation, id): ids come from
// devices, so one organisation can neither collide with nor probe another's.
//
// Positions: `org_positions.last_position` is read and bumped inside the writing transaction and its row
// stays locked until commit (SQLite: one writer; PostgreSQL: the row lock of `UPDATE … RETURNING`), so a
// change that commits later always has a larger position and a pull cursor never passes it.
//
// Users and role grants written before v3 are backfilled into the change log so their devices can pull them.
const ENDS_AT = `CASE WHEN revoked_at IS NOT NULL AND (ends_at IS NULL OR revoked_at < ends_at)
  THEN revoked_at ELSE ends_at END`
const HEALTH_PROFESSION = `CASE WHEN profession IN ('secretaire-medical', 'administratif') THEN NULL
  ELSE profession END`

export const SYNC_MIGRATION: Migration = {
  version: 3,
  name: 'patients, steps, lots, change log, mutation results, rejections, audit',
  sqlite: `
    CREATE TABLE org_positions (
      organisation_id TEXT PRIMARY KEY REFERENCES organisations (id),
      last_position INTEGER NOT NULL DEFAULT 0
    ) STRICT;

    CREATE TABLE changes (
      organisation_id TEXT NOT NULL,
      position INTEGER NOT NULL,
      entity TEXT NOT NULL,
      entity_id TEXT NOT NULL,
      version INTEGER,
      data TEXT NOT NULL,
      PRIMARY KEY (organisation_id, position)
    ) STRICT;
    CREATE INDEX changes_entity ON changes (organisation_id, entity, entity_id);

    CREATE TABLE patients (
      organisation_id TEXT NOT NULL REFERENCES organisations (id),
      id TEXT NOT NULL,
      version INTEGER NOT NULL,
      code_de_ciblage TEXT NOT NULL,
      nir_key TEXT,
      niss_key TEXT,
      beneficiary_key TEXT,
      data TEXT NOT NULL,
      created_at TEXT NOT NULL,
      updated_at TEXT NOT NULL,
      PRIMARY KEY (organisation_id, id)
    ) STRICT;
    CREATE INDEX patients_nir ON patients (organisation_id, nir_key) WHERE nir_key IS NOT NULL;
    CREATE INDEX patients_niss ON patients (organisation_id, niss_key) WHERE niss_key IS NOT NULL;
    CREATE INDEX patients_beneficiary ON patients (organisation_id, beneficiary_key)
      WHERE beneficiary_key IS NOT NULL;
    CREATE INDEX patients_code_de_ciblage ON patients (organisation_id, code_de_ciblage);

    CREATE TABLE patient_aliases (
      organisation_id TEXT NOT NULL,
      alias_id TEXT NOT NULL,
      patient_id TEXT NOT NULL,
      mutation_id TEXT NOT NULL,
      created_at TEXT NOT NULL,
      PRIMARY KEY (organisation_id, alias_id)
    ) STRICT;

    CREATE TABLE steps (
      organisation_id TEXT NOT NULL,
      id TEXT NOT NULL,
      patient_id TEXT NOT NULL,
      kind TEXT NOT NULL,
      version INTEGER NOT NULL,
      data TEXT NOT NULL,
      updated_at TEXT NOT NULL,
      PRIMARY KEY (organisation_id, id)
    ) STRICT;
    CREATE INDEX steps_patient ON steps (organisation_id, patient_id);

    CREATE TABLE adverse_events (
      organisation_id TEXT NOT NULL,
      id TEXT NOT NULL,
      patient_id TEXT NOT NULL,
      step_id TEXT NOT NULL,
      data TEXT NOT NULL,
      recorded_at TEXT NOT NULL,
      PRIMARY KEY (organisation_id, id)
    ) STRICT;
    CREATE INDEX adverse_events_patient ON adverse_events (organisation_id, patient_id);

    CREATE TABLE lots (
      organisation_id TEXT NOT NULL,
      vaccine_id TEXT NOT NULL,
      lot_number TEXT NOT NULL,
      expiry TEXT,
      data TEXT NOT NULL,
      updated_at TEXT NOT NULL,
      PRIMARY KEY (organisation_id, vaccine_id, lot_number)
    ) STRICT;

    CREATE TABLE mutation_results (
      device_id TEXT NOT NULL REFERENCES devices (id),
      seq INTEGER NOT NULL CHECK (seq > 0),
      mutation_id TEXT NOT NULL,
      organisation_id TEXT NOT NULL,
      status TEXT NOT NULL CHECK (status IN ('applied', 'rejected')),
      result TEXT NOT NULL,
      received_at TEXT NOT NULL,
      PRIMARY KEY (device_id, seq)
    ) STRICT;
    CREATE UNIQUE INDEX mutation_results_mutation_unique ON mutation_results (mutation_id);

    CREATE TABLE rejections (
      mutation_id TEXT PRIMARY KEY,
      organisation_id TEXT NOT NULL,
      device_id TEXT NOT NULL,
      user_id TEXT NOT NULL,
      seq INTEGER NOT NULL,
      mutation TEXT NOT NULL,
      error TEXT NOT NULL,
      detail TEXT,
      rejected_at TEXT NOT NULL,
      resolution TEXT CHECK (resolution IN ('discarded', 're-entered', 'correction-requested')),
      resolved_by TEXT,
      resolved_at TEXT,
      note TEXT,
      CHECK ((resolution IS NULL) = (resolved_at IS NULL))
    ) STRICT;
    CREATE INDEX rejections_organisation ON rejections (organisation_id, rejected_at);

    CREATE TABLE audit_events (
      organisation_id TEXT NOT NULL,
      chain_position INTEGER NOT NULL,
      id TEXT NOT NULL,
      mutation_id TEXT,
      user_id TEXT NOT NULL,
      on_behalf_of TEXT,
      action TEXT NOT NULL,
      entity TEXT NOT NULL,
      entity_id TEXT,
      patient_id TEXT,
      fields TEXT,
      device_id TEXT,
      device_time TEXT,
      server_time TEXT NOT NULL,
      outcome TEXT NOT NULL CHECK (outcome IN ('done', 'refused')),
      reason TEXT,
      prev_hash TEXT NOT NULL,
      hash TEXT NOT NULL,
      PRIMARY KEY (organisation_id, chain_position)
    ) STRICT;
    CREATE UNIQUE INDEX audit_events_id_unique ON audit_events (id);
    CREATE INDEX audit_events_patient ON audit_events (organisation_id, patient_id);
    CREATE TRIGGER audit_events_no_update BEFORE UPDATE ON audit_events
      BEGIN SELECT RAISE(ABORT, 'audit_events is append-only'); END;
    CREATE TRIGGER audit_events_no_delete BEFORE DELETE ON audit_events
      BEGIN SELECT RAISE(ABORT, 'audit_events is append-only'); END;

    INSERT INTO changes (organisation_id, position, entity, entity_id, version, data)
    SELECT organisation_id,
      row_number() OVER (PARTITION BY organisation_id ORDER BY rank, at, id), entity, id, NULL, data
    FROM (
      SELECT organisation_id, 0 AS rank, created_at AS at, id, 'user' AS entity,
        CASE WHEN professional_id_kind IS NULL THEN base
          ELSE json_set(base, '$.' || professional_id_kind, professional_id_value) END AS data
      FROM (SELECT *, json_object('id', id, 'name', display_name, 'login', login,
        'profession', ${HEALTH_PROFESSION}) AS base FROM users)
      UNION ALL
      SELECT organisation_id, 1, granted_at, id, 'role-grant',
        json_object('id', id, 'userId', user_id, 'role', role, 'startsAt', starts_at, 'endsAt', ${ENDS_AT},
          'actingFor', CASE WHEN acts_for_user_id IS NULL THEN json('[]') ELSE json_array(acts_for_user_id) END)
      FROM role_grants
    );
    INSERT INTO org_positions (organisation_id, last_position)
    SELECT o.id, COALESCE((SELECT max(c.position) FROM changes c WHERE c.organisation_id = o.id), 0)
    FROM organisations o;
  `,
  postgres: `
    CREATE TABLE org_positions (
      organisation_id text PRIMARY KEY REFERENCES organisations (id),
      last_position bigint NOT NULL DEFAULT 0
    );

    CREATE TABLE changes (
      organisation_id text NOT NULL,
      position bigint NOT NULL,
      entity text NOT NULL,
      entity_id text NOT NULL,
      version integer,
      data text NOT NULL,
      PRIMARY KEY (organisation_id, position)
    );
    CREATE INDEX changes_entity ON changes (organisation_id, entity, entity_id);

    CREATE TABLE patients (
      organisation_id text NOT NULL REFERENCES organisations (id),
      id text NOT NULL,
      version integer NOT NULL,
      code_de_ciblage text NOT NULL,
      nir_key text,
      niss_key text,
      beneficiary_key text,
      data text NOT NULL,
      created_at timestamptz NOT NULL,
      updated_at timestamptz NOT NULL,
      PRIMARY KEY (organisation_id, id)
    );
    CREATE INDEX patients_nir ON patients (organisation_id, nir_key) WHERE nir_key IS NOT NULL;
    CREATE INDEX patients_niss ON patients (organisation_id, niss_key) WHERE niss_key IS NOT NULL;
    CREATE INDEX patients_beneficiary ON patients (organisation_id, beneficiary_key)
      WHERE beneficiary_key IS NOT NULL;
    CREATE INDEX patients_code_de_ciblage ON patients (organisation_id, code_de_ciblage);

    CREATE TABLE patient_aliases (
      organisation_id text NOT NULL,
      alias_id text NOT NULL,
      patient_id text NOT NULL,
      mutation_id text NOT NULL,
      created_at timestamptz NOT NULL,
      PRIMARY KEY (organisation_id, alias_id)
    );

    CREATE TABLE steps (
      organisation_id text NOT NULL,
      id text NOT NULL,
      patient_id text NOT NULL,
      kind text NOT NULL,
      version integer NOT NULL,
      data text NOT NULL,
      updated_at timestamptz NOT NULL,
      PRIMARY KEY (organisation_id, id)
    );
    CREATE INDEX steps_patient ON steps (organisation_id, patient_id);

    CREATE TABLE adverse_events (
      organisation_id text NOT NULL,
      id text NOT NULL,
      patient_id text NOT NULL,
      step_id text NOT NULL,
      data text NOT NULL,
      recorded_at timestamptz NOT NULL,
      PRIMARY KEY (organisation_id, id)
    );
    CREATE INDEX adverse_events_patient ON adverse_events (organisation_id, patient_id);

    CREATE TABLE lots (
      organisation_id text NOT NULL,
      vaccine_id text NOT NULL,
      lot_number text NOT NULL,
      expiry text,
      data text NOT NULL,
      updated_at timestamptz NOT NULL,
      PRIMARY KEY (organisation_id, vaccine_id, lot_number)
    );

    CREATE TABLE mutation_results (
      device_id text NOT NULL REFERENCES devices (id),
      seq bigint NOT NULL CHECK (seq > 0),
      mutation_id text NOT NULL,
      organisation_id text NOT NULL,
      status text NOT NULL CHECK (status IN ('applied', 'rejected')),
      result text NOT NULL,
      received_at timestamptz NOT NULL,
      PRIMARY KEY (device_id, seq)
    );
    CREATE UNIQUE INDEX mutation_results_mutation_unique ON mutation_results (mutation_id);

    CREATE TABLE rejections (
      mutation_id text PRIMARY KEY,
      organisation_id text NOT NULL,
      device_id text NOT NULL,
      user_id text NOT NULL,
      seq bigint NOT NULL,
      mutation text NOT NULL,
      error text NOT NULL,
      detail text,
      rejected_at timestamptz NOT NULL,
      resolution text CHECK (resolution IN ('discarded', 're-entered', 'correction-requested')),
      resolved_by text,
      resolved_at timestamptz,
      note text,
      CHECK ((resolution IS NULL) = (resolved_at IS NULL))
    );
    CREATE INDEX rejections_organisation ON rejections (organisation_id, rejected_at);

    CREATE TABLE audit_events (
      organisation_id text NOT NULL,
      chain_position bigint NOT NULL,
      id text NOT NULL,
      mutation_id text,
      user_id text NOT NULL,
      on_behalf_of text,
      action text NOT NULL,
      entity text NOT NULL,
      entity_id text,
      patient_id text,
      fields text,
      device_id text,
      device_time text,
      server_time timestamptz NOT NULL,
      outcome text NOT NULL CHECK (outcome IN ('done', 'refused')),
      reason text,
      prev_hash text NOT NULL,
      hash text NOT NULL,
      PRIMARY KEY (organisation_id, chain_position)
    );
    CREATE UNIQUE INDEX audit_events_id_unique ON audit_events (id);
    CREATE INDEX audit_events_patient ON audit_events (organisation_id, patient_id);
    CREATE FUNCTION audit_events_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN RAISE EXCEPTION 'audit_events is append-only'; END $$;
    CREATE TRIGGER audit_events_no_change BEFORE UPDATE OR DELETE ON audit_events
      FOR EACH ROW EXECUTE FUNCTION audit_events_append_only();

    INSERT INTO changes (organisation_id, position, entity, entity_id, version, data)
    SELECT organisation_id,
      row_number() OVER (PARTITION BY organisation_id ORDER BY rank, at, id), entity, id, NULL, data
    FROM (
      SELECT organisation_id, 0 AS rank, created_at AS at, id, 'user' AS entity,
        (jsonb_build_object('id', id, 'name', display_name, 'login', login,
          'profession', ${HEALTH_PROFESSION})
          || CASE WHEN professional_id_kind IS NULL THEN '{}'::jsonb
            ELSE jsonb_build_object(professional_id_kind, professional_id_value) END)::text AS data
      FROM users
      UNION ALL
      SELECT organisation_id, 1, granted_at, id, 'role-grant',
        jsonb_build_object('id', id, 'userId', user_id, 'role', role, 'startsAt', starts_at,
          'endsAt', ${ENDS_AT},
          'actingFor', CASE WHEN acts_for_user_id IS NULL THEN '[]'::jsonb
            ELSE jsonb_build_array(acts_for_user_id) END)::text
      FROM role_grants
    ) AS directory;
    INSERT INTO org_positions (organisation_id, last_position)
    SELECT o.id, COALESCE((SELECT max(c.position) FROM changes c WHERE c.organisation_id = o.id), 0)
    FROM organisations o;
  `,
}
