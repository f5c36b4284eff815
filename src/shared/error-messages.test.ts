import { describe, expect, it } from 'vitest'
import { workflow as en } from '../i18n/locales/en/workflow'
import { workflow as fr } from '../i18n/locales/fr/workflow'
import { ERROR_CODES, RULE_WARNING_CODES, isErrorCode } from './errors'
import { INJECTION_SITE_CODES, MAIN_ACTIVITIES, PLACE_TYPES, PROFESSIONS } from './vocabulary'

describe('workflow messages', () => {
  it.each(ERROR_CODES)('error %s has a French and an English message', (code) => {
    expect(fr.errors[code]).toMatch(/\S/)
    expect(en.errors[code]).toMatch(/\S/)
  })

  it.each(RULE_WARNING_CODES)('warning %s has a French and an English message', (code) => {
    expect(fr.warnings[code]).toMatch(/\S/)
    expect(en.warnings[code]).toMatch(/\S/)
  })

  it('has no message for an unknown code, and no code twice', () => {
    expect(Object.keys(fr.errors).sort()).toEqual([...ERROR_CODES].sort())
    expect(Object.keys(en.errors).sort()).toEqual([...ERROR_CODES].sort())
    expect(new Set(ERROR_CODES).size).toBe(ERROR_CODES.length)
  })

  it('labels every form vocabulary in both languages', () => {
    for (const messages of [fr, en]) {
      expect(Object.keys(messages.places)).toEqual([...PLACE_TYPES])
      expect(Object.keys(messages.sites)).toEqual([...INJECTION_SITE_CODES])
      expect(Object.keys(messages.activities)).toEqual([...MAIN_ACTIVITIES])
      expect(Object.keys(messages.professions)).toEqual([...PROFESSIONS])
    }
  })

  it('avoids the characters vue-i18n reads as syntax (@ linked messages, | plurals)', () => {
    for (const text of [...Object.values(fr.errors), ...Object.values(en.errors)]) {
      expect(text).not.toMatch(/[@|]/)
    }
  })

  it('uses kebab-case codes only', () => {
    for (const code of ERROR_CODES) expect(code).toMatch(/^[a-z]+(-[a-z]+)*$/)
    expect(isErrorCode('step-locked-by-author')).toBe(true)
    expect(isErrorCode('nope')).toBe(false)
  })
})
