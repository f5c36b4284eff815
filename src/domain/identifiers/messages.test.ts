import { describe, expect, it } from 'vitest'
import { identifierErrorCodes, identifierWarningCodes } from './codes'
import { identifiers as en } from '../../i18n/locales/en/identifiers'
import { identifiers as fr } from '../../i18n/locales/fr/identifiers'

const codes = [...identifierErrorCodes, ...identifierWarningCodes]

describe('identifier messages', () => {
  it.each(codes)('%s has a French and an English message', (code) => {
    expect(fr[code].trim().length).toBeGreaterThan(10)
    expect(en[code].trim().length).toBeGreaterThan(10)
    expect(fr[code]).not.toBe(en[code])
  })

  it('has no message for a code that does not exist', () => {
    expect(Object.keys(fr).sort()).toEqual([...new Set(codes)].sort())
    expect(Object.keys(en).sort()).toEqual([...new Set(codes)].sort())
  })
})
