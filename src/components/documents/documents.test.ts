import 'fake-indexeddb/auto'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { mount, type VueWrapper } from '@vue/test-utils'
import type { Pinia } from 'pinia'
import { db } from '../../db/carnet-db'
import { i18n } from '../../i18n'
import { buildDoseStep, buildEligibilityStep, buildPatient, USERS } from '../../domain/testing/builders'
import type { DeviceAuditEvent } from '../../shared/commands'
import type { StepRecord } from '../../shared/records'
import { CATALOGUE } from '../../domain/vaccines/catalogue'
import { useDocumentsStore } from '../../stores/documents'
import { useSessionStore } from '../../stores/session'
import { readFile, seedDb, settle, signIn } from '../step/test-helpers'
import StepSummary from '../step/StepSummary.vue'
import DocumentsDayExport from './DocumentsDayExport.vue'
import DocumentsPatientActions from './DocumentsPatientActions.vue'

// The renderers are another module's concern: here they are spies, so the tests see which source each document
// is made from, and can make one fail or wait.
const pdf = vi.hoisted(() => ({
  stepSummaryPdf: vi.fn(),
  certificatePdf: vi.fn(),
  stepSummaryCsv: vi.fn(),
  immunizationBundle: vi.fn(),
  injectionRows: vi.fn(),
  injectionsCsv: vi.fn(),
  documentFileName: vi.fn(),
  preloadRenderers: vi.fn(),
}))
vi.mock('../../pdf', () => pdf)

const ORGANISATION = { id: 'org-1', name: 'Équipe mobile de la Creuse', finess: '230000016' }

type FakeTab = { document: { title: string; body: { textContent: string } }; location: { href: string } }

let wrapper: VueWrapper | undefined
let tabs: FakeTab[]
let downloads: string[]

function pdfBlob(): Blob {
  return new Blob(['%PDF-1.7'], { type: 'application/pdf' })
}

beforeEach(() => {
  i18n.global.locale.value = 'fr'
  tabs = []
  downloads = []
  pdf.stepSummaryPdf.mockReset().mockResolvedValue(pdfBlob())
  pdf.certificatePdf.mockReset().mockResolvedValue(pdfBlob())
  pdf.stepSummaryCsv.mockReset().mockReturnValue('\uFEFFChamp;Valeur\r\n')
  pdf.immunizationBundle
    .mockReset()
    .mockReturnValue({ resourceType: 'Bundle', type: 'collection', entry: [] })
  pdf.injectionRows
    .mockReset()
    .mockImplementation((source: { steps: StepRecord[] }) =>
      source.steps.filter((s) => s.kind === 'dose').map((s) => ({ stepId: s.id })),
    )
  pdf.injectionsCsv.mockReset().mockReturnValue('\uFEFFcode;vaccin\r\n')
  pdf.documentFileName.mockReset().mockImplementation((kind: string) => `carnet-${kind}`)
  vi.stubGlobal('open', () => {
    const tab: FakeTab = { document: { title: '', body: { textContent: '' } }, location: { href: '' } }
    tabs.push(tab)
    return { ...tab, closed: false, close: vi.fn(), document: tab.document, location: tab.location }
  })
  vi.spyOn(URL, 'createObjectURL').mockImplementation(() => `blob:carnet/${downloads.length + tabs.length}`)
  vi.spyOn(URL, 'revokeObjectURL').mockImplementation(() => undefined)
  vi.spyOn(HTMLAnchorElement.prototype, 'click').mockImplementation(function (this: HTMLAnchorElement) {
    downloads.push(this.download)
  })
})

afterEach(() => {
  wrapper?.unmount()
  wrapper = undefined
  vi.unstubAllGlobals()
  vi.restoreAllMocks()
})

async function signedIn(): Promise<Pinia> {
  const { pinia } = await signIn()
  useSessionStore().organisation = ORGANISATION
  return pinia
}

