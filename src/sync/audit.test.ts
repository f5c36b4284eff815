import { describe, expect, it } from 'vitest'
import { DeviceAuditEventSchema } from '../shared/commands'
import { auditEventOf, type AuditedDocument } from './audit'

const AT = '2026-02-01T10:30:00.000+01:00'

describe('auditEventOf', () => {
  it.each<[string, AuditedDocument, Record<string, string>]>([
    [
      'a summary opened to print',
      { kind: 'summary', stepId: 's-1', format: 'pdf', isPrint: true },
      { action: 'print', entity: 'step', entityId: 's-1', format: 'pdf' },
    ],
    [
      'a summary downloaded as PDF',
      { kind: 'summary', stepId: 's-1', format: 'pdf' },
      { action: 'export', entity: 'step', entityId: 's-1', format: 'pdf' },
    ],
    [
      'a summary exported as CSV',
      { kind: 'summary', stepId: 's-1', format: 'csv' },
      { action: 'export', entity: 'step', entityId: 's-1', format: 'csv' },
    ],
    [
      'the certificate',
      { kind: 'certificate', patientId: 'p-1' },
      { action: 'export', entity: 'certificate', entityId: 'p-1', format: 'pdf' },
    ],
    [
      'the FHIR bundle',
      { kind: 'fhir', patientId: 'p-1' },
      { action: 'export', entity: 'patient', entityId: 'p-1', format: 'fhir' },
    ],
    [
      'the injections of a day',
      { kind: 'injections', day: '2026-02-01' },
      { action: 'export', entity: 'activity', entityId: '2026-02-01', format: 'csv' },
    ],
  ])(
    'names %s by action, entity, id and format, and parses as a device audit event',
    (_, document, expected) => {
      const event = auditEventOf(document, AT, 'a-1')
      expect(event).toEqual({ id: 'a-1', at: AT, ...expected })
      expect(DeviceAuditEventSchema.parse(event)).toEqual(event)
    },
  )

  it('gives every event its own id', () => {
    const document: AuditedDocument = { kind: 'certificate', patientId: 'p-1' }
    expect(auditEventOf(document, AT).id).not.toBe(auditEventOf(document, AT).id)
  })
})
