import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { createPinia, setActivePinia } from 'pinia'
import { db } from '../db/carnet-db'
import { allPatients } from '../db/testing'
import { computeNirKey } from '../domain/identifiers'
import {
  NURSE,
  grant,
  loginAnswer,
  resetDb,
  signInOnline,
  stubLoginFetch,
  stubOfflineFetch,
} from '../components/session/testing'
import { UUID_PATTERN } from '../sync/ids'
import { listOutbox, pendingCount } from '../sync/outbox'
import { readStoredSession, useSessionStore } from './session'

const OFFSET_ISO = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}[+-]\d{2}:\d{2}$/

function registerPayload(id = '01930000-0000-7000-8000-000000000001') {
  const body = '2550814168025'
  return {
    patientId: id,
    codeDeCiblage: 'ABCDEFGH12',
    identity: {
      birthName: 'Dupré',
      firstNames: 'Éloïse',
      sex: 'female' as const,
      birthDate: '1955-08-12',
      birthRank: 1,
      nir: body + computeNirKey(body),
    },
    contact: {},
  }
}

const storedSession = readStoredSession

describe('useSessionStore', () => {
  beforeEach(async () => {
    await resetDb()
    setActivePinia(createPinia())
  })
  afterEach(() => {
    vi.unstubAllGlobals()
  })

  it('signs in online: keeps the session and the wrapped key (never the password), and the user in db.users', async () => {
    const answer = loginAnswer()
    const fetchMock = stubLoginFetch(answer)
    const session = useSessionStore()

    await expect(session.signIn('CMartin ', 'mot-de-passe-1')).resolves.toEqual({ ok: true, mode: 'online' })

    expect(session.isSignedIn).toBe(true)
    expect(session.user).toEqual(NURSE)
    expect(session.organisation?.name).toBe('Équipe mobile de la Creuse')
    expect(session.actor).toEqual({ userId: 'u-nurse' })
    expect(session.deviceId).toMatch(UUID_PATTERN)
    expect(session.signInAt).toMatch(OFFSET_ISO)
    const [url, init] = fetchMock.mock.calls[0] as unknown as [string, RequestInit]
    expect(url).toBe('/api/auth/login')
    const body: unknown = JSON.parse(String(init.body))
    expect(body).toMatchObject({ login: 'CMartin', password: 'mot-de-passe-1', deviceId: session.deviceId })

    const stored = await storedSession()
    expect(stored.deviceToken).toBe('device-token-1')
    expect(stored.current).toMatchObject({ userId: 'u-nurse', mode: 'online', accessToken: 'access-token-1' })
    expect(stored.accounts['cmartin']?.wrappedKey.kdf).toBe('PBKDF2-SHA256')
    expect(JSON.stringify(await db.meta.toArray())).not.toContain('mot-de-passe-1')
    expect(JSON.stringify(await db.meta.toArray())).not.toContain(answer.deviceKey)
    expect(await db.users.get('u-nurse')).toEqual(NURSE)
    expect(await db.roleGrants.where('userId').equals('u-nurse').count()).toBe(1)
    expect(session.members.map((m) => m.id)).toContain('u-nurse')
  })

  it('signs in offline after an online sign-in, and refuses a wrong password or an unknown login', async () => {
    const first = await signInOnline()
    const deviceId = first.deviceId
    await first.signOut()
    expect(first.isSignedIn).toBe(false)

    stubOfflineFetch()
    await expect(first.signIn('cmartin', 'mauvais')).resolves.toEqual({ ok: false, error: 'wrong-password' })
    expect(first.isSignedIn).toBe(false)
    await expect(first.signIn('inconnu', 'x')).resolves.toEqual({ ok: false, error: 'never-signed-in-here' })
    await expect(first.signIn('cmartin', 'mot-de-passe-1')).resolves.toEqual({ ok: true, mode: 'offline' })
    expect(first.user?.id).toBe('u-nurse')
    expect(first.deviceId).toBe(deviceId)
    expect((await storedSession()).deviceToken).toBe('device-token-1')
  })

  it('keeps the device token when a later answer has none, and reads 401 and 429 as such', async () => {
    const session = await signInOnline()
    await session.signOut()
    const { deviceToken: _dropped, ...withoutToken } = loginAnswer()
    stubLoginFetch(withoutToken)
    await session.signIn('cmartin', 'mot-de-passe-1')
    expect((await storedSession()).deviceToken).toBe('device-token-1')

    await session.signOut()
    stubLoginFetch(401)
    await expect(session.signIn('cmartin', 'x')).resolves.toEqual({ ok: false, error: 'invalid-credentials' })
    stubLoginFetch(429, { 'Retry-After': '42' })
    await expect(session.signIn('cmartin', 'x')).resolves.toEqual({
      ok: false,
      error: 'rate-limited',
      retryAfterSeconds: 42,
    })
  })

  it('records through the outbox, signed, with the local offset and the actor', async () => {
    const session = await signInOnline()
    const result = await session.record('patient.register', registerPayload())
    expect(result.ok).toBe(true)
    expect(await pendingCount(db)).toBe(1)
    const [entry] = await listOutbox(db)
    expect(entry?.mutation.actor).toEqual({ userId: 'u-nurse' })
    expect(entry?.mutation.at).toMatch(OFFSET_ISO)
    expect(entry?.mutation.deviceId).toBe(session.deviceId)

    await session.signOut()
    await expect(session.record('patient.register', registerPayload())).resolves.toEqual({
      ok: false,
      error: 'not-signed-in',
    })
  })

  it('makes a delegate choose the professional they act for before recording', async () => {
    const secretary = { id: 'u-secretary', name: 'Sophie Bernard', login: 'sbernard', profession: null }
    const doctor = { id: 'u-doctor', name: 'Dr Jean Morel', profession: 'medecin' as const }
    await db.users.put(doctor)
    await db.roleGrants.put(grant({ userId: 'u-doctor' }))
    const session = await signInOnline(
      loginAnswer({
        user: secretary,
        roles: [grant({ userId: 'u-secretary', role: 'delegate', actingFor: ['u-doctor', 'u-unknown'] })],
      }),
    )
    expect(session.isDelegate).toBe(true)
    expect(session.needsActingFor).toBe(true)
    expect(session.actingForChoices.map((m) => m.name)).toEqual(['Dr Jean Morel', 'u-unknown'])
    await expect(session.record('patient.register', registerPayload())).resolves.toEqual({
      ok: false,
      error: 'acting-for-required',
    })
    expect(await session.chooseActingFor('u-stranger')).toBe(false)
    expect(await session.chooseActingFor('u-doctor')).toBe(true)
    expect(session.actor).toEqual({ userId: 'u-secretary', onBehalfOf: 'u-doctor' })
    const result = await session.record('patient.register', registerPayload())
    expect(result.ok).toBe(true)
  })

  it('keeps the tokens sealed at rest and the patients sealed, readable only while signed in', async () => {
    const answer = loginAnswer({ accessToken: 'access-token-secret', deviceToken: 'device-token-secret' })
    const session = await signInOnline(answer)
    expect((await session.record('patient.register', registerPayload())).ok).toBe(true)
    const raw = JSON.stringify(await db.meta.toArray())
    for (const secret of [
      'access-token-secret',
      'device-token-secret',
      answer.dataKey ?? '-',
      answer.deviceKey,
    ])
      expect(raw).not.toContain(secret)
    expect((await storedSession()).accounts['cmartin']?.wrappedKey.v).toBe(2)
    expect((await storedSession()).deviceToken).toBe('device-token-secret')

    const logout = vi.fn(async () => new Response(null, { status: 204 }))
    vi.stubGlobal('fetch', logout)
    await session.signOut()
    // The server session ends with the sign-out, and nothing opens without a password.
    expect(logout).toHaveBeenCalledWith(
      '/api/auth/logout',
      expect.objectContaining({ headers: { authorization: 'Bearer access-token-secret' } }),
    )
    expect(db.vault.isUnlocked).toBe(false)
    await expect(db.files.toArray()).rejects.toThrow(/locked/)
    expect((await storedSession()).deviceToken).toBeUndefined()

    stubOfflineFetch()
    await expect(session.signIn('cmartin', 'mot-de-passe-1')).resolves.toEqual({ ok: true, mode: 'offline' })
    expect((await allPatients(db)).map((p) => p.birthName)).toEqual(['Dupré'])
    expect((await storedSession()).deviceToken).toBe('device-token-secret')
  })

  it('asks an account kept from before encryption to sign in online once, on a sealed device', async () => {
    const session = await signInOnline()
    const stored = await storedSession()
    const { wrapDeviceKey } = await import('../db/vault/device-key')
    const legacyKey = await wrapDeviceKey(loginAnswer().deviceKey, 'ancien-mot-de-passe', {
      context: `carnet:u-doctor:${session.deviceId}`,
      iterations: 310_000,
    })
    const doctor = { id: 'u-doctor', name: 'Dr Jean Morel', login: 'jmorel', profession: 'medecin' as const }
    const legacy = {
      login: 'jmorel',
      user: doctor,
      organisation: stored.accounts['cmartin']?.organisation,
      grants: [grant({ userId: 'u-doctor' })],
      wrappedKey: legacyKey,
      lastOnlineAt: '2026-01-01T00:00:00Z',
    }
    const row = await db.meta.get('session')
    const value = row?.value as { accounts: Record<string, unknown> }
    await db.meta.put({
      key: 'session',
      value: { ...value, accounts: { ...value.accounts, jmorel: legacy } },
    })
    await session.signOut()
    stubOfflineFetch()
    await expect(session.signIn('jmorel', 'faux')).resolves.toEqual({ ok: false, error: 'wrong-password' })
    await expect(session.signIn('jmorel', 'ancien-mot-de-passe')).resolves.toEqual({
      ok: false,
      error: 'online-sign-in-needed',
    })
    expect(session.isSignedIn).toBe(false)
  })

  it('refuses a data key that does not open what the device sealed, and says a revoked device is revoked', async () => {
    const session = await signInOnline()
    await session.signOut()
    const other = loginAnswer({ dataKey: 'A'.repeat(43) + '=' })
    stubLoginFetch(other)
    await expect(session.signIn('cmartin', 'mot-de-passe-1')).resolves.toEqual({
      ok: false,
      error: 'data-key-mismatch',
    })
    expect(db.vault.isUnlocked).toBe(false)
    vi.stubGlobal(
      'fetch',
      vi.fn(async () => new Response(JSON.stringify({ error: 'device-revoked' }), { status: 401 })),
    )
    await expect(session.signIn('cmartin', 'mot-de-passe-1')).resolves.toMatchObject({
      ok: false,
      error: 'device-revoked',
    })
  })
})
