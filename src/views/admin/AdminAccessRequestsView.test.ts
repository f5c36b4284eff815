import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { flushPromises } from '@vue/test-utils'
import { createTestApp, mountAt } from '../../components/session/mount-app'
import { resetDb } from '../../components/session/testing'
import {
  accessRequest,
  accessRequestPage,
  adminGrant,
  signInWithRoles,
  stubAdminFetch,
  user,
  userPage,
  valid,
} from '../../components/admin/testing'
import { AdminAccessRequestSchema, ApproveAccessRequestResponseSchema } from '../../shared/admin-api'
import AdminAccessRequestsView from './AdminAccessRequestsView.vue'

async function mountRequests(routes: Parameters<typeof stubAdminFetch>[0]) {
  const app = createTestApp()
  await signInWithRoles(['access-manager'])
  const stub = stubAdminFetch({
    'GET /api/admin/users': userPage([user({ id: 'u-doctor', name: 'Dr Camille Martin' })]),
    ...routes,
  })
  const mounted = await mountAt(AdminAccessRequestsView, '/administration/demandes-acces', app)
  await flushPromises()
  return { ...mounted, ...stub }
}

describe('AdminAccessRequestsView', () => {
  beforeEach(resetDb)
  afterEach(() => {
    vi.unstubAllGlobals()
    document.body.innerHTML = ''
  })

  it('lists pending requests and filters by status', async () => {
    const { wrapper, calls } = await mountRequests({
      'GET /api/admin/access-requests': (call) =>
        call.query.get('status') === 'refused'
          ? accessRequestPage([
              accessRequest({
                id: 'ar-2',
                status: 'refused',
                decidedAt: '2026-03-02T09:00:00Z',
                decidedBy: { id: 'u-manager', name: 'Sophie Leroy' },
                refusalReason: 'Hors de notre organisation',
              }),
            ])
          : accessRequestPage([accessRequest()]),
    })
    const first = wrapper.get('article')
    expect(first.text()).toContain('Camille Dubois')
    expect(first.text()).toContain('Infirmier·e')
    expect(first.text()).toContain('RPPS 10003364297')
    expect(first.text()).toContain('Je rejoins l’équipe mobile en mars.')
    expect(calls.find((c) => c.path === '/api/admin/access-requests')?.query.get('status')).toBe('pending')

    await wrapper.findAll('select').at(-1)?.setValue('refused')
    await flushPromises()
    expect(wrapper.get('article').text()).toContain('Motif : Hors de notre organisation')
    expect(wrapper.find('[data-action="approve"]').exists()).toBe(false)
  })

  it('approves with a role and shows the one-time set-password link to copy', async () => {
    const created = user({
      id: 'u-new',
      name: 'Camille Dubois',
      login: 'camille.dubois',
      profession: 'infirmier',
      grants: [adminGrant({ userId: 'u-new' })],
    })
    const { wrapper, calls } = await mountRequests({
      'GET /api/admin/access-requests': accessRequestPage([accessRequest()]),
      'POST /api/admin/access-requests/ar-1/approve': valid(ApproveAccessRequestResponseSchema, {
        request: accessRequest({ status: 'approved', userId: 'u-new' }),
        user: created,
        setPasswordUrl: '/mot-de-passe/jeton-2',
        expiresAt: '2026-03-04T09:00:00Z',
      }),
    })
    await wrapper.get('[data-action="approve"]').trigger('click')
    const form = wrapper.get('form.admin-approve')
    expect(form.get('input').element.value).toBe('camille.dubois')
    await form.trigger('submit')
    await flushPromises()
    expect(form.text()).toContain('Choisissez un rôle.')
    expect(calls.some((c) => c.method === 'POST')).toBe(false)

    await form.get('select').setValue('vaccinator')
    await form.trigger('submit')
    await flushPromises()
    const post = calls.find((c) => c.method === 'POST')
    expect(post?.body).toMatchObject({ login: 'camille.dubois', roles: [{ role: 'vaccinator' }] })
    expect(wrapper.text()).toContain('Demande acceptée : compte « camille.dubois » créé.')
    const link = wrapper.get('[data-testid="password-link"]')
    expect(link.get('input').element.value).toBe(`${window.location.origin}/mot-de-passe/jeton-2`)

    const writeText = vi.fn(async () => undefined)
    Object.defineProperty(navigator, 'clipboard', { value: { writeText }, configurable: true })
    await link.get('[data-action="copy-link"]').trigger('click')
    await flushPromises()
    expect(writeText).toHaveBeenCalledWith(`${window.location.origin}/mot-de-passe/jeton-2`)
    expect(link.text()).toContain('Lien copié dans le presse-papiers.')
  })

  it('refuses only with a reason', async () => {
    const { wrapper, calls } = await mountRequests({
      'GET /api/admin/access-requests': accessRequestPage([accessRequest()]),
      'POST /api/admin/access-requests/ar-1/refuse': valid(
        AdminAccessRequestSchema,
        accessRequest({ status: 'refused', refusalReason: 'Numéro RPPS inconnu de l’équipe' }),
      ),
    })
    await wrapper.get('[data-action="refuse"]').trigger('click')
    await wrapper.get('[data-action="refuse-submit"]').trigger('submit')
    await flushPromises()
    expect(wrapper.text()).toContain('Indiquez le motif du refus.')
    expect(calls.some((c) => c.method === 'POST')).toBe(false)

    await wrapper.get('textarea').setValue('Numéro RPPS inconnu de l’équipe')
    await wrapper.get('form.admin-page__form').trigger('submit')
    await flushPromises()
    expect(calls.find((c) => c.method === 'POST')?.body).toEqual({
      reason: 'Numéro RPPS inconnu de l’équipe',
    })
    expect(wrapper.text()).toContain('Demande refusée.')
  })
})
