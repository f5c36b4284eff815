// The lock as the person meets it in the app: the screen hidden over a half-filled form, unlocked by the same
// password to the form as it was, or left for another account, which never sees it.
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { flushPromises, type VueWrapper } from '@vue/test-utils'
import { createPinia, setActivePinia } from 'pinia'
import { nextTick } from 'vue'
import App from '../../App.vue'
import { useSessionStore } from '../../stores/session'
import { controlByLabel, createTestApp, mountAt } from './mount-app'
import { resetDb, signInOnline, stubOfflineFetch } from './testing'

async function type(root: Element, label: string, value: string): Promise<void> {
  const input = controlByLabel(root, label)
  input.value = value
  input.dispatchEvent(new Event('input'))
  await nextTick()
}

/** Types the password on the lock screen and waits for its answer: the lock gone, or its message. */
async function unlockWith(wrapper: VueWrapper, password: string): Promise<void> {
  const form = wrapper.get('.app-lock form')
  await type(form.element, 'Mot de passe', password)
  await form.trigger('submit')
  // PBKDF2 (600,000 iterations) takes a while on a test machine.
  await vi.waitFor(
    () =>
      expect(!wrapper.find('.app-lock').exists() || wrapper.find('.app-lock [role="alert"]').exists()).toBe(
        true,
      ),
    { timeout: 10_000 },
  )
  await flushPromises()
}

describe('the lock screen', () => {
  beforeEach(resetDb)
  afterEach(() => {
    vi.unstubAllGlobals()
    document.body.innerHTML = ''
  })

  it('hides a half-filled form, gives it back unchanged to the same password, and never to another account', async () => {
    const app = createTestApp()
    await signInOnline()
    stubOfflineFetch()
    const { wrapper } = await mountAt(App, '/nouveau-patient', app)
    await vi.waitFor(() => expect(wrapper.text()).toContain('Nom de naissance'))
    await type(wrapper.element, 'Nom de naissance', 'Dupré')
    const session = useSessionStore()

    await session.lock()
    await flushPromises()
    expect(wrapper.get('.app-lock').text()).toContain('Session verrouillée')
    expect(wrapper.get('.app-lock').text()).toContain('La session de Claire Martin est verrouillée.')
    // The tab says the session is locked, not which page hides under the lock.
    expect(document.title).toBe('Carnet — Session verrouillée')
    const layout = wrapper.get('.app-layout')
    expect(layout.attributes('style')).toContain('display: none')
    expect(layout.attributes('inert')).toBeDefined()

    await unlockWith(wrapper, 'pas-le-bon')
    expect(wrapper.get('.app-lock [role="alert"]').text()).toBe('Mot de passe incorrect.')
    await unlockWith(wrapper, 'mot-de-passe-1')
    expect(wrapper.find('.app-lock').exists()).toBe(false)
    expect(controlByLabel(wrapper.element, 'Nom de naissance').value).toBe('Dupré')
    expect(app.router.currentRoute.value.name).toBe('register-patient')

    await session.lock()
    await flushPromises()
    await wrapper.get('[data-action="switch-user"]').trigger('click')
    await vi.waitFor(() => expect(app.router.currentRoute.value.name).toBe('sign-in'))
    await flushPromises()
    expect(app.router.currentRoute.value.query).toEqual({})
    expect(wrapper.find('.app-lock').exists()).toBe(false)
    expect(wrapper.html()).not.toContain('Dupré')
    expect(wrapper.text()).toContain('Connexion')
    expect(session.user).toBeNull()
    wrapper.unmount()
  }, 30_000)

  it('asks for the password once after a reload, then opens the page that was asked for', async () => {
    setActivePinia(createPinia())
    await signInOnline()
    const app = createTestApp()
    // A reload: the keys went with the page; the session is remembered, locked.
    const { db } = await import('../../db/carnet-db')
    db.vault.lock()
    const { wrapper } = await mountAt(App, '/nouveau-patient', app)
    await vi.waitFor(() => expect(wrapper.text()).toContain('La page a été rechargée'))
    expect(app.router.currentRoute.value.name).toBe('sign-in')
    expect(wrapper.text()).not.toContain('Identifiant')
    stubOfflineFetch()
    const form = wrapper.get('form')
    await type(form.element, 'Mot de passe', 'mot-de-passe-1')
    await form.trigger('submit')
    await vi.waitFor(() => expect(app.router.currentRoute.value.name).toBe('register-patient'), {
      timeout: 10_000,
    })
    expect(useSessionStore().signInMode).toBe('online')
    wrapper.unmount()
  }, 30_000)
})
