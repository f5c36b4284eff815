import type { Migration } from './migrations'

// Schema v5: one compact row per dose step for the dashboard's activity page (rules/admin-activity.ts), so that a
// range of days is an index range with counts grouped by the database instead of a JSON read of every step.
// `day` is the local day of the step's time of action as the device wrote it (the first ten characters of `at`,
// offset kept), `received_day` the UTC day of the server's first receipt (`recordedAt`); place and vaccine are
// those of the step's current version. The push writes the row in the transaction that writes the step
// (sync-queries.ts `writePush`); this migration fills it for the dose steps already stored. The day index holds
// place and vaccine too, so the grouped count reads the index alone (on PostgreSQL once the table has been
// vacuumed; ANALYZE gives the planner the backfill's size at once instead of after autovacuum's first pass).
export const ACTIVITY_MIGRATION: Migration = {
  version: 5,
  name: 'dose activity per day',
  sqlite: `
    CREATE TABLE dose_activity (
      organisation_id TEXT NOT NULL,
      step_id TEXT NOT NULL,
      day TEXT NOT NULL,
      received_day TEXT NOT NULL,
      place TEXT,
      vaccine_id TEXT,
      PRIMARY KEY (organisation_id, step_id)
    ) STRICT;

    INSERT INTO dose_activity (organisation_id, step_id, day, received_day, place, vaccine_id)
    SELECT organisation_id, id,
      substr(json_extract(data, '$.at'), 1, 10),
      date(json_extract(data, '$.recordedAt')),
      json_extract(data, '$.versions[#-1].fields.place.name'),
      json_extract(data, '$.versions[#-1].fields.vaccineId')
    FROM steps WHERE kind = 'dose';

    CREATE INDEX dose_activity_day ON dose_activity (organisation_id, day, place, vaccine_id);
    CREATE INDEX dose_activity_received ON dose_activity (organisation_id, received_day);
  `,
  postgres: `
    CREATE TABLE dose_activity (
      organisation_id text NOT NULL,
      step_id text NOT NULL,
      day text NOT NULL,
      received_day text NOT NULL,
      place text,
      vaccine_id text,
      PRIMARY KEY (organisation_id, step_id)
    );

    INSERT INTO dose_activity (organisation_id, step_id, day, received_day, place, vaccine_id)
    SELECT organisation_id, id,
      left(d->>'at', 10),
      to_char((d->>'recordedAt')::timestamptz AT TIME ZONE 'UTC', 'YYYY-MM-DD'),
      d->'versions'->(-1)->'fields'->'place'->>'name',
      d->'versions'->(-1)->'fields'->>'vaccineId'
    FROM (SELECT organisation_id, id, data::json AS d FROM steps WHERE kind = 'dose') AS doses;

    CREATE INDEX dose_activity_day ON dose_activity (organisation_id, day, place, vaccine_id);
    CREATE INDEX dose_activity_received ON dose_activity (organisation_id, received_day);
    ANALYZE dose_activity;
  `,
}
