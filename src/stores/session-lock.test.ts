// The session's lock, unlock and reload, the wait after wrong passwords, and revocation (wipe, export first).
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { createPinia, setActivePinia } from 'pinia'
import { db } from '../db/carnet-db'
import { allPatients } from '../db/testing'
import { computeNirKey } from '../domain/identifiers'
import { resetDb, signInOnline, stubOfflineFetch } from '../components/session/testing'
import { OutboxExportSchema, type DeviceRevocation } from '../shared/sync-api'
import { readStoredSession, useSessionStore } from './session'

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

/** A fresh store over the same database, as after a reload (nothing in memory, the keys gone with the page). */
async function reload() {
  db.vault.lock()
  db.names.clear()
  setActivePinia(createPinia())
  const session = useSessionStore()
  await session.restored
  return session
}

const BY_THOMAS: DeviceRevocation = {
  revokedAt: '2026-03-04T10:00:00.000Z',
  revokedBy: { id: 'u-admin', name: 'Thomas Leroy' },
  mode: 'wipe',
  exportUntil: null,
}

function stubRevokedFetch(revocation: DeviceRevocation = BY_THOMAS) {
  const fetchMock = vi.fn(
    async () =>
      new Response(JSON.stringify({ error: 'device-revoked', detail: revocation }), { status: 401 }),
  )
  vi.stubGlobal('fetch', fetchMock)
  return fetchMock
}

describe('session lock', () => {
  beforeEach(async () => {
    await resetDb()
    setActivePinia(createPinia())
  })
  afterEach(() => {
    vi.unstubAllGlobals()
    vi.useRealTimers()
  })

  it('locks: the keys leave memory and the screen keeps its user; the same password unlocks it', async () => {
    const session = await signInOnline()
    expect((await session.record('patient.register', registerPayload())).ok).toBe(true)
    const signInAt = session.signInAt

    await session.lock()
    expect(session.isLocked).toBe(true)
    expect(session.isSignedIn).toBe(false)
    expect(session.user?.name).toBe('Claire Martin')
    expect(session.accessToken).toBeNull()
    expect(db.vault.isUnlocked).toBe(false)
    await expect(db.files.toArray()).rejects.toThrow(/locked/)
    await expect(session.record('patient.register', registerPayload())).resolves.toMatchObject({
      ok: false,
      error: 'not-signed-in',
    })

    await expect(session.unlock('pas-le-bon')).resolves.toEqual({ ok: false, error: 'wrong-password' })
    expect(session.isLocked).toBe(true)
    await expect(session.unlock('mot-de-passe-1')).resolves.toEqual({ ok: true, mode: 'online' })
    expect(session.isLocked).toBe(false)
    expect(session.isSignedIn).toBe(true)
    // The same session goes on: same sign-in time, its access token back from the sealed store.
    expect(session.signInAt).toBe(signInAt)
    expect(session.accessToken).toBe('access-token-1')
    expect((await allPatients(db)).map((p) => p.birthName)).toEqual(['Dupré'])
  })

  it('lets the work in progress finish before the keys leave memory', async () => {
    const session = await signInOnline()
    let finish: () => void = () => undefined
    const working = new Promise<void>((resolve) => (finish = resolve))
    let wroteDuringLock = false
    session.beforeLock(async () => {
      await working
      // A document or a sync page written at the last moment still seals under the keys.
      wroteDuringLock = (await session.record('patient.register', registerPayload())).ok
    })

    const locking = session.lock()
    await vi.waitFor(() => expect(session.isLocked).toBe(true))
    expect(db.vault.isUnlocked).toBe(true)
    finish()
    await locking
    expect(wroteDuringLock).toBe(true)
    expect(db.vault.isUnlocked).toBe(false)
  })

  it('after a reload, asks the locked session for its password once and takes it up as stored', async () => {
    const first = await signInOnline()
    const signInAt = first.signInAt

    const session = await reload()
    expect(session.isSignedIn).toBe(false)
    expect(session.lockedAccount).toEqual({ login: 'cmartin', userId: 'u-nurse', name: 'Claire Martin' })
    stubOfflineFetch()
    await expect(session.unlock('mot-de-passe-1')).resolves.toEqual({ ok: true, mode: 'online' })
    expect(session.user?.id).toBe('u-nurse')
    expect(session.signInAt).toBe(signInAt)
    expect(session.accessToken).toBe('access-token-1')
    expect(session.lockedAccount).toBeNull()

    // Signed out, nothing is left locked: the next start asks for a login.
    await session.signOut()
    expect((await reload()).lockedAccount).toBeNull()
  })

  it('lets another member sign in instead: the locked session ends, its user and state gone', async () => {
    const session = await signInOnline()
    await session.lock()
    await session.signOut()
    expect(session.isLocked).toBe(false)
    expect(session.user).toBeNull()
    expect(session.login).toBeNull()
    expect((await readStoredSession()).current).toBeUndefined()
    expect((await reload()).lockedAccount).toBeNull()
  })

  it('waits after five wrong passwords, twice as long each time, per login and across reloads', async () => {
    vi.useFakeTimers({ toFake: ['Date'], now: Date.parse('2026-03-04T10:00:00Z') })
    const first = await signInOnline()
    await first.signOut()
    stubOfflineFetch()
    for (let i = 0; i < 4; i += 1) {
      await expect(first.signIn('cmartin', 'mauvais')).resolves.toEqual({
        ok: false,
        error: 'wrong-password',
      })
    }
    // The fifth is told the wait before the next one.
    await expect(first.signIn('cmartin', 'mauvais')).resolves.toEqual({
      ok: false,
      error: 'wrong-password',
      retryAfterSeconds: 30,
    })
    // Meanwhile even the right password is not tried.
    vi.advanceTimersByTime(20_000)
    await expect(first.signIn('CMartin', 'mot-de-passe-1')).resolves.toEqual({
      ok: false,
      error: 'too-many-attempts',
      retryAfterSeconds: 10,
    })
    vi.advanceTimersByTime(10_000)
    await expect(first.signIn('cmartin', 'mauvais')).resolves.toMatchObject({ retryAfterSeconds: 60 })

    const session = await reload()
    stubOfflineFetch()
    await expect(session.signIn('cmartin', 'mot-de-passe-1')).resolves.toMatchObject({
      error: 'too-many-attempts',
      retryAfterSeconds: 60,
    })
    // Another login of this device is not held up.
    await expect(session.signIn('jmorel', 'x')).resolves.toEqual({ ok: false, error: 'never-signed-in-here' })
    vi.advanceTimersByTime(60_000)
    await expect(session.signIn('cmartin', 'mot-de-passe-1')).resolves.toEqual({ ok: true, mode: 'offline' })
    await session.signOut()
    // The right password starts the count again.
    await expect(session.signIn('cmartin', 'mauvais')).resolves.toEqual({
      ok: false,
      error: 'wrong-password',
    })
  })

  it('counts wrong passwords at the unlock as at the sign-in', async () => {
    vi.useFakeTimers({ toFake: ['Date'], now: Date.parse('2026-03-04T10:00:00Z') })
    const session = await signInOnline()
    await session.lock()
    for (let i = 0; i < 4; i += 1) await session.unlock('mauvais')
    await expect(session.unlock('mauvais')).resolves.toMatchObject({ retryAfterSeconds: 30 })
    await expect(session.unlock('mot-de-passe-1')).resolves.toMatchObject({ error: 'too-many-attempts' })
    expect(session.isLocked).toBe(true)
  })
})

