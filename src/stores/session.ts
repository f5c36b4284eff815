// Who is signed in on this device, and the key their changes are signed with.
//
// Online, a sign-in asks the server (POST /api/auth/login) and keeps, per login, the server's deviceKey wrapped
// under the password (sync-protocol.md "Authentication"); the next sign-in may then be offline: unwrapping that
// blob with the typed password is the password check. The password itself is never stored, and the signing key
// lives only in memory: a reload or a sign-out asks for the password again, local records stay.
//
// Locked (docs/device-encryption.md, "Lock"): after the organisation's idle time, or on a reload, the keys leave
// memory while the session stays known; its user unlocks with their password (the same offline unwrap) and finds
// the screen as they left it, or another member signs in instead. Revoked: the device says who revoked it and
// when, refuses every sign-in from then on, and wipes its data, after exporting its pending changes when the
// administrator chose so.
import { computed, ref, shallowRef, toRaw, watch } from 'vue'
import { defineStore } from 'pinia'
import { keepBrokenRows, recheckBrokenRows } from '../db/broken-rows'
import { db, UNSYNCED_STATUSES } from '../db/carnet-db'
import { clearFailures, recordFailure, remainingWait } from '../db/sign-in-attempts'
import { wipeDevice } from '../db/wipe'
import { useLiveQuery } from '../composables/useLiveQuery'
import { isRoleValidAt } from '../domain/access/roles'
import type { MutationType } from '../shared/commands'
import type { Actor } from '../shared/primitives'
import type { RoleGrantRecord, UserRecord } from '../shared/records'
import type { DeviceRevocation, LoginResponse, Organisation } from '../shared/sync-api'
import type { Role } from '../shared/vocabulary'
import { nowLocalIso } from '../sync/clock'
import { uuidv7 } from '../sync/ids'
import type { DataKeys } from '../db/vault/crypto'
import type { WrappedAccountKeys, WrappedDeviceKey } from '../db/vault/device-key'
import type { RecordChangeInput, RecordChangeResult } from '../sync/outbox'

/** Why a sign-in failed, each with its French sentence (patients.signIn.errors.*). */
export type SignInError =
  | 'invalid-credentials'
  | 'rate-limited'
  | 'wrong-password'
  | 'never-signed-in-here'
  | 'device-revoked'
  | 'forbidden'
  | 'server-error'
  | 'corrupt-key-blob'
  | 'online-sign-in-needed'
  | 'data-key-mismatch'
  | 'too-many-attempts'

/**
 * The outcome of a sign-in: how it was checked, or why it failed (`retryAfterSeconds` with 'rate-limited' and
 * 'too-many-attempts'; `revocation` with 'device-revoked').
 */
export type SignInResult =
  | { ok: true; mode: 'online' | 'offline' }
  | { ok: false; error: SignInError; retryAfterSeconds?: number; revocation?: DeviceRevocation }

/** The session of a locked app: who may unlock it with their password. */
export type LockedAccount = { login: string; userId: string; name: string }

/** What the device knows of its revocation (kept in db.meta, through the wipe). */
export type StoredRevocation = DeviceRevocation & { learnedAt: string; exportedAt?: string; wipedAt?: string }

/** What `record` refuses before any rule runs: nobody signed in, or a delegate who has not chosen whom they act for. */
export type RecordResult =
  RecordChangeResult | { ok: false; error: 'not-signed-in' | 'acting-for-required'; detail?: undefined }

// The schemas, the key wrapping and the recording path are loaded on first use, not with the store: the store
// is on the first page (the header, the router guard), and zod, the Web Crypto helpers and the workflow rules
// would otherwise weigh on every cold start; sign-in and recording wait for them once (precached by the worker).
async function loadAuth() {
  const [records, syncApi, deviceKey, vaultCrypto] = await Promise.all([
    import('../shared/records'),
    import('../shared/sync-api'),
    import('../db/vault/device-key'),
    import('../db/vault/crypto'),
  ])
  return {
    UserRecordSchema: records.UserRecordSchema,
    GrantsSchema: records.RoleGrantRecordSchema.array(),
    OrganisationSchema: syncApi.OrganisationSchema,
    LoginResponseSchema: syncApi.LoginResponseSchema,
    DeviceRevocationSchema: syncApi.DeviceRevocationSchema,
    ...deviceKey,
    ...vaultCrypto,
  }
}

type Auth = Awaited<ReturnType<typeof loadAuth>>
let auth: Promise<Auth> | null = null

function useAuth(): Promise<Auth> {
  auth ??= loadAuth().catch((error: unknown) => {
    auth = null
    throw error
  })
  return auth
}

/**
 * One account that signed in online on this device: who, and their keys wrapped under their password — the
 * deviceKey and the device data key (version 2), or the deviceKey alone for an account that last signed in
 * online before the device's data was sealed (version 1: it must sign in online once more to open sealed data).
 */
type Account = {
  login: string
  user: UserRecord
  organisation: Organisation
  grants: RoleGrantRecord[]
  wrappedKey: WrappedDeviceKey | WrappedAccountKeys
  lastOnlineAt: string
  lastActingFor?: string
}

