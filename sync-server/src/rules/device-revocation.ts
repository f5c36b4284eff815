// What follows a device's revocation on the server (docs/device-encryption.md, "Revocation"): telling the device who
// revoked it, when and how (the `detail` of every `401 device-revoked`), and destroying its keys once nothing more
// can be imported from it. A device revoked `after-export` keeps its data key and signing keys until its export is
// imported, or until `keys_kept_until`; the sweeper destroys the keys of those whose time is up.
import type { DeviceRevocation } from '../../../src/shared/sync-api'
import type { Clock } from '../clock'
import type { Store, StoreQueries } from '../store'
import { revocationOf } from '../store/device-protection-queries'

/** The detail of a `401 device-revoked`: who revoked the device, when, how; undefined for an active device. */
export async function revocationDetail(
  store: Pick<StoreQueries, 'getDeviceRevocation'>,
  deviceId: string,
): Promise<DeviceRevocation | undefined> {
  const row = await store.getDeviceRevocation(deviceId)
  return (row === null ? null : revocationOf(row)) ?? undefined
}

/** Destroys the keys of revoked devices whose export window has passed; answers their ids. */
export async function destroyExpiredKeys(
  deps: { store: Store; clock: Clock },
  limit = 500,
): Promise<string[]> {
  const due = await deps.store.listExpiredKeptKeys(deps.clock.now().toISOString(), limit)
  for (const deviceId of due) {
    await deps.store.withTransaction((tx) => tx.destroyDeviceKeys(deviceId))
  }
  return due
}

/** How often the sweeper looks for keys to destroy (one indexed query): minutes late on a days-long window. */
export const KEY_SWEEP_INTERVAL_MS = 10 * 60_000

/**
 * Runs `destroyExpiredKeys` every `intervalMs` (the timer does not keep the process alive); answers the function
 * that stops it. Several instances on one database may sweep at once: destroying twice is harmless. An import
 * checks the window itself, so a late sweep never lets an expired export in.
 */
export function startKeySweeper(
  deps: { store: Store; clock: Clock; log: { warn(details: object, message: string): void } },
  intervalMs = KEY_SWEEP_INTERVAL_MS,
): () => void {
  const sweep = () => {
    destroyExpiredKeys(deps).catch((error: unknown) =>
      deps.log.warn({ err: error }, 'revoked device keys not swept'),
    )
  }
  const timer = setInterval(sweep, intervalMs)
  timer.unref()
  return () => clearInterval(timer)
}
