// Accounts and access (product.md "Accounts and access"): users, role grants, access requests and the one-time
// links that let a new user choose their password. Each write commits with its audit rows (who, what, when —
// field names, never values) and, for grants, the change rows devices pull.
import {
  checkEndGrant,
  checkGrantRole,
  checkRevokeGrant,
  type ActedForProfessional,
  type AdminActor,
} from '../../../src/domain/access/permissions'
import { isVaccinatingProfessional } from '../../../src/domain/access/roles'
import { parseAdeli, parseFiness, parseInami, parseNiss, parseRpps } from '../../../src/domain/identifiers'
import {
  MIN_PASSWORD_LENGTH,
  PASSWORD_LINK_TTL_HOURS,
  type CreateAccessRequest,
  type CreateUserRequest,
  type GrantRoleRequest,
  type ProfessionalIdKind,
} from '../../../src/shared/admin-api'
import { hashPassword } from '../auth/passwords'
import { hashToken, issueToken } from '../auth/tokens'
import type { Clock } from '../clock'
import type { AccessRequestRow } from '../store/admin-queries'
import { userRecordOf } from '../store/sync-records'
import type { Profession, RoleGrant, Store, StoreQueries, User } from '../store'
import { accepted, appendAdminAudit, refused, type AdminOutcome } from './admin-context'

/** Hands a new user their one-time set-password link (by mail, SMS…); the default only shows it to the manager. */
export type PasswordLinkSender = {
  send(link: {
    readonly url: string
    readonly expiresAt: string
    readonly user: { readonly name: string; readonly login: string; readonly email: string | null }
  }): Promise<void>
}

/** The sender used when none is configured: the link is only returned to the access manager who made it. */
export const RETURN_ONLY_SENDER: PasswordLinkSender = { send: async () => undefined }

export type AccountDeps = {
  readonly store: Store
  readonly clock: Clock
  readonly passwordLinkSender?: PasswordLinkSender
}

/** Who acts, from which session's device (for the audit trail). */
export type Acting = { readonly actor: AdminActor; readonly deviceId: string | null }

/** A one-time link as made: the URL path to show or send, and its expiry. */
export type IssuedLink = { readonly token: string; readonly expiresAt: string }

/** The path of the set-password page a link opens (the PWA's route). */
export const passwordLinkPath = (token: string) => `/mot-de-passe/${token}`

const IDENTIFIER_PARSERS: Record<
  ProfessionalIdKind,
  (input: string, today: string) => { ok: boolean; error?: string; value?: unknown }
> = {
  rpps: (input) => parseRpps(input),
  adeli: (input) => parseAdeli(input),
  inami: (input) => parseInami(input),
  niss: (input, today) => parseNiss(input, { today }),
}

/** A professional number checked by the app's own rules, normalised; the refusal names the identifier rule code. */
export function checkProfessionalId(
  kind: ProfessionalIdKind,
  input: string,
  today: string,
): { ok: true; value: string } | { ok: false; reason: string } {
  const outcome = IDENTIFIER_PARSERS[kind](input, today)
  if (!outcome.ok) return { ok: false, reason: outcome.error ?? `${kind}-format` }
  const value = outcome.value
  const normalised =
    typeof value === 'string'
      ? value
      : typeof value === 'object' && value !== null && 'value' in value && typeof value.value === 'string'
        ? value.value
        : input.trim()
  return { ok: true, value: normalised }
}

/** An organisation's FINESS or INAMI number, checked and normalised (an INAMI of 8 digits names the institution). */
export function checkOrganisationId(
  kind: 'finess' | 'inami',
  input: string,
): { ok: true; value: string } | { ok: false; reason: string } {
  if (kind === 'finess') {
    const outcome = parseFiness(input)
    return outcome.ok ? { ok: true, value: outcome.value.value } : { ok: false, reason: outcome.error }
  }
  const isShort = /^\d{8}$/.test(input.replace(/[\s.\-/]/g, ''))
  const outcome = parseInami(isShort ? `${input.trim()}000` : input)
  if (!outcome.ok) return { ok: false, reason: outcome.error }
  return { ok: true, value: outcome.value.value.slice(0, isShort ? 8 : 11) }
}