async function auditEvents(): Promise<DeviceAuditEvent[]> {
  const rows = await db.outbox.orderBy('seq').toArray()
  return rows.flatMap((row) => (row.type === 'audit.append' ? row.payload.events : []))
}

/** Waits until the document asked for is made (or failed), then lets the screen settle. */
async function documentFinished(): Promise<void> {
  await vi.waitFor(() => expect(useDocumentsStore().job).toBeNull())
  await settle()
}

function button(view: VueWrapper, text: string) {
  const found = view.findAll('button').find((b) => b.text() === text)
  if (found === undefined) throw new Error(`no button « ${text} »`)
  return found
}

async function mountSummary(pinia: Pinia, stepId = 's-dose-1'): Promise<VueWrapper> {
  const file = await readFile()
  const step = file.steps.find((s) => s.id === stepId)
  if (step === undefined) throw new Error(`no step ${stepId}`)
  wrapper = mount(StepSummary, {
    props: { file, step, catalogue: CATALOGUE },
    global: { plugins: [pinia, i18n] },
    attachTo: document.body,
  })
  await settle()
  return wrapper
}

describe('the documents of a step summary', () => {
  it('offers to print the summary, to download it as a PDF and to export it as CSV', async () => {
    await seedDb({ steps: [buildEligibilityStep(), buildDoseStep()] })
    const view = await mountSummary(await signedIn())

    expect(button(view, 'Imprimer la synthèse').exists()).toBe(true)
    expect(button(view, 'Télécharger (PDF)').exists()).toBe(true)
    expect(button(view, 'Exporter la synthèse (.csv)').exists()).toBe(true)
  })

  it('loads the renderers while the summary is read, so that the first print does not wait for them', async () => {
    await seedDb({ steps: [buildEligibilityStep(), buildDoseStep()] })
    pdf.preloadRenderers.mockReset().mockResolvedValue(undefined)
    await mountSummary(await signedIn())
    expect(pdf.preloadRenderers).toHaveBeenCalledOnce()
    expect(pdf.stepSummaryPdf).not.toHaveBeenCalled()
  })

  it('prints the dose summary in a new tab, made from the patient’s file, and audits one print', async () => {
    await seedDb({ steps: [buildEligibilityStep(), buildDoseStep()] })
    const view = await mountSummary(await signedIn())

    await button(view, 'Imprimer la synthèse').trigger('click')
    await documentFinished()

    expect(pdf.stepSummaryPdf).toHaveBeenCalledTimes(1)
    const [source, stepId] = pdf.stepSummaryPdf.mock.calls[0] ?? []
    expect(stepId).toBe('s-dose-1')
    expect(source.patient.codeDeCiblage).toBe('0123456789P')
    expect(source.steps.map((s: StepRecord) => s.id)).toEqual(['s-elig', 's-dose-1'])
    expect(source.organisation).toEqual({ name: ORGANISATION.name, finess: ORGANISATION.finess })
    expect(source.generatedBy).toEqual({ name: 'Dr Martin' })
    expect(source.users.get(USERS.medecin)?.name).toBe('Dr Martin')
    expect(tabs).toHaveLength(1)
    expect(tabs[0]?.location.href).toMatch(/^blob:/)
    expect(downloads).toEqual([])
    expect(await auditEvents()).toEqual([
      expect.objectContaining({ action: 'print', entity: 'step', entityId: 's-dose-1', format: 'pdf' }),
    ])
  })

  it('downloads the PDF and exports the CSV, one audit event each', async () => {
    await seedDb({ steps: [buildEligibilityStep(), buildDoseStep()] })
    const view = await mountSummary(await signedIn(), 's-elig')

    await button(view, 'Télécharger (PDF)').trigger('click')
    await documentFinished()
    await button(view, 'Exporter la synthèse (.csv)').trigger('click')
    await documentFinished()

    expect(pdf.stepSummaryCsv).toHaveBeenCalledWith(expect.anything(), 's-elig')
    expect(downloads).toEqual(['carnet-summary', 'carnet-csv'])
    expect(await auditEvents()).toEqual([
      expect.objectContaining({ action: 'export', entity: 'step', entityId: 's-elig', format: 'pdf' }),
      expect.objectContaining({ action: 'export', entity: 'step', entityId: 's-elig', format: 'csv' }),
    ])
  })

  it('says the document is being prepared and keeps the buttons disabled meanwhile', async () => {
    await seedDb({ steps: [buildEligibilityStep(), buildDoseStep()] })
    let finish: (blob: Blob) => void = () => undefined
    pdf.stepSummaryPdf.mockReturnValue(new Promise<Blob>((resolve) => (finish = resolve)))
    const view = await mountSummary(await signedIn())

    await button(view, 'Télécharger (PDF)').trigger('click')
    await vi.waitFor(() => expect(pdf.stepSummaryPdf).toHaveBeenCalled())
    await settle()

    expect(view.get('[data-test="document-status"]').text()).toBe('Préparation du document…')
    expect(button(view, 'Imprimer la synthèse').attributes('disabled')).toBeDefined()
    expect(button(view, 'Télécharger (PDF)').attributes('disabled')).toBeDefined()

    finish(pdfBlob())
    await documentFinished()
    expect(view.get('[data-test="document-status"]').text()).toBe('Document prêt.')
    expect(button(view, 'Télécharger (PDF)').attributes('disabled')).toBeUndefined()
    expect(downloads).toEqual(['carnet-summary'])
  })

  it('says in French when the document could not be made, closes the tab and audits nothing', async () => {
    await seedDb({ steps: [buildEligibilityStep(), buildDoseStep()] })
    pdf.stepSummaryPdf.mockRejectedValue(new Error('font missing'))
    vi.spyOn(console, 'error').mockImplementation(() => undefined)
    const view = await mountSummary(await signedIn())

    await button(view, 'Imprimer la synthèse').trigger('click')
    await documentFinished()

    expect(view.get('[role="alert"]').text()).toContain('Le document n’a pas pu être préparé.')
    expect(await auditEvents()).toEqual([])
    expect(downloads).toEqual([])
    expect(button(view, 'Imprimer la synthèse').attributes('disabled')).toBeUndefined()
  })
})

