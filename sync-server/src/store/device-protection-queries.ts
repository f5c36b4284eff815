import { z } from 'zod'
import type { DeviceRevocation, RevokeMode } from '../../../src/shared/sync-api'
import type { Clock } from '../clock'
import { toIso, type Executor } from './queries'
import type { IsoTime } from './types'

/** A device's revocation as stored: who, when, how, and where its keys stand. */
export type DeviceRevocationRow = {
  readonly deviceId: string
  readonly organisationId: string
  readonly name: string
  readonly revokedAt: IsoTime | null
  readonly revokedBy: string | null
  readonly revokedByName: string | null
  /** Null for a device revoked before revocation modes (its data key was destroyed then: a `wipe`). */
  readonly mode: RevokeMode | null
  readonly keysKeptUntil: IsoTime | null
  readonly keysDestroyedAt: IsoTime | null
  readonly exportImportedAt: IsoTime | null
}

/** What a device reports of the sealed rows it could not open (`X-Carnet-Broken`). */
export type BrokenRowsReport = { readonly count: number; readonly tables: readonly string[] }

/** The reads and writes of device protection (docs/device-encryption.md): revocation keys, idle lock, broken rows. */
export type DeviceProtectionQueries = {
  getDeviceRevocation(deviceId: string): Promise<DeviceRevocationRow | null>
  /** The device's data key; null when it has none (never signed in, or destroyed). */
  getDeviceDataKey(deviceId: string): Promise<Uint8Array | null>
  /**
   * Destroys a device's data key and every user's signing key on it, and records when (the first time only):
   * nothing signed or sealed on that device can be verified or opened by the server afterwards. False when the
   * device is unknown.
   */
  destroyDeviceKeys(deviceId: string): Promise<boolean>
  /** Revoked devices whose keys are kept until `until` or before and not destroyed yet (at most `limit`). */
  listExpiredKeptKeys(until: IsoTime, limit: number): Promise<string[]>
  markExportImported(deviceId: string): Promise<void>
  /** Null when no such organisation. */
  getIdleLockMinutes(organisationId: string): Promise<number | null>
  /** False when no such organisation. */
  setIdleLockMinutes(organisationId: string, minutes: number): Promise<boolean>
  /** Keeps what the device last reported; a report of 0 clears the alert. */
  recordBrokenRows(deviceId: string, report: BrokenRowsReport): Promise<void>
}

const time = z.union([z.string(), z.date()]).transform(toIso)

const RevocationRow = z
  .object({
    id: z.string(),
    organisation_id: z.string(),
    name: z.string(),
    revoked_at: time.nullable(),
    revoked_by: z.string().nullable(),
    revoked_by_name: z.string().nullable(),
    revoke_mode: z.enum(['wipe', 'after-export']).nullable(),
    keys_kept_until: time.nullable(),
    keys_destroyed_at: time.nullable(),
    export_imported_at: time.nullable(),
  })
  .transform((r): DeviceRevocationRow => ({
    deviceId: r.id,
    organisationId: r.organisation_id,
    name: r.name,
    revokedAt: r.revoked_at,
    revokedBy: r.revoked_by,
    revokedByName: r.revoked_by_name,
    mode: r.revoke_mode,
    keysKeptUntil: r.keys_kept_until,
    keysDestroyedAt: r.keys_destroyed_at,
    exportImportedAt: r.export_imported_at,
  }))

const KeyRow = z.object({ key: z.base64url() })
const IdRow = z.object({ id: z.string() })
const MinutesRow = z.object({
  idle_lock_minutes: z.union([z.number(), z.string(), z.bigint()]).transform(Number),
})

/**
 * A revocation as the device is told of it (sync-api DeviceRevocationSchema); null while the device is active. A
 * device revoked before revocation modes had its data key destroyed at once: it reads as `wipe`.
 */
export function revocationOf(row: DeviceRevocationRow): DeviceRevocation | null {
  if (row.revokedAt === null) return null
  const mode = row.mode ?? 'wipe'
  return {
    revokedAt: row.revokedAt,
    revokedBy:
      row.revokedBy === null ? null : { id: row.revokedBy, name: row.revokedByName ?? row.revokedBy },
    mode,
    exportUntil: mode === 'after-export' && row.keysDestroyedAt === null ? row.keysKeptUntil : null,
  }
}

/** The device-protection queries over one executor (the pool, a connection or a transaction). */
export function createDeviceProtectionQueries(db: Executor, clock: Clock): DeviceProtectionQueries {
  const ts = db.dialect === 'postgres' ? '?::timestamptz' : '?'
  return {
    async getDeviceRevocation(deviceId) {
      const [row] = await db.all(
        `SELECT d.id, d.organisation_id, d.name, d.revoked_at, d.revoked_by, r.display_name AS revoked_by_name,
           d.revoke_mode, d.keys_kept_until, d.keys_destroyed_at, d.export_imported_at
         FROM devices d LEFT JOIN users r ON r.id = d.revoked_by WHERE d.id = ?`,
        [deviceId],
      )
      return row === undefined ? null : RevocationRow.parse(row)
    },

    async getDeviceDataKey(deviceId) {
      const [row] = await db.all('SELECT key FROM device_data_keys WHERE device_id = ?', [deviceId])
      return row === undefined ? null : new Uint8Array(Buffer.from(KeyRow.parse(row).key, 'base64url'))
    },

    async destroyDeviceKeys(deviceId) {
      await db.run('DELETE FROM device_data_keys WHERE device_id = ?', [deviceId])
      await db.run('DELETE FROM device_keys WHERE device_id = ?', [deviceId])
      const changed = await db.run(
        `UPDATE devices SET keys_destroyed_at = COALESCE(keys_destroyed_at, ?), keys_kept_until = NULL
         WHERE id = ?`,
        [clock.now().toISOString(), deviceId],
      )
      return changed > 0
    },

    async listExpiredKeptKeys(until, limit) {
      const rows = await db.all(
        `SELECT id FROM devices WHERE keys_kept_until IS NOT NULL AND keys_destroyed_at IS NULL
           AND keys_kept_until <= ${ts} ORDER BY keys_kept_until LIMIT ?`,
        [toIso(until), limit],
      )
      return rows.map((row) => IdRow.parse(row).id)
    },

    async markExportImported(deviceId) {
      await db.run('UPDATE devices SET export_imported_at = COALESCE(export_imported_at, ?) WHERE id = ?', [
        clock.now().toISOString(),
        deviceId,
      ])
    },

    async getIdleLockMinutes(organisationId) {
      const [row] = await db.all('SELECT idle_lock_minutes FROM organisations WHERE id = ?', [organisationId])
      return row === undefined ? null : MinutesRow.parse(row).idle_lock_minutes
    },

    async setIdleLockMinutes(organisationId, minutes) {
      const changed = await db.run('UPDATE organisations SET idle_lock_minutes = ? WHERE id = ?', [
        minutes,
        organisationId,
      ])
      return changed > 0
    },

    async recordBrokenRows(deviceId, report) {
      if (report.count === 0) {
        await db.run(
          'UPDATE devices SET broken_rows = 0, broken_tables = NULL, broken_seen_at = NULL WHERE id = ?',
          [deviceId],
        )
        return
      }
      await db.run(
        `UPDATE devices SET broken_rows = ?, broken_tables = ?, broken_seen_at = COALESCE(broken_seen_at, ?)
         WHERE id = ?`,
        [report.count, report.tables.join(','), clock.now().toISOString(), deviceId],
      )
    },
  }
}
