import { describe, expect, it } from 'vitest'
import { createI18n } from 'vue-i18n'
import { en } from '../../i18n/locales/en'
import { fr } from '../../i18n/locales/fr'
import { ADMIN_ERROR_CODES, MIN_PASSWORD_LENGTH } from '../../shared/admin-api'
import { PROTOCOL_ERROR_CODES } from '../../shared/errors'
import { adminErrorText } from './admin-errors'

// One language at a time and no fallback: a message missing in English must not borrow the French one.
function messagesOf(locale: 'fr' | 'en') {
  const i18n = createI18n({
    legacy: false,
    locale,
    fallbackLocale: false,
    missingWarn: false,
    fallbackWarn: false,
    messages: { fr, en },
  })
  const { t, te } = i18n.global
  return {
    t: (key: string, named: Record<string, unknown> = {}) => t(key, named),
    te: (key: string) => te(key),
  }
}

const LOCALES = ['fr', 'en'] as const

describe('adminErrorText', () => {
  describe.each(LOCALES)('in %s', (locale) => {
    const messages = messagesOf(locale)
    const generic = messages.t('admin.errors.server')

    it.each(ADMIN_ERROR_CODES)('has its own sentence for %s', (code) => {
      expect(messages.te(`admin.errors.${code}`), `admin.errors.${code} missing in ${locale}`).toBe(true)
      const text = adminErrorText({ code, status: 422 }, messages)
      expect(text).not.toBe(generic)
      expect(text.trim()).not.toBe('')
      expect(text).not.toMatch(/[{}]/)
    })

    it.each(PROTOCOL_ERROR_CODES)('says something specific for the wire code %s', (code) => {
      const text = adminErrorText({ code, status: 400 }, messages)
      if (code !== 'internal') expect(text).not.toBe(generic)
      expect(text).not.toMatch(/[{}]/)
    })

    it('names the minimum length of a password', () => {
      const text = adminErrorText({ code: 'password-too-short', status: 422 }, messages)
      expect(text).toContain(String(MIN_PASSWORD_LENGTH))
    })
  })

  it('tells which part of an organisation’s FINESS is wrong', () => {
    const text = adminErrorText(
      { code: 'invalid-organisation-id', status: 422, detail: { kind: 'finess', reason: 'finess-key' } },
      messagesOf('fr'),
    )
    expect(text).toBe('La clé du numéro FINESS est incorrecte : vérifiez le numéro saisi.')
  })

  it('names the permission a refused role lacks, in French', () => {
    const text = adminErrorText(
      { code: 'forbidden', status: 403, detail: { need: 'manage-sites' } },
      messagesOf('fr'),
    )
    expect(text).toBe('Votre rôle ne permet pas cette action (il faut : gérer les sites).')
  })
})
