// Shared set-up of the patient-file component tests: a fresh database with the builders' organisation, a signed-in
// session whose `record` goes through the real recording path (recordChange: the domain rules, the outbox), and
// finders that reach controls the way people do, by their visible label.
import { vi } from 'vitest'
import { flushPromises, type VueWrapper, type DOMWrapper } from '@vue/test-utils'
import { createPinia, setActivePinia, type Pinia } from 'pinia'
import { nextTick } from 'vue'
import { db } from '../../db/carnet-db'
import { getPatientFile, putPatients, putSteps } from '../../db/patients-repo'
import type { PatientFile } from '../../domain/patients/patient-file'
import { buildGrants, buildPatient, buildUsers, USERS } from '../../domain/testing/builders'
import type { PatientRecord, StepRecord, UserRecord } from '../../shared/records'
import { useSessionStore } from '../../stores/session'
import { bytesToBase64 } from '../../db/base64'
import { nowLocalIso } from '../../sync/clock'
import { importSigningKey } from '../../db/vault/device-key'
import { recordChange } from '../../sync/outbox'

/** The device of the component tests. */
export const TEST_DEVICE = '0194a000-0000-7000-8000-0000000000c1'

/** Empties the app database and fills it with the builders' organisation, a patient and the given steps. */
export async function seedDb(
  options: { patients?: PatientRecord[]; steps?: StepRecord[]; users?: UserRecord[] } = {},
): Promise<void> {
  await db.delete({ disableAutoOpen: false })
  await db.open()
  await db.users.bulkPut(options.users ?? buildUsers())
  await db.roleGrants.bulkPut(buildGrants())
  await db.meta.put({ key: 'deviceId', value: TEST_DEVICE })
  await putPatients(db, options.patients ?? [buildPatient()])
  await putSteps(db, options.steps ?? [])
}

/** Reads a file back from the database. */
export async function readFile(patientId = 'p-1'): Promise<PatientFile> {
  const file = await getPatientFile(db, patientId)
  if (file === undefined) throw new Error(`no file ${patientId}`)
  return file
}

/**
 * Signs a user in (state set directly) with a fresh Pinia; `record` is spied and runs the real recording path
 * with a test key. A delegate's professional is chosen through the store's own action.
 */
export async function signIn(
  userId: string = USERS.medecin,
  options: { actingFor?: string } = {},
): Promise<{ pinia: Pinia; session: ReturnType<typeof useSessionStore> }> {
  const pinia = createPinia()
  setActivePinia(pinia)
  const session = useSessionStore()
  const users = await db.users.toArray()
  session.user = users.find((u) => u.id === userId) ?? null
  session.grants = buildGrants().filter((g) => g.userId === userId)
  session.deviceId = TEST_DEVICE
  await vi.waitFor(() => {
    if (session.members.length < users.length) throw new Error('members not loaded')
  })
  if (options.actingFor !== undefined) await session.chooseActingFor(options.actingFor)
  const signingKey = await importSigningKey(bytesToBase64(crypto.getRandomValues(new Uint8Array(32))))
  vi.spyOn(session, 'record').mockImplementation(async (type, payload) => {
    const actor = session.actor
    if (actor === null) return { ok: false, error: 'not-signed-in' }
    return recordChange(db, { type, payload, actor, at: nowLocalIso(), deviceId: TEST_DEVICE, signingKey })
  })
  return { pinia, session }
}

/** A few real communes, served instead of /data/communes-fr.tsv (the test DOM has no server). */
export const COMMUNES_TSV = '75012\tParis 12e Arrondissement\t75112\n69001\tLyon 1er Arrondissement\t69381\n'

/** Serves the commune list to `fetch`, as the service worker's precache would. */
export function stubCommunes(): void {
  vi.stubGlobal(
    'fetch',
    vi.fn(async () => new Response(COMMUNES_TSV, { status: 200 })),
  )
}

/** Lets live queries, Dexie and Vue settle. */
export async function settle(): Promise<void> {
  for (let i = 0; i < 6; i += 1) {
    await new Promise((resolve) => setTimeout(resolve, 5))
    await flushPromises()
    await nextTick()
  }
}

function labelText(text: string): string {
  return text
    .replace(/\s*\*\s*/g, ' ')
    .replace(/\((obligatoire|required)\)/g, '')
    .replace(/\s+/g, ' ')
    .trim()
}

type AnyWrapper = VueWrapper | DOMWrapper<Element>

/** Finds the control a visible <label> names (exact text, or text that starts with `text`). */
export function control(wrapper: AnyWrapper, text: string): DOMWrapper<HTMLInputElement> {
  const labels = wrapper.findAll('label').filter((l) => {
    const value = labelText(l.text())
    return value === text || value.startsWith(text)
  })
  for (const label of labels) {
    const id = label.attributes('for')
    if (id === undefined) continue
    const found = wrapper.find<HTMLInputElement>(`[id="${id}"]`)
    if (found.exists()) return found
  }
  throw new Error(`no control labelled « ${text} »`)
}

/** Tells whether a control labelled `text` is on screen. */
export function hasControl(wrapper: AnyWrapper, text: string): boolean {
  try {
    control(wrapper, text)
    return true
  } catch {
    return false
  }
}

/** Ticks the radio button `option` of the group whose legend starts with `legend`. */
export async function choose(wrapper: AnyWrapper, legend: string, option: string): Promise<void> {
  const group = wrapper.findAll('fieldset').find((f) => labelText(f.find('legend').text()).startsWith(legend))
  if (group === undefined) throw new Error(`no group « ${legend} »`)
  const label = group.findAll('label').find((l) => labelText(l.text()).startsWith(option))
  if (label === undefined) throw new Error(`no option « ${option} » in « ${legend} »`)
  await label.get('input').setValue(true)
}

/** The error message shown for the control labelled `text`, if any. */
export function errorOf(wrapper: AnyWrapper, text: string): string | undefined {
  const id = control(wrapper, text).attributes('id')
  const error = wrapper.find(`[id="${id}-error"]`)
  return error.exists() ? error.text() : undefined
}

/** The active tab panel of the patient screen. */
export function activePanel(wrapper: AnyWrapper): DOMWrapper<Element> {
  const panel = wrapper.find('[role="tabpanel"][data-state="active"]')
  if (!panel.exists()) throw new Error('no active tab panel')
  return panel
}

/** The tab triggers' texts, in order. */
export function tabLabels(wrapper: AnyWrapper): string[] {
  return wrapper.findAll('[role="tab"]').map((tab) => tab.text())
}

/** Selects the tab whose label starts with `text`, as a click does. */
export async function openTab(wrapper: AnyWrapper, text: string): Promise<void> {
  const tab = wrapper.findAll('[role="tab"]').find((t) => t.text().startsWith(text))
  if (tab === undefined) throw new Error(`no tab « ${text} »`)
  await tab.trigger('mousedown', { button: 0 })
  await settle()
}
