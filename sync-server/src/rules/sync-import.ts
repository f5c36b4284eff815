// The import of a device's exported outbox (sync-protocol.md "Rejections"; docs/device-encryption.md "Revocation"):
// a file the device could not send itself, handed to the server by its user or an administrator, applied through
// the push path as if the device had pushed it (already-applied entries replay).
//
// Version 2 files carry the entries still sealed as the device stores them, under its record key: HKDF-SHA256 of
// the device's data key (empty salt, info `carnet/records/v1`), AES-256-GCM with `outbox NUL <seq>` as additional
// data, the value being the envelope without its clear seq, id and type. The server holds the data key — until the
// device is revoked (`wipe`) or its export window ends (`after-export`) — and opens them here. Importing the export
// of a device revoked after export is what that window waits for: its keys are destroyed once it is applied.
import { createDecipheriv, hkdfSync } from 'node:crypto'
import type { ErrorResponse } from '../../../src/shared/errors'
import { IdSchema } from '../../../src/shared/primitives'
import {
  MAX_PUSH_MUTATIONS,
  OutboxExportSchema,
  type PushResponse,
  type PushResult,
} from '../../../src/shared/sync-api'
import { z } from 'zod'
import { issuesOf, protocolError } from '../http-errors'
import type { Device } from '../store'
import {
  checkFraming,
  commitPush,
  preparePush,
  type PreparedPush,
  type PushDeps,
  type Refusal,
} from './sync-push'

/** An exported outbox may hold a long offline period: it is applied in push-sized batches. */
export const MAX_IMPORT_MUTATIONS = 50_000
export const MAX_IMPORT_BYTES = 64 * 1024 * 1024

/** HKDF info of the device's record key (src/db/vault/crypto.ts RECORD_KEY_INFO). */
const RECORD_KEY_INFO = 'carnet/records/v1'
const IV_BYTES = 12
const TAG_BYTES = 16
const ENVELOPE_KEYS = ['v', 'id', 'deviceId', 'seq', 'at', 'actor', 'type', 'payload', 'sig'] as const

/** The body of a version 1 file, and the bare form tools send: the device and its envelopes in clear. */
const ClearFrame = z.object({ deviceId: IdSchema, mutations: z.array(z.unknown()) })

/** The device a file names (to find it and check who may import it), before anything is opened. */
export function deviceIdOfExport(body: unknown): string | null {
  const parsed = ClearFrame.pick({ deviceId: true }).safeParse(body)
  return parsed.success ? parsed.data.deviceId : null
}

export type ImportOutcome =
  | {
      readonly ok: true
      readonly response: PushResponse
      /** Some mutation wrote change-log rows (the organisation's devices should pull). */
      readonly changed: boolean
      /** The source was revoked after export and its keys are now destroyed. */
      readonly keysDestroyed: boolean
    }
  | { readonly ok: false; readonly refusal: Refusal }

const refused = (refusal: Refusal): ImportOutcome => ({ ok: false, refusal })

/** The record key of a device's data key, as the device derives it with Web Crypto. */
export function recordKeyOf(dataKey: Uint8Array): Buffer {
  return Buffer.from(hkdfSync('sha256', dataKey, Buffer.alloc(0), RECORD_KEY_INFO, 32))
}

/** Opens one sealed value (IV ‖ ciphertext ‖ tag) bound to `aad`; null when it does not authenticate. */
export function openSealedJson(recordKey: Buffer, aad: string, sealed: Buffer): unknown {
  if (sealed.length < IV_BYTES + TAG_BYTES) return null
  try {
    const decipher = createDecipheriv('aes-256-gcm', recordKey, sealed.subarray(0, IV_BYTES))
    decipher.setAAD(Buffer.from(aad, 'utf8'))
    decipher.setAuthTag(sealed.subarray(sealed.length - TAG_BYTES))
    const plain = Buffer.concat([
      decipher.update(sealed.subarray(IV_BYTES, sealed.length - TAG_BYTES)),
      decipher.final(),
    ])
    return JSON.parse(plain.toString('utf8')) as unknown
  } catch {
    return null
  }
}

type Envelopes = { readonly envelopes: unknown[] } | { readonly refusal: Refusal }

