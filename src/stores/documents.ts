// Making the documents a vaccinator hands out (step summaries, the certificate, the FHIR export, the day's
// injections), on the device and with no network: the source is read from Dexie, the renderers (jsPDF) are
// loaded on first use from the precached chunks, and each document handed out queues one audit event through the
// session's signed recording path. One document is made at a time; the screen shows which and how it ended.
import { ref, toValue, watch, type MaybeRefOrGetter } from 'vue'
import { defineStore } from 'pinia'
import { db } from '../db/carnet-db'
import {
  certificateStatus,
  loadDocumentSource,
  loadInjectionsOfDay,
  loadPlacesOfDay,
  type CertificateStatus,
} from '../db/documents-repo'
import { useLiveQuery } from '../composables/useLiveQuery'
import { openPendingTab, saveBlob, showPdf } from '../components/documents/deliver'
import { i18n } from '../i18n'
import { auditEventOf, type AuditedDocument } from '../sync/audit'
import { nowLocalIso, todayLocal } from '../sync/clock'
import { useSessionStore } from './session'

/** A document the screens offer. */
export type DocumentJobKind =
  'summary-print' | 'summary-pdf' | 'summary-csv' | 'certificate' | 'fhir' | 'injections'

/** The document being made, or the last one that failed: its kind and what it is of (a step, a patient, a day). */
export type DocumentJob = { kind: DocumentJobKind; target: string }

/** Why a document could not be handed out, each with its French sentence (documents.errors.*). */
export type DocumentError = 'not-signed-in' | 'not-found' | 'nothing-to-export' | 'failed'

/** A place where injections were given on a day, for the export's place filter. */
export type DayPlace = { key: string; label: string; count: number }

class DocumentRefused extends Error {
  constructor(readonly code: DocumentError) {
    super(code)
  }
}

// The renderers (jsPDF, the export formats) are loaded on first use, from the chunk the service worker precached.
const loadPdf = () => import('../pdf')

/**
 * Tells, live, whether a patient's certificate would be provisional: a dose of the file still waits in the outbox
 * (or was refused) and the server has not acknowledged it.
 */
export function useCertificateStatus(patientId: MaybeRefOrGetter<string>) {
  return useLiveQuery<CertificateStatus>(() => certificateStatus(db, toValue(patientId)), {
    deps: [() => toValue(patientId)],
  })
}

