// Offline sign-in (sync-protocol.md "Authentication"): the device never stores the password; it keeps the
// server's deviceKey encrypted (AES-GCM) under a key derived from the password (PBKDF2-SHA256). Signing in
// offline = decrypting it: a wrong password fails the GCM tag check. The login answer carries the deviceKey as
// base64 of its raw bytes (sync-server/src/auth/sign-in.ts); those raw bytes are the HMAC-SHA256 key.
import { z } from 'zod'
import { base64ToBytes, bytesToBase64 } from '../base64'

/** PBKDF2 iterations for new blobs (OWASP's 2023 figure for PBKDF2-HMAC-SHA256). */
export const PBKDF2_ITERATIONS = 600_000
/** The fewest iterations a blob may use (older OWASP figure); weaker blobs are refused as corrupt. */
export const MIN_PBKDF2_ITERATIONS = 310_000

/** The stored blob: everything needed to re-derive the key and decrypt, nothing secret in clear. */
export const WrappedDeviceKeySchema = z.object({
  v: z.literal(1),
  kdf: z.literal('PBKDF2-SHA256'),
  iterations: z.number().int().min(MIN_PBKDF2_ITERATIONS).max(10_000_000),
  salt: z.string().min(1).max(64),
  iv: z.string().min(1).max(64),
  ciphertext: z.string().min(1).max(8192),
})
/** A wrapped deviceKey. */
export type WrappedDeviceKey = z.infer<typeof WrappedDeviceKeySchema>

function rawDeviceKey(deviceKey: string): Uint8Array<ArrayBuffer> {
  const raw = base64ToBytes(deviceKey)
  if (raw === null || raw.length < 16) throw new TypeError('deviceKey: expected base64 of at least 16 bytes')
  return raw
}

/** Why an unwrap failed: the password does not open this blob, or the blob is not one. */
export type UnwrapError = 'wrong-password' | 'corrupt-key-blob'
/** The outcome of an unwrap. */
export type UnwrapResult<T> = { ok: true; value: T } | { ok: false; error: UnwrapError }

const encoder = new TextEncoder()
const HMAC = { name: 'HMAC', hash: 'SHA-256' } as const

function passwordBytes(password: string): Uint8Array<ArrayBuffer> {
  // NFC so that « é » typed as one code point or as e + accent (some keyboards) opens the same blob.
  return encoder.encode(password.normalize('NFC'))
}

/** Derives the AES-GCM key that wraps the deviceKey from the password (PBKDF2-SHA256, non-extractable). */
export async function deriveWrappingKey(
  password: string,
  salt: Uint8Array<ArrayBuffer>,
  iterations: number = PBKDF2_ITERATIONS,
): Promise<CryptoKey> {
  if (iterations < MIN_PBKDF2_ITERATIONS)
    throw new RangeError(`PBKDF2 needs at least ${MIN_PBKDF2_ITERATIONS} iterations`)
  const material = await crypto.subtle.importKey('raw', passwordBytes(password), 'PBKDF2', false, [
    'deriveKey',
  ])
  return crypto.subtle.deriveKey(
    { name: 'PBKDF2', hash: 'SHA-256', salt, iterations },
    material,
    { name: 'AES-GCM', length: 256 },
    false,
    ['encrypt', 'decrypt', 'unwrapKey'],
  )
}

/**
 * Encrypts the deviceKey (base64, as the login answer gives it) under the password, with a fresh random salt and IV. `context` (e.g. user and device
 * ids) is bound as additional data, so a blob copied to another account's slot does not open.
 */
export async function wrapDeviceKey(
  deviceKey: string,
  password: string,
  options: { iterations?: number; context?: string } = {},
): Promise<WrappedDeviceKey> {
  const iterations = options.iterations ?? PBKDF2_ITERATIONS
  const salt = crypto.getRandomValues(new Uint8Array(16))
  const iv = crypto.getRandomValues(new Uint8Array(12))
  const key = await deriveWrappingKey(password, salt, iterations)
  const ciphertext = await crypto.subtle.encrypt(
    { name: 'AES-GCM', iv, additionalData: encoder.encode(options.context ?? '') },
    key,
    rawDeviceKey(deviceKey),
  )
  return {
    v: 1,
    kdf: 'PBKDF2-SHA256',
    iterations,
    salt: bytesToBase64(salt),
    iv: bytesToBase64(iv),
    ciphertext: bytesToBase64(new Uint8Array(ciphertext)),
  }
}

