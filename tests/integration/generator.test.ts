import { describe, expect, it } from 'vitest'
import { parseNir } from '../../src/domain/identifiers'
import { isValidCodeDeCiblage } from '../../src/domain/patients/code-de-ciblage'
import { validateIdentity } from '../../src/domain/patients/identity'
import { PatientRecordSchema, StepRecordSchema } from '../../src/shared/records'
import { generateOrganisation, generatePatients, generateSteps, postalCodeList } from '../fixtures/generator'

describe('generator', () => {
  const patients = generatePatients(42, 2000)
  const steps = generateSteps(42, patients)

  it('is deterministic for a seed and differs between seeds', () => {
    expect(generatePatients(42, 50)).toEqual(patients.slice(0, 50))
    expect(generatePatients(43, 50)).not.toEqual(patients.slice(0, 50))
    expect(generateSteps(42, patients.slice(0, 10))).toEqual(generateSteps(42, patients.slice(0, 10)))
  })

  it('gives patients that parse, with valid NIRs consistent with sex and birth date', () => {
    const communes = new Set(postalCodeList().map((p) => `${p.codePostal}|${p.nomCommune}`))
    for (const p of patients) {
      expect(PatientRecordSchema.parse(p)).toEqual(p)
      expect(isValidCodeDeCiblage(p.codeDeCiblage)).toBe(true)
      expect(communes.has(`${p.postalCode}|${p.commune}`)).toBe(true)
      const identity = validateIdentity(p, { today: '2026-03-04' })
      expect(identity.ok && identity.warnings).toEqual([])
      for (const nir of [p.nir, p.nirOuvrantDroit]) {
        if (nir === undefined) continue
        const parsed = parseNir(nir)
        expect(parsed.ok, nir).toBe(true)
      }
    }
    expect(new Set(patients.map((p) => p.id)).size).toBe(patients.length)
    expect(new Set(patients.map((p) => p.codeDeCiblage)).size).toBe(patients.length)
  })

  it('has accents, beneficiaries sharing an account holder, with and without their own NIR', () => {
    expect(patients.some((p) => /[À-ÿ]/.test(p.birthName + p.firstNames))).toBe(true)
    const beneficiaries = patients.filter((p) => p.nirOuvrantDroit !== undefined)
    expect(beneficiaries.length).toBeGreaterThan(100)
    expect(beneficiaries.some((p) => p.nir === undefined)).toBe(true)
    expect(beneficiaries.some((p) => p.nir !== undefined)).toBe(true)
    const holders = new Map<string, number>()
    for (const b of beneficiaries)
      holders.set(b.nirOuvrantDroit ?? '', (holders.get(b.nirOuvrantDroit ?? '') ?? 0) + 1)
    expect([...holders.values()].some((n) => n >= 2)).toBe(true)
  })

  it('gives an eligibility and a dose 1 per patient that parse with StepRecordSchema', () => {
    expect(steps).toHaveLength(patients.length * 2)
    for (const s of steps) expect(StepRecordSchema.parse(s)).toEqual(s)
    const userIds = new Set(generateOrganisation(42).users.map((u) => u.id))
    expect(steps.every((s) => userIds.has(s.author.userId))).toBe(true)
    expect(steps.filter((s) => s.kind === 'eligibility')).toHaveLength(patients.length)
    const withDose2 = generateSteps(42, patients.slice(0, 5), 3)
    expect(withDose2.filter((s) => s.kind === 'dose' && s.doseNumber === 2)).toHaveLength(5)
  })
})