const hoursLater = (at: Date, hours: number) => new Date(at.getTime() + hours * 3_600_000).toISOString()

async function issuePasswordLink(
  tx: StoreQueries,
  user: User,
  createdBy: string | null,
  now: Date,
): Promise<IssuedLink> {
  const { token, hash } = issueToken()
  const expiresAt = hoursLater(now, PASSWORD_LINK_TTL_HOURS)
  await tx.createPasswordLink({ tokenHash: hash, userId: user.id, createdBy, expiresAt })
  return { token, expiresAt }
}

async function professionalsOf(tx: StoreQueries, ids: readonly string[]): Promise<ActedForProfessional[]> {
  const found: ActedForProfessional[] = []
  for (const id of new Set(ids)) {
    const user = await tx.getUser(id)
    if (user === null) continue
    found.push({
      userId: user.id,
      organisationId: user.organisationId,
      isVaccinatingProfessional: isVaccinatingProfessional(userRecordOf(user)),
    })
  }
  return found
}

/** Checks every requested grant for a member (or a member to be created) before anything is written. */
async function checkGrants(
  tx: StoreQueries,
  actor: AdminActor,
  target: { userId: string; organisationId: string },
  requests: readonly GrantRoleRequest[],
  now: string,
): Promise<AdminOutcome<true>> {
  for (const request of requests) {
    const professionals = await professionalsOf(tx, request.actingFor ?? [])
    const outcome = checkGrantRole(actor, target, request, now, professionals)
    if (!outcome.ok) return refused(outcome.error, outcome.detail)
  }
  return accepted(true)
}

/** Writes checked grants (one per professional a delegate acts for) with their change and audit rows. */
async function writeGrants(
  tx: StoreQueries,
  acting: Acting,
  user: User,
  requests: readonly GrantRoleRequest[],
  now: string,
): Promise<RoleGrant[]> {
  const written: RoleGrant[] = []
  for (const request of requests) {
    const actsFor = request.role === 'delegate' ? [...new Set(request.actingFor ?? [])] : [null]
    for (const actsForUserId of actsFor) {
      written.push(
        await tx.grantRole({
          userId: user.id,
          organisationId: user.organisationId,
          role: request.role,
          actsForUserId,
          startsAt: request.startsAt,
          endsAt: request.endsAt ?? null,
          grantedBy: acting.actor.userId,
        }),
      )
    }
  }
  await appendAdminAudit(
    tx,
    written.map((grant) => ({
      organisationId: user.organisationId,
      userId: acting.actor.userId,
      deviceId: acting.deviceId,
      action: 'role-grant.create',
      entity: 'role-grant',
      entityId: grant.id,
      fields: [
        'userId',
        'role',
        'startsAt',
        ...(grant.endsAt === null ? [] : ['endsAt']),
        ...(grant.actsForUserId === null ? [] : ['actingFor']),
      ],
      at: now,
    })),
  )
  return written
}

/** Grants roles to a member of the actor's organisation (`POST /api/admin/users/:id/grants`). */
export async function grantRoles(
  deps: AccountDeps,
  acting: Acting,
  userId: string,
  requests: readonly GrantRoleRequest[],
): Promise<AdminOutcome<RoleGrant[]>> {
  const now = deps.clock.now().toISOString()
  const org = acting.actor.organisationId
  return deps.store.withTransaction(async (tx) => {
    await tx.lockPositions(org)
    const user = await tx.getUser(userId)
    if (user === null || user.organisationId !== org) return refused('not-found')
    const checked = await checkGrants(
      tx,
      acting.actor,
      { userId: user.id, organisationId: user.organisationId },
      requests,
      now,
    )
    if (!checked.ok) return checked
    return accepted(await writeGrants(tx, acting, user, requests, now))
  })
}

