import { describe, expect, it } from 'vitest'
import { defineComponent } from 'vue'
import { flushPromises, mount } from '@vue/test-utils'
import { createMemoryHistory } from 'vue-router'
import { i18n } from '../i18n'
import { createAppRouter } from '../router'
import { useDocumentMeta } from './useDocumentMeta'

const Host = defineComponent({
  setup() {
    useDocumentMeta()
    return () => null
  },
})

describe('useDocumentMeta', () => {
  it('titles the document « Carnet — <page> » for each route', async () => {
    i18n.global.locale.value = 'fr'
    const router = createAppRouter(createMemoryHistory())
    await router.push('/')
    mount(Host, { global: { plugins: [router, i18n] } })
    await flushPromises()
    expect(document.title).toBe('Carnet — Accueil')
    expect(document.documentElement.lang).toBe('fr')

    await router.push('/adresse/inconnue')
    await flushPromises()
    expect(document.title).toBe('Carnet — Page introuvable')
  })
})
