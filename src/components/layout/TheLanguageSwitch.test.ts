import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest'
import { flushPromises, mount } from '@vue/test-utils'
import { createPinia } from 'pinia'
import { createMemoryHistory } from 'vue-router'
import App from '../../App.vue'
import { i18n } from '../../i18n'
import { createAppRouter } from '../../router'
import { LOCALE_STORAGE_KEY, readStoredLocale } from '../../composables/useLocale'

async function mountApp() {
  const router = createAppRouter(createMemoryHistory())
  await router.push('/')
  const wrapper = mount(App, { global: { plugins: [createPinia(), router, i18n] } })
  await flushPromises()
  return wrapper
}

describe('TheLanguageSwitch', () => {
  // The whole app starts loading the lazy search of the home page; let that load finish before the test
  // environment is torn down.
  afterAll(async () => {
    await import('../patient/PatientSearch.vue')
  })

  beforeEach(() => {
    localStorage.clear()
    i18n.global.locale.value = 'fr'
  })

  afterEach(() => {
    i18n.global.locale.value = 'fr'
  })

  it('shows French first, with the French option pressed', async () => {
    const wrapper = await mountApp()
    expect(wrapper.text()).toContain('Aller au contenu')
    expect(wrapper.get('button[lang="fr"]').attributes('aria-pressed')).toBe('true')
    expect(wrapper.get('button[lang="en"]').attributes('aria-pressed')).toBe('false')
  })

  it('switches the visible text to English, sets <html lang> and remembers the choice', async () => {
    const wrapper = await mountApp()

    await wrapper.get('button[lang="en"]').trigger('click')

    expect(wrapper.text()).toContain('Skip to content')
    expect(wrapper.text()).toContain('Online')
    expect(wrapper.text()).not.toContain('Aller au contenu')
    expect(wrapper.get('button[lang="en"]').attributes('aria-pressed')).toBe('true')
    expect(document.documentElement.lang).toBe('en')
    // Signed out, the app opens on the sign-in page.
    expect(document.title).toBe('Carnet — Sign in')
    expect(localStorage.getItem(LOCALE_STORAGE_KEY)).toBe('en')
    expect(readStoredLocale()).toBe('en')
  })

  it('comes back to French', async () => {
    const wrapper = await mountApp()
    await wrapper.get('button[lang="en"]').trigger('click')
    await wrapper.get('button[lang="fr"]').trigger('click')

    expect(wrapper.text()).toContain('Aller au contenu')
    expect(document.documentElement.lang).toBe('fr')
    expect(localStorage.getItem(LOCALE_STORAGE_KEY)).toBe('fr')
  })

  it('ignores an unknown stored locale', () => {
    localStorage.setItem(LOCALE_STORAGE_KEY, 'xx')
    expect(readStoredLocale()).toBeNull()
  })
})
