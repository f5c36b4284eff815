// The printed documents as a reader gets them: each PDF is rendered by the real renderers (jsPDF in Node), written
// to a temporary file and read back with poppler's pdftotext, so what is checked is the text on the page.
import { execFileSync } from 'node:child_process'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import {
  buildDoseStep,
  buildEligibilityFields,
  buildEligibilityStep,
  buildPatient,
  USERS,
} from '../../src/domain/testing/builders'
import { certificatePdf, stepSummaryPdf } from '../../src/pdf'
import { buildCertificateModel } from '../../src/pdf/models/certificate'
import { buildStepSummaryModel } from '../../src/pdf/models/step-summary'
import { buildDocumentSource, fourDoseSteps } from '../../src/pdf/testing'
import type { DocumentSource } from '../../src/pdf/types'

const dir = mkdtempSync(join(tmpdir(), 'carnet-documents-'))
let count = 0

afterAll(() => rmSync(dir, { recursive: true, force: true }))

type Word = { text: string; page: number; xMin: number; xMax: number; yMin: number; yMax: number }
type Extracted = {
  layout: string
  raw: string
  pages: number
  pageWidth: number
  pageHeight: number
  words: Word[]
}

async function extract(blob: Blob): Promise<Extracted> {
  const file = join(dir, `document-${++count}.pdf`)
  writeFileSync(file, Buffer.from(await blob.arrayBuffer()))
  const text = (mode: string) => execFileSync('pdftotext', [mode, file, '-'], { encoding: 'utf8' })
  const bbox = text('-bbox')
  const pageMatch = /<page width="([\d.]+)" height="([\d.]+)"/.exec(bbox)
  const words: Word[] = []
  let page = 0
  for (const line of bbox.split('\n')) {
    if (line.includes('<page ')) page++
    const m = /<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="([\d.]+)">(.*)<\/word>/.exec(line)
    if (m) words.push({ page, xMin: +m[1]!, yMin: +m[2]!, xMax: +m[3]!, yMax: +m[4]!, text: m[5]! })
  }
  return {
    layout: text('-layout'),
    raw: text('-raw'),
    pages: page,
    pageWidth: Number(pageMatch?.[1]),
    pageHeight: Number(pageMatch?.[2]),
    words,
  }
}

const collapse = (s: string) => s.replace(/\s+/g, ' ').trim()

function expectAllRead(doc: Extracted, phrases: readonly string[]): void {
  const raw = collapse(doc.raw)
  const missing = phrases.filter((p) => !raw.includes(collapse(p)))
  expect(missing).toEqual([])
}

function expectOnPage(doc: Extracted): void {
  const outside = doc.words.filter(
    (w) => w.xMin < 0 || w.xMax > doc.pageWidth - 20 || w.yMin < 0 || w.yMax > doc.pageHeight,
  )
  expect(outside).toEqual([])
}

const SIGNATURE = 'Il convient de signer ce document avant de le remettre à son patient'
const PORTAL = 'https://signalement.social-sante.gouv.fr'
const RECTIFICATIF = "Rectificatif des données télétransmises à l'Assurance Maladie"

