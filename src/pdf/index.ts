// The documents of a patient file: step summaries and the vaccination certificate as PDF, the summary and the
// injections as CSV, the immunizations as FHIR R4. jsPDF, jspdf-autotable and qrcode are loaded only when a PDF is
// made (dynamic import), so the first page load does not carry them; the service worker precaches their chunk,
// so printing works offline.
import { immunizationBundleOf } from '../domain/exports/fhir'
import {
  injectionRowsOf,
  injectionsToCsv,
  stepSummaryToCsv,
  type ExportContext,
} from '../domain/exports/injections'
import { frenchLists } from './french'
import { buildCertificateModel } from './models/certificate'
import { buildStepSummaryModel, requireStep } from './models/step-summary'
import type { DocumentKind, DocumentSource, FhirBundle, InjectionRow } from './types'

export type { DocumentKind, DocumentSource, FhirBundle, InjectionRow } from './types'

function exportContext(source: DocumentSource): ExportContext {
  return { catalogue: source.catalogue, users: source.users, labels: frenchLists }
}

/**
 * Loads the renderers ahead of the first print, while the person reads the summary: the first document of a
 * session then costs what every other does (the chunk load and jsPDF's start-up are most of a first print).
 */
export async function preloadRenderers(): Promise<void> {
  await Promise.all([import('./render/step-summary'), import('./render/certificate')])
}

/** Makes the printable summary (« synthèse ») of one step of the patient's file. */
export async function stepSummaryPdf(source: DocumentSource, stepId: string): Promise<Blob> {
  const model = buildStepSummaryModel(source, stepId)
  const { renderStepSummary } = await import('./render/step-summary')
  return renderStepSummary(model)
}

/** Makes the vaccination certificate (« Bilan de vaccination ») of the patient, with its QR code. */
export async function certificatePdf(source: DocumentSource): Promise<Blob> {
  const model = buildCertificateModel(source)
  const { renderCertificate } = await import('./render/certificate')
  return renderCertificate(model)
}

/** Writes one step's summary as CSV (seed 004 « exporter votre synthèse au format .csv »). */
export function stepSummaryCsv(source: DocumentSource, stepId: string): string {
  requireStep(source, stepId)
  return stepSummaryToCsv(source, stepId, exportContext(source)) ?? ''
}

/** Gives the patient's immunizations as a FHIR R4 collection Bundle (a JSON-serialisable object). */
export function immunizationBundle(source: DocumentSource): FhirBundle {
  return immunizationBundleOf(source, {
    catalogue: source.catalogue,
    users: source.users,
    timestamp: source.generatedAt,
  })
}

/** Writes injections (a day's, a site's) as CSV. */
export function injectionsCsv(rows: readonly InjectionRow[]): string {
  return injectionsToCsv(rows)
}

/** Gives one row per injection of the source's patient, in injection order. */
export function injectionRows(source: DocumentSource): InjectionRow[] {
  return injectionRowsOf(source, exportContext(source))
}

const EXTENSIONS: Record<DocumentKind, string> = {
  summary: 'pdf',
  certificate: 'pdf',
  csv: 'csv',
  fhir: 'json',
  injections: 'csv',
}

function stepSlug(source: DocumentSource, stepId: string | undefined): string {
  const step = stepId === undefined ? undefined : source.steps.find((s) => s.id === stepId)
  if (step === undefined) return 'etape'
  if (step.kind === 'eligibility') return 'eligibilite'
  const disease = step.targetDisease === 'covid-19' ? '' : `-${step.targetDisease}`
  return `${step.isBooster ? 'rappel' : 'dose'}-${step.doseNumber}${disease}`
}

/**
 * Names a document's file in ASCII (every file system and mail client keeps it): kind, step, the patient's code
 * de ciblage and the day it was made, e.g. « carnet-synthese-dose-1-0123456789P-2026-03-04.pdf ».
 */
export function documentFileName(kind: DocumentKind, source?: DocumentSource, stepId?: string): string {
  const parts = ['carnet']
  if (kind === 'summary' || kind === 'csv') parts.push('synthese')
  if (kind === 'certificate') parts.push('bilan-vaccination')
  if (kind === 'fhir') parts.push('fhir')
  if (kind === 'injections') parts.push('injections')
  if (source !== undefined) {
    if (kind === 'summary' || kind === 'csv') parts.push(stepSlug(source, stepId))
    if (kind !== 'injections') parts.push(source.patient.codeDeCiblage.replace(/[^A-Za-z0-9]/g, ''))
    parts.push(source.generatedAt.slice(0, 10))
  }
  return `${parts.filter((p) => p !== '').join('-')}.${EXTENSIONS[kind]}`
}
