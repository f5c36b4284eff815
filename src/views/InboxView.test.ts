import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { db } from '../db/carnet-db'
import { putPatients } from '../db/patients-repo'
import { buildDoseFields, buildMutation, buildPatient, buildUser, USERS } from '../domain/testing/builders'
import { i18n } from '../i18n'
import { sync } from '../i18n/locales/fr/sync'
import type { RejectionRecord } from '../shared/records'
import { createTestApp, mountAt } from '../components/session/mount-app'
import { resetDb } from '../components/session/testing'
import { useSessionStore } from '../stores/session'
import { useSyncStore } from '../stores/sync'
import InboxView from './InboxView.vue'

i18n.global.mergeLocaleMessage('fr', { sync })

const ME = buildUser()
const NURSE = buildUser({ id: USERS.infirmier, name: 'Julien Bernard', profession: 'infirmier' })

const alreadyRecorded: RejectionRecord = {
  id: 'm-dose-1',
  mutation: buildMutation(
    'step.record',
    {
      kind: 'dose',
      stepId: 's-mine',
      patientId: 'p-eloise',
      doseNumber: 1,
      isBooster: false,
      fields: buildDoseFields(),
    },
    { id: 'm-dose-1' },
  ),
  error: 'step-already-recorded',
  detail: {
    stepId: 's-theirs',
    author: { userId: USERS.infirmier, name: 'Julien Bernard' },
    at: '2026-03-04T09:30:00+01:00',
  },
  rejectedAt: '2026-03-04T11:00:00Z',
}

const roleExpired: RejectionRecord = {
  id: 'm-update-1',
  mutation: buildMutation(
    'patient.update',
    { patientId: 'p-eloise', changes: { phone: '0601020304' } },
    {
      id: 'm-update-1',
    },
  ),
  error: 'role-not-valid',
  rejectedAt: '2026-03-04T10:00:00Z',
}

const someoneElses: RejectionRecord = {
  ...roleExpired,
  id: 'm-other',
  mutation: { ...roleExpired.mutation, id: 'm-other', actor: { userId: USERS.infirmier } },
}

async function mountInbox() {
  const app = createTestApp()
  const session = useSessionStore()
  session.user = ME
  const mounted = await mountAt(InboxView, '/', app)
  await vi.waitFor(() => expect(mounted.wrapper.findAll('article')).toHaveLength(2))
  return { ...mounted, store: useSyncStore() }
}

