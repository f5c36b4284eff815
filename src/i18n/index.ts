import { createI18n } from 'vue-i18n'
import { fr } from './locales/fr'
import { en } from './locales/en'

// The esm-bundler build compiles messages just in time to an AST evaluated without eval or
// new Function (vue-i18n ≥ 10), so it runs under a strict CSP with no 'unsafe-eval'.
export const i18n = createI18n({
  legacy: false,
  locale: 'fr',
  fallbackLocale: 'fr',
  messages: { fr, en },
})