/**
 * The meta 'session' value: the device token, who is signed in now, and every account that signed in here. Once
 * the device is sealed the tokens are stored sealed (`sealed`, under the data key) and read back only while the
 * app is unlocked; the parsed value carries them in clear, in memory.
 */
export type StoredSession = {
  v: 1
  deviceToken?: string
  current?: {
    login: string
    userId: string
    signInAt: string
    mode: 'online' | 'offline'
    accessToken?: string
    expiresAt?: string
  }
  accounts: Record<string, Account>
}

function isBinary(value: unknown): value is ArrayBuffer {
  return value instanceof ArrayBuffer || Object.prototype.toString.call(value) === '[object ArrayBuffer]'
}

function isText(value: unknown): value is string {
  return typeof value === 'string' && value !== ''
}

function fieldsOf(value: unknown): Record<string, unknown> | null {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
    ? (value as Record<string, unknown>)
    : null
}

// Parsed by hand around the shared record schemas (zod itself is imported by those, tree-shaken): a dynamic
// import of zod's namespace would carry every one of its locales.
function parseAccount(value: unknown, a: Auth): Account | null {
  const v = fieldsOf(value)
  if (v === null || !isText(v.login) || !isText(v.lastOnlineAt)) return null
  const user = a.UserRecordSchema.safeParse(v.user)
  const organisation = a.OrganisationSchema.safeParse(v.organisation)
  const grants = a.GrantsSchema.safeParse(v.grants)
  const wrappedKey = a.WrappedAccountKeysSchema.or(a.WrappedDeviceKeySchema).safeParse(v.wrappedKey)
  if (!user.success || !organisation.success || !grants.success || !wrappedKey.success) return null
  return {
    login: v.login,
    user: user.data,
    organisation: organisation.data,
    grants: grants.data,
    wrappedKey: wrappedKey.data,
    lastOnlineAt: v.lastOnlineAt,
    ...(isText(v.lastActingFor) ? { lastActingFor: v.lastActingFor } : {}),
  }
}

function parseCurrent(value: unknown): StoredSession['current'] {
  const v = fieldsOf(value)
  if (v === null || !isText(v.login) || !isText(v.userId) || !isText(v.signInAt)) return undefined
  if (v.mode !== 'online' && v.mode !== 'offline') return undefined
  return {
    login: v.login,
    userId: v.userId,
    signInAt: v.signInAt,
    mode: v.mode,
    ...(isText(v.accessToken) ? { accessToken: v.accessToken } : {}),
    ...(isText(v.expiresAt) ? { expiresAt: v.expiresAt } : {}),
  }
}

/** Parses the meta 'session' value; what does not parse is dropped (an account then signs in online again). */
function parseStoredSession(value: unknown, a: Auth): StoredSession {
  const v = fieldsOf(value)
  const session: StoredSession = { v: 1, accounts: {} }
  if (v === null || v.v !== 1) return session
  if (isText(v.deviceToken)) session.deviceToken = v.deviceToken
  const current = parseCurrent(v.current)
  if (current !== undefined) session.current = current
  for (const [key, raw] of Object.entries(fieldsOf(v.accounts) ?? {})) {
    const account = parseAccount(raw, a)
    if (account !== null) session.accounts[key] = account
  }
  return session
}

/** The key an account is stored under: logins compare trimmed and case-insensitively. */
export function loginKey(login: string): string {
  return login.trim().toLowerCase()
}

const VAULT_CHECK_AAD = 'meta\u0000vault-check'
const VAULT_CHECK = 'carnet'

function decodeDataKey(dataKey: string): Uint8Array<ArrayBuffer> {
  const binary = atob(dataKey)
  const bytes = new Uint8Array(binary.length)
  for (let i = 0; i < binary.length; i += 1) bytes[i] = binary.charCodeAt(i)
  return bytes
}

function keyContext(userId: string, deviceId: string): string {
  return `carnet:${userId}:${deviceId}`
}

const SESSION_TOKENS_AAD = 'meta\u0000session-tokens'

type SessionTokens = { deviceToken?: string; accessToken?: string; expiresAt?: string }

/** Reads the meta 'session' value, parsed (an unreadable one counts as empty: the next online sign-in rewrites it). */
export async function readStoredSession(): Promise<StoredSession> {
  const a = await useAuth()
  const row = await db.meta.get('session')
  const value = row?.key === 'session' ? row.value : undefined
  const session = parseStoredSession(value, a)
  const sealed = fieldsOf(value)?.sealed
  const keys = db.vault.keys
  if (a.isArrayBuffer(sealed) && keys !== null) {
    // Tokens that do not open (another data key, tampering) are left out: the next online sign-in gives new ones.
    const tokens = fieldsOf(await a.openJson(keys, SESSION_TOKENS_AAD, sealed).catch(() => null))
    if (tokens !== null && isText(tokens.deviceToken)) session.deviceToken = tokens.deviceToken
    if (tokens !== null && session.current !== undefined) {
      if (isText(tokens.accessToken)) session.current.accessToken = tokens.accessToken
      if (isText(tokens.expiresAt)) session.current.expiresAt = tokens.expiresAt
    }
  }
  return session
}