describe('the documents of a patient file', () => {
  async function mountActions(pinia: Pinia): Promise<VueWrapper> {
    wrapper = mount(DocumentsPatientActions, {
      props: { patientId: 'p-1' },
      global: { plugins: [pinia, i18n] },
      attachTo: document.body,
    })
    await settle()
    return wrapper
  }

  it('calls the certificate provisional while a dose recorded here waits for the server', async () => {
    await seedDb({ steps: [buildEligibilityStep(), buildDoseStep()] })
    const pinia = await signedIn()
    const view = await mountActions(pinia)
    expect(view.get('[data-test="certificate-status"]').text()).toBe(
      'Toutes les doses ont été transmises au serveur.',
    )

    const session = useSessionStore()
    const recorded = await session.record('step.record', {
      kind: 'dose',
      stepId: 's-new-dose',
      patientId: 'p-1',
      doseNumber: 2,
      fields: {
        vaccineId: 'comirnaty',
        lotNumber: 'FK1234',
        injectionSite: 'deltoid-right',
        route: 'intramuscular',
        injectedAt: '2026-03-01T10:00:00+01:00',
        vaccinatorUserId: USERS.medecin,
        place: { type: 'centre-de-vaccination', postalCode: '45000', name: 'Salle des fêtes' },
      },
    })
    expect(recorded.ok).toBe(true)
    await settle()

    expect(view.get('[data-test="certificate-status"]').text()).toContain('Bilan provisoire')

    await button(view, 'Bilan de vaccination (PDF)').trigger('click')
    await documentFinished()
    const [source] = pdf.certificatePdf.mock.calls[0] ?? []
    expect(source.steps.map((s: StepRecord) => s.id)).toEqual(['s-elig', 's-dose-1', 's-new-dose'])
    expect([...source.acknowledged].sort()).toEqual(['s-dose-1', 's-elig'])
    expect(downloads).toEqual(['carnet-certificate'])
    expect(await auditEvents()).toEqual([
      expect.objectContaining({ action: 'export', entity: 'certificate', entityId: 'p-1', format: 'pdf' }),
    ])
  })

  it('exports the immunizations as a FHIR bundle, audited as an export of the patient', async () => {
    await seedDb({ steps: [buildEligibilityStep(), buildDoseStep()] })
    const view = await mountActions(await signedIn())

    await button(view, 'Exporter (FHIR)').trigger('click')
    await documentFinished()

    expect(pdf.immunizationBundle).toHaveBeenCalledTimes(1)
    expect(downloads).toEqual(['carnet-fhir'])
    expect(await auditEvents()).toEqual([
      expect.objectContaining({ action: 'export', entity: 'patient', entityId: 'p-1', format: 'fhir' }),
    ])
  })
})

