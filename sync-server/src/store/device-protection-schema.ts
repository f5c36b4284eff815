import type { Migration } from './migrations'

// Schema v7: how devices protect patient data (docs/device-encryption.md).
// - organisations.idle_lock_minutes: after how long without activity the organisation's devices lock;
// - devices.revoke_mode / keys_kept_until / keys_destroyed_at / export_imported_at: a revocation either destroys the
//   device's data key and signing keys at once (`wipe`) or keeps them until the device's export is imported or a
//   bounded time has passed (`after-export`), when they are destroyed;
// - devices.broken_rows / broken_tables / broken_seen_at: sealed rows the device reports it could not open;
// - an index for the dashboard's count of a device's open `signature-mismatch` rejections.
export const DEVICE_PROTECTION_MIGRATION: Migration = {
  version: 7,
  name: 'idle lock, revocation modes and key destruction, broken rows',
  sqlite: `
    ALTER TABLE organisations ADD COLUMN idle_lock_minutes INTEGER NOT NULL DEFAULT 10
      CHECK (idle_lock_minutes BETWEEN 1 AND 60);
    ALTER TABLE devices ADD COLUMN revoke_mode TEXT CHECK (revoke_mode IN ('wipe', 'after-export'));
    ALTER TABLE devices ADD COLUMN keys_kept_until TEXT;
    ALTER TABLE devices ADD COLUMN keys_destroyed_at TEXT;
    ALTER TABLE devices ADD COLUMN export_imported_at TEXT;
    ALTER TABLE devices ADD COLUMN broken_rows INTEGER CHECK (broken_rows >= 0);
    ALTER TABLE devices ADD COLUMN broken_tables TEXT;
    ALTER TABLE devices ADD COLUMN broken_seen_at TEXT;
    CREATE INDEX devices_keys_kept ON devices (keys_kept_until)
      WHERE keys_kept_until IS NOT NULL AND keys_destroyed_at IS NULL;
    CREATE INDEX rejections_device_open ON rejections (device_id, error) WHERE resolution IS NULL;
  `,
  postgres: `
    ALTER TABLE organisations ADD COLUMN idle_lock_minutes integer NOT NULL DEFAULT 10
      CHECK (idle_lock_minutes BETWEEN 1 AND 60);
    ALTER TABLE devices ADD COLUMN revoke_mode text CHECK (revoke_mode IN ('wipe', 'after-export'));
    ALTER TABLE devices ADD COLUMN keys_kept_until timestamptz;
    ALTER TABLE devices ADD COLUMN keys_destroyed_at timestamptz;
    ALTER TABLE devices ADD COLUMN export_imported_at timestamptz;
    ALTER TABLE devices ADD COLUMN broken_rows integer CHECK (broken_rows >= 0);
    ALTER TABLE devices ADD COLUMN broken_tables text;
    ALTER TABLE devices ADD COLUMN broken_seen_at timestamptz;
    CREATE INDEX devices_keys_kept ON devices (keys_kept_until)
      WHERE keys_kept_until IS NOT NULL AND keys_destroyed_at IS NULL;
    CREATE INDEX rejections_device_open ON rejections (device_id, error) WHERE resolution IS NULL;
  `,
}
