// The mutation signature of sync-protocol.md: sig = base64(HMAC-SHA256(deviceKey, canonical JSON of the
// envelope without `sig`)). The server verifies it, so a stolen device cannot forge mutations for its users.
import type { Mutation, UnsignedMutation } from '../shared/commands'
import { signingInput } from '../shared/canonical-json'
import { base64ToBytes, bytesToBase64 } from '../db/base64'

const encoder = new TextEncoder()

/** Signs an envelope (its `sig`, if any, is not covered). */
export async function signEnvelope(envelope: UnsignedMutation | Mutation, key: CryptoKey): Promise<string> {
  const data = encoder.encode(signingInput(envelope))
  return bytesToBase64(new Uint8Array(await crypto.subtle.sign('HMAC', key, data)))
}

/** Checks a mutation's `sig` against the key (constant-time, by Web Crypto). */
export async function verifyEnvelope(mutation: Mutation, key: CryptoKey): Promise<boolean> {
  const sig = base64ToBytes(mutation.sig)
  if (sig === null) return false
  return crypto.subtle.verify('HMAC', key, sig, encoder.encode(signingInput(mutation)))
}