/** The document being made and the last failure, and the actions that make and hand out each document. */
export const useDocumentsStore = defineStore('documents', () => {
  const job = ref<DocumentJob | null>(null)
  const failure = ref<(DocumentJob & { error: DocumentError }) | null>(null)
  const lastDone = ref<DocumentJob | null>(null)
  // A document being made finishes (and is audited) before a lock drops the keys it reads and signs with.
  let making: Promise<unknown> | null = null
  useSessionStore().beforeLock(() => making)
  // What the previous person printed or failed to print is not shown to the next one.
  watch(
    () => useSessionStore().user?.id ?? null,
    (next, previous) => {
      if (next === previous) return
      failure.value = null
      lastDone.value = null
    },
  )

  function context() {
    const session = useSessionStore()
    const organisation = session.organisation
    const user = session.user
    if (organisation === null || user === null) throw new DocumentRefused('not-signed-in')
    return {
      organisation: {
        name: organisation.name,
        ...(organisation.finess === undefined ? {} : { finess: organisation.finess }),
      },
      generatedAt: nowLocalIso(),
      generatedBy: { name: user.name },
    }
  }

  /** Warms the renderers up when a screen that prints is shown; a failure here shows again, in words, on print. */
  function prepare(): void {
    void loadPdf()
      .then((pdf) => pdf.preloadRenderers())
      .catch(() => undefined)
  }

  async function sourceOf(patientId: string) {
    const source = await loadDocumentSource(db, patientId, context())
    if (source === undefined) throw new DocumentRefused('not-found')
    return source
  }

  /** Queues the audit event of a document about to be handed out; a document that cannot be audited is not. */
  async function audit(document: AuditedDocument): Promise<void> {
    const session = useSessionStore()
    const result = await session.record('audit.append', { events: [auditEventOf(document, nowLocalIso())] })
    if (!result.ok) throw new DocumentRefused(result.error === 'not-signed-in' ? 'not-signed-in' : 'failed')
  }

  /** Runs one document's making: one at a time, the failure kept (with a French sentence) for the screen. */
  async function run(next: DocumentJob, make: () => Promise<void>): Promise<boolean> {
    if (job.value !== null) return false
    job.value = next
    failure.value = null
    lastDone.value = null
    try {
      making = make()
      await making
      lastDone.value = next
      return true
    } catch (error) {
      if (!(error instanceof DocumentRefused)) console.error('document failed', error)
      failure.value = { ...next, error: error instanceof DocumentRefused ? error.code : 'failed' }
      return false
    } finally {
      job.value = null
      making = null
    }
  }

  /** Opens a step's summary (PDF) in a new tab for the browser to print; saved as a file when tabs are refused. */
  function printStepSummary(patientId: string, stepId: string): Promise<boolean> {
    // Opened now, before any await, while the click still counts as the person's gesture.
    const tab = job.value === null ? openPendingTab(i18n.global.t('documents.preparing')) : null
    return run({ kind: 'summary-print', target: stepId }, async () => {
      try {
        const source = await sourceOf(patientId)
        const pdf = await loadPdf()
        const blob = await pdf.stepSummaryPdf(source, stepId)
        await audit({ kind: 'summary', stepId, format: 'pdf', isPrint: true })
        showPdf(tab, blob, pdf.documentFileName('summary', source, stepId))
      } catch (error) {
        tab?.close()
        throw error
      }
    })
  }

  /** Saves a step's summary as a PDF file. */
  function downloadStepSummary(patientId: string, stepId: string): Promise<boolean> {
    return run({ kind: 'summary-pdf', target: stepId }, async () => {
      const source = await sourceOf(patientId)
      const pdf = await loadPdf()
      const blob = await pdf.stepSummaryPdf(source, stepId)
      await audit({ kind: 'summary', stepId, format: 'pdf' })
      saveBlob(blob, pdf.documentFileName('summary', source, stepId))
    })
  }

  /** Saves a step's summary as a CSV file (seed 004: « exporter votre synthèse au format .csv »). */
  function exportStepSummaryCsv(patientId: string, stepId: string): Promise<boolean> {
    return run({ kind: 'summary-csv', target: stepId }, async () => {
      const source = await sourceOf(patientId)
      const pdf = await loadPdf()
      const csv = pdf.stepSummaryCsv(source, stepId)
      await audit({ kind: 'summary', stepId, format: 'csv' })
      saveBlob(
        new Blob([csv], { type: 'text/csv;charset=utf-8' }),
        pdf.documentFileName('csv', source, stepId),
      )
    })
  }

  /** Saves the patient's vaccination certificate (bilan de vaccination) as a PDF file. */
  function downloadCertificate(patientId: string): Promise<boolean> {
    return run({ kind: 'certificate', target: patientId }, async () => {
      const source = await sourceOf(patientId)
      const pdf = await loadPdf()
      const blob = await pdf.certificatePdf(source)
      await audit({ kind: 'certificate', patientId })
      saveBlob(blob, pdf.documentFileName('certificate', source))
    })
  }

  /** Saves the patient's immunizations as an HL7 FHIR R4 bundle (.json). */
  function exportFhir(patientId: string): Promise<boolean> {
    return run({ kind: 'fhir', target: patientId }, async () => {
      const source = await sourceOf(patientId)
      const pdf = await loadPdf()
      const bundle = pdf.immunizationBundle(source)
      await audit({ kind: 'fhir', patientId })
      const json = JSON.stringify(bundle, null, 2)
      saveBlob(new Blob([json], { type: 'application/fhir+json' }), pdf.documentFileName('fhir', source))
    })
  }

  /** Saves the injections of a day (optionally of one place) across patients as a CSV file. */
  function exportInjections(day: string, placeKey?: string): Promise<boolean> {
    return run({ kind: 'injections', target: day }, async () => {
      const sources = await loadInjectionsOfDay(
        db,
        day,
        context(),
        placeKey === undefined ? {} : { placeKey },
      )
      if (sources.length === 0) throw new DocumentRefused('nothing-to-export')
      const pdf = await loadPdf()
      const csv = pdf.injectionsCsv(sources.flatMap((source) => pdf.injectionRows(source)))
      await audit({ kind: 'injections', day })
      // Named after the day exported, which may not be the day it is made.
      const fileName = pdf.documentFileName('injections').replace(/\.csv$/, `-${day}.csv`)
      saveBlob(new Blob([csv], { type: 'text/csv;charset=utf-8' }), fileName)
    })
  }

  /** Lists the places where injections were given on a day (for the export's filter), by name. */
  async function placesOfDay(day: string): Promise<DayPlace[]> {
    const places = await loadPlacesOfDay(db, day)
    return places.map((p) => ({ key: p.key, label: `${p.name} (${p.postalCode})`, count: p.count }))
  }

  /** Today on the device, the day the export offers first. */
  function today(): string {
    return todayLocal()
  }

  /** Forgets the last failure (the person dismissed it, or another screen opened). */
  function clearFailure(): void {
    failure.value = null
  }

  return {
    job,
    failure,
    lastDone,
    prepare,
    printStepSummary,
    downloadStepSummary,
    exportStepSummaryCsv,
    downloadCertificate,
    exportFhir,
    exportInjections,
    placesOfDay,
    today,
    clearFailure,
  }
})
