import type { Migration } from './migrations'

// Schema v6: each device's data key (docs/device-encryption.md). The server makes it when a device first signs a
// user in, hands it to every valid user who signs in online on that device, and destroys it when the device is
// revoked, so that a revoked device can never open its sealed data again after it has been locked.
export const DEVICE_DATA_KEYS_MIGRATION: Migration = {
  version: 6,
  name: 'device data keys',
  sqlite: `
    CREATE TABLE device_data_keys (
      device_id TEXT PRIMARY KEY REFERENCES devices (id),
      key TEXT NOT NULL CHECK (length(key) > 0),
      created_at TEXT NOT NULL
    ) STRICT;
  `,
  postgres: `
    CREATE TABLE device_data_keys (
      device_id text PRIMARY KEY REFERENCES devices (id),
      key text NOT NULL CHECK (length(key) > 0),
      created_at timestamptz NOT NULL
    );
  `,
}