/** The envelopes of a file in seq order: sealed ones opened with the device's data key, clear ones as they are. */
async function envelopesOf(deps: PushDeps, source: Device, body: unknown): Promise<Envelopes> {
  const v2 = OutboxExportSchema.safeParse(body)
  if (!v2.success) {
    if ((body as { v?: unknown } | null)?.v === 2) {
      return { refusal: { status: 400, body: { error: 'invalid-request', issues: issuesOf(v2.error) } } }
    }
    const clear = ClearFrame.safeParse(body)
    if (!clear.success) return { refusal: protocolError('invalid-request') }
    return { envelopes: clear.data.mutations }
  }
  const file = v2.data
  if (file.sealed.length + file.mutations.length > MAX_IMPORT_MUTATIONS) {
    return {
      refusal: protocolError('payload-too-large', {
        maxMutations: MAX_IMPORT_MUTATIONS,
        maxBytes: MAX_IMPORT_BYTES,
      }),
    }
  }
  if (file.sealed.length === 0) return { envelopes: file.mutations }
  const dataKey = await deps.store.getDeviceDataKey(source.id)
  if (dataKey === null) return { refusal: protocolError('device-keys-destroyed') }
  const recordKey = recordKeyOf(dataKey)
  const opened: { seq: number; envelope: unknown }[] = []
  const problems: NonNullable<ErrorResponse['issues']> = []
  for (const [index, entry] of file.sealed.entries()) {
    const value = openSealedJson(recordKey, `outbox\u0000${entry.seq}`, Buffer.from(entry.c, 'base64'))
    if (typeof value !== 'object' || value === null || Array.isArray(value)) {
      problems.push({ path: ['sealed', index, 'c'], message: 'does not open with this device’s key' })
      continue
    }
    const row: Record<string, unknown> = { ...value, seq: entry.seq, id: entry.id, type: entry.type }
    const envelope: Record<string, unknown> = {}
    for (const key of ENVELOPE_KEYS) if (row[key] !== undefined) envelope[key] = row[key]
    opened.push({ seq: entry.seq, envelope })
  }
  if (problems.length > 0) {
    return { refusal: { status: 400, body: { error: 'invalid-request', issues: problems.slice(0, 1000) } } }
  }
  const clear = file.mutations.map((envelope) => ({
    seq: Number((envelope as { seq?: unknown } | null)?.seq ?? 0),
    envelope,
  }))
  return { envelopes: [...opened, ...clear].sort((a, b) => a.seq - b.seq).map((e) => e.envelope) }
}

/**
 * Whether the source's keys may still verify and open what it exported: a device revoked with `wipe` has none any
 * more; one revoked after export keeps them until its window ends (destroyed here when the sweeper is late).
 */
async function keysAvailable(deps: PushDeps, source: Device): Promise<boolean> {
  if (source.revokedAt === null) return true
  const revocation = await deps.store.getDeviceRevocation(source.id)
  if (revocation === null || revocation.keysDestroyedAt !== null) return false
  if (revocation.mode !== 'after-export') return false
  const until = revocation.keysKeptUntil
  if (until !== null && Date.parse(until) > deps.clock.now().getTime()) return true
  await deps.store.withTransaction((tx) => tx.destroyDeviceKeys(source.id))
  return false
}

/**
 * Imports an exported outbox of `source` (the caller found it in the importer's organisation and checked who may
 * import). The whole file is opened, parsed and its signatures checked before anything is applied, as for one push;
 * then it is applied batch after batch, each committed on its own.
 */
export async function importOutbox(deps: PushDeps, source: Device, body: unknown): Promise<ImportOutcome> {
  if (!(await keysAvailable(deps, source))) return refused(protocolError('device-keys-destroyed'))
  const opened = await envelopesOf(deps, source, body)
  if ('refusal' in opened) return refused(opened.refusal)
  const mutations = opened.envelopes
  if (mutations.length > MAX_IMPORT_MUTATIONS) {
    return refused(
      protocolError('payload-too-large', { maxMutations: MAX_IMPORT_MUTATIONS, maxBytes: MAX_IMPORT_BYTES }),
    )
  }
  const batches: PreparedPush[] = []
  for (let i = 0; i < mutations.length; i += MAX_PUSH_MUTATIONS) {
    const chunk = { deviceId: source.id, mutations: mutations.slice(i, i + MAX_PUSH_MUTATIONS) }
    const framing = checkFraming(chunk, 0, Number.POSITIVE_INFINITY)
    if (framing !== null) return refused(framing)
    const prepared = await preparePush(deps, source, chunk)
    if (!prepared.ok) return refused(shiftIssues(prepared.refusal, i))
    batches.push(prepared.push)
  }
  const results: PushResult[] = []
  let lastSeq = source.lastSeq
  let serverTime = deps.clock.now().toISOString()
  let changed = false
  for (const batch of batches) {
    const outcome = await commitPush(deps, batch)
    if (!outcome.ok) {
      if (results.length === 0) return refused(outcome.refusal)
      break
    }
    changed ||= outcome.changed
    results.push(...outcome.response.results)
    lastSeq = outcome.response.lastSeq
    serverTime = outcome.response.serverTime
    if (outcome.response.results.length < batch.mutations.length) break
  }
  const response = { results, lastSeq, serverTime }
  let keysDestroyed = false
  if (source.revokedAt !== null && results.length === mutations.length) {
    // Everything the revoked device exported is now on the server: nothing more can come from it.
    await deps.store.withTransaction(async (tx) => {
      await tx.markExportImported(source.id)
      await tx.destroyDeviceKeys(source.id)
    })
    keysDestroyed = true
  }
  return { ok: true, response, changed, keysDestroyed }
}

/** Issue paths of a chunk, renumbered to the file's mutation indexes. */
function shiftIssues(refusal: Refusal, offset: number): Refusal {
  const issues = refusal.body.issues
  if (issues === undefined || offset === 0) return refusal
  return {
    status: refusal.status,
    body: {
      ...refusal.body,
      issues: issues.map((issue) => ({
        ...issue,
        path:
          issue.path[0] === 'mutations' && typeof issue.path[1] === 'number'
            ? ['mutations', issue.path[1] + offset, ...issue.path.slice(2)]
            : issue.path,
      })),
    },
  }
}
