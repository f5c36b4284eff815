import { watchEffect } from 'vue'
import { useI18n } from 'vue-i18n'
import { useRoute } from 'vue-router'

/**
 * Keeps <title> and <html lang> in step with the current route and the chosen language; `overrideKey` (the lock
 * screen's) names the page instead of the route while it gives one.
 */
export function useDocumentMeta(overrideKey: () => string | undefined = () => undefined): void {
  const route = useRoute()
  const { t, locale } = useI18n({ useScope: 'global' })
  watchEffect(() => {
    document.documentElement.lang = locale.value
    const titleKey = overrideKey() ?? route.meta.titleKey
    document.title = titleKey ? t('app.documentTitle', { page: t(titleKey) }) : t('app.name')
  })
}
