import { describe, expect, it } from 'vitest'
import { buildDoseFields, buildEligibilityFields, VALID } from '../domain/testing/builders'
import { canonicalJson, signingInput } from './canonical-json'
import { MutationSchema, PatientRegisterPayloadSchema } from './commands'
import { PushRequestSchema, PushResponseSchema } from './sync-api'

const envelope = {
  v: 1,
  id: '0193a1b2-0000-7000-8000-000000000001',
  deviceId: 'dev-1',
  seq: 1,
  at: '2026-03-04T10:15:00+01:00',
  actor: { userId: 'u-medecin' },
  sig: 'c2ln',
}

const identity = {
  birthName: '  Dupré ',
  firstNames: 'Éloïse',
  sex: 'female',
  birthDate: '1955-08-20',
  nir: VALID.nir,
}

describe('MutationSchema', () => {
  it.each([
    ['patient.register', { patientId: 'p-1', codeDeCiblage: '0123456789P', identity }],
    ['patient.update', { patientId: 'p-1', changes: { phone: '06 12 34 56 78', usualName: null } }],
    [
      'step.record',
      { kind: 'eligibility', stepId: 's-1', patientId: 'p-1', fields: buildEligibilityFields() },
    ],
    [
      'step.record',
      { kind: 'dose', stepId: 's-2', patientId: 'p-1', doseNumber: 1, fields: buildDoseFields() },
    ],
    [
      'step.amend',
      { kind: 'dose', stepId: 's-2', patientId: 'p-1', baseVersion: 1, changes: { lotNumber: 'AB12' } },
    ],
    [
      'adverse-event.record',
      { eventId: 'e-1', patientId: 'p-1', stepId: 's-2', description: 'Malaise', severity: 'non-serious' },
    ],
    ['lot.upsert', { vaccineId: 'comirnaty', lotNumber: 'FK1234', expiry: '2026-12-31' }],
    [
      'audit.append',
      {
        events: [
          { id: 'a-1', action: 'print', entity: 'step', entityId: 's-1', at: envelope.at, format: 'pdf' },
        ],
      },
    ],
  ])('accepts a valid %s', (type, payload) => {
    const parsed = MutationSchema.safeParse({ ...envelope, type, payload })
    expect(parsed.success, JSON.stringify(parsed.error?.issues)).toBe(true)
  })

  it('trims strings and defaults the birth rank to 1 and isBooster to false', () => {
    const p = PatientRegisterPayloadSchema.parse({ patientId: 'p-1', codeDeCiblage: '0123456789P', identity })
    expect(p.identity.birthName).toBe('Dupré')
    expect(p.identity.birthRank).toBe(1)
    const m = MutationSchema.parse({
      ...envelope,
      type: 'step.record',
      payload: { kind: 'dose', stepId: 's-2', patientId: 'p-1', doseNumber: 1, fields: buildDoseFields() },
    })
    expect(m.type === 'step.record' && m.payload.kind === 'dose' && m.payload.isBooster).toBe(false)
  })

  const bad: [string, Record<string, unknown>][] = [
    ['envelope version 2', { v: 2 }],
    ['seq 0', { seq: 0 }],
    ['non-integer seq', { seq: 1.5 }],
    ['at without offset', { at: '2026-03-04T10:15:00' }],
    ['unknown type', { type: 'patient.delete' }],
    ['missing sig', { sig: undefined }],
  ]
  it.each(bad)('refuses %s', (_name, override) => {
    const payload = { patientId: 'p-1', codeDeCiblage: '0123456789P', identity }
    expect(
      MutationSchema.safeParse({ ...envelope, type: 'patient.register', payload, ...override }).success,
    ).toBe(false)
  })

  it.each([
    ['no identifier', { ...identity, nir: undefined }],
    ['a birth rank of 0', { ...identity, birthRank: 0 }],
    ['an impossible birth date', { ...identity, birthDate: '1955-02-30' }],
    ['an empty birth name', { ...identity, birthName: '   ' }],
  ])('refuses an identity with %s', (_name, bad) => {
    expect(
      PatientRegisterPayloadSchema.safeParse({
        patientId: 'p-1',
        codeDeCiblage: '0123456789P',
        identity: bad,
      }).success,
    ).toBe(false)
  })

  it.each([
    ['missing consent', buildEligibilityFields({ patientConsents: false as true })],
    [
      'health professional without activity',
      buildEligibilityFields({ patientIsHealthProfessional: true, patientProfession: 'infirmier' }),
    ],
    ['activity for a non-professional', buildEligibilityFields({ patientMainActivity: 'ambulatoire' })],
    [
      'prescriber without RPPS nor ADELI',
      buildEligibilityFields({ prescriber: { name: 'Dr X', profession: 'medecin' } }),
    ],
  ])('refuses eligibility fields with %s', (_name, fields) => {
    const payload = { kind: 'eligibility', stepId: 's-1', patientId: 'p-1', fields }
    expect(MutationSchema.safeParse({ ...envelope, type: 'step.record', payload }).success).toBe(false)
  })

  it.each([
    ['a place type not in the list', { place: { type: 'hopital', postalCode: '75012', name: 'X' } }],
    ['an unknown injection site', { injectionSite: 'bras' }],
    ['a lot with punctuation', { lotNumber: 'FK-12' }],
    ['a lot over 20 characters', { lotNumber: 'A'.repeat(21) }],
  ])('refuses dose fields with %s', (_name, override) => {
    const payload = {
      kind: 'dose',
      stepId: 's',
      patientId: 'p',
      doseNumber: 1,
      fields: { ...buildDoseFields(), ...override },
    }
    expect(MutationSchema.safeParse({ ...envelope, type: 'step.record', payload }).success).toBe(false)
  })

  it('refuses an amendment with no change', () => {
    const payload = { kind: 'dose', stepId: 's', patientId: 'p', baseVersion: 1, changes: {} }
    expect(MutationSchema.safeParse({ ...envelope, type: 'step.amend', payload }).success).toBe(false)
  })
})