/** Ends a grant at `endsAt` (`POST /api/admin/grants/:id/end`). */
export async function endGrant(
  deps: AccountDeps,
  acting: Acting,
  grantId: string,
  endsAt: string,
): Promise<AdminOutcome<RoleGrant>> {
  const now = deps.clock.now().toISOString()
  const end = new Date(endsAt).toISOString()
  const org = acting.actor.organisationId
  return deps.store.withTransaction(async (tx) => {
    await tx.lockPositions(org)
    const grant = await tx.getGrant(grantId)
    if (grant === null || grant.organisationId !== org) return refused('not-found')
    const checked = checkEndGrant(acting.actor, grant, end, now)
    if (!checked.ok) return refused(checked.error, checked.detail)
    const ended = await tx.endGrant(grant.id, end)
    if (ended === null) return refused('grant-already-ended')
    await appendAdminAudit(tx, [
      {
        organisationId: org,
        userId: acting.actor.userId,
        deviceId: acting.deviceId,
        action: 'role-grant.end',
        entity: 'role-grant',
        entityId: grant.id,
        fields: ['endsAt'],
        at: now,
      },
    ])
    return accepted(ended)
  })
}

/** Revokes a grant from now on (`POST /api/admin/grants/:id/revoke`). */
export async function revokeGrant(
  deps: AccountDeps,
  acting: Acting,
  grantId: string,
): Promise<AdminOutcome<RoleGrant>> {
  const now = deps.clock.now().toISOString()
  const org = acting.actor.organisationId
  return deps.store.withTransaction(async (tx) => {
    await tx.lockPositions(org)
    const grant = await tx.getGrant(grantId)
    if (grant === null || grant.organisationId !== org) return refused('not-found')
    const checked = checkRevokeGrant(acting.actor, grant, now)
    if (!checked.ok) return refused(checked.error, checked.detail)
    const revoked = await tx.revokeGrant(grant.id, acting.actor.userId, now)
    if (revoked === null) return refused('grant-already-ended')
    await appendAdminAudit(tx, [
      {
        organisationId: org,
        userId: acting.actor.userId,
        deviceId: acting.deviceId,
        action: 'role-grant.revoke',
        entity: 'role-grant',
        entityId: grant.id,
        fields: ['revokedAt'],
        at: now,
      },
    ])
    return accepted(revoked)
  })
}

type NewAccount = {
  readonly login: string
  readonly name: string
  readonly profession: Profession
  readonly professionalId: { readonly kind: ProfessionalIdKind; readonly value: string } | null
  readonly email: string | null
}

async function createAccountIn(
  tx: StoreQueries,
  acting: Acting,
  account: NewAccount,
  now: Date,
  action: string,
): Promise<AdminOutcome<{ user: User; link: IssuedLink }>> {
  const created = await tx.createUser({
    organisationId: acting.actor.organisationId,
    login: account.login,
    displayName: account.name,
    profession: account.profession,
    professionalId: account.professionalId,
    email: account.email,
    passwordHash: null,
  })
  if (!created.ok) return refused('login-taken', { login: account.login })
  const link = await issuePasswordLink(tx, created.value, acting.actor.userId, now)
  const fields = [
    'login',
    'name',
    'profession',
    ...(account.professionalId === null ? [] : ['professionalId']),
    ...(account.email === null ? [] : ['email']),
  ]
  await appendAdminAudit(tx, [
    {
      organisationId: acting.actor.organisationId,
      userId: acting.actor.userId,
      deviceId: acting.deviceId,
      action,
      entity: 'user',
      entityId: created.value.id,
      fields,
      at: now.toISOString(),
    },
  ])
  return accepted({ user: created.value, link })
}

