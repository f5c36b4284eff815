import { createHash } from 'node:crypto'
import { canonicalJson } from '../../../src/shared/canonical-json'
import type { AuditEntry } from '../../../src/domain/commands/apply-command'
import type { AuditWrite } from '../store/sync-queries'

// The audit trail is append-only (triggers refuse UPDATE and DELETE) and chained per organisation:
// hash = sha256(prev_hash + canonical JSON of the row without its hashes), so removing or editing a row
// breaks every hash after it. The chain is extended under the organisation's position lock.

export const AUDIT_GENESIS = '0'.repeat(64)

export type AuditLink = { readonly chainPosition: number; readonly hash: string }

export type AuditFacts = Omit<AuditWrite, 'chainPosition' | 'prevHash' | 'hash'>

/** Computes a row's hash from the previous one. */
export function auditHash(organisationId: string, chainPosition: number, prevHash: string, row: AuditFacts) {
  const canonical = canonicalJson({ organisationId, chainPosition, ...row, fields: row.fields ?? null })
  return createHash('sha256')
    .update(prevHash + canonical, 'utf8')
    .digest('hex')
}

/** Extends an organisation's chain with rows, in order. */
export function chainAudit(
  organisationId: string,
  last: AuditLink | null,
  rows: readonly AuditFacts[],
): AuditWrite[] {
  let position = last?.chainPosition ?? 0
  let prevHash = last?.hash ?? AUDIT_GENESIS
  return rows.map((row) => {
    position += 1
    const hash = auditHash(organisationId, position, prevHash, row)
    const write: AuditWrite = { ...row, chainPosition: position, prevHash, hash }
    prevHash = hash
    return write
  })
}

/** The audit facts of a domain audit entry; `patientId` is the file it concerns, when known. */
export function auditFactsOf(entry: AuditEntry, patientId: string | null): AuditFacts {
  return {
    id: entry.id,
    mutationId: entry.mutationId,
    userId: entry.actor.userId,
    onBehalfOf: entry.actor.onBehalfOf ?? null,
    action: entry.action,
    entity: entry.entity,
    entityId: entry.entityId ?? null,
    patientId,
    fields: entry.fields ?? null,
    deviceId: entry.deviceId,
    deviceTime: entry.at,
    serverTime: new Date(entry.recordedAt).toISOString(),
    outcome: entry.outcome,
    reason: entry.reason ?? null,
  }
}
