import { createHash, randomBytes } from 'node:crypto'

const TOKEN_BYTES = 32
const DEVICE_KEY_BYTES = 32

/** A bearer token as sent to the client, and the only form of it the database keeps. */
export type IssuedToken = { readonly token: string; readonly hash: string }

/** SHA-256 of a bearer token, hex: tokens are 256 random bits, so a plain hash suffices (no salt, no KDF). */
export function hashToken(token: string): string {
  return createHash('sha256').update(token, 'utf8').digest('hex')
}

/** A new random bearer token (32 bytes, base64url) with its hash. */
export function issueToken(): IssuedToken {
  const token = randomBytes(TOKEN_BYTES).toString('base64url')
  return { token, hash: hashToken(token) }
}

/** A new random device key (32 bytes) for one (user, device) pair. */
export function newDeviceKey(): Uint8Array {
  return new Uint8Array(randomBytes(DEVICE_KEY_BYTES))
}

/** A new device data key: 32 random bytes (docs/device-encryption.md). */
export function newDataKey(): Uint8Array {
  return new Uint8Array(randomBytes(32))
}

/** The token of an `Authorization: Bearer <token>` header; null when absent or of another scheme. */
export function bearerToken(header: string | undefined): string | null {
  const match = /^Bearer[ ]+([A-Za-z0-9._~+/-]+=*)$/i.exec(header?.trim() ?? '')
  return match?.[1] ?? null
}