describe('sync API', () => {
  it('refuses a push whose mutations come from another device, or more than 500', () => {
    const m = { ...envelope, type: 'lot.upsert', payload: { vaccineId: 'comirnaty', lotNumber: 'A1' } }
    expect(PushRequestSchema.safeParse({ deviceId: 'dev-1', mutations: [m] }).success).toBe(true)
    expect(PushRequestSchema.safeParse({ deviceId: 'dev-2', mutations: [m] }).success).toBe(false)
    const many = Array.from({ length: 501 }, (_, i) => ({ ...m, seq: i + 1 }))
    expect(PushRequestSchema.safeParse({ deviceId: 'dev-1', mutations: many }).success).toBe(false)
  })

  it('reads the protocol example of a push answer', () => {
    const answer = {
      results: [
        { id: 'm-41', seq: 41, status: 'applied', position: 1234, mappedIds: { 'p-local': 'p-existing' } },
        {
          id: 'm-42',
          seq: 42,
          status: 'rejected',
          error: 'step-locked-by-author',
          detail: { stepId: 's-1', author: { userId: 'u-1', name: 'Dr Martin' } },
        },
      ],
      lastSeq: 42,
      serverTime: '2026-03-04T10:16:00Z',
    }
    expect(PushResponseSchema.safeParse(answer).success).toBe(true)
    expect(
      PushResponseSchema.safeParse({ ...answer, results: [{ ...answer.results[1], error: 'nope' }] }).success,
    ).toBe(false)
  })
})

describe('canonicalJson', () => {
  it('sorts keys, drops spaces and leaves out sig', () => {
    expect(canonicalJson({ b: 1, a: [true, null, 'é'], c: { z: 1.5, y: 'x' } })).toBe(
      '{"a":[true,null,"é"],"b":1,"c":{"y":"x","z":1.5}}',
    )
    expect(signingInput({ sig: 'x', v: 1, id: 'm' })).toBe('{"id":"m","v":1}')
  })
})