describe('revoked device', () => {
  beforeEach(async () => {
    await resetDb()
    setActivePinia(createPinia())
  })
  afterEach(() => {
    vi.unstubAllGlobals()
    vi.useRealTimers()
  })

  it('« effacer maintenant »: says who and when, wipes all but its id, and refuses every sign-in from then on', async () => {
    const session = await signInOnline()
    expect((await session.record('patient.register', registerPayload())).ok).toBe(true)
    const deviceId = session.deviceId
    await session.signOut()

    stubRevokedFetch()
    await expect(session.signIn('cmartin', 'mot-de-passe-1')).resolves.toMatchObject({
      ok: false,
      error: 'device-revoked',
      revocation: BY_THOMAS,
    })
    expect(session.revocation).toMatchObject({ ...BY_THOMAS, wipedAt: expect.any(String) })
    for (const table of db.tables.filter((t) => t.name !== 'meta')) expect(await table.count()).toBe(0)
    expect((await db.meta.toArray()).map((r) => r.key).sort()).toEqual(['deviceId', 'revoked'])
    expect((await db.meta.get('deviceId'))?.value).toBe(deviceId)

    // Offline too, and after a reload: no password is even tried.
    const offline = stubOfflineFetch()
    const again = await reload()
    expect(again.revocation?.revokedBy?.name).toBe('Thomas Leroy')
    await expect(again.signIn('cmartin', 'mot-de-passe-1')).resolves.toMatchObject({
      error: 'device-revoked',
    })
    expect(offline).not.toHaveBeenCalled()
  })

  it('« après export »: ends the session, keeps the changes sealed to export, and wipes once asked', async () => {
    const session = await signInOnline()
    expect((await session.record('patient.register', registerPayload())).ok).toBe(true)
    const saved: Blob[] = []
    vi.stubGlobal(
      'URL',
      Object.assign(URL, { createObjectURL: (blob: Blob) => (saved.push(blob), 'blob:x') }),
    )

    await session.learnRevoked({
      ...BY_THOMAS,
      mode: 'after-export',
      exportUntil: '2099-01-01T00:00:00.000Z',
    })
    expect(session.isSignedIn).toBe(false)
    expect(db.vault.isUnlocked).toBe(false)
    expect(session.revocation?.wipedAt).toBeUndefined()
    expect(await session.unsentCount()).toBe(1)

    const name = await session.exportPendingChanges()
    expect(name).toMatch(/^carnet-outbox-.+\.json$/)
    const file = OutboxExportSchema.parse(JSON.parse(await (saved[0] as Blob).text()))
    expect(file.sealed.map((e) => e.type)).toEqual(['patient.register'])
    expect(JSON.stringify(file)).not.toContain('Dupré')
    expect(session.revocation?.exportedAt).toEqual(expect.any(String))

    await session.wipe()
    expect(await db.outbox.count()).toBe(0)
    expect(await db.files.count()).toBe(0)
    expect(session.revocation?.wipedAt).toEqual(expect.any(String))
  })

  it('wipes by itself at start once the export window has closed', async () => {
    await signInOnline()
    await db.meta.put({
      key: 'revoked',
      value: {
        ...BY_THOMAS,
        mode: 'after-export',
        exportUntil: '2020-01-01T00:00:00.000Z',
        learnedAt: '2019-12-30T00:00:00.000Z',
      },
    })
    const session = await reload()
    expect(session.revocation?.wipedAt).toEqual(expect.any(String))
    expect(await db.files.count()).toBe(0)
    expect(await db.meta.get('session')).toBeUndefined()
  })
})
