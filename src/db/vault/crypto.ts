// The device data key and what is derived from it (docs/device-encryption.md).
//
// Each device has one random 256-bit data key, made by the server when the device registers and handed out in the
// answer of an online sign-in to any valid user of the organisation on that device (never to a revoked device).
// The device keeps it only wrapped under each account's password-derived key (./account-keys.ts); once unwrapped
// it lives in memory as a non-extractable HKDF key, from which two non-extractable keys are derived:
// - the record key (AES-GCM-256) that seals every personal row: 12-byte random IV, then ciphertext and tag, with
//   the row's table and primary key as additional data so a sealed value copied to another row does not open;
// - the index key (HMAC-SHA256) that turns an identifier into a blind token (the first 8 bytes of
//   HMAC(label NUL value)), so lookups by NIR, NISS, code de ciblage and birth date stay index reads.
// The server, which holds the same data key, opens a sealed outbox export with the same derivation (HKDF-SHA256,
// empty salt, info below) and the same layout.

/** HKDF info of the record key. */
export const RECORD_KEY_INFO = 'carnet/records/v1'
/** HKDF info of the blind-index key. */
export const INDEX_KEY_INFO = 'carnet/index/v1'
/** Bytes of a blind token: 2^64 values, no collision to expect below billions of rows. */
export const TOKEN_BYTES = 8
const IV_BYTES = 12
const TAG_BYTES = 16

const encoder = new TextEncoder()
const decoder = new TextDecoder()

/** Whether a value is an ArrayBuffer, from this realm or another (IndexedDB clones, test DOMs). */
export function isArrayBuffer(value: unknown): value is ArrayBuffer {
  return value instanceof ArrayBuffer || Object.prototype.toString.call(value) === '[object ArrayBuffer]'
}

/** The keys a sealed database is read and written with, all non-extractable. */
export type DataKeys = { readonly record: CryptoKey; readonly index: CryptoKey }

/** A sealed value that does not open: tampered, truncated, sealed for another row, or under another key. */
export class SealBrokenError extends Error {
  constructor(readonly where: string) {
    super(`sealed value does not open (${where})`)
    this.name = 'SealBrokenError'
  }
}

function hkdf(info: string) {
  return { name: 'HKDF', hash: 'SHA-256', salt: new Uint8Array(0), info: encoder.encode(info) } as const
}

/** Derives the record and index keys from the data key (an HKDF key: import or unwrap it as such). */
export async function deriveDataKeys(dataKey: CryptoKey): Promise<DataKeys> {
  const [record, index] = await Promise.all([
    crypto.subtle.deriveKey(hkdf(RECORD_KEY_INFO), dataKey, { name: 'AES-GCM', length: 256 }, false, [
      'encrypt',
      'decrypt',
    ]),
    crypto.subtle.deriveKey(
      hkdf(INDEX_KEY_INFO),
      dataKey,
      { name: 'HMAC', hash: 'SHA-256', length: 256 },
      false,
      ['sign'],
    ),
  ])
  return { record, index }
}

/** Imports the raw data key (32 bytes, from the sign-in answer) as a non-extractable HKDF key. */
export function importDataKey(raw: Uint8Array<ArrayBuffer>): Promise<CryptoKey> {
  if (raw.length !== 32) throw new TypeError('data key: expected 32 bytes')
  return crypto.subtle.importKey('raw', raw, 'HKDF', false, ['deriveKey', 'deriveBits'])
}

/** Seals bytes for one row: IV ‖ AES-GCM(ciphertext ‖ tag), with `aad` (table and key) bound to it. */
export async function sealBytes(
  keys: DataKeys,
  aad: string,
  plain: Uint8Array<ArrayBuffer>,
): Promise<ArrayBuffer> {
  const iv = crypto.getRandomValues(new Uint8Array(IV_BYTES))
  const sealed = await crypto.subtle.encrypt(
    { name: 'AES-GCM', iv, additionalData: encoder.encode(aad) },
    keys.record,
    plain,
  )
  const out = new Uint8Array(IV_BYTES + sealed.byteLength)
  out.set(iv, 0)
  out.set(new Uint8Array(sealed), IV_BYTES)
  return out.buffer
}

/** Opens what `sealBytes` made for the same `aad`; throws SealBrokenError when it does not authenticate. */
export async function openBytes(
  keys: DataKeys,
  aad: string,
  sealed: ArrayBuffer | Uint8Array,
): Promise<Uint8Array> {
  const bytes = sealed instanceof Uint8Array ? sealed : new Uint8Array(sealed)
  if (bytes.length < IV_BYTES + TAG_BYTES) throw new SealBrokenError(aad)
  try {
    const plain = await crypto.subtle.decrypt(
      { name: 'AES-GCM', iv: bytes.slice(0, IV_BYTES), additionalData: encoder.encode(aad) },
      keys.record,
      bytes.slice(IV_BYTES),
    )
    return new Uint8Array(plain)
  } catch {
    throw new SealBrokenError(aad)
  }
}

/** Seals a JSON value. */
export function sealJson(keys: DataKeys, aad: string, value: unknown): Promise<ArrayBuffer> {
  return sealBytes(keys, aad, encoder.encode(JSON.stringify(value)))
}

/** Opens a sealed JSON value. */
export async function openJson(
  keys: DataKeys,
  aad: string,
  sealed: ArrayBuffer | Uint8Array,
): Promise<unknown> {
  const plain = await openBytes(keys, aad, sealed)
  try {
    return JSON.parse(decoder.decode(plain)) as unknown
  } catch {
    throw new SealBrokenError(aad)
  }
}

/**
 * The blind token of an identifier: the first 8 bytes of HMAC-SHA256(index key, label NUL value). Equal values
 * give equal tokens (that is what makes them an index), so whoever holds the disk learns which rows share a value
 * under the same label, never the value (docs/device-encryption.md, "What the disk tells").
 */
export async function blindToken(keys: DataKeys, label: string, value: string): Promise<ArrayBuffer> {
  const mac = await crypto.subtle.sign('HMAC', keys.index, encoder.encode(`${label}\u0000${value}`))
  return mac.slice(0, TOKEN_BYTES)
}
