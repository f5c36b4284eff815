import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { flushPromises, type VueWrapper } from '@vue/test-utils'
import { controlByLabel, mountAt } from '../components/session/mount-app'
import { resetDb } from '../components/session/testing'
import { stubAdminFetch, valid } from '../components/admin/testing'
import { PasswordLinkInfoSchema } from '../shared/admin-api'
import { RouterView } from 'vue-router'

const LINK = valid(PasswordLinkInfoSchema, {
  name: 'Inès Garnier',
  login: 'ines.garnier',
  expiresAt: '2026-03-04T09:00:00Z',
})

async function type(wrapper: VueWrapper, label: string, value: string) {
  const control = controlByLabel(wrapper.element, label)
  control.value = value
  control.dispatchEvent(new Event('input'))
  await flushPromises()
}

// Through the router, as in the app: the link's token reaches the page as a route parameter.
describe('SetPasswordView', () => {
  beforeEach(resetDb)
  afterEach(() => {
    vi.unstubAllGlobals()
    document.body.innerHTML = ''
  })

  it('asks for the password twice, checks the rule, sets it once and leads to sign-in', async () => {
    const { calls } = stubAdminFetch({
      'GET /api/auth/password-links/jeton-1': LINK,
      'POST /api/auth/password-links/jeton-1': { body: { login: 'ines.garnier' } },
    })
    const { wrapper } = await mountAt(RouterView, '/mot-de-passe/jeton-1')
    await flushPromises()
    expect(wrapper.text()).toContain(
      'Bonjour Inès Garnier. Choisissez le mot de passe du compte « ines.garnier ».',
    )

    await type(wrapper, 'Nouveau mot de passe', 'court')
    await type(wrapper, 'Confirmer le mot de passe', 'autre')
    await wrapper.get('form').trigger('submit')
    await flushPromises()
    expect(wrapper.text()).toContain('Le mot de passe doit compter au moins 12 caractères.')
    expect(wrapper.text()).toContain('Les deux mots de passe ne sont pas identiques.')

    await type(wrapper, 'Nouveau mot de passe', 'toutenminuscules')
    await wrapper.get('form').trigger('submit')
    await flushPromises()
    expect(wrapper.text()).toContain('Mélangez au moins trois types')
    expect(calls.some((c) => c.method === 'POST')).toBe(false)

    await type(wrapper, 'Nouveau mot de passe', 'Bus-Vaccin-2026!')
    await type(wrapper, 'Confirmer le mot de passe', 'Bus-Vaccin-2026!')
    await wrapper.get('form').trigger('submit')
    await flushPromises()
    expect(calls.find((c) => c.method === 'POST')?.body).toEqual({ password: 'Bus-Vaccin-2026!' })
    expect(wrapper.get('h1').text()).toBe('Mot de passe enregistré')
    expect(wrapper.get('a').text()).toBe('Se connecter')
  })

  it('says in French when the link has expired or was used', async () => {
    stubAdminFetch({
      'GET /api/auth/password-links/jeton-2': { status: 410, body: { error: 'link-expired' } },
    })
    const { wrapper } = await mountAt(RouterView, '/mot-de-passe/jeton-2')
    await flushPromises()
    expect(wrapper.get('[role="alert"]').text()).toBe(
      'Ce lien a expiré ou a déjà servi : demandez un nouveau lien à votre gestionnaire d’accès.',
    )
    expect(wrapper.find('form').exists()).toBe(false)
  })
})
