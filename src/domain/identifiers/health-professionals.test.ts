import { describe, expect, it } from 'vitest'
import fc from 'fast-check'
import { luhnCheckDigit } from './checksums'
import { parseAdeli, parseNam, parseRpps } from './health-professionals'

const substitute = (value: string, index: number, delta: number) =>
  value.slice(0, index) + String((Number(value.charAt(index)) + delta) % 10) + value.slice(index + 1)
const digits = (length: number) =>
  fc
    .array(fc.integer({ min: 0, max: 9 }), { minLength: length, maxLength: length })
    .map((list) => list.join(''))

describe('parseRpps', () => {
  // Domain reference synthetic examples.
  it.each(['10012345673', '10000000009', '100 123 456 73'])('accepts %s', (input) => {
    expect(parseRpps(input)).toMatchObject({ ok: true, value: input.replace(/ /g, '') })
  })

  it.each([
    ['', 'rpps-empty'],
    ['10012345674', 'rpps-key'],
    ['10000000000', 'rpps-key'],
    ['1001234567', 'rpps-length'],
    ['100123456733', 'rpps-length'],
    ['1001234567A', 'rpps-format'],
  ])('refuses %j with %s', (input, error) => {
    expect(parseRpps(input)).toMatchObject({ ok: false, error })
  })

  it('accepts every number completed with its computed key', () => {
    fc.assert(fc.property(digits(10), (body) => parseRpps(body + luhnCheckDigit(body)).ok))
  })

  it('refuses any single-digit substitution', () => {
    fc.assert(
      fc.property(
        digits(10),
        fc.integer({ min: 0, max: 10 }),
        fc.integer({ min: 1, max: 9 }),
        (body, i, delta) => {
          expect(parseRpps(substitute(body + luhnCheckDigit(body), i, delta))).toMatchObject({
            error: 'rpps-key',
          })
        },
      ),
    )
  })
})

describe('parseAdeli', () => {
  // Synthetic: 75100123 + Luhn key 1, computed by hand.
  it('accepts a 9-digit number with a valid Luhn key', () => {
    expect(parseAdeli('75 10 0123 1')).toMatchObject({ ok: true, value: '751001231' })
  })

  it.each([
    ['', 'adeli-empty'],
    ['751001232', 'adeli-key'],
    ['75100123', 'adeli-length'],
    ['7510012311', 'adeli-length'],
    ['75100123X', 'adeli-format'],
  ])('refuses %j with %s', (input, error) => {
    expect(parseAdeli(input)).toMatchObject({ ok: false, error })
  })

  it('refuses any single-digit substitution', () => {
    fc.assert(
      fc.property(
        digits(8),
        fc.integer({ min: 0, max: 8 }),
        fc.integer({ min: 1, max: 9 }),
        (body, i, delta) => {
          expect(parseAdeli(body + luhnCheckDigit(body)).ok).toBe(true)
          expect(parseAdeli(substitute(body + luhnCheckDigit(body), i, delta))).toMatchObject({
            error: 'adeli-key',
          })
        },
      ),
    )
  })
})

describe('parseNam', () => {
  // Synthetic: 01234567 + Luhn key 4, computed by hand.
  it('accepts a 9-digit number with a valid Luhn key without warning', () => {
    expect(parseNam('01 234 567 4')).toEqual({ ok: true, value: '012345674', warnings: [] })
  })

  it('accepts a failing key with a warning only', () => {
    expect(parseNam('012345675')).toEqual({ ok: true, value: '012345675', warnings: ['nam-key-unverified'] })
  })

  it.each([
    ['', 'nam-empty'],
    ['01234567', 'nam-length'],
    ['01234567A', 'nam-format'],
  ])('refuses %j with %s', (input, error) => {
    expect(parseNam(input)).toMatchObject({ ok: false, error })
  })
})
