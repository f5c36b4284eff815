import { describe, expect, it } from 'vitest'
import {
  AT,
  buildDoseStep,
  buildEligibilityFields,
  buildEligibilityStep,
  buildPatient,
  buildUsers,
  USERS,
} from '../testing/builders'
import { CATALOGUE } from '../vaccines/catalogue'
import type { StepRecord } from '../../shared/records'
import {
  FHIR_SYSTEMS,
  fullUrlOf,
  immunizationBundleOf,
  type FhirBundle,
  type FhirImmunization,
  type FhirPatient,
} from './fhir'

const context = {
  catalogue: CATALOGUE,
  users: new Map(buildUsers().map((u) => [u.id, u])),
  timestamp: '2026-03-04T12:00:00+01:00',
}

function steps(): StepRecord[] {
  return [
    buildEligibilityStep(),
    buildDoseStep({ id: 's-dose-1', at: '2025-09-02T09:10:00+02:00' }),
    buildDoseStep({
      id: 's-dose-2',
      doseNumber: 2,
      at: AT,
      fields: {
        lotNumber: 'fk5678',
        lotExpiry: '2026-06-30',
        injectionSite: 'thigh-right',
        route: 'subcutaneous',
      },
    }),
    buildDoseStep({
      id: 's-flu-1',
      targetDisease: 'influenza',
      at: '2026-03-04T10:20:00+01:00',
      fields: {
        vaccineId: 'efluelda',
        vaccinatorUserId: USERS.infirmier,
        place: { type: 'domicile', postalCode: '94000', name: 'Domicile' },
      },
    }),
  ]
}

function immunizations(bundle: FhirBundle): FhirImmunization[] {
  return bundle.entry
    .map((e) => e.resource)
    .filter((r): r is FhirImmunization => r.resourceType === 'Immunization')
}

