// The wipe of a revoked device (docs/device-encryption.md, "Revocation"): every table is emptied in one
// transaction — patients, steps, events, the outbox, rejections, the name index, users and grants, lots and
// vaccines, and in db.meta the session (accounts' wrapped keys, device and access tokens), the vault's check value
// and the sync cursor. Only the device id and the revocation itself stay, so that the app keeps refusing sign-in and
// says who revoked the device and when. The keys leave memory first: nothing can be read or sealed any more.
// What IndexedDB leaves on disk until it compacts its files is sealed under a data key that is now nowhere on the
// device, and destroyed on the server.
import type { CarnetDb, MetaRow } from './carnet-db'

/** Empties the device's database but for its id and its revocation (stamped `wipedAt: now`). */
export async function wipeDevice(db: CarnetDb, now: string): Promise<void> {
  db.vault.lock()
  db.names.clear()
  await db.transaction('rw', db.tables, async () => {
    const [deviceId, revoked] = await Promise.all([db.meta.get('deviceId'), db.meta.get('revoked')])
    await Promise.all(db.tables.map((table) => table.clear()))
    const kept: MetaRow[] = []
    if (deviceId !== undefined) kept.push(deviceId)
    if (revoked?.key === 'revoked') kept.push({ key: 'revoked', value: { ...revoked.value, wipedAt: now } })
    if (kept.length > 0) await db.meta.bulkPut(kept)
  })
}
