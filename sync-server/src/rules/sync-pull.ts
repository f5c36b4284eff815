import type { ErrorResponse } from '../../../src/shared/errors'
import {
  PULL_ENTITIES,
  PullQuerySchema,
  type PullChange,
  type PullEntity,
  type PullResponse,
} from '../../../src/shared/sync-api'
import { issuesOf, protocolError } from '../http-errors'
import type { Store } from '../store'
import type { PushDevice } from './sync-push'

// A pull page: the organisation's changes after the cursor, in position order. Positions are assigned in
// commit order (sync-schema.ts), so the cursor never passes a change that becomes visible later. The page and
// the device's lastSeq come from one statement, hence one snapshot: the device may drop its pending overlay
// up to lastSeq once the page is applied.

type Refusal = { readonly status: number; readonly body: ErrorResponse }

/** The opaque cursor: base64url of the last delivered position. */
export function encodeCursor(position: number): string {
  return Buffer.from(`p${position}`, 'utf8').toString('base64url')
}

/** The position a cursor stands for; null when it is not one this server issued. */
export function decodeCursor(cursor: string): number | null {
  if (cursor === '') return 0
  if (!/^[A-Za-z0-9_-]+$/.test(cursor)) return null
  const match = /^p(0|[1-9][0-9]{0,15})$/.exec(Buffer.from(cursor, 'base64url').toString('utf8'))
  if (match?.[1] === undefined) return null
  const position = Number(match[1])
  return Number.isSafeInteger(position) && encodeCursor(position) === cursor ? position : null
}

const isPullEntity = (e: string): e is PullEntity => (PULL_ENTITIES as readonly string[]).includes(e)

/** Reads one page for the device's organisation. */
export async function pullChanges(
  store: Store,
  device: PushDevice,
  query: unknown,
): Promise<{ ok: true; response: PullResponse } | { ok: false; refusal: Refusal }> {
  const parsed = PullQuerySchema.safeParse(query ?? {})
  if (!parsed.success) {
    return {
      ok: false,
      refusal: { status: 400, body: { error: 'invalid-request', issues: issuesOf(parsed.error) } },
    }
  }
  const after = decodeCursor(parsed.data.after)
  if (after === null) return { ok: false, refusal: protocolError('invalid-request', { field: 'after' }) }
  const limit = parsed.data.limit
  const page = await store.pullPage(device.organisationId, device.id, after, limit + 1)
  const rows = page.changes.slice(0, limit)
  const changes: PullChange[] = rows.flatMap((row) =>
    isPullEntity(row.entity)
      ? [
          {
            position: row.position,
            entity: row.entity,
            id: row.entityId,
            ...(row.version === null ? {} : { version: row.version }),
            data: JSON.parse(row.data) as unknown,
          },
        ]
      : [],
  )
  const last = rows[rows.length - 1]?.position ?? after
  return {
    ok: true,
    response: {
      changes,
      cursor: encodeCursor(last),
      hasMore: page.changes.length > limit,
      lastSeq: page.lastSeq,
    },
  }
}
