import { describe, expect, it } from 'vitest'
import { mount } from '@vue/test-utils'
import { i18n } from '../i18n'
import HomeView from './HomeView.vue'

describe('HomeView', () => {
  it('presents Carnet, the network state and the version of the app', () => {
    i18n.global.locale.value = 'fr'
    const wrapper = mount(HomeView, { global: { plugins: [i18n] } })

    expect(wrapper.get('h1').text()).toBe('Carnet')
    expect(wrapper.text()).toContain('même sans réseau')
    expect(wrapper.text()).toContain('Réseau')
    expect(wrapper.text()).toContain('En ligne')
    expect(wrapper.text()).toContain(`Version${__APP_VERSION__}`)
  })
})
