import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { createPinia, setActivePinia } from 'pinia'
import { usePwaStore } from '../stores/pwa'
import { registerServiceWorker } from './register'
import type { ServiceWorkerHandle } from './register'

// Stands in for workbox-window: the browser's service worker lifecycle cannot run in happy-dom,
// so the test plays the lifecycle events Workbox would dispatch.
const fake = vi.hoisted(() => {
  type Listener = (event: Record<string, unknown>) => void
  class FakeWorkbox {
    static last: FakeWorkbox | null = null
    readonly listeners = new Map<string, Listener[]>()
    readonly messageSkipWaiting = vi.fn()
    readonly register = vi.fn(() => Promise.resolve(undefined))
    readonly update = vi.fn(() => Promise.resolve())
    constructor(readonly url: string) {
      FakeWorkbox.last = this
    }
    addEventListener(type: string, listener: Listener): void {
      this.listeners.set(type, [...(this.listeners.get(type) ?? []), listener])
    }
    emit(type: string, event: Record<string, unknown> = {}): void {
      for (const listener of this.listeners.get(type) ?? []) listener(event)
    }
  }
  return { FakeWorkbox }
})

vi.mock('workbox-window', () => ({ Workbox: fake.FakeWorkbox }))

function lastWorkbox() {
  const workbox = fake.FakeWorkbox.last
  if (!workbox) throw new Error('no Workbox was created')
  return workbox
}

describe('registerServiceWorker', () => {
  let handle: ServiceWorkerHandle | null = null
  const reload = vi.fn()

  beforeEach(() => {
    setActivePinia(createPinia())
    fake.FakeWorkbox.last = null
    reload.mockReset()
    Object.defineProperty(navigator, 'serviceWorker', { value: {}, configurable: true })
  })

  afterEach(() => {
    handle?.stop()
    handle = null
    Reflect.deleteProperty(navigator, 'serviceWorker')
  })

  it('does nothing outside production builds', () => {
    expect(registerServiceWorker({ isProduction: false, reload })).toBeNull()
    expect(fake.FakeWorkbox.last).toBeNull()
  })

  it('does nothing where service workers are not supported', () => {
    Reflect.deleteProperty(navigator, 'serviceWorker')
    expect(registerServiceWorker({ isProduction: true, reload })).toBeNull()
  })

  it('registers /sw.js and reports readiness for offline use on the first install', () => {
    handle = registerServiceWorker({ isProduction: true, reload })
    const workbox = lastWorkbox()
    expect(workbox.url).toBe('/sw.js')
    expect(workbox.register).toHaveBeenCalledTimes(1)

    workbox.emit('installed', { isUpdate: false })
    expect(usePwaStore().offlineReady).toBe(true)
  })

  it('offers a waiting version and never reloads by itself', () => {
    handle = registerServiceWorker({ isProduction: true, reload })
    const workbox = lastWorkbox()
    const pwa = usePwaStore()

    workbox.emit('installed', { isUpdate: true })
    workbox.emit('waiting', {})
    expect(pwa.needRefresh).toBe(true)
    expect(pwa.offlineReady).toBe(false)
    expect(workbox.messageSkipWaiting).not.toHaveBeenCalled()
    expect(reload).not.toHaveBeenCalled()
  })

  it('on request, asks the waiting worker to take over and reloads once it controls the page', () => {
    handle = registerServiceWorker({ isProduction: true, reload })
    const workbox = lastWorkbox()
    const pwa = usePwaStore()
    workbox.emit('waiting', {})

    pwa.applyUpdate()
    expect(workbox.messageSkipWaiting).toHaveBeenCalledTimes(1)
    expect(reload).not.toHaveBeenCalled()

    workbox.emit('controlling', { isUpdate: true })
    workbox.emit('controlling', { isUpdate: true })
    expect(reload).toHaveBeenCalledTimes(1)
  })

  it('when another tab accepted the update, offers the reload instead of forcing it', () => {
    handle = registerServiceWorker({ isProduction: true, reload })
    const workbox = lastWorkbox()
    const pwa = usePwaStore()
    workbox.emit('waiting', {})
    pwa.dismissUpdate()

    workbox.emit('controlling', { isUpdate: true })
    expect(reload).not.toHaveBeenCalled()
    expect(pwa.isUpdatePromptVisible).toBe(true)

    pwa.applyUpdate()
    expect(reload).toHaveBeenCalledTimes(1)
  })
})
