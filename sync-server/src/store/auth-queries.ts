import { z } from 'zod'
import { err, ok, type Result } from '../../../src/domain/result'
import type { RevokeMode } from '../../../src/shared/sync-api'
import type { Clock } from '../clock'
import { uuidv7 } from '../ids'
import { createDeviceProtectionQueries, revocationOf } from './device-protection-queries'
import { DEVICE_COLUMNS, DeviceRow, toIso, type Executor } from './queries'
import { appendChangesWith } from './sync-queries'
import type { Device, IsoTime } from './types'

/** A signed-in user's access token (held as its hash), bound to the device it was issued on. */
export type Session = {
  readonly id: string
  readonly userId: string
  readonly deviceId: string
  readonly createdAt: IsoTime
  readonly expiresAt: IsoTime
  readonly revokedAt: IsoTime | null
}

export type NewSession = {
  readonly tokenHash: string
  readonly userId: string
  readonly deviceId: string
  readonly expiresAt: IsoTime
}

/** What a device reports on each sync request; an absent field keeps the last value reported. */
export type DeviceState = {
  readonly seenAt: IsoTime
  readonly pending?: number
  readonly appVersion?: string
  readonly storageUsed?: number
  readonly storageQuota?: number
  /** Whether the browser granted persistent storage (`X-Carnet-Persisted: 1|0`). */
  readonly persisted?: boolean
  /** Sealed rows the device could not open, and in which tables (`X-Carnet-Broken: count;tables`). */
  readonly broken?: { readonly count: number; readonly tables: readonly string[] }
}

export type RevokeDeviceError = 'device-not-found' | 'device-already-revoked'

/**
 * How a device is revoked (docs/device-encryption.md): `wipe` destroys its data key and signing keys in the
 * revocation's transaction; `after-export` keeps them until `keepKeysUntil` (or until its export is imported).
 * Without options: `wipe`.
 */
export type RevokeDeviceOptions = { readonly mode: RevokeMode; readonly keepKeysUntil?: IsoTime }

/** How long the keys of a device revoked after export wait for its export, by default: 7 days. */
export const EXPORT_KEYS_KEPT_MS = 7 * 24 * 60 * 60 * 1000

/** Devices, device keys and sessions: what sign-in and request authentication read and write. */
export type AuthQueries = {
  getDevice(id: string): Promise<Device | null>
  findDeviceByTokenHash(tokenHash: string): Promise<Device | null>
  /** False when no such device. */
  recordDeviceState(deviceId: string, state: DeviceState): Promise<boolean>
  /** Also appends a `device-revoked` change; on the store itself it runs in a transaction of its own. */
  revokeDevice(
    deviceId: string,
    revokedBy: string | null,
    options?: RevokeDeviceOptions,
  ): Promise<Result<Device, RevokeDeviceError>>
  /** The secret of a (user, device) pair that signs the device's mutations; null before the user's first sign-in there. */
  getDeviceKey(userId: string, deviceId: string): Promise<Uint8Array | null>
  /** Stores `key` unless the pair has one already; answers the key in force, so concurrent sign-ins agree. */
  ensureDeviceKey(userId: string, deviceId: string, key: Uint8Array): Promise<Uint8Array>
  /** Stores the device's data key unless it has one already; answers the key in force. */
  ensureDeviceDataKey(deviceId: string, key: Uint8Array): Promise<Uint8Array>
  /** Destroys the device's data key (revocation): no sign-in can hand it out again. */
  destroyDeviceDataKey(deviceId: string): Promise<void>
  createSession(input: NewSession): Promise<Session>
  findSessionByTokenHash(tokenHash: string): Promise<Session | null>
  /** False when no such session or already revoked. */
  revokeSession(sessionId: string): Promise<boolean>
}

const time = z.union([z.string(), z.date()]).transform(toIso)

const SessionRow = z
  .object({
    id: z.string(),
    user_id: z.string(),
    device_id: z.string(),
    created_at: time,
    expires_at: time,
    revoked_at: time.nullable(),
  })
  .transform((r): Session => ({
    id: r.id,
    userId: r.user_id,
    deviceId: r.device_id,
    createdAt: r.created_at,
    expiresAt: r.expires_at,
    revokedAt: r.revoked_at,
  }))

const KeyRow = z.object({ key: z.base64url() })

const SESSION_COLUMNS = 'id, user_id, device_id, created_at, expires_at, revoked_at'

const toKey = (encoded: string) => new Uint8Array(Buffer.from(encoded, 'base64url'))