type Opened = { key: CryptoKey; iv: Uint8Array<ArrayBuffer>; ciphertext: Uint8Array<ArrayBuffer> }

async function open(blob: unknown, password: string): Promise<UnwrapResult<Opened>> {
  const parsed = WrappedDeviceKeySchema.safeParse(blob)
  if (!parsed.success) return { ok: false, error: 'corrupt-key-blob' }
  const salt = base64ToBytes(parsed.data.salt)
  const iv = base64ToBytes(parsed.data.iv)
  const ciphertext = base64ToBytes(parsed.data.ciphertext)
  if (salt === null || iv === null || ciphertext === null || iv.length !== 12 || ciphertext.length <= 16) {
    return { ok: false, error: 'corrupt-key-blob' }
  }
  return {
    ok: true,
    value: { key: await deriveWrappingKey(password, salt, parsed.data.iterations), iv, ciphertext },
  }
}

/** Decrypts the deviceKey (base64) with the password; a wrong password or context gives 'wrong-password', never a throw. */
export async function unwrapDeviceKey(
  blob: unknown,
  password: string,
  options: { context?: string } = {},
): Promise<UnwrapResult<string>> {
  const opened = await open(blob, password)
  if (!opened.ok) return opened
  const { key, iv, ciphertext } = opened.value
  try {
    const plain = await crypto.subtle.decrypt(
      { name: 'AES-GCM', iv, additionalData: encoder.encode(options.context ?? '') },
      key,
      ciphertext,
    )
    return { ok: true, value: bytesToBase64(new Uint8Array(plain)) }
  } catch {
    return { ok: false, error: 'wrong-password' }
  }
}

/**
 * Decrypts the deviceKey straight into a non-extractable HMAC signing key (Web Crypto unwrapKey), so the
 * secret never sits in page memory after an offline sign-in.
 */
export async function unwrapSigningKey(
  blob: unknown,
  password: string,
  options: { context?: string } = {},
): Promise<UnwrapResult<CryptoKey>> {
  const opened = await open(blob, password)
  if (!opened.ok) return opened
  const { key, iv, ciphertext } = opened.value
  try {
    const signingKey = await crypto.subtle.unwrapKey(
      'raw',
      ciphertext,
      key,
      { name: 'AES-GCM', iv, additionalData: encoder.encode(options.context ?? '') },
      HMAC,
      false,
      ['sign', 'verify'],
    )
    return { ok: true, value: signingKey }
  } catch {
    return { ok: false, error: 'wrong-password' }
  }
}

/** Imports the deviceKey (base64 of its raw bytes) as the non-extractable HMAC-SHA256 key that signs mutations. */
export async function importSigningKey(deviceKey: string): Promise<CryptoKey> {
  return crypto.subtle.importKey('raw', rawDeviceKey(deviceKey), HMAC, false, ['sign', 'verify'])
}

const SealedKeySchema = z.object({ iv: z.string().min(1).max(64), ciphertext: z.string().min(1).max(8192) })

/**
 * Both keys of an account on this device, wrapped under ONE password derivation (a second PBKDF2 would double the
 * unlock time): the signing key (the server's deviceKey for this user and device) and the device data key
 * (src/db/vault/crypto.ts). Each is bound to `context` and to its own name as additional data.
 */
export const WrappedAccountKeysSchema = z.object({
  v: z.literal(2),
  kdf: z.literal('PBKDF2-SHA256'),
  iterations: z.number().int().min(MIN_PBKDF2_ITERATIONS).max(10_000_000),
  salt: z.string().min(1).max(64),
  signing: SealedKeySchema,
  data: SealedKeySchema,
})
/** An account's wrapped keys. */
export type WrappedAccountKeys = z.infer<typeof WrappedAccountKeysSchema>

