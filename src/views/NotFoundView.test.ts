import { describe, expect, it } from 'vitest'
import { mount } from '@vue/test-utils'
import { createMemoryHistory } from 'vue-router'
import { i18n } from '../i18n'
import { createAppRouter } from '../router'
import NotFoundView from './NotFoundView.vue'

describe('NotFoundView', () => {
  it('tells in French that the page does not exist and links back home', async () => {
    i18n.global.locale.value = 'fr'
    const router = createAppRouter(createMemoryHistory())
    await router.push('/nulle-part')
    const wrapper = mount(NotFoundView, { global: { plugins: [router, i18n] } })

    expect(wrapper.get('h1').text()).toBe('Page introuvable')
    expect(wrapper.text()).toContain('aucune page de Carnet')
    const link = wrapper.get('a')
    expect(link.text()).toBe("Retour à l'accueil")
    expect(link.attributes('href')).toBe('/')
  })
})
