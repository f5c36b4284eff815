import { computed, ref } from 'vue'
import { defineStore } from 'pinia'

/**
 * What the service worker lifecycle means for the user. src/pwa/register.ts feeds it; the store
 * itself never touches the service worker, so a waiting version is only applied on request.
 */
export const usePwaStore = defineStore('pwa', () => {
  const needRefresh = ref(false)
  const offlineReady = ref(false)
  const isUpdateDismissed = ref(false)
  const isApplyingUpdate = ref(false)
  let pendingUpdate: (() => void) | null = null

  const isUpdatePromptVisible = computed(() => needRefresh.value && !isUpdateDismissed.value)

  function offerUpdate(apply: () => void): void {
    pendingUpdate = apply
    needRefresh.value = true
    isUpdateDismissed.value = false
    isApplyingUpdate.value = false
  }

  function applyUpdate(): void {
    if (!pendingUpdate || isApplyingUpdate.value) return
    isApplyingUpdate.value = true
    pendingUpdate()
  }

  function dismissUpdate(): void {
    isUpdateDismissed.value = true
  }

  function markOfflineReady(): void {
    offlineReady.value = true
  }

  function dismissOfflineReady(): void {
    offlineReady.value = false
  }

  return {
    needRefresh,
    offlineReady,
    isApplyingUpdate,
    isUpdatePromptVisible,
    offerUpdate,
    applyUpdate,
    dismissUpdate,
    markOfflineReady,
    dismissOfflineReady,
  }
})
