import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { mount } from '@vue/test-utils'
import { i18n } from '../../i18n'
import TheOnlineIndicator from './TheOnlineIndicator.vue'

function setNavigatorOnline(isOnline: boolean): void {
  vi.spyOn(navigator, 'onLine', 'get').mockReturnValue(isOnline)
}

function mountIndicator() {
  return mount(TheOnlineIndicator, { global: { plugins: [i18n] } })
}

describe('TheOnlineIndicator', () => {
  beforeEach(() => {
    i18n.global.locale.value = 'fr'
  })

  afterEach(() => {
    vi.restoreAllMocks()
  })

  it('says « En ligne » when the browser has a network', () => {
    setNavigatorOnline(true)
    expect(mountIndicator().text()).toBe('En ligne')
  })

  it('switches to « Hors ligne » and back as the window fires offline and online', async () => {
    setNavigatorOnline(true)
    const wrapper = mountIndicator()

    setNavigatorOnline(false)
    window.dispatchEvent(new Event('offline'))
    await wrapper.vm.$nextTick()
    expect(wrapper.text()).toBe('Hors ligne')

    setNavigatorOnline(true)
    window.dispatchEvent(new Event('online'))
    await wrapper.vm.$nextTick()
    expect(wrapper.text()).toBe('En ligne')
  })

  it('draws a different shape for each state, not only a different colour', async () => {
    setNavigatorOnline(true)
    const wrapper = mountIndicator()
    const onlineShape = wrapper.get('svg').html()

    setNavigatorOnline(false)
    window.dispatchEvent(new Event('offline'))
    await wrapper.vm.$nextTick()
    expect(wrapper.get('svg').html()).not.toBe(onlineShape)
  })

  it('stops listening once unmounted', () => {
    const removeListener = vi.spyOn(window, 'removeEventListener')
    mountIndicator().unmount()
    expect(removeListener).toHaveBeenCalledWith('online', expect.any(Function))
    expect(removeListener).toHaveBeenCalledWith('offline', expect.any(Function))
  })
})