/**
 * The stored form of a session: on a sealed device its tokens go into one sealed value; while locked (no key) the
 * tokens already stored stay as they are, and none is written in clear.
 */
async function storedFormOf(session: StoredSession): Promise<Record<string, unknown>> {
  if (!db.vault.sealed && db.vault.keys === null) return session
  const { deviceToken, current, ...rest } = session
  const tokens: SessionTokens = {
    ...(deviceToken === undefined ? {} : { deviceToken }),
    ...(current?.accessToken === undefined ? {} : { accessToken: current.accessToken }),
    ...(current?.expiresAt === undefined ? {} : { expiresAt: current.expiresAt }),
  }
  const stored: Record<string, unknown> = { ...rest }
  if (current !== undefined) {
    const { accessToken: _accessToken, expiresAt: _expiresAt, ...who } = current
    stored.current = who
  }
  const keys = db.vault.keys
  if (keys !== null) {
    const a = await useAuth()
    stored.sealed = await a.sealJson(keys, SESSION_TOKENS_AAD, tokens)
  } else {
    const row = await db.meta.get('session')
    const previous = fieldsOf(row?.key === 'session' ? row.value : undefined)?.sealed
    if (isBinary(previous)) stored.sealed = previous
  }
  return stored
}

async function writeStoredSession(session: StoredSession): Promise<void> {
  await db.meta.put({ key: 'session', value: await storedFormOf(session) })
}

/** Gives the device id, created once (UUID v7) and kept in db.meta. */
export async function ensureDeviceId(): Promise<string> {
  return db.transaction('rw', db.meta, async () => {
    const row = await db.meta.get('deviceId')
    if (row?.key === 'deviceId' && row.value !== '') return row.value
    const id = uuidv7()
    await db.meta.put({ key: 'deviceId', value: id })
    return id
  })
}

type LoginAttempt =
  | { kind: 'answer'; body: LoginResponse }
  | { kind: 'refused'; error: SignInError; retryAfterSeconds?: number; revocation?: DeviceRevocation }
  | { kind: 'unreachable' }

/** The revocation a `device-revoked` refusal describes (who, when, how), when the server said. */
async function revocationOf(body: unknown): Promise<DeviceRevocation | undefined> {
  const { DeviceRevocationSchema } = await useAuth()
  const parsed = DeviceRevocationSchema.safeParse(fieldsOf(body)?.detail)
  return parsed.success ? parsed.data : undefined
}

async function askServer(login: string, password: string, deviceId: string): Promise<LoginAttempt> {
  const { LoginResponseSchema } = await useAuth()
  let response: Response
  try {
    response = await fetch('/api/auth/login', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ login: login.trim(), password, deviceId, deviceName: deviceName() }),
    })
  } catch {
    return { kind: 'unreachable' }
  }
  if (response.status === 401) {
    // A revoked device is told so, and by whom, not that the password is wrong.
    const body: unknown = await response.json().catch(() => undefined)
    if (fieldsOf(body)?.error !== 'device-revoked') return { kind: 'refused', error: 'invalid-credentials' }
    const revocation = await revocationOf(body)
    return { kind: 'refused', error: 'device-revoked', ...(revocation === undefined ? {} : { revocation }) }
  }
  if (response.status === 429) {
    const retry = Number.parseInt(response.headers.get('retry-after') ?? '', 10)
    return {
      kind: 'refused',
      error: 'rate-limited',
      retryAfterSeconds: Number.isFinite(retry) && retry > 0 ? retry : 60,
    }
  }
  if (response.status === 403) {
    const code = await response
      .json()
      .then((b: unknown) => fieldsOf(b)?.error)
      .catch(() => undefined)
    return { kind: 'refused', error: code === 'device-revoked' ? 'device-revoked' : 'forbidden' }
  }
  // A gateway or server down is the same, for the person at the site, as no network: try the offline path.
  if (response.status >= 500) return { kind: 'unreachable' }
  if (!response.ok) return { kind: 'refused', error: 'server-error' }
  const parsed = LoginResponseSchema.safeParse(await response.json().catch(() => undefined))
  return parsed.success ? { kind: 'answer', body: parsed.data } : { kind: 'refused', error: 'server-error' }
}

function deviceName(): string | undefined {
  if (typeof navigator === 'undefined') return undefined
  const name = `Carnet — ${navigator.platform || 'appareil'}`.slice(0, 200)
  return name.trim() === '' ? undefined : name
}

/** After how many idle minutes the app locks when the organisation has not said (IDLE_LOCK_MINUTES in sync-api). */
export const DEFAULT_IDLE_LOCK_MINUTES = 10