/** Creates a member with no password and a one-time link to choose it (`POST /api/admin/users`). */
export async function createAccount(
  deps: AccountDeps,
  acting: Acting,
  input: CreateUserRequest,
): Promise<AdminOutcome<{ user: User; link: IssuedLink }>> {
  const now = deps.clock.now()
  let professionalId: NewAccount['professionalId'] = null
  if (input.professionalId !== undefined) {
    const checked = checkProfessionalId(
      input.professionalId.kind,
      input.professionalId.value,
      now.toISOString().slice(0, 10),
    )
    if (!checked.ok)
      return refused('invalid-professional-id', { kind: input.professionalId.kind, reason: checked.reason })
    professionalId = { kind: input.professionalId.kind, value: checked.value }
  }
  const org = acting.actor.organisationId
  return deps.store.withTransaction(async (tx) => {
    await tx.lockPositions(org)
    return createAccountIn(
      tx,
      acting,
      {
        login: input.login,
        name: input.name,
        profession: input.profession,
        professionalId,
        email: input.email ?? null,
      },
      now,
      'user.create',
    )
  })
}

/** Records a public access request for the organisation it names (`POST /api/access-requests`). */
export async function requestAccess(
  deps: AccountDeps,
  input: CreateAccessRequest,
): Promise<AdminOutcome<AccessRequestRow>> {
  const today = deps.clock.now().toISOString().slice(0, 10)
  const professional = checkProfessionalId(input.professionalIdKind, input.professionalId, today)
  if (!professional.ok) {
    return refused('invalid-professional-id', { kind: input.professionalIdKind, reason: professional.reason })
  }
  const kind = input.organisationFiness !== undefined ? 'finess' : 'inami'
  const organisationInput = input.organisationFiness ?? input.organisationInami ?? ''
  const organisation = checkOrganisationId(kind, organisationInput)
  if (!organisation.ok) return refused('invalid-organisation-id', { kind, reason: organisation.reason })
  const organisationId = await deps.store.findOrganisationByIdentifier(kind, organisation.value)
  if (organisationId === null) return refused('unknown-organisation', { kind })
  const created = await deps.store.createAccessRequest(organisationId, {
    name: input.name,
    profession: input.profession,
    professionalIdKind: input.professionalIdKind,
    professionalIdValue: professional.value,
    email: input.email,
    phone: input.phone,
    message: input.message === undefined || input.message === '' ? null : input.message,
  })
  return accepted(created)
}

/** Approves a pending request: the account, its roles and a one-time link, in one transaction. */
export async function approveAccessRequest(
  deps: AccountDeps,
  acting: Acting,
  requestId: string,
  input: { readonly login: string; readonly roles: readonly GrantRoleRequest[] },
): Promise<AdminOutcome<{ request: AccessRequestRow; user: User; link: IssuedLink }>> {
  const now = deps.clock.now()
  const at = now.toISOString()
  const org = acting.actor.organisationId
  return deps.store.withTransaction(async (tx) => {
    await tx.lockPositions(org)
    const request = await tx.getAccessRequest(requestId)
    if (request === null || request.organisationId !== org) return refused('not-found')
    if (request.status !== 'pending') return refused('request-already-decided', { status: request.status })
    // The new member has no id yet: the grants are checked against a placeholder of their organisation.
    const checked = await checkGrants(
      tx,
      acting.actor,
      { userId: `request:${request.id}`, organisationId: org },
      input.roles,
      at,
    )
    if (!checked.ok) return checked
    const account = await createAccountIn(
      tx,
      acting,
      {
        login: input.login,
        name: request.name,
        profession: request.profession,
        professionalId: { kind: request.professionalIdKind, value: request.professionalIdValue },
        email: request.email,
      },
      now,
      'user.create',
    )
    if (!account.ok) return account
    await writeGrants(tx, acting, account.value.user, input.roles, at)
    await tx.decideAccessRequest(request.id, {
      status: 'approved',
      by: acting.actor.userId,
      at,
      refusalReason: null,
      userId: account.value.user.id,
    })
    await appendAdminAudit(tx, [
      {
        organisationId: org,
        userId: acting.actor.userId,
        deviceId: acting.deviceId,
        action: 'access-request.approve',
        entity: 'access-request',
        entityId: request.id,
        fields: ['status'],
        at,
      },
    ])
    const decided = await tx.getAccessRequest(request.id)
    return accepted({ request: decided ?? request, user: account.value.user, link: account.value.link })
  })
}