describe('step summary PDF', () => {
  it.each(['s-elig', 's-dose-1', 's-dose-2', 's-dose-3', 's-flu-1'])(
    'prints the title, identity, code de ciblage, every field, the link and the signature sentence (%s)',
    async (stepId) => {
      const source = buildDocumentSource({ steps: fourDoseSteps() })
      const model = buildStepSummaryModel(source, stepId)
      const doc = await extract(await stepSummaryPdf(source, stepId))
      expect(doc.layout).toContain(model.title)
      expect(doc.layout).toContain(model.stepTitle)
      expect(doc.layout).toContain('0123456789P')
      expect(doc.layout).toContain('DUPRÉ')
      expect(doc.layout).toContain('Éloïse')
      expect(doc.layout).toContain('2 55 08 14 168 025 38')
      expect(doc.layout).toContain(SIGNATURE)
      expect(doc.layout).toContain(PORTAL)
      expect(doc.layout).toContain('Équipe mobile de vaccination du Val-de-Marne')
      expect(doc.layout).toContain('Document généré le 04/03/2026 à 12:00 par Dr Martin')
      expect(doc.layout).toContain(`Page 1/${doc.pages}`)
      expectAllRead(doc, [
        ...model.sections.flatMap((s) => s.rows.flatMap((r) => [r.label, r.value])),
        ...model.validation,
        ...(model.nextDose === undefined ? [] : [model.nextDose.text]),
      ])
      expectOnPage(doc)
    },
  )

  it('fits a dose summary on one A4 page', async () => {
    const doc = await extract(
      await stepSummaryPdf(buildDocumentSource({ steps: fourDoseSteps() }), 's-dose-2'),
    )
    expect(doc.pages).toBe(1)
    expect(doc.layout).toContain('Page 1/1')
  })

  it('titles an amended step « Rectificatif des données télétransmises à l’Assurance Maladie »', async () => {
    const step = buildEligibilityStep()
    const first = step.versions[0]!
    const amended = {
      ...step,
      versions: [
        first,
        {
          ...first,
          version: 2,
          at: '2026-02-02T11:00:00+01:00',
          fields: buildEligibilityFields({ prescriptionDate: '2026-01-28' }),
        },
      ],
    }
    const doc = await extract(await stepSummaryPdf(buildDocumentSource({ steps: [amended] }), amended.id))
    expect(doc.layout).toContain(RECTIFICATIF)
    expect(doc.layout).toContain('28/01/2026')
    expect(collapse(doc.raw)).toContain('Dernière modification — Validé par Dr Martin le 02/02/2026 à 11:00')
    const plain = await extract(await stepSummaryPdf(buildDocumentSource({ steps: [step] }), step.id))
    expect(plain.layout).not.toContain('Rectificatif')
  })

  it('says who entered a delegate’s step and for whom', async () => {
    const step = buildDoseStep({ author: { userId: USERS.secretaire, onBehalfOf: USERS.medecin } })
    const doc = await extract(
      await stepSummaryPdf(buildDocumentSource({ steps: [buildEligibilityStep(), step] }), step.id),
    )
    expect(collapse(doc.raw)).toContain(
      'Saisi par Sam Leroy pour le compte de Dr Martin, le 01/02/2026 à 10:00',
    )
  })
})

describe('certificate PDF', () => {
  it('lists every dose with the QR section and is final when every dose is acknowledged', async () => {
    const source = buildDocumentSource({ steps: fourDoseSteps() })
    const model = buildCertificateModel(source)
    const doc = await extract(await certificatePdf(source))
    expect(doc.layout).toContain('Bilan de vaccination')
    expect(doc.layout).not.toContain('PROVISOIRE')
    expect(doc.layout).toContain('0123456789P')
    expect(doc.layout).toContain(SIGNATURE)
    expect(doc.layout).toContain(PORTAL)
    expect(doc.layout).toContain(`Page 1/${doc.pages}`)
    expectAllRead(doc, [
      ...model.identity.rows.flatMap((r) => [r.label, r.value]),
      ...model.doses.rows.flatMap((d) => [d.date, d.lot, d.dose, d.site, d.professional]),
      'Données de vaccination (QR code)'.toUpperCase(),
    ])
    expectOnPage(doc)
  })

  it('says « PROVISOIRE — doses non encore transmises » while a dose waits in the outbox', async () => {
    const steps = fourDoseSteps()
    const source = buildDocumentSource({ steps, acknowledged: new Set(['s-elig', 's-dose-1']) })
    const doc = await extract(await certificatePdf(source))
    expect(doc.layout).toContain('PROVISOIRE — doses non encore transmises')
  })
})

describe('long names', () => {
  const longSource = (): DocumentSource => {
    const firstNames = 'Marie-Éloïse-Œuvray-'.repeat(8).slice(0, 150)
    const birthName = 'Delacroix-Saint-Exupéry-de-la-Tour-'.repeat(3).slice(0, 100)
    return buildDocumentSource({
      patient: buildPatient({ firstNames, birthName, usualName: birthName }),
      steps: fourDoseSteps(),
      organisation: {
        name: 'Établissement d’hébergement pour personnes âgées dépendantes Les Jardins de la Cœur-Volant et de la Fontaine',
      },
    })
  }

  it.each(['summary', 'certificate'] as const)(
    'wraps a 150-character first name and keeps it on the page (%s)',
    async (kind) => {
      const source = longSource()
      expect(source.patient.firstNames).toHaveLength(150)
      const blob =
        kind === 'summary' ? await stepSummaryPdf(source, 's-dose-1') : await certificatePdf(source)
      const doc = await extract(blob)
      expectOnPage(doc)
      const compact = doc.raw.replace(/\s+/g, '')
      expect(compact).toContain(source.patient.firstNames)
      const nameLines = doc.layout.split('\n').filter((line) => line.includes('Marie-Éloïse'))
      expect(nameLines.length).toBeGreaterThan(1)
    },
  )
})
