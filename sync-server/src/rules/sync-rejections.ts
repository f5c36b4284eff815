import type { ErrorResponse } from '../../../src/shared/errors'
import { RejectionRecordSchema, type RejectionRecord } from '../../../src/shared/records'
import { ResolveRejectionRequestSchema } from '../../../src/shared/sync-api'
import type { Clock } from '../clock'
import { issuesOf, protocolError } from '../http-errors'
import type { Store } from '../store'
import type { RejectionRow } from '../store/sync-queries'
import { chainAudit } from './sync-audit'

type Refusal = { readonly status: number; readonly body: ErrorResponse }

export type ResolveOutcome =
  | { readonly ok: true; readonly rejection: RejectionRecord }
  | { readonly ok: false; readonly refusal: Refusal }

/** A stored rejection as devices pull it (entity `rejection`). */
export function rejectionRecordOf(row: RejectionRow): RejectionRecord {
  return RejectionRecordSchema.parse({
    id: row.mutationId,
    mutation: JSON.parse(row.mutation),
    error: row.error,
    ...(row.detail === null ? {} : { detail: JSON.parse(row.detail) }),
    rejectedAt: row.rejectedAt,
    ...(row.resolution === null || row.resolvedAt === null || row.resolvedBy === null
      ? {}
      : {
          resolution: {
            kind: row.resolution,
            ...(row.note === null ? {} : { note: row.note }),
            by: row.resolvedBy,
            at: row.resolvedAt,
          },
        }),
  })
}

// PostgreSQL text cannot hold NUL, and a lone surrogate cannot be encoded: a note is free text from a form.
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g
const storable = (text: string) => text.replaceAll('\u0000', '').replace(LONE_SURROGATE, '\uFFFD')

/**
 * Who resolves: the signed-in person (`userId`, recorded as `by`) of the organisation, and the device they
 * act from (null when unknown). A device request without a user token falls back to the device's registering
 * user, as before user tokens were sent with it.
 */
export type Resolver = {
  readonly organisationId: string
  readonly userId: string | null
  readonly deviceId: string | null
}

/**
 * Records what was done about a rejection (only within the rejection's organisation, once): who and when,
 * a change row so every device's inbox follows, and an audit row.
 */
export async function resolveRejection(
  deps: { readonly store: Store; readonly clock: Clock },
  resolver: Resolver,
  mutationId: string,
  body: unknown,
): Promise<ResolveOutcome> {
  const parsed = ResolveRejectionRequestSchema.safeParse(body ?? {})
  if (!parsed.success) {
    return {
      ok: false,
      refusal: { status: 400, body: { error: 'invalid-request', issues: issuesOf(parsed.error) } },
    }
  }
  const userId = resolver.userId
  if (userId === null) return { ok: false, refusal: protocolError('forbidden', { reason: 'no-user' }) }
  const org = resolver.organisationId
  const at = deps.clock.now().toISOString()
  const note = parsed.data.note === undefined || parsed.data.note === '' ? null : storable(parsed.data.note)

  return deps.store.withTransaction(async (tx): Promise<ResolveOutcome> => {
    await tx.lockPositions(org)
    const row = await tx.getRejection(org, mutationId)
    if (row === null) return { ok: false, refusal: protocolError('not-found') }
    if (row.resolution !== null) {
      return {
        ok: false,
        refusal: protocolError('already-resolved', {
          resolution: row.resolution,
          resolvedBy: row.resolvedBy,
          resolvedAt: row.resolvedAt,
        }),
      }
    }
    await tx.resolveRejection(mutationId, { kind: parsed.data.resolution, note, by: userId, at })
    const rejection = rejectionRecordOf({
      ...row,
      resolution: parsed.data.resolution,
      resolvedBy: userId,
      resolvedAt: at,
      note,
    })
    await tx.appendChanges(org, [
      { entity: 'rejection', entityId: mutationId, version: null, data: rejection },
    ])
    const [audit] = chainAudit(org, await tx.lastAuditLink(org), [
      {
        id: `${mutationId}:resolved`,
        mutationId,
        userId,
        onBehalfOf: null,
        action: `rejection.resolve:${parsed.data.resolution}`,
        entity: 'rejection',
        entityId: mutationId,
        patientId: null,
        fields: null,
        deviceId: resolver.deviceId,
        deviceTime: null,
        serverTime: at,
        outcome: 'done',
        reason: null,
      },
    ])
    if (audit !== undefined) await tx.insertAudit(org, [audit])
    return { ok: true, rejection }
  })
}
