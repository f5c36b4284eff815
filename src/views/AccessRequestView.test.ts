import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { flushPromises, type VueWrapper } from '@vue/test-utils'
import { controlByLabel, mountAt } from '../components/session/mount-app'
import { resetDb } from '../components/session/testing'
import { stubAdminFetch, valid } from '../components/admin/testing'
import { CreateAccessRequestResponseSchema } from '../shared/admin-api'
import AccessRequestView from './AccessRequestView.vue'

async function type(wrapper: VueWrapper, label: string, value: string) {
  const control = controlByLabel(wrapper.element, label)
  control.value = value
  control.dispatchEvent(new Event(control.tagName === 'SELECT' ? 'change' : 'input'))
  await flushPromises()
}

async function fillValid(wrapper: VueWrapper) {
  await type(wrapper, 'Numéro professionnel', '10012345673')
  await type(wrapper, 'Nom et prénom', 'Inès Garnier')
  await type(wrapper, 'Profession', 'infirmier')
  await type(wrapper, 'Adresse e-mail', 'ines.garnier@exemple.fr')
  await type(wrapper, 'Téléphone', '06 12 34 56 78')
  await type(wrapper, 'Numéro de l’organisation', '010000016')
}

describe('AccessRequestView', () => {
  beforeEach(resetDb)
  afterEach(() => {
    vi.unstubAllGlobals()
    document.body.innerHTML = ''
  })

  it('is open without signing in and says next to each field what is wrong', async () => {
    const { wrapper, router } = await mountAt(AccessRequestView, '/demander-un-acces')
    expect(router.currentRoute.value.name).toBe('access-request')
    const { calls } = stubAdminFetch({})
    await type(wrapper, 'Numéro professionnel', '10012345670')
    await type(wrapper, 'Adresse e-mail', 'ines.garnier')
    await type(wrapper, 'Numéro de l’organisation', '010000017')
    await wrapper.get('form').trigger('submit')
    await flushPromises()
    expect(wrapper.text()).toContain('La clé du numéro RPPS est incorrecte')
    expect(wrapper.text()).toContain('Saisissez une adresse e-mail valide')
    expect(wrapper.text()).toContain('La clé du numéro FINESS est incorrecte')
    expect(wrapper.text()).toContain('Ce champ est obligatoire.')
    expect(calls).toEqual([])
    expect(document.activeElement).toBe(controlByLabel(wrapper.element, 'Numéro professionnel'))
  })

  it('sends the request and confirms it', async () => {
    const { wrapper } = await mountAt(AccessRequestView, '/demander-un-acces')
    const { calls } = stubAdminFetch({
      'POST /api/access-requests': {
        status: 202,
        body: valid(CreateAccessRequestResponseSchema, {
          id: 'ar-1',
          status: 'pending',
          createdAt: '2026-03-01T09:00:00Z',
        }).body,
      },
    })
    await fillValid(wrapper)
    await wrapper.get('form').trigger('submit')
    await flushPromises()
    expect(calls[0]?.body).toEqual({
      professionalIdKind: 'rpps',
      professionalId: '10012345673',
      name: 'Inès Garnier',
      profession: 'infirmier',
      email: 'ines.garnier@exemple.fr',
      phone: '06 12 34 56 78',
      organisationFiness: '010000016',
    })
    expect(wrapper.get('h1').text()).toBe('Demande envoyée')
    expect(wrapper.text()).toContain('doit être approuvée par le gestionnaire d’accès')
  })

  it('shows an unknown organisation next to its field, in French', async () => {
    const { wrapper } = await mountAt(AccessRequestView, '/demander-un-acces')
    stubAdminFetch({ 'POST /api/access-requests': { status: 422, body: { error: 'unknown-organisation' } } })
    await fillValid(wrapper)
    await wrapper.get('form').trigger('submit')
    await flushPromises()
    const org = controlByLabel(wrapper.element, 'Numéro de l’organisation')
    expect(org.getAttribute('aria-invalid')).toBe('true')
    expect(wrapper.text()).toContain('Aucune organisation ne correspond à ce numéro FINESS ou INAMI.')
  })
})
