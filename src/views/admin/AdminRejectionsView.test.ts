import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { flushPromises } from '@vue/test-utils'
import { createTestApp, mountAt } from '../../components/session/mount-app'
import { resetDb } from '../../components/session/testing'
import {
  rejection,
  rejectionPage,
  signInWithRoles,
  stubAdminFetch,
  valid,
} from '../../components/admin/testing'
import { AdminRejectionSchema } from '../../shared/admin-api'
import AdminRejectionsView from './AdminRejectionsView.vue'

async function mountRejections(routes: Parameters<typeof stubAdminFetch>[0]) {
  const app = createTestApp()
  await signInWithRoles(['sync-admin'])
  const stub = stubAdminFetch(routes)
  const mounted = await mountAt(AdminRejectionsView, '/administration/rejets', app)
  await flushPromises()
  return { ...mounted, ...stub }
}

describe('AdminRejectionsView', () => {
  beforeEach(resetDb)
  afterEach(() => {
    vi.unstubAllGlobals()
    document.body.innerHTML = ''
  })

  it('gives each rejection its reason in plain French, the patient, the step, the author and the device', async () => {
    const { wrapper, calls } = await mountRejections({
      'GET /api/admin/rejections': rejectionPage([
        rejection(),
        rejection({
          id: 'r-2',
          error: 'step-locked-by-author',
          detail: { author: { userId: 'u-doctor', name: 'Dr Camille Martin' } },
          mutationType: 'step.amend',
          step: { id: 's-2', kind: 'eligibility', doseNumber: null },
          onBehalfOf: null,
          actor: { id: 'u-nurse', name: 'Julien Bernard' },
        }),
      ]),
    })
    expect(calls[0]?.query.get('status')).toBe('open')
    const [first, second] = wrapper.findAll('article')
    expect(first?.get('h2').text()).toBe('Enregistrement d’une étape — 1ère vaccination')
    expect(first?.text()).toContain(
      "Aucun rôle valide à la date de la saisie : le rôle n'avait pas commencé ou avait expiré.",
    )
    expect(first?.text()).toContain('DUPRÉ Éloïse')
    expect(first?.text()).toContain('code de ciblage ABCD-1234')
    expect(first?.text()).toContain('Dr Camille Martin (Saisi par Léa Petit)')
    expect(first?.text()).toContain('Tablette bus 1')
    expect(second?.get('h2').text()).toBe('Rectification d’une étape — Éligibilité vaccination')
    expect(second?.text()).toContain(
      'Cette étape a été validée par Dr Camille Martin : seul·e cette personne peut la modifier.',
    )
  })

  it('filters by text and status', async () => {
    const { wrapper, calls } = await mountRejections({
      'GET /api/admin/rejections': rejectionPage([]),
    })
    expect(wrapper.text()).toContain('Aucun résultat.')
    const search = wrapper.get('input[type="search"]')
    await search.setValue('Garcia')
    await wrapper.get('select').setValue('resolved')
    await flushPromises()
    await wrapper.get('form[role="search"]').trigger('submit')
    await flushPromises()
    expect(calls.at(-1)?.query.get('q')).toBe('Garcia')
    expect(calls.at(-1)?.query.get('status')).toBe('resolved')
  })

  it('marks a rejection as handled with the chosen outcome and note, asking for the outcome first', async () => {
    let isResolved = false
    const resolved = rejection({
      resolution: {
        kind: 'correction-requested',
        note: 'Rôle à renouveler',
        by: { id: 'u-manager', name: 'Sophie Leroy' },
        at: '2026-03-05T09:00:00Z',
      },
    })
    const { wrapper, calls } = await mountRejections({
      'GET /api/admin/rejections': () => rejectionPage([isResolved ? resolved : rejection()]),
      'POST /api/admin/rejections/r-1/resolve': () => {
        isResolved = true
        return valid(AdminRejectionSchema, resolved)
      },
    })
    await wrapper.get('[data-action="resolve"]').trigger('click')
    await wrapper.get('[data-action="save-resolution"]').trigger('submit')
    await flushPromises()
    expect(wrapper.text()).toContain('Choisissez la suite donnée.')
    expect(calls.some((c) => c.method === 'POST')).toBe(false)

    await wrapper.get('input[type="radio"][value="correction-requested"]').setValue(true)
    await wrapper.get('textarea').setValue('Rôle à renouveler')
    await wrapper.get('form.admin-resolve').trigger('submit')
    await flushPromises()
    const post = calls.find((c) => c.method === 'POST')
    expect(post?.body).toEqual({ resolution: 'correction-requested', note: 'Rôle à renouveler' })
    expect(wrapper.text()).toContain('Rejet marqué comme traité.')
    expect(wrapper.text()).toContain('Traité par Sophie Leroy le 05/03/2026 à')
    expect(wrapper.find('[data-action="resolve"]').exists()).toBe(false)
  })
})
