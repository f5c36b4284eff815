import { describe, expect, it } from 'vitest'
import { parseCsv } from '../domain/exports/csv'
import indexSource from './index.ts?raw'
import { documentFileName, immunizationBundle, injectionRows, injectionsCsv, stepSummaryCsv } from './index'
import { buildDocumentSource, fourDoseSteps } from './testing'

describe('documents API', () => {
  it('loads jsPDF, jspdf-autotable and qrcode only when a PDF is made', () => {
    expect(indexSource).not.toMatch(/^import[^;]*from\s+['"](jspdf|jspdf-autotable|qrcode)['"]/m)
    expect(indexSource).not.toMatch(/^import[^;]*from\s+['"]\.\/render\//m)
    expect(indexSource).toMatch(/await import\('\.\/render\/step-summary'\)/)
  })

  it.each([
    ['summary', 's-dose-1', 'carnet-synthese-dose-1-0123456789P-2026-03-04.pdf'],
    ['summary', 's-elig', 'carnet-synthese-eligibilite-0123456789P-2026-03-04.pdf'],
    ['summary', 's-dose-3', 'carnet-synthese-rappel-3-0123456789P-2026-03-04.pdf'],
    ['csv', 's-flu-1', 'carnet-synthese-dose-1-influenza-0123456789P-2026-03-04.csv'],
    ['certificate', undefined, 'carnet-bilan-vaccination-0123456789P-2026-03-04.pdf'],
    ['fhir', undefined, 'carnet-fhir-0123456789P-2026-03-04.json'],
    ['injections', undefined, 'carnet-injections-2026-03-04.csv'],
  ] as const)('names a %s file in ASCII (%s)', (kind, stepId, name) => {
    expect(documentFileName(kind, buildDocumentSource({ steps: fourDoseSteps() }), stepId)).toBe(name)
  })

  it('keeps file names ASCII when the code de ciblage carries check symbols', () => {
    const source = buildDocumentSource()
    const name = documentFileName('certificate', {
      ...source,
      patient: { ...source.patient, codeDeCiblage: 'AB12~CD$*' },
    })
    expect(name).toBe('carnet-bilan-vaccination-AB12CD-2026-03-04.pdf')
    expect(documentFileName('injections')).toBe('carnet-injections.csv')
  })

  it('exports a dose summary as its injection row, with French labels', () => {
    const rows = parseCsv(stepSummaryCsv(buildDocumentSource({ steps: fourDoseSteps() }), 's-dose-2'))
    expect(rows).toHaveLength(2)
    const record = Object.fromEntries(rows[0]!.map((h, i) => [h, rows[1]![i]]))
    expect(record).toMatchObject({
      Date: '2025-09-24',
      Heure: '09:40',
      Vaccin: 'Comirnaty (Pfizer-BioNTech)',
      'Numéro de lot': 'FK5678',
      "Zone d'injection": 'Deltoïde droit',
      'Type de lieu': 'EHPAD',
      'Professionnel de santé': 'Inès Petit',
    })
  })

  it('gives one injection row per dose and a FHIR bundle of the same doses', () => {
    const source = buildDocumentSource({ steps: fourDoseSteps() })
    const rows = injectionRows(source)
    expect(rows.map((r) => r.lotNumber)).toEqual(['FK1234', 'FK5678', 'SPK001', 'EFL42'])
    expect(parseCsv(injectionsCsv(rows))).toHaveLength(5)
    const bundle = immunizationBundle(source)
    expect(bundle.entry.filter((e) => e.resource.resourceType === 'Immunization')).toHaveLength(4)
    expect(bundle.timestamp).toBe(source.generatedAt)
  })
})
