import { beforeEach, describe, expect, it, vi } from 'vitest'
import { mount } from '@vue/test-utils'
import { createPinia, setActivePinia } from 'pinia'
import type { Pinia } from 'pinia'
import { i18n } from '../../i18n'
import { usePwaStore } from '../../stores/pwa'
import ThePwaUpdatePrompt from './ThePwaUpdatePrompt.vue'

let pinia: Pinia

function mountPrompt() {
  return mount(ThePwaUpdatePrompt, { global: { plugins: [pinia, i18n] } })
}

function buttonNamed(wrapper: ReturnType<typeof mountPrompt>, name: string) {
  const button = wrapper.findAll('button').find((candidate) => candidate.text() === name)
  if (!button) throw new Error(`no button « ${name} »`)
  return button
}

describe('ThePwaUpdatePrompt', () => {
  beforeEach(() => {
    pinia = createPinia()
    setActivePinia(pinia)
    i18n.global.locale.value = 'fr'
  })

  it('shows nothing while no new version is waiting', () => {
    const wrapper = mountPrompt()
    expect(wrapper.text()).toBe('')
    expect(wrapper.find('button').exists()).toBe(false)
  })

  it('offers the waiting version in an announced banner', async () => {
    const wrapper = mountPrompt()
    usePwaStore().offerUpdate(vi.fn())
    await wrapper.vm.$nextTick()
    expect(wrapper.text()).toContain('Nouvelle version disponible')
    expect(wrapper.get('[role="status"]').attributes('aria-live')).toBe('polite')
    expect(buttonNamed(wrapper, 'Recharger').attributes('type')).toBe('button')
    expect(buttonNamed(wrapper, 'Plus tard').exists()).toBe(true)
  })

  it('applies the update only when « Recharger » is pressed', async () => {
    const apply = vi.fn()
    const wrapper = mountPrompt()
    usePwaStore().offerUpdate(apply)
    await wrapper.vm.$nextTick()
    expect(apply).not.toHaveBeenCalled()

    await buttonNamed(wrapper, 'Recharger').trigger('click')
    expect(apply).toHaveBeenCalledTimes(1)
    expect(wrapper.text()).toContain('Mise à jour en cours')

    await buttonNamed(wrapper, 'Recharger').trigger('click')
    expect(apply).toHaveBeenCalledTimes(1)
  })

  it('hides the banner on « Plus tard » without applying anything', async () => {
    const apply = vi.fn()
    const wrapper = mountPrompt()
    usePwaStore().offerUpdate(apply)
    await wrapper.vm.$nextTick()

    await buttonNamed(wrapper, 'Plus tard').trigger('click')
    expect(wrapper.text()).not.toContain('Nouvelle version disponible')
    expect(apply).not.toHaveBeenCalled()
  })

  it('says once that the app is ready offline, and can be closed', async () => {
    const wrapper = mountPrompt()
    usePwaStore().markOfflineReady()
    await wrapper.vm.$nextTick()
    expect(wrapper.text()).toContain('prêt à fonctionner hors ligne')

    await buttonNamed(wrapper, 'Fermer').trigger('click')
    expect(wrapper.text()).toBe('')
  })
})