describe('FHIR R4 immunization bundle', () => {
  const bundle = immunizationBundleOf({ patient: buildPatient(), steps: steps() }, context)

  it('is a collection with the Patient first and one Immunization per dose, none for the eligibility', () => {
    expect(bundle).toMatchObject({ resourceType: 'Bundle', type: 'collection', timestamp: context.timestamp })
    expect(bundle.entry.map((e) => e.resource.resourceType)).toEqual([
      'Patient',
      'Immunization',
      'Immunization',
      'Immunization',
    ])
    expect(immunizations(bundle).map((i) => i.id)).toEqual(['s-dose-1', 's-dose-2', 's-flu-1'])
    expect(JSON.parse(JSON.stringify(bundle))).toEqual(bundle)
  })

  it('identifies the patient by NIR (INS OID), names and birth date', () => {
    const patient = bundle.entry[0]!.resource as FhirPatient
    expect(patient.identifier).toContainEqual({
      use: 'official',
      system: 'urn:oid:1.2.250.1.213.1.4.8',
      value: '255081416802538',
    })
    expect(patient.identifier).toContainEqual({
      use: 'usual',
      type: { text: 'Code de ciblage' },
      value: '0123456789P',
    })
    expect(patient).toMatchObject({
      gender: 'female',
      birthDate: '1955-08-20',
      name: [{ use: 'official', family: 'Dupré', given: ['Éloïse'] }],
    })
  })

  it('identifies a Belgian patient by SSIN', () => {
    const belgian = immunizationBundleOf(
      { patient: buildPatient({ nir: undefined, niss: '85.07.30-033.28' }), steps: [] },
      context,
    )
    const patient = belgian.entry[0]!.resource as FhirPatient
    expect(patient.identifier[0]).toEqual({
      use: 'official',
      system: 'https://www.ehealth.fgov.be/standards/fhir/core/NamingSystem/ssin',
      value: '85073003328',
    })
    expect(belgian.entry).toHaveLength(1)
  })

  it('gives every Immunization its required and carried elements', () => {
    for (const imm of immunizations(bundle)) {
      expect(imm.status).toBe('completed')
      expect(imm.vaccineCode.text).toBeTruthy()
      expect(imm.patient.reference).toBe(bundle.entry[0]!.fullUrl)
      expect(imm.occurrenceDateTime).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}/)
      expect(imm.recorded).toBeTruthy()
      expect(imm.primarySource).toBe(true)
      expect(imm.lotNumber).toMatch(/^[A-Z0-9]+$/)
      expect(imm.site.coding?.map((c) => c.system)).toEqual([
        FHIR_SYSTEMS.snomed,
        'http://terminology.hl7.org/CodeSystem/v3-ActSite',
      ])
      expect(
        imm.route.coding?.some(
          (c) => c.system === 'http://terminology.hl7.org/CodeSystem/v3-RouteOfAdministration',
        ),
      ).toBe(true)
      expect(imm.doseQuantity).toEqual({
        value: 1,
        unit: 'dose',
        system: 'http://unitsofmeasure.org',
        code: '1',
      })
      expect(imm.performer[0]!.function.coding).toEqual([
        {
          system: 'http://terminology.hl7.org/CodeSystem/v2-0443',
          code: 'AP',
          display: 'Administering Provider',
        },
      ])
      expect(imm.location.display).toBeTruthy()
      expect(imm.protocolApplied[0]!.doseNumberPositiveInt).toBeGreaterThan(0)
      expect(imm.protocolApplied[0]!.seriesDosesPositiveInt).toBeGreaterThan(0)
    }
  })

  it('codes a COVID-19 dose with the generic SNOMED vaccine, the EU product number and the target disease', () => {
    const [first, second, flu] = immunizations(bundle)
    expect(first!.vaccineCode).toEqual({
      coding: [
        { system: 'http://snomed.info/sct', code: '28531000087107', display: 'COVID-19 vaccine' },
        {
          system: 'https://ec.europa.eu/health/documents/community-register/html/',
          code: 'EU/1/20/1528',
          display: 'Comirnaty',
        },
      ],
      text: 'Comirnaty (Pfizer-BioNTech)',
    })
    expect(first!.protocolApplied).toEqual([
      {
        series: 'primary',
        targetDisease: [{ coding: [{ system: 'http://snomed.info/sct', code: '840539006' }] }],
        doseNumberPositiveInt: 1,
        seriesDosesPositiveInt: 2,
      },
    ])
    expect(second!.site.coding).toEqual([
      { system: 'http://snomed.info/sct', code: '11207009' },
      { system: 'http://terminology.hl7.org/CodeSystem/v3-ActSite', code: 'RT' },
    ])
    expect(second!.route.coding).toEqual([
      { system: 'http://standardterms.edqm.eu', code: '20066000' },
      { system: 'http://snomed.info/sct', code: '34206005' },
      { system: 'http://terminology.hl7.org/CodeSystem/v3-RouteOfAdministration', code: 'SQ' },
    ])
    expect(second!).toMatchObject({
      lotNumber: 'FK5678',
      expirationDate: '2026-06-30',
      occurrenceDateTime: AT,
    })
    expect(first!.expirationDate).toBeUndefined()
    expect(flu!.vaccineCode).toEqual({ text: 'Efluelda (Sanofi Pasteur)' })
    expect(flu!.protocolApplied[0]!.targetDisease[0]!.coding).toEqual([
      { system: 'http://snomed.info/sct', code: '6142004' },
    ])
  })

  it('names the administering professional by national id (8 + RPPS) and the prescriber as ordering performer', () => {
    const [first, , flu] = immunizations(bundle)
    expect(first!.performer).toEqual([
      {
        function: {
          coding: [
            {
              system: 'http://terminology.hl7.org/CodeSystem/v2-0443',
              code: 'AP',
              display: 'Administering Provider',
            },
          ],
        },
        actor: {
          identifier: { system: 'urn:oid:1.2.250.1.71.4.2.1', value: '810012345673' },
          display: 'Dr Martin',
        },
      },
      {
        function: {
          coding: [
            {
              system: 'http://terminology.hl7.org/CodeSystem/v2-0443',
              code: 'OP',
              display: 'Ordering Provider',
            },
          ],
        },
        actor: {
          identifier: { system: 'urn:oid:1.2.250.1.71.4.2.1', value: '810012345673' },
          display: 'Dr Martin',
        },
      },
    ])
    expect(flu!.performer[0]!.actor.display).toBe('Inès Petit')
    expect(first!.location).toEqual({
      display: 'EHPAD Les Tilleuls, 75012',
      identifier: { system: 'urn:oid:1.2.250.1.71.4.2.2', value: '010000016' },
    })
  })

  it('writes an ADELI prescriber as 0 + ADELI, and no ordering performer without an eligibility step', () => {
    const eligibility = buildEligibilityStep()
    const adeli = {
      ...eligibility,
      versions: [
        {
          ...eligibility.versions[0]!,
          fields: buildEligibilityFields({
            prescriber: { name: 'Dr Roy', profession: 'medecin', adeli: '751234567' },
          }),
        },
      ],
    }
    const withAdeli = immunizationBundleOf(
      { patient: buildPatient(), steps: [adeli, buildDoseStep()] },
      context,
    )
    expect(immunizations(withAdeli)[0]!.performer[1]!.actor).toEqual({
      identifier: { system: 'urn:oid:1.2.250.1.71.4.2.1', value: '0751234567' },
      display: 'Dr Roy',
    })
    const without = immunizationBundleOf({ patient: buildPatient(), steps: [buildDoseStep()] }, context)
    expect(immunizations(without)[0]!.performer.map((p) => p.function.coding?.[0]?.code)).toEqual(['AP'])
  })

  it('gives every entry a unique urn:uuid fullUrl, stable from one export to the next', () => {
    const urls = bundle.entry.map((e) => e.fullUrl)
    expect(new Set(urls).size).toBe(urls.length)
    for (const url of urls)
      expect(url).toMatch(/^urn:uuid:[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/)
    expect(
      immunizationBundleOf({ patient: buildPatient(), steps: steps() }, context).entry.map((e) => e.fullUrl),
    ).toEqual(urls)
    expect(fullUrlOf('Patient', '0194A000-0000-7000-8000-00000000D001')).toBe(
      'urn:uuid:0194a000-0000-7000-8000-00000000d001',
    )
  })
})
