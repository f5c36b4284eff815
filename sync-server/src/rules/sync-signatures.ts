import { createHmac, timingSafeEqual } from 'node:crypto'
import { signingInput } from '../../../src/shared/canonical-json'

// sig = base64(HMAC-SHA256(deviceKey, canonical JSON of the envelope without `sig`)). The key is the raw
// bytes of the (user, device) deviceKey — the login answers them base64-encoded and the PWA decodes them
// before importing the HMAC key (src/sync/device-key.ts importSigningKey) — so both sides use the same key.

/** The HMAC key of a (user, device) pair: the stored device key bytes themselves. */
export function signingKeyOf(storedKey: Uint8Array): Buffer {
  return Buffer.from(storedKey)
}

/** Signs an envelope as a device does (tests, tools). */
export function signEnvelope(envelope: Readonly<Record<string, unknown>>, key: Buffer): string {
  return createHmac('sha256', key).update(signingInput(envelope), 'utf8').digest('base64')
}

/**
 * Checks `sig` over the envelope exactly as received (before any parsing trims or defaults a field), in
 * constant time. A malformed envelope (not JSON-serialisable, no string sig) is simply not verified.
 */
export function verifyEnvelope(raw: unknown, key: Buffer): boolean {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) return false
  const sig = (raw as { sig?: unknown }).sig
  if (typeof sig !== 'string') return false
  let input: string
  try {
    input = signingInput(raw as Record<string, unknown>)
  } catch {
    return false
  }
  const expected = createHmac('sha256', key).update(input, 'utf8').digest()
  const given = Buffer.from(sig.trim(), 'base64')
  return given.length === expected.length && timingSafeEqual(given, expected)
}
