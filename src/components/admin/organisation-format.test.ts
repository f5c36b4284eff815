import { describe, expect, it } from 'vitest'
import { formatEnterpriseNumber, formatFiness, formatInami, sitePostalCodeError } from './organisation-format'

describe('organisation numbers', () => {
  it.each([
    [formatFiness('010000016'), '01 0000016'],
    [formatFiness('2A0000017'), '2A 0000017'],
    [formatInami('12345678901'), '1-23456-78-901'],
    [formatEnterpriseNumber('0123 456 789'), '0123.456.789'],
    // What does not have the expected length is shown as the server stored it.
    [formatFiness('0100'), '0100'],
  ])('writes %s', (written, expected) => {
    expect(written).toBe(expected)
  })
})

describe('sitePostalCodeError', () => {
  it.each([
    ['', 'FR', null],
    ['23000', 'FR', null],
    [' 75012 ', 'FR', null],
    ['20000', 'FR', null],
    ['97400', 'FR', null],
    ['2300', 'FR', 'postalCodeFr'],
    ['00100', 'FR', 'postalCodeFr'],
    ['96000', 'FR', 'postalCodeFr'],
    ['23 000', 'FR', 'postalCodeFr'],
    ['1000', 'BE', null],
    ['23000', 'BE', 'postalCodeBe'],
    ['0999', 'BE', 'postalCodeBe'],
  ] as const)('«%s» in %s → %s', (value, country, expected) => {
    expect(sitePostalCodeError(value, country)).toBe(expected)
  })
})
