import { describe, expect, it } from 'vitest'
import { mount } from '@vue/test-utils'
import { i18n } from '../../i18n'
import { sync } from '../../i18n/locales/fr/sync'
import InboxSyncProgress from './InboxSyncProgress.vue'

i18n.global.mergeLocaleMessage('fr', { sync })

function render(props: { phase: 'push' | 'pull'; received: number; total?: number }) {
  i18n.global.locale.value = 'fr'
  return mount(InboxSyncProgress, { props, global: { plugins: [i18n] } })
}

describe('InboxSyncProgress', () => {
  it('exposes a progressbar with its value and bounds while the total is known', () => {
    const bar = render({ phase: 'pull', received: 15_000, total: 20_000 }).get('[role="progressbar"]')
    expect(bar.attributes()).toMatchObject({
      'aria-valuemin': '0',
      'aria-valuemax': '20000',
      'aria-valuenow': '15000',
      'aria-label': 'Progression de la synchronisation',
    })
    expect(bar.attributes('aria-valuetext')).toContain('sur environ')
    expect(bar.get('.inbox-sync-progress__bar').attributes('style')).toContain('width: 75%')
  })

  it('is indeterminate (no aria-valuenow) while the total is unknown', () => {
    const wrapper = render({ phase: 'pull', received: 40 })
    const bar = wrapper.get('[role="progressbar"]')
    expect(bar.attributes('aria-valuenow')).toBeUndefined()
    expect(wrapper.text()).toContain('40 changements reçus')
  })

  it('tells how many changes are being sent during the push', () => {
    const wrapper = render({ phase: 'push', received: 2, total: 5 })
    expect(wrapper.get('[role="progressbar"]').attributes('aria-valuenow')).toBe('2')
    expect(wrapper.text()).toContain('Envoi des modifications : 2 sur 5')
  })
})
