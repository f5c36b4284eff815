// Online sign-in (sync-protocol.md, Authentication): checks the password, registers the device on its first
// sign-in (the answer then carries its long-lived deviceToken), gives the (user, device) pair its deviceKey —
// the same one on every sign-in, so the device can keep it wrapped under the password for offline sign-in —
// and opens an 8-hour session for account and admin requests.
import { err, ok, type Result } from '../../../src/domain/result'
import type { LoginRequest, LoginResponse } from '../../../src/shared/sync-api'
import type { Clock } from '../clock'
import { revocationDetail } from '../rules/device-revocation'
import type { Device, Store, User } from '../store'
import { generateReadablePassword, hashPassword, needsRehash, verifyPassword } from './passwords'
import { toOrganisationRecord, toRoleGrantRecords, toUserRecord } from './records'
import { issueToken, newDataKey, newDeviceKey } from './tokens'

export const ACCESS_TOKEN_TTL_MS = 8 * 60 * 60 * 1000

export type SignInDeps = { readonly store: Store; readonly clock: Clock }

export type SignInError = 'invalid-credentials' | 'device-revoked' | 'device-mismatch'

/** The profile part of a sign-in answer, also what `GET /api/auth/me` answers. */
export type Profile = Pick<LoginResponse, 'user' | 'organisation' | 'roles'>

// Verified against when the login is unknown or has no password, so a refusal takes as long either way.
let dummyHash: Promise<string> | null = null
const getDummyHash = () => (dummyHash ??= hashPassword(generateReadablePassword()))

/** Computes the stand-in hash ahead of the first sign-in, so that one is not slower for an unknown login. */
export async function prepareSignIn(): Promise<void> {
  await getDummyHash()
}

/** The user's profile as the wire records; null when the organisation is gone. */
export async function loadProfile(store: Store, user: User): Promise<Profile | null> {
  const [organisation, grants, idleLockMinutes] = await Promise.all([
    store.getOrganisation(user.organisationId),
    store.listRoleGrants(user.id),
    store.getIdleLockMinutes(user.organisationId),
  ])
  if (organisation === null) return null
  return {
    user: toUserRecord(user),
    organisation: toOrganisationRecord(organisation, { idleLockMinutes }),
    roles: toRoleGrantRecords(grants),
  }
}

async function checkPassword(store: Store, login: string, password: string): Promise<User | null> {
  const found = await store.findUserByLogin(login)
  const stored = found?.passwordHash ?? null
  const matches = await verifyPassword(password, stored ?? (await getDummyHash()))
  if (found === null || stored === null || !matches || found.user.disabled) return null
  if (needsRehash(stored)) await store.setPasswordHash(found.user.id, await hashPassword(password))
  return found.user
}

const defaultDeviceName = (deviceId: string) => `Appareil ${deviceId.slice(0, 8)}`

type DeviceSession = {
  readonly deviceToken?: string
  readonly deviceKey: Uint8Array
  readonly dataKey: Uint8Array
}

/** Signs a user in on a device; refusals are values. */
export async function signIn(
  deps: SignInDeps,
  input: LoginRequest,
): Promise<Result<LoginResponse, SignInError>> {
  const { store, clock } = deps
  const user = await checkPassword(store, input.login, input.password)
  if (user === null) return err('invalid-credentials')
  const profile = await loadProfile(store, user)
  if (profile === null) return err('invalid-credentials')

  const deviceToken = issueToken()
  const accessToken = issueToken()
  const expiresAt = new Date(clock.now().getTime() + ACCESS_TOKEN_TTL_MS).toISOString()

  const outcome = await store.withTransaction(async (tx): Promise<Result<DeviceSession, SignInError>> => {
    let device: Device | null = await tx.getDevice(input.deviceId)
    let isNew = false
    if (device === null) {
      const registered = await tx.registerDevice({
        id: input.deviceId,
        organisationId: user.organisationId,
        userId: user.id,
        name: input.deviceName ?? defaultDeviceName(input.deviceId),
        tokenHash: deviceToken.hash,
      })
      // Refused only when a concurrent sign-in registered the same id first: judge that registration.
      isNew = registered.ok
      device = registered.ok ? registered.value : await tx.getDevice(input.deviceId)
      if (device === null) throw new Error(`device ${input.deviceId} neither registered nor found`)
    }
    if (device.revokedAt !== null) return err('device-revoked', await revocationDetail(tx, device.id))
    if (device.organisationId !== user.organisationId) return err('device-mismatch')
    const deviceKey = await tx.ensureDeviceKey(user.id, device.id, newDeviceKey())
    // The device's data key seals its personal data at rest; any valid user signing in here online receives it.
    const dataKey = await tx.ensureDeviceDataKey(device.id, newDataKey())
    await tx.createSession({ tokenHash: accessToken.hash, userId: user.id, deviceId: device.id, expiresAt })
    return ok(isNew ? { deviceToken: deviceToken.token, deviceKey, dataKey } : { deviceKey, dataKey })
  })
  if (!outcome.ok) return outcome

  return ok({
    ...profile,
    accessToken: accessToken.token,
    expiresAt,
    ...(outcome.value.deviceToken === undefined ? {} : { deviceToken: outcome.value.deviceToken }),
    deviceKey: Buffer.from(outcome.value.deviceKey).toString('base64'),
    dataKey: Buffer.from(outcome.value.dataKey).toString('base64'),
  })
}
