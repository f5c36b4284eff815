import { computed } from 'vue'
import type { ComputedRef } from 'vue'
import { useI18n } from 'vue-i18n'

export const SUPPORTED_LOCALES = ['fr', 'en'] as const
export type AppLocale = (typeof SUPPORTED_LOCALES)[number]

export const LOCALE_STORAGE_KEY = 'carnet.locale'

export function isAppLocale(value: unknown): value is AppLocale {
  return SUPPORTED_LOCALES.some((locale) => locale === value)
}

/** The locale chosen earlier on this device, or null when none (or an unknown one) was kept. */
export function readStoredLocale(storage: Storage = window.localStorage): AppLocale | null {
  try {
    const stored = storage.getItem(LOCALE_STORAGE_KEY)
    return isAppLocale(stored) ? stored : null
  } catch {
    // Storage can be refused (private mode, disabled cookies): French remains the default.
    return null
  }
}

function storeLocale(locale: AppLocale, storage: Storage = window.localStorage): void {
  try {
    storage.setItem(LOCALE_STORAGE_KEY, locale)
  } catch {
    // Not being able to remember the choice must not prevent switching.
  }
}

export function useLocale(): { locale: ComputedRef<AppLocale>; setLocale: (locale: AppLocale) => void } {
  const i18n = useI18n({ useScope: 'global' })
  const locale = computed(() => (isAppLocale(i18n.locale.value) ? i18n.locale.value : 'fr'))
  function setLocale(next: AppLocale): void {
    i18n.locale.value = next
    storeLocale(next)
  }
  return { locale, setLocale }
}
