// Mounting helpers for screen tests: a fresh Pinia, the app's router on memory history (with its sign-in guard),
// and the real i18n in French.
import { mount } from '@vue/test-utils'
import { createPinia, setActivePinia, type Pinia } from 'pinia'
import { createMemoryHistory, type Router } from 'vue-router'
import type { Component } from 'vue'
import { i18n } from '../../i18n'
import { createAppRouter } from '../../router'

/** A fresh Pinia (active) and router, French messages. */
export function createTestApp(): { pinia: Pinia; router: Router } {
  i18n.global.locale.value = 'fr'
  const pinia = createPinia()
  setActivePinia(pinia)
  const router = createAppRouter(createMemoryHistory())
  return { pinia, router }
}

/** Mounts `component` at `path` with the app's plugins. */
export async function mountAt(component: Component, path: string, app = createTestApp()) {
  await app.router.push(path)
  await app.router.isReady()
  const wrapper = mount(component, {
    global: { plugins: [app.pinia, app.router, i18n] },
    attachTo: document.body,
  })
  return { wrapper, ...app }
}

/** The form control a visible label points at (the label's text starts with `label`). */
export function controlByLabel(root: Element, label: string): HTMLInputElement {
  const found = [...root.querySelectorAll('label')].find((l) => l.textContent?.trim().startsWith(label))
  const id = found?.getAttribute('for')
  const control = id ? root.querySelector<HTMLInputElement>(`[id="${id}"]`) : null
  if (control === null) throw new Error(`no control labelled « ${label} »`)
  return control
}