describe('the export of a day’s injections', () => {
  const DAY = '2026-02-01'

  async function mountExport(pinia: Pinia): Promise<VueWrapper> {
    wrapper = mount(DocumentsDayExport, { global: { plugins: [pinia, i18n] }, attachTo: document.body })
    await settle()
    await wrapper.get('input[type="date"]').setValue(DAY)
    await settle()
    return wrapper
  }

  it('filters by place when there are several, and audits one export of the activity', async () => {
    await seedDb({
      patients: [
        buildPatient(),
        buildPatient({ id: 'p-2', codeDeCiblage: 'ABCDEFGH12', birthName: 'Lefèvre' }),
      ],
      steps: [
        buildEligibilityStep(),
        buildDoseStep({ fields: { injectedAt: `${DAY}T11:00:00+01:00` } }),
        buildEligibilityStep({ id: 's-elig-2', patientId: 'p-2' }),
        buildDoseStep({
          id: 's-p2-dose-1',
          patientId: 'p-2',
          fields: {
            injectedAt: `${DAY}T09:00:00+01:00`,
            place: { type: 'centre-de-vaccination', postalCode: '45000', name: 'Salle des fêtes' },
          },
        }),
      ],
    })
    const view = await mountExport(await signedIn())
    await vi.waitFor(() => expect(view.find('select').exists()).toBe(true))

    const place = view.get<HTMLSelectElement>('select')
    const options = place.findAll('option').map((o) => o.text())
    expect(options).toEqual([
      'Tous les lieux',
      'EHPAD Les Tilleuls (75012) — 1 injection',
      'Salle des fêtes (45000) — 1 injection',
    ])
    await place.setValue(place.findAll('option')[2]?.attributes('value'))
    await button(view, 'Exporter les injections du jour (.csv)').trigger('click')
    await vi.waitFor(() => expect(downloads).toHaveLength(1))

    const rows = pdf.injectionsCsv.mock.calls[0]?.[0]
    expect(rows).toEqual([{ stepId: 's-p2-dose-1' }])
    expect(await auditEvents()).toEqual([
      expect.objectContaining({ action: 'export', entity: 'activity', entityId: DAY, format: 'csv' }),
    ])
  })

  it('says so when nothing was injected that day, and exports nothing', async () => {
    await seedDb({ steps: [buildEligibilityStep()] })
    const view = await mountExport(await signedIn())

    await vi.waitFor(() =>
      expect(view.text()).toContain('Aucune injection enregistrée ce jour-là sur cet appareil.'),
    )
    expect(view.find('select').exists()).toBe(false)
    await button(view, 'Exporter les injections du jour (.csv)').trigger('click')
    await documentFinished()

    expect(view.get('[role="alert"]').text()).toContain(
      'Aucune injection à exporter pour ce jour et ce lieu.',
    )
    expect(downloads).toEqual([])
    expect(await auditEvents()).toEqual([])
  })
})
