// Test helpers for screens behind the sign-in: a fresh database, a login answer with a real random deviceKey,
// and a stubbed server. Imported by tests only.
import { vi } from 'vitest'
import { db } from '../../db/carnet-db'
import type { LoginResponse } from '../../shared/sync-api'
import type { RoleGrantRecord, UserRecord } from '../../shared/records'
import { bytesToBase64 } from '../../db/base64'
import { useSessionStore } from '../../stores/session'

/** Empties the app's database between tests (delete, then reopen the same `db`). */
export async function resetDb(): Promise<void> {
  db.vault.lock()
  db.names.clear()
  db.close()
  await db.delete()
  await db.open()
}

/** A signed-in nurse by default. */
export const NURSE: UserRecord = {
  id: 'u-nurse',
  name: 'Claire Martin',
  login: 'cmartin',
  profession: 'infirmier',
}

/** A grant valid since 2020 with no end. */
export function grant(
  overrides: Partial<RoleGrantRecord> & Pick<RoleGrantRecord, 'userId'>,
): RoleGrantRecord {
  return {
    id: `g-${overrides.userId}-${overrides.role ?? 'vaccinator'}`,
    role: 'vaccinator',
    startsAt: '2020-01-01T00:00:00Z',
    endsAt: null,
    actingFor: [],
    ...overrides,
  }
}

/** The data key the stubbed server gives this test file's device (the same at every sign-in, as a server does). */
export const DATA_KEY = bytesToBase64(crypto.getRandomValues(new Uint8Array(32)))

/** A login answer as the server gives it, with a fresh random 32-byte deviceKey and the device's data key. */
export function loginAnswer(overrides: Partial<LoginResponse> = {}): LoginResponse {
  const user = overrides.user ?? NURSE
  return {
    user,
    organisation: { id: 'org-1', name: 'Équipe mobile de la Creuse', finess: '230000016' },
    roles: [grant({ userId: user.id })],
    accessToken: 'access-token-1',
    expiresAt: '2099-01-01T00:00:00Z',
    deviceToken: 'device-token-1',
    deviceKey: bytesToBase64(crypto.getRandomValues(new Uint8Array(32))),
    dataKey: DATA_KEY,
    ...overrides,
  }
}

/** Makes `fetch` answer a login with `answer` (status 200), or with a bare status. */
export function stubLoginFetch(answer: LoginResponse | number, headers: Record<string, string> = {}) {
  const fetchMock = vi.fn(async () =>
    typeof answer === 'number'
      ? new Response(JSON.stringify({ error: 'x' }), { status: answer, headers })
      : new Response(JSON.stringify(answer), {
          status: 200,
          headers: { 'content-type': 'application/json' },
        }),
  )
  vi.stubGlobal('fetch', fetchMock)
  return fetchMock
}

/** Makes `fetch` fail as with no network. */
export function stubOfflineFetch() {
  const fetchMock = vi.fn(async () => {
    throw new TypeError('Failed to fetch')
  })
  vi.stubGlobal('fetch', fetchMock)
  return fetchMock
}

/** Signs in online through the store with a stubbed server (the active Pinia's session store). */
export async function signInOnline(answer: LoginResponse = loginAnswer(), password = 'mot-de-passe-1') {
  stubLoginFetch(answer)
  const session = useSessionStore()
  const result = await session.signIn(answer.user.login ?? 'cmartin', password)
  if (!result.ok) throw new Error(`sign-in failed: ${result.error}`)
  return session
}