/** What an unwrap of an account's keys gives: the signing key and the data key (HKDF), both non-extractable. */
export type AccountKeys = { signing: CryptoKey; data: CryptoKey }

async function sealRaw(key: CryptoKey, raw: Uint8Array<ArrayBuffer>, aad: string) {
  const iv = crypto.getRandomValues(new Uint8Array(12))
  const ciphertext = await crypto.subtle.encrypt(
    { name: 'AES-GCM', iv, additionalData: encoder.encode(aad) },
    key,
    raw,
  )
  return { iv: bytesToBase64(iv), ciphertext: bytesToBase64(new Uint8Array(ciphertext)) }
}

/** Wraps the deviceKey and the data key (both base64 of raw bytes, from the sign-in answer) under the password. */
export async function wrapAccountKeys(
  keys: { deviceKey: string; dataKey: string },
  password: string,
  options: { iterations?: number; context?: string } = {},
): Promise<WrappedAccountKeys> {
  const iterations = options.iterations ?? PBKDF2_ITERATIONS
  const context = options.context ?? ''
  const salt = crypto.getRandomValues(new Uint8Array(16))
  const wrapping = await deriveWrappingKey(password, salt, iterations)
  const data = base64ToBytes(keys.dataKey)
  if (data === null || data.length !== 32) throw new TypeError('dataKey: expected base64 of 32 bytes')
  const [signing, sealedData] = await Promise.all([
    sealRaw(wrapping, rawDeviceKey(keys.deviceKey), `${context}:signing`),
    sealRaw(wrapping, data, `${context}:data`),
  ])
  return { v: 2, kdf: 'PBKDF2-SHA256', iterations, salt: bytesToBase64(salt), signing, data: sealedData }
}

/**
 * Unwraps an account's keys with the password, straight into non-extractable keys (Web Crypto unwrapKey): the
 * signing key as HMAC-SHA256, the data key as HKDF. A wrong password or context gives 'wrong-password'.
 */
export async function unwrapAccountKeys(
  blob: unknown,
  password: string,
  options: { context?: string } = {},
): Promise<UnwrapResult<AccountKeys>> {
  const parsed = WrappedAccountKeysSchema.safeParse(blob)
  if (!parsed.success) return { ok: false, error: 'corrupt-key-blob' }
  const context = options.context ?? ''
  const salt = base64ToBytes(parsed.data.salt)
  const parts = [parsed.data.signing, parsed.data.data].map((p) => ({
    iv: base64ToBytes(p.iv),
    ciphertext: base64ToBytes(p.ciphertext),
  }))
  const [s, d] = parts
  if (
    salt === null ||
    s === undefined ||
    d === undefined ||
    parts.some(
      (p) => p.iv === null || p.iv.length !== 12 || p.ciphertext === null || p.ciphertext.length <= 16,
    )
  ) {
    return { ok: false, error: 'corrupt-key-blob' }
  }
  const wrapping = await deriveWrappingKey(password, salt, parsed.data.iterations)
  const unwrap = (
    part: { iv: Uint8Array<ArrayBuffer> | null; ciphertext: Uint8Array<ArrayBuffer> | null },
    aad: string,
    as: 'HMAC' | 'HKDF',
  ) =>
    crypto.subtle.unwrapKey(
      'raw',
      part.ciphertext as Uint8Array<ArrayBuffer>,
      wrapping,
      { name: 'AES-GCM', iv: part.iv as Uint8Array<ArrayBuffer>, additionalData: encoder.encode(aad) },
      as === 'HMAC' ? HMAC : 'HKDF',
      false,
      as === 'HMAC' ? ['sign', 'verify'] : ['deriveKey', 'deriveBits'],
    )
  try {
    const [signing, data] = await Promise.all([
      unwrap(s, `${context}:signing`, 'HMAC'),
      unwrap(d, `${context}:data`, 'HKDF'),
    ])
    return { ok: true, value: { signing, data } }
  } catch {
    return { ok: false, error: 'wrong-password' }
  }
}
