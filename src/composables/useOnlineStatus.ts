import { onScopeDispose, readonly, ref } from 'vue'
import type { Ref } from 'vue'

/** Tracks navigator.onLine through the window's online/offline events until the calling scope ends. */
export function useOnlineStatus(): { isOnline: Readonly<Ref<boolean>> } {
  const isOnline = ref(navigator.onLine)
  const update = () => {
    isOnline.value = navigator.onLine
  }
  window.addEventListener('online', update)
  window.addEventListener('offline', update)
  onScopeDispose(() => {
    window.removeEventListener('online', update)
    window.removeEventListener('offline', update)
  })
  return { isOnline: readonly(isOnline) }
}
