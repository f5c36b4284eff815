// The patient file screen's UI state (which tab, which step is being modified, which summary was just saved,
// the visit an extra injection belongs to) and its recording actions. The records themselves stay in Dexie:
// views read them through `usePatientFile` (a live query), never through this store's state.
import { ref, toValue, watch, type MaybeRefOrGetter } from 'vue'
import { defineStore } from 'pinia'
import { db } from '../db/carnet-db'
import { getPatientFile, knownLots } from '../db/patients-repo'
import { useLiveQuery } from '../composables/useLiveQuery'
import type { PatientFile } from '../domain/patients/patient-file'
import { CATALOGUE } from '../domain/vaccines/catalogue'
import type { PayloadOf, VaccinationPlace } from '../shared/commands'
import type { WarningCode } from '../shared/errors'
import type { LotRecord, RoleGrantRecord } from '../shared/records'
import type { Catalogue } from '../shared/vaccine'
import { uuidv7 } from '../sync/ids'
import { useSessionStore, type RecordResult } from './session'

/** What the patient screen reads: the file (undefined when unknown), the catalogue and the role grants in force. */
export type PatientFileView = {
  file: PatientFile | undefined
  catalogue: Catalogue
  grants: RoleGrantRecord[]
}

/**
 * Reads a patient file live from IndexedDB (patient, steps in chain order) with what the local rules read besides:
 * the catalogue (the pulled one, else the built-in one) and the organisation's role grants (a delegate's right
 * depends on the represented professional's). Re-runs when a step is recorded here, in another tab, or by pull.
 */
export function usePatientFile(patientId: MaybeRefOrGetter<string>) {
  return useLiveQuery<PatientFileView>(
    async () => {
      const [file, vaccines, grants] = await Promise.all([
        getPatientFile(db, toValue(patientId)),
        db.vaccines.toArray(),
        db.roleGrants.toArray(),
      ])
      return { file, catalogue: vaccines.length > 0 ? vaccines : CATALOGUE, grants }
    },
    { deps: [() => toValue(patientId)] },
  )
}

/** The visit an extra injection belongs to: same time and place as the dose just given. */
export type Visit = { fromStepId: string; injectedAt: string; place: VaccinationPlace }

/** A step payload before its id is made. */
export type NewStepPayload =
  | Omit<Extract<PayloadOf<'step.record'>, { kind: 'eligibility' }>, 'stepId'>
  | Omit<Extract<PayloadOf<'step.record'>, { kind: 'dose' }>, 'stepId'>

/** The outcome of saving a step: its id and the rules' warnings, or the refusal (nothing written). */
export type StepSaveResult =
  { ok: true; stepId: string; warnings: readonly WarningCode[] } | Extract<RecordResult, { ok: false }>

/** The open tab of an extra vaccination (another disease, or another injection of the same visit). */
export const EXTRA_TAB = 'extra'

/** UI state of the patient file screen, and the recording of its steps through the session's signed path. */
export const usePatientFileStore = defineStore('patient-file', () => {
  const patientId = ref<string | null>(null)
  const selectedTab = ref<string | null>(null)
  const editingStepId = ref<string | null>(null)
  const justSaved = ref<{ stepId: string; kind: 'recorded' | 'amended' } | null>(null)
  const visit = ref<Visit | null>(null)
  const isExtraOpen = ref(false)
  /** The place of the last dose saved on this device: the next patient of a mobile site is usually seen there too. */
  const lastPlace = ref<VaccinationPlace | null>(null)

  // Another person's session (after a sign-out, or a locked session left for another account) starts afresh: they
  // never see where the previous one was in a file. An unlock by the same person keeps it all.
  watch(
    () => useSessionStore().user?.id ?? null,
    (next, previous) => {
      if (next === previous) return
      patientId.value = null
      selectedTab.value = null
      editingStepId.value = null
      justSaved.value = null
      visit.value = null
      isExtraOpen.value = false
    },
  )

  /** Resets the screen state when another patient's file is opened. */
  function open(id: string): void {
    if (patientId.value === id) return
    patientId.value = id
    selectedTab.value = null
    editingStepId.value = null
    justSaved.value = null
    visit.value = null
    isExtraOpen.value = false
  }

  function selectTab(key: string): void {
    selectedTab.value = key
  }

  function startEdit(stepId: string): void {
    editingStepId.value = stepId
    justSaved.value = null
  }

  function cancelEdit(): void {
    editingStepId.value = null
  }

  /** Opens the form of another vaccination; with a visit, the one of the same visit (date, time and place kept). */
  function openExtra(sameVisit: Visit | null = null): void {
    visit.value = sameVisit
    isExtraOpen.value = true
    justSaved.value = null
    selectedTab.value = EXTRA_TAB
  }

  function closeExtra(): void {
    isExtraOpen.value = false
    visit.value = null
    if (selectedTab.value === EXTRA_TAB) selectedTab.value = null
  }

  function afterSave(stepId: string, kind: 'recorded' | 'amended', place?: VaccinationPlace): void {
    justSaved.value = { stepId, kind }
    editingStepId.value = null
    isExtraOpen.value = false
    visit.value = null
    selectedTab.value = stepId
    if (place !== undefined) lastPlace.value = place
  }

  /** Records a new step (a new UUID v7 id), then shows its summary; a refusal leaves the form as it was. */
  async function recordStep(payload: NewStepPayload): Promise<StepSaveResult> {
    const session = useSessionStore()
    const stepId = uuidv7()
    const result = await session.record('step.record', { ...payload, stepId })
    if (!result.ok) return result
    afterSave(stepId, 'recorded', payload.kind === 'dose' ? payload.fields.place : undefined)
    return { ok: true, stepId, warnings: result.effects.warnings }
  }

  /** Records an amendment of a step over the version the author saw, then shows its « Rectificatif » summary. */
  async function amendStep(payload: PayloadOf<'step.amend'>): Promise<StepSaveResult> {
    const session = useSessionStore()
    const result = await session.record('step.amend', payload)
    if (!result.ok) return result
    afterSave(payload.stepId, 'amended', payload.kind === 'dose' ? payload.changes.place : undefined)
    return { ok: true, stepId: payload.stepId, warnings: result.effects.warnings }
  }

  /** Makes a lot number known for its vaccine (autocompletion for the next patients), unless it already is. */
  async function rememberLot(vaccineId: string, lotNumber: string, expiry?: string): Promise<void> {
    const upper = lotNumber.toUpperCase()
    const known = await db.lots.get([vaccineId, upper])
    if (known !== undefined && (expiry === undefined || known.expiry === expiry)) return
    const session = useSessionStore()
    await session.record('lot.upsert', {
      vaccineId,
      lotNumber: upper,
      ...(expiry === undefined ? {} : { expiry }),
    })
  }

  /** Lists the lots known for a vaccine that start with what was typed. */
  function searchLots(vaccineId: string, prefix: string): Promise<LotRecord[]> {
    return knownLots(db, vaccineId, prefix)
  }

  return {
    patientId,
    selectedTab,
    editingStepId,
    justSaved,
    visit,
    isExtraOpen,
    lastPlace,
    open,
    selectTab,
    startEdit,
    cancelEdit,
    openExtra,
    closeExtra,
    afterSave,
    recordStep,
    amendStep,
    rememberLot,
    searchLots,
  }
})
