import { describe, expect, it } from 'vitest'
import { buildEligibilityStep, buildPatient } from '../../domain/testing/builders'
import { buildDocumentSource, fourDoseSteps } from '../testing'
import { buildCertificateModel, icaoTransliteration } from './certificate'

describe('certificate model', () => {
  it('lists every dose in injection order with vaccine, lot, date, site, dose n/N and professional', () => {
    const model = buildCertificateModel(buildDocumentSource({ steps: fourDoseSteps() }))
    expect(model.title).toBe('Bilan de vaccination')
    expect(model.doses.columns).toEqual([
      'Date',
      'Vaccin',
      'Lot',
      'Dose',
      'Zone d’injection',
      'Professionnel de santé',
      'Lieu',
    ])
    expect(
      model.doses.rows.map((d) => [d.date, d.vaccine, d.disease, d.lot, d.dose, d.site, d.professional]),
    ).toEqual([
      [
        '02/09/2025',
        'Comirnaty (Pfizer-BioNTech)',
        'COVID-19',
        'FK1234',
        '1/2',
        'Deltoïde gauche',
        'Dr Martin',
      ],
      [
        '24/09/2025',
        'Comirnaty (Pfizer-BioNTech)',
        'COVID-19',
        'FK5678',
        '2/2',
        'Deltoïde droit',
        'Inès Petit',
      ],
      [
        '04/03/2026',
        'Spikevax (Moderna)',
        'COVID-19',
        'SPK001',
        '3 (rappel)',
        'Deltoïde gauche',
        'Dr Martin',
      ],
      ['04/03/2026', 'Efluelda (Sanofi Pasteur)', 'Grippe', 'EFL42', '1/1', 'Deltoïde droit', 'Dr Martin'],
    ])
    expect(model.code.value).toBe('0123456789P')
  })

  it('is marked « PROVISOIRE — doses non encore transmises » while a dose is not acknowledged', () => {
    const steps = fourDoseSteps()
    const pending = buildCertificateModel(
      buildDocumentSource({
        steps,
        acknowledged: new Set(steps.map((s) => s.id).filter((id) => id !== 's-flu-1')),
      }),
    )
    expect(pending.provisional?.mark).toBe('PROVISOIRE — doses non encore transmises')
    expect(pending.doses.rows.find((d) => d.stepId === 's-flu-1')?.isAcknowledged).toBe(false)
    const settled = buildCertificateModel(buildDocumentSource({ steps }))
    expect(settled.provisional).toBeUndefined()
  })

  it('is final when only the eligibility declaration waits: it is not a dose', () => {
    const steps = fourDoseSteps()
    const model = buildCertificateModel(
      buildDocumentSource({
        steps,
        acknowledged: new Set(steps.filter((s) => s.kind === 'dose').map((s) => s.id)),
      }),
    )
    expect(model.provisional).toBeUndefined()
  })

  it('carries the EU DCC vaccination fields in its QR payload', () => {
    const model = buildCertificateModel(buildDocumentSource({ steps: fourDoseSteps() }))
    const { payload } = model.qr
    expect(JSON.parse(model.qr.text)).toEqual(payload)
    expect(payload.nam).toEqual({ fn: 'Dupré', fnt: 'DUPRE', gn: 'Éloïse', gnt: 'ELOISE' })
    expect(payload.dob).toBe('1955-08-20')
    expect(payload.v).toHaveLength(4)
    expect(payload.v[1]).toEqual({
      tg: '840539006',
      vp: '1119349007',
      mp: 'EU/1/20/1528',
      ma: 'ORG-100030215',
      dn: 2,
      sd: 2,
      dt: '2025-09-24',
      co: 'FR',
      is: 'Équipe mobile de vaccination du Val-de-Marne',
      ci: 'URN:UVCI:01:FR:CARNET/SDOSE2',
    })
    expect(payload.v[2]).toMatchObject({ mp: 'EU/1/20/1507', ma: 'ORG-100031184', dn: 3, sd: 3 })
    expect(payload.v[3]).toMatchObject({ tg: '6142004', vp: 'J07BB', mp: 'Efluelda', ma: 'Sanofi Pasteur' })
    for (const entry of payload.v) {
      expect(Object.keys(entry).sort()).toEqual(['ci', 'co', 'dn', 'dt', 'is', 'ma', 'mp', 'sd', 'tg', 'vp'])
    }
  })

  it('keeps names and issuer within the 80 characters the DCC schema allows', () => {
    const long = 'Marie-Éloïse-Œuvray-'.repeat(8).slice(0, 150)
    const model = buildCertificateModel(
      buildDocumentSource({
        patient: buildPatient({ firstNames: long }),
        organisation: { name: 'E'.repeat(120) },
        steps: fourDoseSteps(),
      }),
    )
    expect(model.qr.payload.nam.gn).toBe(long.slice(0, 80))
    expect(model.qr.payload.nam.gnt.length).toBeLessThanOrEqual(80)
    expect(model.qr.payload.v.every((v) => v.is.length === 80 && v.ci.length <= 80)).toBe(true)
  })

  it('says when the file has no dose yet', () => {
    const model = buildCertificateModel(buildDocumentSource({ steps: [buildEligibilityStep()] }))
    expect(model.doses.rows).toEqual([])
    expect(model.doses.empty).toBe('Aucune dose enregistrée.')
    expect(model.qr.payload.v).toEqual([])
  })

  it('prints the usual name and the NISS of a Belgian patient', () => {
    const patient = buildPatient({ usualName: 'Martin-Œuvray', nir: undefined, niss: '85073003328' })
    const model = buildCertificateModel(buildDocumentSource({ patient }))
    expect(model.identity.rows.map((r) => [r.label, r.value])).toContainEqual([
      'Nom d’usage',
      'MARTIN-ŒUVRAY',
    ])
    expect(model.identity.rows.map((r) => [r.label, r.value])).toContainEqual(['NISS', '85.07.30-033.28'])
    expect(model.identity.rows.some((r) => r.label === 'NIR')).toBe(false)
  })
})

describe('ICAO transliteration of the DCC names', () => {
  it.each([
    ['Dupré', 'DUPRE'],
    ['Marie-Éloïse', 'MARIE<ELOISE'],
    ["D'Arsøns van Halen", 'DARSOENS<VAN<HALEN'],
    ['Œuvray', 'OEUVRAY'],
    ['  Jean  Pierre ', 'JEAN<PIERRE'],
  ])('writes %j as %j', (name, expected) => {
    expect(icaoTransliteration(name)).toBe(expected)
  })
})
