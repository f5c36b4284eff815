// What every administration request needs: the acting person with their grants in force, the refusal
// answers, the opaque page cursors and the audit rows of the writes.
import { uuidv7 } from '../ids'
import type { AdminActor, AdminRuleError, GrantInForce } from '../../../src/domain/access/permissions'
import { HTTP_STATUS_BY_ADMIN_ERROR, type AdminErrorCode } from '../../../src/shared/admin-api'
import {
  HTTP_STATUS_BY_PROTOCOL_ERROR,
  type ErrorResponse,
  type ProtocolErrorCode,
} from '../../../src/shared/errors'
import type { Keyset } from '../store/admin-queries'
import type { RoleGrant, StoreQueries } from '../store'
import { chainAudit } from './sync-audit'

/** A refusal of the administration API: its status and body. */
export type AdminRefusal = {
  readonly status: number
  readonly body: Omit<ErrorResponse, 'error'> & { readonly error: ProtocolErrorCode | AdminErrorCode }
}

/** The outcome of an administration rule run against the store. */
export type AdminOutcome<T> =
  { readonly ok: true; readonly value: T } | { readonly ok: false; readonly refusal: AdminRefusal }

const isAdminCode = (code: string): code is AdminErrorCode => Object.hasOwn(HTTP_STATUS_BY_ADMIN_ERROR, code)

/** Builds the refusal of a protocol or administration code, with its status from the shared tables. */
export function adminRefusal(
  error: ProtocolErrorCode | AdminErrorCode | AdminRuleError,
  detail?: Readonly<Record<string, unknown>>,
): AdminRefusal {
  const status = isAdminCode(error) ? HTTP_STATUS_BY_ADMIN_ERROR[error] : HTTP_STATUS_BY_PROTOCOL_ERROR[error]
  return { status, body: detail === undefined ? { error } : { error, detail: { ...detail } } }
}

/** A refused outcome. */
export function refused<T>(
  error: ProtocolErrorCode | AdminErrorCode | AdminRuleError,
  detail?: Readonly<Record<string, unknown>>,
): AdminOutcome<T> {
  return { ok: false, refusal: adminRefusal(error, detail) }
}

/** An accepted outcome. */
export function accepted<T>(value: T): AdminOutcome<T> {
  return { ok: true, value }
}

/** A grant as the permissions judge it: a revocation ends it at the revocation time. */
export function grantInForce(grant: RoleGrant): GrantInForce {
  const endsAt =
    grant.revokedAt !== null && (grant.endsAt === null || grant.revokedAt < grant.endsAt)
      ? grant.revokedAt
      : grant.endsAt
  return { userId: grant.userId, role: grant.role, startsAt: grant.startsAt, endsAt }
}

/** The signed-in person with their grants in their own organisation. */
export async function loadActor(
  db: Pick<StoreQueries, 'listRoleGrants'>,
  user: { readonly id: string; readonly organisationId: string },
): Promise<AdminActor> {
  const grants = await db.listRoleGrants(user.id)
  return {
    userId: user.id,
    organisationId: user.organisationId,
    grants: grants.filter((g) => g.organisationId === user.organisationId).map(grantInForce),
  }
}

/** The opaque cursor of a page: base64url of the last row's sort key and id. */
export function encodeKeyset(keyset: Keyset): string {
  return Buffer.from(JSON.stringify([keyset.key, keyset.id]), 'utf8').toString('base64url')
}

/** The keyset a cursor stands for; undefined when it is not one this server issued (null: first page). */
export function decodeKeyset(cursor: string | undefined): Keyset | null | undefined {
  if (cursor === undefined || cursor === '') return null
  if (!/^[A-Za-z0-9_-]{1,512}$/.test(cursor)) return undefined
  try {
    const value: unknown = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'))
    if (!Array.isArray(value) || value.length !== 2) return undefined
    const [key, id] = value
    return typeof key === 'string' && typeof id === 'string' ? { key, id } : undefined
  } catch {
    return undefined
  }
}

/** A page's answer from `limit + 1` rows: the items and, when more follow, the cursor after the last item. */
export function pageOf<R, T>(
  rows: readonly R[],
  limit: number,
  keyOf: (row: R) => Keyset,
  view: (row: R) => T,
): { items: T[]; nextCursor: string | null } {
  const items = rows.slice(0, limit)
  const last = items.at(-1)
  const nextCursor = rows.length > limit && last !== undefined ? encodeKeyset(keyOf(last)) : null
  return { items: items.map(view), nextCursor }
}

/** What an administration write puts in the audit trail: who, from which session's device, what, never values. */
export type AdminAuditFacts = {
  readonly organisationId: string
  readonly userId: string
  readonly deviceId: string | null
  readonly action: string
  readonly entity: string
  readonly entityId: string | null
  readonly fields: readonly string[] | null
  readonly at: string
  readonly outcome?: 'done' | 'refused'
  readonly reason?: string | null
}

/**
 * Appends administration writes to the organisation's hash-chained audit trail. Call inside the writing
 * transaction, after `lockPositions(organisationId)`: the chain is extended under that lock.
 */
export async function appendAdminAudit(
  tx: Pick<StoreQueries, 'lastAuditLink' | 'insertAudit'>,
  facts: readonly AdminAuditFacts[],
): Promise<void> {
  const first = facts[0]
  if (first === undefined) return
  const org = first.organisationId
  const rows = chainAudit(
    org,
    await tx.lastAuditLink(org),
    facts.map((f) => ({
      id: uuidv7(Date.parse(f.at)),
      mutationId: null,
      userId: f.userId,
      onBehalfOf: null,
      action: f.action,
      entity: f.entity,
      entityId: f.entityId,
      patientId: null,
      fields: f.fields,
      deviceId: f.deviceId,
      deviceTime: null,
      serverTime: f.at,
      outcome: f.outcome ?? 'done',
      reason: f.reason ?? null,
    })),
  )
  await tx.insertAudit(org, rows)
}
