import { describe, expect, it } from 'vitest'
import { buildDoseStep, buildPatient, DEVICE_ID } from '../domain/testing/builders'
import { fromPatientRow, fromStepRow, searchKeysOf, toPatientRow, toStepRow } from './rows'

describe('stored rows', () => {
  it('derives the search keys of a patient', () => {
    const patient = buildPatient({
      birthName: 'de La Fontaine-Dupré',
      usualName: 'Œuvrard',
      firstNames: 'Marie Éloïse',
      nir: '2 55 08 14 168 025',
      nirOuvrantDroit: '189127512501282',
      codeDeCiblage: 'abcd1234',
    })
    expect(searchKeysOf(patient)).toEqual({
      codeKey: 'ABCD1234',
      nirKey: '255081416802538',
      nirOdKey: '1891275125012',
      nameKey: 'DE LA FONTAINE DUPRE MARIE ELOISE',
      nameWords: ['DE', 'LA', 'FONTAINE', 'DUPRE', 'OEUVRARD', 'MARIE', 'ELOISE'],
    })
  })

  it('stores one stamp for a new file and reads every field stamp back', () => {
    const base = buildPatient()
    const stamp = { at: '2026-02-01T09:00:00+01:00', deviceId: DEVICE_ID }
    const patient = buildPatient({ stamps: { ...base.stamps, codeDeCiblage: stamp } })
    expect(toPatientRow(base).stamps).toHaveLength(1)
    expect(toPatientRow(base).stamps[0]?.fields).toHaveLength(6)
    const row = toPatientRow(patient)
    expect(row.stamps).toEqual([{ at: '2026-02-01T09:00:00+01:00', deviceId: DEVICE_ID }])
    expect(fromPatientRow(row)).toEqual(patient)
  })

  it('keeps mixed stamps and the stamp of a cleared field', () => {
    const later = { at: '2026-03-01T10:00:00+01:00', deviceId: 'dev-2' }
    const base = buildPatient()
    const patient = buildPatient({ stamps: { ...base.stamps, phone: later, firstNames: later } })
    const row = toPatientRow(patient)
    expect(row.stamps).toHaveLength(2)
    expect(fromPatientRow(row)).toEqual(patient)
    const cleared = buildPatient({ stamps: { ...base.stamps, phone: base.stamps.nir ?? later } })
    expect(fromPatientRow(toPatientRow(cleared))).toEqual(cleared)
  })

  it('drops from a version only what it shares with its step', () => {
    const step = buildDoseStep()
    const first = step.versions[0]
    if (first === undefined) throw new Error('no version')
    const amended = {
      ...step,
      versions: [
        first,
        { ...first, version: 2, at: '2026-02-02T10:00:00+01:00', actor: { userId: 'u-other' } },
      ],
    }
    const row = toStepRow(amended)
    expect(row.versions[0]).not.toHaveProperty('at')
    expect(row.versions[1]).toMatchObject({ at: '2026-02-02T10:00:00+01:00', actor: { userId: 'u-other' } })
    expect(row.versions[1]).not.toHaveProperty('recordedAt')
    expect(fromStepRow(row)).toEqual(amended)
  })
})