describe('InboxView « À traiter »', () => {
  beforeEach(async () => {
    await resetDb()
    await putPatients(db, [buildPatient({ id: 'p-eloise', birthName: 'Dupré', firstNames: 'Éloïse' })])
    await db.users.bulkPut([ME, NURSE])
    await db.rejections.bulkPut([alreadyRecorded, roleExpired, someoneElses])
  })
  afterEach(() => {
    document.body.innerHTML = ''
    vi.restoreAllMocks()
  })

  it("lists the person's rejections with the reason in French, who recorded the step and when, and the patient", async () => {
    const { wrapper } = await mountInbox()
    const [first, second] = wrapper.findAll('article')
    expect(first?.text()).toContain('1ère vaccination')
    expect(first?.text()).toContain('Cette étape a déjà été enregistrée par Julien Bernard.')
    expect(first?.text()).toContain('Enregistrée par Julien Bernard le 04/03/2026 à 09:30')
    const link = first?.get('a')
    expect(link?.text()).toBe('DUPRÉ Éloïse')
    expect(link?.attributes('href')).toBe('/patients/p-eloise')
    expect(second?.text()).toContain('Aucun rôle valide à la date de la saisie')
    expect(wrapper.text()).not.toContain('m-other')
  })

  it('offers « Saisir à nouveau » only where re-entering can succeed', async () => {
    const { wrapper } = await mountInbox()
    const [first, second] = wrapper.findAll('article')
    expect(first?.find('[data-action="re-enter"]').exists()).toBe(true)
    expect(first?.find('[data-action="request-correction"]').exists()).toBe(true)
    expect(second?.find('[data-action="re-enter"]').exists()).toBe(false)
    expect(second?.find('[data-action="request-correction"]').exists()).toBe(false)
    expect(second?.find('[data-action="discard"]').exists()).toBe(true)
  })

  it('records « Ignorer » as a resolution; only that item leaves the inbox', async () => {
    const { wrapper } = await mountInbox()
    await wrapper.findAll('article')[1]?.get('[data-action="discard"]').trigger('click')
    await vi.waitFor(() => expect(wrapper.findAll('article')).toHaveLength(1))
    const stored = (await db.rejections.get('m-update-1')) as RejectionRecord & {
      pendingResolution?: { kind: string; by: string }
    }
    expect(stored.pendingResolution).toMatchObject({ kind: 'discarded', by: ME.id })
    expect(wrapper.text()).toContain('Votre décision est enregistrée')
    expect(wrapper.text()).toContain('Cette étape a déjà été enregistrée par Julien Bernard.')
  })

  it('sends who resolved: the access token of an online sign-in goes with the queued resolution', async () => {
    const { wrapper } = await mountInbox()
    useSessionStore().accessToken = 'access-token-of-me'
    await wrapper.findAll('article')[1]?.get('[data-action="discard"]').trigger('click')
    await vi.waitFor(() => expect(wrapper.findAll('article')).toHaveLength(1))
    const stored = (await db.rejections.get('m-update-1')) as RejectionRecord & {
      pendingResolution?: { by: string; accessToken?: string }
    }
    expect(stored.pendingResolution).toMatchObject({ by: ME.id, accessToken: 'access-token-of-me' })
  })

  it('queues a resolution without a token after an offline sign-in', async () => {
    const { wrapper } = await mountInbox()
    await wrapper.findAll('article')[1]?.get('[data-action="discard"]').trigger('click')
    await vi.waitFor(() => expect(wrapper.findAll('article')).toHaveLength(1))
    const stored = (await db.rejections.get('m-update-1')) as RejectionRecord & {
      pendingResolution?: Record<string, unknown>
    }
    expect(stored.pendingResolution).not.toHaveProperty('accessToken')
  })

  it('records a correction request with its note, and nothing leaves before the note is sent', async () => {
    const { wrapper } = await mountInbox()
    const first = () => wrapper.findAll('article')[0]
    await first()?.get('[data-action="request-correction"]').trigger('click')
    expect(wrapper.findAll('article')).toHaveLength(2)
    await first()?.get('textarea').setValue('Le lot saisi semble erroné.')
    await first()?.get('form').trigger('submit')
    await vi.waitFor(() => expect(wrapper.findAll('article')).toHaveLength(1))
    const stored = (await db.rejections.get('m-dose-1')) as RejectionRecord & {
      pendingResolution?: { kind: string; note?: string }
    }
    expect(stored.pendingResolution).toMatchObject({
      kind: 'correction-requested',
      note: 'Le lot saisi semble erroné.',
    })
  })

  it('records « Saisir à nouveau » then opens the patient file', async () => {
    const { wrapper, router } = await mountInbox()
    await wrapper.findAll('article')[0]?.get('[data-action="re-enter"]').trigger('click')
    // The router's sign-in guard keeps where the person was sent (this test does not sign in).
    await vi.waitFor(() =>
      expect(decodeURIComponent(router.currentRoute.value.fullPath)).toContain('/patients/p-eloise'),
    )
    const stored = (await db.rejections.get('m-dose-1')) as RejectionRecord & {
      pendingResolution?: { kind: string }
    }
    expect(stored.pendingResolution?.kind).toBe('re-entered')
  })

  it('shows the sync panel: progress bar during a long sync, pending count, and the export always available', async () => {
    const { wrapper, store } = await mountInbox()
    store.state = {
      status: 'syncing',
      pending: 3,
      lastSyncAt: null,
      progress: { phase: 'pull', received: 5000, total: 10_000 },
      lastError: null,
      nextRetryAt: null,
    }
    await vi.waitFor(() => expect(wrapper.find('[role="progressbar"]').exists()).toBe(true))
    expect(wrapper.get('[role="progressbar"]').attributes('aria-valuenow')).toBe('5000')
    expect(wrapper.text()).toContain('3 modifications en attente')
    expect(wrapper.text()).toContain('Dernière synchronisation : jamais')
    const buttons = wrapper
      .findAll('button')
      .map((b) => ({ text: b.text(), disabled: b.attributes('disabled') }))
    expect(buttons).toContainEqual({ text: 'Synchroniser maintenant', disabled: '' })
    expect(buttons).toContainEqual({
      text: 'Exporter les modifications non synchronisées',
      disabled: undefined,
    })

    store.state = { ...store.state, status: 'revoked', progress: null }
    await vi.waitFor(() => expect(wrapper.find('[role="alert"]').exists()).toBe(true))
    expect(wrapper.get('[role="alert"]').text()).toContain('révoqué')
    expect(wrapper.find('[role="progressbar"]').exists()).toBe(false)
  })

  it('exports the unsynced outbox as carnet-outbox-<device>-<date>.json', async () => {
    const { wrapper } = await mountInbox()
    const click = vi.spyOn(HTMLAnchorElement.prototype, 'click').mockImplementation(() => undefined)
    const created = vi.spyOn(URL, 'createObjectURL').mockReturnValue('blob:carnet')
    await wrapper
      .findAll('button')
      .find((b) => b.text() === 'Exporter les modifications non synchronisées')
      ?.trigger('click')
    await vi.waitFor(() => expect(click).toHaveBeenCalled())
    const anchor = click.mock.contexts[0] as HTMLAnchorElement
    expect(anchor.download).toMatch(/^carnet-outbox-[0-9a-f-]+-\d{4}-\d{2}-\d{2}\.json$/)
    expect(created).toHaveBeenCalledWith(expect.any(Blob))
    await vi.waitFor(() => expect(wrapper.text()).toContain('Fichier enregistré'))
  })

  it('sets aside a change refused for its signature: no « saisir à nouveau », an export for the administrator', async () => {
    const mutation = buildMutation(
      'patient.update',
      { patientId: 'p-eloise', changes: { phone: '0611111111' } },
      { id: 'm-forged', seq: 7 },
    )
    await db.rejections.put({
      id: 'm-forged',
      mutation,
      error: 'signature-mismatch',
      rejectedAt: '2026-03-04T12:00:00Z',
    })
    await db.outbox.put({ ...mutation, status: 'rejected' })
    const app = createTestApp()
    useSessionStore().user = ME
    const { wrapper } = await mountAt(InboxView, '/', app)
    await vi.waitFor(() => expect(wrapper.findAll('article')).toHaveLength(3))
    const item = wrapper.findAll('article').find((a) => a.text().includes('ne correspond pas à la clé'))
    expect(item?.text()).toContain('elle a été mise de côté sans être appliquée')
    expect(item?.find('[data-action="re-enter"]').exists()).toBe(false)

    const click = vi.spyOn(HTMLAnchorElement.prototype, 'click').mockImplementation(() => undefined)
    const created = vi.spyOn(URL, 'createObjectURL').mockReturnValue('blob:carnet')
    await item?.get('[data-action="export"]').trigger('click')
    await vi.waitFor(() => expect(click).toHaveBeenCalled())
    expect((click.mock.contexts[0] as HTMLAnchorElement).download).toMatch(/^carnet-a-traiter-.+-7\.json$/)
    const file = JSON.parse(await (created.mock.calls[0]?.[0] as Blob).text()) as {
      mutations: { id: string }[]
    }
    expect(file.mutations.map((m) => m.id)).toEqual(['m-forged'])
    await vi.waitFor(() =>
      expect(wrapper.text()).toContain('Chiffré, il ne peut être ouvert que par le serveur'),
    )
    // Exporting is not acting on it: it stays until discarded.
    expect(wrapper.findAll('article')).toHaveLength(3)
  })
})