/** Who may unlock a locked app, read from the stored session by hand (no schema on the first page). */
function lockedAccountOf(value: unknown): LockedAccount | null {
  const stored = fieldsOf(value)
  const current = parseCurrent(stored?.current)
  if (current === undefined) return null
  const user = fieldsOf(fieldsOf(fieldsOf(stored?.accounts)?.[loginKey(current.login)])?.user)
  return {
    login: current.login,
    userId: current.userId,
    name: isText(user?.name) ? user.name : current.login,
  }
}

/** The signed-in professional, their organisation and roles, the device, and the signed recording path. */
export const useSessionStore = defineStore('session', () => {
  const user = ref<UserRecord | null>(null)
  /** The login the session was opened with (to unlock it). */
  const login = ref<string | null>(null)
  /** Set while the app is locked: the session stays known, its keys are out of memory. */
  const lockedAccount = ref<LockedAccount | null>(null)
  /** Set once the device learned it was revoked (from db.meta, so after a reload too). */
  const revocation = shallowRef<StoredRevocation | null>(null)
  const organisation = ref<Organisation | null>(null)
  const grants = ref<RoleGrantRecord[]>([])
  const deviceId = ref('')
  const signInAt = ref<string | null>(null)
  const signInMode = ref<'online' | 'offline' | null>(null)
  const accessToken = ref<string | null>(null)
  const actingForId = ref<string | null>(null)
  const signingKey = shallowRef<CryptoKey | null>(null)
  /** While rows written before encryption are being sealed: how far it has gone. */
  const sealingProgress = shallowRef<{ done: number; total: number } | null>(null)

  const { data: storedMembers } = useLiveQuery(() => db.users.toArray(), { initialValue: [] })
  const members = computed<UserRecord[]>(() => {
    const list = [...(storedMembers.value ?? [])]
    if (user.value !== null && !list.some((m) => m.id === user.value?.id)) list.push(user.value)
    return list.sort((a, b) => a.name.localeCompare(b.name, 'fr'))
  })

  const isSignedIn = computed(() => user.value !== null && signingKey.value !== null)
  /** The app is locked: its screen hidden until the same user unlocks, or someone else signs in. */
  const isLocked = computed(() => lockedAccount.value !== null)
  /** The organisation's idle time before the lock, in minutes. */
  const idleLockMinutes = computed(() => organisation.value?.idleLockMinutes ?? DEFAULT_IDLE_LOCK_MINUTES)
  // Bumped by every lock, unlock and sign-out: a lock still waiting for work in progress drops no key after one.
  let lockGeneration = 0
  const beforeLockHooks = new Set<() => unknown>()

  function validRoles(at: string = nowLocalIso()): RoleGrantRecord[] {
    const id = user.value?.id
    return grants.value.filter((g) => g.userId === id && isRoleValidAt(g, at))
  }

  /** The roles the signed-in user holds now (an expired or future grant is left out). */
  const roles = computed<Role[]>(() => [...new Set(validRoles().map((g) => g.role))])

  /** The professionals a delegate may act for, by id, from their delegate grants valid now. */
  const actingForIds = computed<string[]>(() => [
    ...new Set(validRoles().flatMap((g) => (g.role === 'delegate' ? g.actingFor : []))),
  ])

  /** A delegate enters data on behalf of a professional; one who is also a vaccinator may act as themselves. */
  const isDelegate = computed(() => actingForIds.value.length > 0 && !roles.value.includes('vaccinator'))

  /** The professionals the delegate may choose from: known members first, a bare id when not pulled yet. */
  const actingForChoices = computed<UserRecord[]>(() =>
    actingForIds.value.map(
      (id) => members.value.find((m) => m.id === id) ?? { id, name: id, profession: null },
    ),
  )

  const actingFor = computed<UserRecord | null>(() => {
    if (actingForId.value === null) return null
    return actingForChoices.value.find((m) => m.id === actingForId.value) ?? null
  })

  const needsActingFor = computed(() => isSignedIn.value && isDelegate.value && actingFor.value === null)

  const actor = computed<Actor | null>(() => {
    if (user.value === null) return null
    return actingFor.value === null || actingFor.value.id === user.value.id
      ? { userId: user.value.id }
      : { userId: user.value.id, onBehalfOf: actingFor.value.id }
  })

  async function loadDeviceId(): Promise<string> {
    if (deviceId.value === '') deviceId.value = await ensureDeviceId()
    return deviceId.value
  }

  function applySession(account: Account, mode: 'online' | 'offline', at: string, key: CryptoKey): void {
    lockGeneration += 1
    lockedAccount.value = null
    login.value = account.login
    user.value = account.user
    organisation.value = account.organisation
    grants.value = account.grants
    signingKey.value = key
    signInAt.value = at
    signInMode.value = mode
    actingForId.value =
      account.lastActingFor !== undefined &&
      account.grants.some((g) => g.role === 'delegate' && g.actingFor.includes(account.lastActingFor ?? ''))
        ? account.lastActingFor
        : null
  }

  /**
   * Opens the device's sealed data with `keys`: the first time, marks the database sealed (every personal row
   * written from now on is sealed) with a check value; later, refuses keys that do not open that check (data
   * sealed under another data key). Then seals in the background what was written before, and loads the name index.
   */
  async function openVault(keys: DataKeys): Promise<boolean> {
    const a = await useAuth()
    const row = await db.meta.get('vault')
    const check = row?.key === 'vault' ? row.value.check : undefined
    if (a.isArrayBuffer(check)) {
      const opened = await a.openJson(keys, VAULT_CHECK_AAD, check).catch(() => null)
      if (opened !== VAULT_CHECK) return false
    } else {
      const value = {
        v: 1 as const,
        sealedSince: row?.key === 'vault' ? row.value.sealedSince : nowLocalIso(),
        ...(row?.key === 'vault' && row.value.converted !== undefined
          ? { converted: row.value.converted }
          : {}),
        check: await a.sealJson(keys, VAULT_CHECK_AAD, VAULT_CHECK),
      }
      await db.meta.put({ key: 'vault', value })
    }
    db.vault.unlock(keys)
    void recheckBrokenRows(db).catch(() => undefined)
    void db.names
      .refresh()
      .then(() => db.names.compactIfLarge(db))
      .catch(() => undefined)
    if (!db.vault.converted) {
      void import('../db/vault/convert')
        .then(({ sealClearRows }) =>
          sealClearRows(db, {
            onProgress: (progress) => {
              sealingProgress.value = progress
            },
          }),
        )
        .then(() => {
          sealingProgress.value = null
        })
        .catch(() => undefined)
    }
    return true
  }

  /** Forgets the data keys and what was read with them (the name index). */
  function lockVault(): void {
    db.vault.lock()
    db.names.clear()
  }

  async function signInOnline(
    login: string,
    password: string,
    body: LoginResponse,
    device: string,
  ): Promise<SignInResult> {
    const a = await useAuth()
    const context = keyContext(body.user.id, device)
    const dataKey = body.dataKey
    const [key, wrappedKey, vaultKeys] = await Promise.all([
      a.importSigningKey(body.deviceKey),
      dataKey === undefined
        ? a.wrapDeviceKey(body.deviceKey, password, { context })
        : a.wrapAccountKeys({ deviceKey: body.deviceKey, dataKey }, password, { context }),
      dataKey === undefined ? null : a.deriveDataKeys(await a.importDataKey(decodeDataKey(dataKey))),
    ])
    if (vaultKeys !== null && !(await openVault(vaultKeys))) return { ok: false, error: 'data-key-mismatch' }
    const at = nowLocalIso()
    const stored = await readStoredSession()
    const previous = stored.accounts[loginKey(login)]
    const account: Account = {
      login: login.trim(),
      user: body.user,
      organisation: body.organisation,
      grants: body.roles,
      wrappedKey,
      lastOnlineAt: at,
      ...(previous?.lastActingFor === undefined ? {} : { lastActingFor: previous.lastActingFor }),
    }
    const next: StoredSession = {
      ...stored,
      deviceToken: body.deviceToken ?? stored.deviceToken,
      current: {
        login: account.login,
        userId: body.user.id,
        signInAt: at,
        mode: 'online',
        accessToken: body.accessToken,
        expiresAt: body.expiresAt,
      },
      accounts: { ...stored.accounts, [loginKey(login)]: account },
    }
    if (next.deviceToken === undefined) delete next.deviceToken
    // Sealed before the transaction: Web Crypto is not an IndexedDB request and would let it commit early.
    const storedValue = await storedFormOf(next)
    // The local rules (recordChange) read users and grants from Dexie: the login answer is the freshest copy.
    await db.transaction('rw', db.meta, db.users, db.roleGrants, async () => {
      await db.meta.put({ key: 'session', value: storedValue })
      await db.meta.put({ key: 'organisation', value: body.organisation })
      await db.users.put(body.user)
      await db.roleGrants.where('userId').equals(body.user.id).delete()
      await db.roleGrants.bulkPut(body.roles)
    })
    accessToken.value = body.accessToken
    applySession(account, 'online', at, key)
    return { ok: true, mode: 'online' }
  }

  /**
   * Opens an account's keys with the password, as an offline sign-in and an unlock do: one PBKDF2 derivation, then
   * the signing key and the data key, which opens the sealed database. A wrong password fails the GCM tag.
   */
  async function unwrapAccount(
    account: Account,
    password: string,
    device: string,
  ): Promise<{ ok: true; signing: CryptoKey } | { ok: false; error: SignInError }> {
    const a = await useAuth()
    const context = keyContext(account.user.id, device)
    if (account.wrappedKey.v === 2) {
      const unwrapped = await a.unwrapAccountKeys(account.wrappedKey, password, { context })
      if (!unwrapped.ok) return { ok: false, error: unwrapped.error }
      if (!(await openVault(await a.deriveDataKeys(unwrapped.value.data)))) {
        return { ok: false, error: 'data-key-mismatch' }
      }
      return { ok: true, signing: unwrapped.value.signing }
    }
    const unwrapped = await a.unwrapSigningKey(account.wrappedKey, password, { context })
    if (!unwrapped.ok) return { ok: false, error: unwrapped.error }
    // An account kept from before the device was sealed has no data key: it opens nothing sealed.
    if (db.vault.sealed) return { ok: false, error: 'online-sign-in-needed' }
    return { ok: true, signing: unwrapped.value }
  }

  /** The account as the device now knows it: grants and the organisation pulled since its last online sign-in. */
  async function freshAccount(account: Account): Promise<Account> {
    const [pulled, known, pulledOrganisation] = await Promise.all([
      db.roleGrants.where('userId').equals(account.user.id).toArray(),
      db.users.get(account.user.id),
      db.meta.get('organisation'),
    ])
    const latest = pulledOrganisation?.key === 'organisation' ? pulledOrganisation.value : undefined
    return {
      ...account,
      user: known ?? account.user,
      grants: pulled.length > 0 ? pulled : account.grants,
      organisation:
        latest !== undefined && latest.id === account.organisation.id ? latest : account.organisation,
    }
  }

  async function signInOffline(loginText: string, password: string, device: string): Promise<SignInResult> {
    const stored = await readStoredSession()
    const account = stored.accounts[loginKey(loginText)]
    if (account === undefined) return { ok: false, error: 'never-signed-in-here' }
    const unwrapped = await unwrapAccount(account, password, device)
    if (!unwrapped.ok) return unwrapped
    const fresh = await freshAccount(account)
    const at = nowLocalIso()
    // Read again now that the keys are here: the tokens are sealed, and a copy read while locked has none.
    const unlocked = await readStoredSession()
    await writeStoredSession({
      ...unlocked,
      current: { login: account.login, userId: account.user.id, signInAt: at, mode: 'offline' },
    })
    accessToken.value = null
    applySession(fresh, 'offline', at, unwrapped.signing)
    return { ok: true, mode: 'offline' }
  }

  /**
   * Counts a wrong password for this login on this device; past five, the next attempt waits (the answer says how
   * long). Other refusals count nothing.
   */
  async function counted(key: string, result: Extract<SignInResult, { ok: false }>): Promise<SignInResult> {
    if (result.error !== 'wrong-password' && result.error !== 'invalid-credentials') return result
    const wait = await recordFailure(db, key, Date.now())
    return wait === 0 ? result : { ...result, retryAfterSeconds: Math.ceil(wait / 1000) }
  }

  /** Refuses an attempt while this login must wait after too many wrong passwords on this device. */
  async function mustWait(key: string): Promise<SignInResult | null> {
    const wait = await remainingWait(db, key, Date.now())
    return wait > 0
      ? { ok: false, error: 'too-many-attempts', retryAfterSeconds: Math.ceil(wait / 1000) }
      : null
  }

  function revokedResult(): SignInResult {
    const known = revocation.value
    return known === null
      ? { ok: false, error: 'device-revoked' }
      : { ok: false, error: 'device-revoked', revocation: known }
  }

  /**
   * Signs in: online when the server answers, else offline with the key kept from a previous online sign-in. A
   * revoked device refuses at once; a login with too many wrong passwords here waits.
   */
  async function signIn(loginText: string, password: string): Promise<SignInResult> {
    if (revocation.value !== null) return revokedResult()
    const key = loginKey(loginText)
    const waiting = await mustWait(key)
    if (waiting !== null) return waiting
    const device = await loadDeviceId()
    const isOffline = typeof navigator !== 'undefined' && navigator.onLine === false
    const attempt: LoginAttempt = isOffline
      ? { kind: 'unreachable' }
      : await askServer(loginText, password, device)
    if (attempt.kind === 'refused') {
      if (attempt.error === 'device-revoked') {
        await learnRevoked(attempt.revocation)
        return revokedResult()
      }
      return counted(
        key,
        attempt.retryAfterSeconds === undefined
          ? { ok: false, error: attempt.error }
          : { ok: false, error: attempt.error, retryAfterSeconds: attempt.retryAfterSeconds },
      )
    }
    const result =
      attempt.kind === 'answer'
        ? await signInOnline(loginText, password, attempt.body, device)
        : await signInOffline(loginText, password, device)
    if (!result.ok) return counted(key, result)
    await clearFailures(db, key)
    return result
  }

  /** Registers work to finish before a lock drops the keys (a sync run, a document being made). */
  function beforeLock(hook: () => unknown): () => void {
    beforeLockHooks.add(hook)
    return () => beforeLockHooks.delete(hook)
  }

  /**
   * Locks the app (idle, or asked): the screen is hidden at once; once the work in progress has finished (a sync
   * run, a document), the signing key, the access token and the data keys leave memory. The session and what is on
   * screen stay, for its user's password.
   */
  async function lock(): Promise<void> {
    const who = user.value
    if (!isSignedIn.value || who === null || lockedAccount.value !== null) return
    lockedAccount.value = { login: login.value ?? who.login ?? who.id, userId: who.id, name: who.name }
    const generation = (lockGeneration += 1)
    await Promise.allSettled([...beforeLockHooks].map(async (hook) => hook()))
    if (generation !== lockGeneration) return
    signingKey.value = null
    accessToken.value = null
    lockVault()
  }

  /**
   * Unlocks with the locked session's password (the offline unwrap of a sign-in). After an idle lock the screen is
   * as it was; after a reload the session is taken up again as it was stored (its sign-in time, its access token).
   */
  async function unlock(password: string): Promise<SignInResult> {
    const locked = lockedAccount.value
    if (revocation.value !== null) return revokedResult()
    if (locked === null) return { ok: false, error: 'never-signed-in-here' }
    const key = loginKey(locked.login)
    const waiting = await mustWait(key)
    if (waiting !== null) return waiting
    const device = await loadDeviceId()
    const account = (await readStoredSession()).accounts[key]
    if (account === undefined) return { ok: false, error: 'never-signed-in-here' }
    const unwrapped = await unwrapAccount(account, password, device)
    if (!unwrapped.ok) return counted(key, unwrapped)
    await clearFailures(db, key)
    const stored = await readStoredSession()
    const current = stored.current?.userId === account.user.id ? stored.current : undefined
    if (user.value?.id === account.user.id && current !== undefined) {
      lockGeneration += 1
      lockedAccount.value = null
      signingKey.value = unwrapped.signing
      accessToken.value = current.accessToken ?? null
      return { ok: true, mode: signInMode.value ?? current.mode }
    }
    const fresh = await freshAccount(account)
    if (current === undefined) {
      // The stored session ended meanwhile (signed out in another tab): this is an offline sign-in.
      const at = nowLocalIso()
      await writeStoredSession({
        ...stored,
        current: { login: account.login, userId: account.user.id, signInAt: at, mode: 'offline' },
      })
      accessToken.value = null
      applySession(fresh, 'offline', at, unwrapped.signing)
      return { ok: true, mode: 'offline' }
    }
    accessToken.value = current.accessToken ?? null
    applySession(fresh, current.mode, current.signInAt, unwrapped.signing)
    return { ok: true, mode: current.mode }
  }

  /** Forgets the session in memory and drops every key (what sign-out, switching user and a revocation share). */
  function endSession(): void {
    lockGeneration += 1
    lockedAccount.value = null
    login.value = null
    user.value = null
    organisation.value = null
    grants.value = []
    signingKey.value = null
    signInAt.value = null
    signInMode.value = null
    accessToken.value = null
    actingForId.value = null
    lockVault()
  }

  /**
   * Signs out: ends the server session (the access token stops working; offline it simply expires), forgets the
   * session's tokens, then drops every key from memory. Local records stay, sealed: opening them takes a password.
   * From a locked app (another user signs in instead), the locked session ends the same way.
   */
  async function signOut(): Promise<void> {
    const token = accessToken.value
    accessToken.value = null
    if (token !== null) {
      void fetch('/api/auth/logout', { method: 'POST', headers: { authorization: `Bearer ${token}` } }).catch(
        () => undefined,
      )
    }
    try {
      // Written while the keys are still here, so that the sealed tokens are rewritten without the session's.
      const stored = await readStoredSession()
      const { current: _current, ...rest } = stored
      await writeStoredSession(rest)
    } finally {
      endSession()
    }
  }

  /**
   * Takes up what the device remembers at start: its revocation (which may still have to wipe it), and a session
   * left open by a reload, which is locked: its user's password opens it again.
   */
  async function restore(): Promise<void> {
    const [sessionRow, revokedRow] = await Promise.all([db.meta.get('session'), db.meta.get('revoked')])
    if (revokedRow?.key === 'revoked') {
      revocation.value = revokedRow.value
      await finishRevocation()
      return
    }
    if (user.value !== null || lockedAccount.value !== null) return
    lockedAccount.value = lockedAccountOf(sessionRow?.key === 'session' ? sessionRow.value : undefined)
  }

  /**
   * The device was told it is revoked (a 401 `device-revoked`, or the `device-revoked` change of its own id):
   * remembered for good, the session ends and its keys leave memory; the data is wiped at once when the
   * administrator chose so, else once its pending changes are exported (or the export window has passed).
   */
  async function learnRevoked(detail?: DeviceRevocation | null): Promise<void> {
    if (revocation.value === null) {
      const existing = await db.meta.get('revoked')
      const known: StoredRevocation =
        existing?.key === 'revoked'
          ? existing.value
          : {
              ...(detail ?? { revokedAt: nowLocalIso(), revokedBy: null, mode: 'wipe', exportUntil: null }),
              learnedAt: nowLocalIso(),
            }
      if (existing?.key !== 'revoked') await db.meta.put({ key: 'revoked', value: known })
      revocation.value = known
    }
    endSession()
    await finishRevocation()
  }

  async function finishRevocation(): Promise<void> {
    const known = revocation.value
    if (known === null || known.wipedAt !== undefined) return
    const windowClosed = known.exportUntil === null || Date.parse(known.exportUntil) <= Date.now()
    if (known.mode === 'wipe' || windowClosed) await wipe()
  }

  /** Wipes the revoked device: every personal table, the name index, wrapped keys and tokens (src/db/wipe.ts). */
  async function wipe(): Promise<void> {
    const known = revocation.value
    if (known === null) return
    endSession()
    const at = nowLocalIso()
    await wipeDevice(db, at)
    revocation.value = { ...known, wipedAt: at }
  }

  /**
   * How many outbox entries the server has not settled, counted on the clear status index one status at a time (an
   * index count reads no row: no key needed, a locked or revoked device can say it).
   */
  async function unsentCount(): Promise<number> {
    const counts = await Promise.all(
      UNSYNCED_STATUSES.map((status) => db.outbox.where('status').equals(status).count()),
    )
    return counts.reduce((sum, n) => sum + n, 0)
  }

  /**
   * Saves the changes this device could not send as a file for the administrator, sealed for the server
   * (src/sync/outbox.ts exportOutbox); answers the file's name. On a revoked device, remembered for the notice.
   */
  async function exportPendingChanges(): Promise<string> {
    const [{ exportOutbox }, { saveBlob }, device] = await Promise.all([
      import('../sync/outbox'),
      import('../components/documents/deliver'),
      loadDeviceId(),
    ])
    const at = nowLocalIso()
    const json = await exportOutbox(db, { now: at })
    const name = `carnet-outbox-${device}-${at.slice(0, 10)}.json`
    saveBlob(new Blob([json], { type: 'application/json' }), name)
    const known = revocation.value
    if (known !== null) {
      const next = { ...known, exportedAt: at }
      await db.meta.put({ key: 'revoked', value: next })
      revocation.value = next
    }
    return name
  }

  /** Chooses the professional a delegate acts for (one of their delegate grants'); remembered for next time. */
  async function chooseActingFor(userId: string): Promise<boolean> {
    if (!actingForIds.value.includes(userId)) return false
    actingForId.value = userId
    const stored = await readStoredSession()
    const current = stored.current
    const account = current === undefined ? undefined : stored.accounts[loginKey(current.login)]
    if (current !== undefined && account !== undefined) {
      await writeStoredSession({
        ...stored,
        accounts: { ...stored.accounts, [loginKey(current.login)]: { ...account, lastActingFor: userId } },
      })
    }
    return true
  }

  /** Lets a delegate pick again whom they act for (the picker shows until a new choice). */
  function clearActingFor(): void {
    actingForId.value = null
  }

  /**
   * Records a change as the signed-in user (for a delegate, on behalf of the chosen professional), stamped with
   * the device clock and its offset, signed with the in-memory key, through the outbox.
   */
  async function record<T extends MutationType>(
    type: T,
    payload: RecordChangeInput<T>['payload'],
  ): Promise<RecordResult> {
    const key = signingKey.value
    const who = actor.value
    if (key === null || who === null) return { ok: false, error: 'not-signed-in' }
    if (needsActingFor.value) return { ok: false, error: 'acting-for-required' }
    const { recordChange } = await import('../sync/outbox')
    return recordChange(db, {
      type,
      payload,
      actor: who,
      at: nowLocalIso(),
      deviceId: await loadDeviceId(),
      signingKey: key,
      ...(signInAt.value === null ? {} : { signInAt: signInAt.value }),
    })
  }

  // Read early so that recording never waits for it; a failure here is met again, and reported, when it is needed.
  void loadDeviceId().catch(() => undefined)
  keepBrokenRows(db)
  /** Resolves once what the device remembers (a locked session, a revocation) is known. */
  const restored: Promise<void> = restore().catch(() => undefined)

  // The organisation's record pulled since sign-in (its idle time) applies at once.
  const { data: pulledOrganisation } = useLiveQuery(
    async () => {
      const row = await db.meta.get('organisation')
      return row?.key === 'organisation' ? row.value : null
    },
    { initialValue: null },
  )
  watch(pulledOrganisation, (latest) => {
    if (latest != null && organisation.value !== null && latest.id === organisation.value.id) {
      organisation.value = toRaw(latest)
    }
  })
  // Another tab learned of the revocation: this one ends its session too.
  const { data: storedRevocation } = useLiveQuery(
    async () => {
      const row = await db.meta.get('revoked')
      return row?.key === 'revoked' ? row.value : null
    },
    { initialValue: null },
  )
  watch(storedRevocation, (known) => {
    if (known == null) return
    if (revocation.value === null) endSession()
    // The live query's value is read-only (a proxy): the plain record is kept, it is written back as it is.
    revocation.value = toRaw(known)
  })

  return {
    user,
    login,
    lockedAccount,
    isLocked,
    idleLockMinutes,
    revocation,
    restored,
    organisation,
    grants,
    deviceId,
    signInAt,
    signInMode,
    accessToken,
    actingFor,
    actingForIds,
    actingForChoices,
    actor,
    roles,
    members,
    isSignedIn,
    sealingProgress,
    isDelegate,
    needsActingFor,
    loadDeviceId,
    signIn,
    signOut,
    lock,
    unlock,
    beforeLock,
    learnRevoked,
    wipe,
    exportPendingChanges,
    unsentCount,
    chooseActingFor,
    clearActingFor,
    record,
  }
})
