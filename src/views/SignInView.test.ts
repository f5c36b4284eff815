import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { flushPromises } from '@vue/test-utils'
import { nextTick } from 'vue'
import { controlByLabel, mountAt } from '../components/session/mount-app'
import { loginAnswer, resetDb, stubLoginFetch, stubOfflineFetch } from '../components/session/testing'
import { useSessionStore } from '../stores/session'
import SignInView from './SignInView.vue'

async function fillAndSubmit(root: Element, login: string, password: string) {
  const loginInput = controlByLabel(root, 'Identifiant')
  const passwordInput = controlByLabel(root, 'Mot de passe')
  loginInput.value = login
  loginInput.dispatchEvent(new Event('input'))
  passwordInput.value = password
  passwordInput.dispatchEvent(new Event('input'))
  root.querySelector('form')?.dispatchEvent(new Event('submit'))
  await nextTick()
  await vi.waitFor(() =>
    expect(root.querySelector('button[type="submit"]')?.hasAttribute('disabled')).toBe(false),
  )
  await flushPromises()
}

/** The sign-in page, once it has read what the device remembers (a locked session, a revocation). */
async function mountSignIn() {
  const mounted = await mountAt(SignInView, '/connexion')
  await vi.waitFor(() => expect(mounted.wrapper.find('form').exists()).toBe(true))
  return mounted
}

describe('SignInView', () => {
  beforeEach(resetDb)
  afterEach(() => {
    vi.unstubAllGlobals()
    document.body.innerHTML = ''
  })

  it('says in French, next to each field, what is missing', async () => {
    const { wrapper } = await mountSignIn()
    await wrapper.get('form').trigger('submit')
    await flushPromises()

    const login = controlByLabel(wrapper.element, 'Identifiant')
    const error = wrapper.get(`#${login.getAttribute('aria-describedby')}`)
    expect(error.text()).toContain('Saisissez votre identifiant.')
    expect(error.attributes('role')).toBe('alert')
    expect(login.getAttribute('aria-invalid')).toBe('true')
    expect(wrapper.text()).toContain('Saisissez votre mot de passe.')
    wrapper.unmount()
  })

  it('shows the server refusals in French (401, 429 with the delay)', async () => {
    const { wrapper } = await mountSignIn()
    stubLoginFetch(401)
    await fillAndSubmit(wrapper.element, 'cmartin', 'faux')
    expect(wrapper.get('[role="alert"]').text()).toBe('Identifiant ou mot de passe incorrect.')

    stubLoginFetch(429, { 'Retry-After': '30' })
    await fillAndSubmit(wrapper.element, 'cmartin', 'faux')
    expect(wrapper.text()).toContain('Patientez 30 secondes')
    wrapper.unmount()
  })

  it('signs in offline after an online sign-in, and refuses a wrong password offline', async () => {
    const first = await mountSignIn()
    stubLoginFetch(loginAnswer())
    await fillAndSubmit(first.wrapper.element, 'cmartin', 'mot-de-passe-1')
    await vi.waitFor(() => expect(first.router.currentRoute.value.name).toBe('home'))
    const session = useSessionStore()
    expect(session.signInMode).toBe('online')
    await session.signOut()
    first.wrapper.unmount()

    stubOfflineFetch()
    const second = await mountSignIn()
    await fillAndSubmit(second.wrapper.element, 'cmartin', 'pas-le-bon')
    expect(second.wrapper.get('[role="alert"]').text()).toContain('mot de passe incorrect')
    expect(useSessionStore().isSignedIn).toBe(false)

    await fillAndSubmit(second.wrapper.element, 'cmartin', 'mot-de-passe-1')
    await vi.waitFor(() => expect(second.router.currentRoute.value.name).toBe('home'))
    expect(useSessionStore().signInMode).toBe('offline')
    second.wrapper.unmount()
  })

  it('tells a user who never signed in online on this device why offline sign-in is impossible', async () => {
    stubOfflineFetch()
    const { wrapper } = await mountSignIn()
    await fillAndSubmit(wrapper.element, 'nouveau', 'secret')
    expect(wrapper.get('[role="alert"]').text()).toContain('jamais connecté·e en ligne sur cet appareil')
    wrapper.unmount()
  })

  it('says how long to wait after too many wrong passwords, then refuses until the wait is over', async () => {
    const first = await mountSignIn()
    stubLoginFetch(loginAnswer())
    await fillAndSubmit(first.wrapper.element, 'cmartin', 'mot-de-passe-1')
    await vi.waitFor(() => expect(first.router.currentRoute.value.name).toBe('home'))
    await useSessionStore().signOut()
    first.wrapper.unmount()

    stubOfflineFetch()
    const { wrapper } = await mountSignIn()
    for (let i = 0; i < 4; i += 1) await fillAndSubmit(wrapper.element, 'cmartin', 'mauvais')
    expect(wrapper.get('[role="alert"]').text()).toBe('Hors ligne : mot de passe incorrect.')
    await fillAndSubmit(wrapper.element, 'cmartin', 'mauvais')
    expect(wrapper.get('[role="alert"]').text()).toBe(
      'Hors ligne : mot de passe incorrect. Prochain essai possible dans 30 secondes.',
    )
    await fillAndSubmit(wrapper.element, 'cmartin', 'mot-de-passe-1')
    expect(wrapper.get('[role="alert"]').text()).toMatch(
      /^Trop de mots de passe incorrects sur cet appareil pour cet identifiant\. Patientez (30|29|28) secondes avant de réessayer\.$/,
    )
    expect(useSessionStore().isSignedIn).toBe(false)
    wrapper.unmount()
  }, 30_000)
})
