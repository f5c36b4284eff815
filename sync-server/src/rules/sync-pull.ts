import type { ErrorResponse } from '../../../src/shared/errors'
import { PullQuerySchema, type PullResponse } from '../../../src/shared/sync-api'
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

/**
 * Reads one page for the device's organisation and answers it as JSON, ready to send (the same JSON value
 * `PullResponse` describes). Each change's `data` is the JSON text the server itself wrote to the change log:
 * it goes into the answer as it is, never parsed and serialised again.
 */
export async function pullChanges(
  store: Store,
  device: PushDevice,
  query: unknown,
): Promise<{ ok: true; body: Buffer | string } | { ok: false; refusal: Refusal }> {
  const parsed = PullQuerySchema.safeParse(query ?? {})
  if (!parsed.success) {
    return {
      ok: false,
      refusal: { status: 400, body: { error: 'invalid-request', issues: issuesOf(parsed.error) } },
    }
  }
  const after = decodeCursor(parsed.data.after)
  if (after === null) return { ok: false, refusal: protocolError('invalid-request', { field: 'after' }) }
  const page = await store.pullPageJson(device.organisationId, device.id, after, parsed.data.limit)
  const rest: Omit<PullResponse, 'changes'> = {
    cursor: encodeCursor(page.lastPosition ?? after),
    hasMore: page.hasMore,
    lastSeq: page.lastSeq,
  }
  const tail = `,${JSON.stringify(rest).slice(1)}`
  if (typeof page.changes === 'string') return { ok: true, body: `{"changes":${page.changes}${tail}` }
  return { ok: true, body: Buffer.concat([CHANGES_HEAD, page.changes, Buffer.from(tail)]) }
}

const CHANGES_HEAD = Buffer.from('{"changes":')
