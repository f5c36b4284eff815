// Prints and exports made on the device are audited like the changes the server audits itself (domain-reference
// "Audit and retention"): one event per document handed out, queued as an `audit.append` mutation through the
// signed recording path, so the envelope says who (and on whose behalf), which device and when it was queued.
// An event names the document, never its values: the action, the entity and its id, the format, the instant.
import type { DeviceAuditEvent } from '../shared/commands'
import { uuidv7 } from './ids'

/** A document the device hands out, as the audit names it. */
export type AuditedDocument =
  | { kind: 'summary'; stepId: string; format: 'pdf' | 'csv'; isPrint?: boolean }
  | { kind: 'certificate'; patientId: string }
  | { kind: 'fhir'; patientId: string }
  | { kind: 'injections'; day: string }

/**
 * Builds the audit event of a document handed out at `at`: a summary opened to print is a print, every file
 * downloaded (PDF, CSV, FHIR) an export; the certificate and the FHIR bundle name the patient, the day's export
 * names the day.
 */
export function auditEventOf(document: AuditedDocument, at: string, id: string = uuidv7()): DeviceAuditEvent {
  switch (document.kind) {
    case 'summary':
      return {
        id,
        action: document.isPrint === true ? 'print' : 'export',
        entity: 'step',
        entityId: document.stepId,
        at,
        format: document.format,
      }
    case 'certificate':
      return { id, action: 'export', entity: 'certificate', entityId: document.patientId, at, format: 'pdf' }
    case 'fhir':
      return { id, action: 'export', entity: 'patient', entityId: document.patientId, at, format: 'fhir' }
    case 'injections':
      return { id, action: 'export', entity: 'activity', entityId: document.day, at, format: 'csv' }
  }
}
