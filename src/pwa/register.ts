import { Workbox } from 'workbox-window'
import { usePwaStore } from '../stores/pwa'

// A tablet may stay open all day on a single page: without a periodic check the browser would
// only look for a new service worker on a full navigation.
const UPDATE_CHECK_INTERVAL_MS = 60 * 60 * 1000

export type RegisterOptions = {
  isProduction?: boolean
  reload?: () => void
}

export type ServiceWorkerHandle = {
  workbox: Workbox
  stop: () => void
}

/**
 * Registers /sw.js in production builds and maps its lifecycle onto the pwa store. A new version
 * waits until the user accepts it: the page reloads only after that, once the new worker controls it.
 */
export function registerServiceWorker({
  isProduction = import.meta.env.PROD,
  reload = () => window.location.reload(),
}: RegisterOptions = {}): ServiceWorkerHandle | null {
  if (!isProduction || !('serviceWorker' in navigator)) return null

  const pwa = usePwaStore()
  const workbox = new Workbox('/sw.js')
  let hasUserAccepted = false
  let hasReloaded = false

  const reloadOnce = () => {
    if (hasReloaded) return
    hasReloaded = true
    reload()
  }

  workbox.addEventListener('installed', (event) => {
    if (!event.isUpdate) pwa.markOfflineReady()
  })

  workbox.addEventListener('waiting', () => {
    pwa.offerUpdate(() => {
      hasUserAccepted = true
      workbox.messageSkipWaiting()
    })
  })

  workbox.addEventListener('controlling', () => {
    if (hasUserAccepted) {
      reloadOnce()
      return
    }
    // Another tab accepted the update: this page still runs the old code, whose lazily loaded
    // files the new worker may no longer serve. Offer the reload; never force it under a form.
    pwa.offerUpdate(() => {
      hasUserAccepted = true
      reloadOnce()
    })
  })

  workbox.register().catch((error: unknown) => {
    console.error('Service worker registration failed', error)
  })

  const timer = window.setInterval(() => {
    if (navigator.onLine) workbox.update().catch(() => undefined)
  }, UPDATE_CHECK_INTERVAL_MS)

  return { workbox, stop: () => window.clearInterval(timer) }
}