/** The auth queries over one executor (the pool, a connection or a transaction). */
export function createAuthQueries(db: Executor, clock: Clock): AuthQueries {
  const protection = createDeviceProtectionQueries(db, clock)
  const devices = async (sql: string, params: readonly (string | null)[]) =>
    (await db.all(sql, params)).map((row) => DeviceRow.parse(row))
  const readKey = async (userId: string, deviceId: string) => {
    const [row] = await db.all('SELECT key FROM device_keys WHERE user_id = ? AND device_id = ?', [
      userId,
      deviceId,
    ])
    return row === undefined ? null : toKey(KeyRow.parse(row).key)
  }

  return {
    async getDevice(id) {
      const [found] = await devices(`SELECT ${DEVICE_COLUMNS} FROM devices WHERE id = ?`, [id])
      return found ?? null
    },

    async findDeviceByTokenHash(tokenHash) {
      const [found] = await devices(`SELECT ${DEVICE_COLUMNS} FROM devices WHERE token_hash = ?`, [tokenHash])
      return found ?? null
    },

    async recordDeviceState(deviceId, state) {
      const changed = await db.run(
        `UPDATE devices SET last_seen_at = ?, pending = COALESCE(?, pending),
           app_version = COALESCE(?, app_version), storage_used = COALESCE(?, storage_used),
           storage_quota = COALESCE(?, storage_quota), persisted = COALESCE(?, persisted)
         WHERE id = ?`,
        [
          toIso(state.seenAt),
          state.pending ?? null,
          state.appVersion ?? null,
          state.storageUsed ?? null,
          state.storageQuota ?? null,
          state.persisted ?? null,
          deviceId,
        ],
      )
      if (changed > 0 && state.broken !== undefined) await protection.recordBrokenRows(deviceId, state.broken)
      return changed > 0
    },

    async revokeDevice(deviceId, revokedBy, options = { mode: 'wipe' }) {
      const at = clock.now()
      const keepUntil =
        options.mode === 'after-export'
          ? toIso(options.keepKeysUntil ?? new Date(at.getTime() + EXPORT_KEYS_KEPT_MS).toISOString())
          : null
      const [revoked] = await devices(
        `UPDATE devices SET revoked_at = ?, revoked_by = ?, revoke_mode = ?, keys_kept_until = ?
         WHERE id = ? AND revoked_at IS NULL RETURNING ${DEVICE_COLUMNS}`,
        [at.toISOString(), revokedBy, options.mode, keepUntil, deviceId],
      )
      if (revoked !== undefined) {
        // A wiped device's keys go with it: no sign-in can hand its data key out again, and nothing signed on it
        // can be verified any more. After export they wait for the export (docs/device-encryption.md).
        if (keepUntil === null) await protection.destroyDeviceKeys(deviceId)
        const row = await protection.getDeviceRevocation(deviceId)
        const revocation = row === null ? null : revocationOf(row)
        // The organisation's devices learn of it by pull (entity `device-revoked`), in the same transaction; the
        // revoked device itself learns it from the 401 of its next request, which carries the same detail.
        await appendChangesWith(db, revoked.organisationId, [
          {
            entity: 'device-revoked',
            entityId: revoked.id,
            version: null,
            data: { id: revoked.id, name: revoked.name, userId: revoked.userId, ...revocation },
          },
        ])
        return ok(revoked)
      }
      const [existing] = await devices(`SELECT ${DEVICE_COLUMNS} FROM devices WHERE id = ?`, [deviceId])
      return err(existing === undefined ? 'device-not-found' : 'device-already-revoked')
    },

    getDeviceKey: readKey,

    async ensureDeviceKey(userId, deviceId, key) {
      await db.run(
        `INSERT INTO device_keys (user_id, device_id, key, created_at) VALUES (?, ?, ?, ?)
         ON CONFLICT DO NOTHING`,
        [userId, deviceId, Buffer.from(key).toString('base64url'), clock.now().toISOString()],
      )
      const stored = await readKey(userId, deviceId)
      if (stored === null) throw new Error(`device key of ${userId} on ${deviceId} vanished after insert`)
      return stored
    },

    async ensureDeviceDataKey(deviceId, key) {
      await db.run(
        `INSERT INTO device_data_keys (device_id, key, created_at) VALUES (?, ?, ?) ON CONFLICT DO NOTHING`,
        [deviceId, Buffer.from(key).toString('base64url'), clock.now().toISOString()],
      )
      const [row] = await db.all('SELECT key FROM device_data_keys WHERE device_id = ?', [deviceId])
      if (row === undefined) throw new Error(`data key of ${deviceId} vanished after insert`)
      return toKey(KeyRow.parse(row).key)
    },

    async destroyDeviceDataKey(deviceId) {
      await db.run('DELETE FROM device_data_keys WHERE device_id = ?', [deviceId])
    },

    async createSession(input) {
      const at = clock.now()
      const rows = await db.all(
        `INSERT INTO sessions (id, token_hash, user_id, device_id, created_at, expires_at, revoked_at)
         VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING ${SESSION_COLUMNS}`,
        [
          uuidv7(at.getTime()),
          input.tokenHash,
          input.userId,
          input.deviceId,
          at.toISOString(),
          toIso(input.expiresAt),
          null,
        ],
      )
      return SessionRow.parse(rows[0])
    },

    async findSessionByTokenHash(tokenHash) {
      const [row] = await db.all(`SELECT ${SESSION_COLUMNS} FROM sessions WHERE token_hash = ?`, [tokenHash])
      return row === undefined ? null : SessionRow.parse(row)
    },

    async revokeSession(sessionId) {
      const changed = await db.run('UPDATE sessions SET revoked_at = ? WHERE id = ? AND revoked_at IS NULL', [
        clock.now().toISOString(),
        sessionId,
      ])
      return changed > 0
    },
  }
}