/** Refuses a pending request with the reason given to the requester. */
export async function refuseAccessRequest(
  deps: AccountDeps,
  acting: Acting,
  requestId: string,
  reason: string,
): Promise<AdminOutcome<AccessRequestRow>> {
  const at = deps.clock.now().toISOString()
  const org = acting.actor.organisationId
  return deps.store.withTransaction(async (tx) => {
    await tx.lockPositions(org)
    const request = await tx.getAccessRequest(requestId)
    if (request === null || request.organisationId !== org) return refused('not-found')
    if (request.status !== 'pending') return refused('request-already-decided', { status: request.status })
    await tx.decideAccessRequest(request.id, {
      status: 'refused',
      by: acting.actor.userId,
      at,
      refusalReason: reason,
      userId: null,
    })
    await appendAdminAudit(tx, [
      {
        organisationId: org,
        userId: acting.actor.userId,
        deviceId: acting.deviceId,
        action: 'access-request.refuse',
        entity: 'access-request',
        entityId: request.id,
        fields: ['status', 'refusalReason'],
        at,
      },
    ])
    const decided = await tx.getAccessRequest(request.id)
    return accepted(decided ?? request)
  })
}

type LinkState = AdminOutcome<{ user: User; expiresAt: string; hash: string }>

async function linkState(db: StoreQueries, token: string, now: Date): Promise<LinkState> {
  const hash = hashToken(token)
  const link = await db.findPasswordLink(hash)
  if (link === null) return refused('not-found')
  if (link.usedAt !== null || Date.parse(link.expiresAt) <= now.getTime()) return refused('link-expired')
  const user = await db.getUser(link.userId)
  if (user === null || user.disabled) return refused('link-expired')
  return accepted({ user, expiresAt: link.expiresAt, hash })
}

/** Whose one-time link it is (`GET /api/auth/password-links/:token`): 404 unknown, 410 used or expired. */
export async function passwordLinkInfo(
  deps: AccountDeps,
  token: string,
): Promise<AdminOutcome<{ name: string; login: string; expiresAt: string }>> {
  const state = await linkState(deps.store, token, deps.clock.now())
  if (!state.ok) return state
  return accepted({
    name: state.value.user.displayName,
    login: state.value.user.login,
    expiresAt: state.value.expiresAt,
  })
}

/** Sets a password through a one-time link, once (`POST /api/auth/password-links/:token`). */
export async function setPasswordWithLink(
  deps: AccountDeps,
  token: string,
  password: string,
): Promise<AdminOutcome<{ login: string }>> {
  if ([...password].length < MIN_PASSWORD_LENGTH)
    return refused('password-too-short', { min: MIN_PASSWORD_LENGTH })
  const before = await linkState(deps.store, token, deps.clock.now())
  if (!before.ok) return before
  // Hashed outside the transaction: scrypt takes tens of milliseconds the writers need not wait for.
  const passwordHash = await hashPassword(password)
  const now = deps.clock.now()
  const org = before.value.user.organisationId
  return deps.store.withTransaction(async (tx) => {
    await tx.lockPositions(org)
    const state = await linkState(tx, token, now)
    if (!state.ok) return state
    if (!(await tx.usePasswordLink(state.value.hash, now.toISOString()))) return refused('link-expired')
    await tx.setPasswordHash(state.value.user.id, passwordHash)
    await appendAdminAudit(tx, [
      {
        organisationId: org,
        userId: state.value.user.id,
        deviceId: null,
        action: 'user.password-set',
        entity: 'user',
        entityId: state.value.user.id,
        fields: ['password'],
        at: now.toISOString(),
      },
    ])
    return accepted({ login: state.value.user.login })
  })
}
