import { describe, expect, it } from 'vitest'
import { signingInput } from '../../shared/canonical-json'
import { buildMutation } from '../../domain/testing/builders'
import {
  importSigningKey,
  MIN_PBKDF2_ITERATIONS,
  PBKDF2_ITERATIONS,
  unwrapDeviceKey,
  unwrapSigningKey,
  wrapDeviceKey,
  WrappedDeviceKeySchema,
} from './device-key'
import { bytesToBase64 } from '../base64'
import { signEnvelope, verifyEnvelope } from '../../sync/signing'

const DEVICE_KEY = bytesToBase64(crypto.getRandomValues(new Uint8Array(32)))
const PASSWORD = 'Mot de passe très sûr ! 2026'
const fast = { iterations: MIN_PBKDF2_ITERATIONS }

describe('device key', () => {
  it('wraps under the password with PBKDF2 ≥ 310,000 iterations and unwraps with the same password', async () => {
    const blob = await wrapDeviceKey(DEVICE_KEY, PASSWORD)
    expect(blob.iterations).toBe(PBKDF2_ITERATIONS)
    expect(PBKDF2_ITERATIONS).toBeGreaterThanOrEqual(310_000)
    expect(WrappedDeviceKeySchema.parse(JSON.parse(JSON.stringify(blob)))).toEqual(blob)
    expect(JSON.stringify(blob)).not.toContain(DEVICE_KEY)
    expect(await unwrapDeviceKey(blob, PASSWORD)).toEqual({ ok: true, value: DEVICE_KEY })
  })

  it('uses a fresh salt and IV each time', async () => {
    const [a, b] = await Promise.all([
      wrapDeviceKey(DEVICE_KEY, PASSWORD, fast),
      wrapDeviceKey(DEVICE_KEY, PASSWORD, fast),
    ])
    expect(a.salt).not.toBe(b.salt)
    expect(a.iv).not.toBe(b.iv)
    expect(a.ciphertext).not.toBe(b.ciphertext)
  })

  it('answers wrong-password (never throws) for a wrong password or another context', async () => {
    const blob = await wrapDeviceKey(DEVICE_KEY, PASSWORD, { ...fast, context: 'u-medecin:dev-1' })
    expect(
      await unwrapDeviceKey(blob, 'mot de passe très sûr ! 2026', { context: 'u-medecin:dev-1' }),
    ).toEqual({
      ok: false,
      error: 'wrong-password',
    })
    expect(await unwrapDeviceKey(blob, PASSWORD, { context: 'u-other:dev-1' })).toEqual({
      ok: false,
      error: 'wrong-password',
    })
    expect(await unwrapSigningKey(blob, 'nope', { context: 'u-medecin:dev-1' })).toEqual({
      ok: false,
      error: 'wrong-password',
    })
    expect((await unwrapDeviceKey(blob, PASSWORD, { context: 'u-medecin:dev-1' })).ok).toBe(true)
  })

  it('reads the password the same whatever its Unicode composition', async () => {
    const blob = await wrapDeviceKey(DEVICE_KEY, 'été', fast)
    expect(await unwrapDeviceKey(blob, 'e\u0301te\u0301')).toEqual({ ok: true, value: DEVICE_KEY })
  })

  it('answers corrupt-key-blob for a blob that is not one, or too weak', async () => {
    const blob = await wrapDeviceKey(DEVICE_KEY, PASSWORD, fast)
    expect(await unwrapDeviceKey({ nope: true }, PASSWORD)).toEqual({ ok: false, error: 'corrupt-key-blob' })
    expect(await unwrapDeviceKey({ ...blob, iv: '@@@' }, PASSWORD)).toEqual({
      ok: false,
      error: 'corrupt-key-blob',
    })
    expect(await unwrapDeviceKey({ ...blob, iterations: 1000 }, PASSWORD)).toEqual({
      ok: false,
      error: 'corrupt-key-blob',
    })
    await expect(wrapDeviceKey(DEVICE_KEY, PASSWORD, { iterations: 1000 })).rejects.toThrow(RangeError)
  })

  it('unwraps into a signing key that signs exactly like the imported deviceKey', async () => {
    const blob = await wrapDeviceKey(DEVICE_KEY, PASSWORD, fast)
    const unwrapped = await unwrapSigningKey(blob, PASSWORD)
    expect(unwrapped.ok).toBe(true)
    if (!unwrapped.ok) return
    expect(unwrapped.value.extractable).toBe(false)
    const online = await importSigningKey(DEVICE_KEY)
    const mutation = buildMutation('lot.upsert', { vaccineId: 'comirnaty', lotNumber: 'FK1234' })
    const sig = await signEnvelope(mutation, unwrapped.value)
    expect(sig).toBe(await signEnvelope(mutation, online))
    expect(await verifyEnvelope({ ...mutation, sig }, online)).toBe(true)
    expect(await verifyEnvelope({ ...mutation, sig, seq: mutation.seq + 1 }, online)).toBe(false)
    expect(signingInput({ ...mutation, sig })).toBe(signingInput(mutation))
  })
})

describe('importSigningKey', () => {
  it('refuses a deviceKey that is not base64 of a real key', async () => {
    await expect(importSigningKey('not base64!')).rejects.toThrow(TypeError)
    await expect(importSigningKey(btoa('short'))).rejects.toThrow(TypeError)
  })
})
