import { describe, expect, it } from 'vitest'
import fc from 'fast-check'
import { gs1CheckDigit, gtinIsValid, luhnCheckDigit, luhnIsValid } from './checksums'
import { normalizeIdentifier } from './normalize'

const digits = (minLength: number, maxLength: number) =>
  fc.array(fc.integer({ min: 0, max: 9 }), { minLength, maxLength }).map((list) => list.join(''))

const substitute = (value: string, index: number, delta: number) =>
  value.slice(0, index) + String((Number(value.charAt(index)) + delta) % 10) + value.slice(index + 1)

describe('normalizeIdentifier', () => {
  it.each([
    ['2 55 08 14 168 025 38', '255081416802538'],
    ['85.07.30-033.28', '85073003328'],
    ['2 84 05 2a 321 025', '284052A321025'],
    ['1/89/12', '18912'],
    ['\t 750 712 184\u00a0', '750712184'],
  ])('normalises %j to %s', (input, expected) => {
    expect(normalizeIdentifier(input)).toBe(expected)
  })
})

describe('Luhn', () => {
  // python-stdnum tests/test_luhn.doctest
  it.each([
    ['4992739871', '6'],
    ['142857', '2'],
    ['398438246238642378648236487236482734', '7'],
  ])('the check digit of %s is %s', (body, digit) => {
    expect(luhnCheckDigit(body)).toBe(digit)
    expect(luhnIsValid(body + digit)).toBe(true)
  })

  it.each(['490154203237518', '49927398716', '1428572', '10012345673', '750712184'])(
    'accepts %s',
    (value) => {
      expect(luhnIsValid(value)).toBe(true)
    },
  )

  it.each(['4992739871', '49927398717', '', '7', '4992739871A'])('refuses %j', (value) => {
    expect(luhnIsValid(value)).toBe(false)
  })

  it('has no check digit for a body that is not all digits', () => {
    expect(luhnCheckDigit('12A')).toBe('')
    expect(luhnCheckDigit('')).toBe('')
  })

  it('validates every number completed with its computed check digit', () => {
    fc.assert(fc.property(digits(1, 30), (body) => luhnIsValid(body + luhnCheckDigit(body))))
  })

  it('catches any single-digit substitution', () => {
    fc.assert(
      fc.property(digits(1, 30), fc.nat(), fc.integer({ min: 1, max: 9 }), (body, position, delta) => {
        const valid = body + luhnCheckDigit(body)
        expect(luhnIsValid(substitute(valid, position % valid.length, delta))).toBe(false)
      }),
    )
  })
})

describe('GTIN', () => {
  // python-stdnum tests/test_ean.doctest and tests/test_gs1_128.doctest
  it.each(['7501031311309', '38425876095074', '58425876097843', '98412345678908', '03453120000011'])(
    'accepts %s',
    (gtin) => {
      expect(gtinIsValid(gtin)).toBe(true)
    },
  )

  it.each(['7501031311308', '38425876095079', '75010313113', '750103AAAA309', ''])('refuses %j', (gtin) => {
    expect(gtinIsValid(gtin)).toBe(false)
  })

  it('validates every GTIN-14 completed with its computed check digit', () => {
    fc.assert(fc.property(digits(13, 13), (body) => gtinIsValid(body + gs1CheckDigit(body))))
  })

  it('catches any single-digit substitution in a GTIN-14', () => {
    fc.assert(
      fc.property(
        digits(13, 13),
        fc.integer({ min: 0, max: 13 }),
        fc.integer({ min: 1, max: 9 }),
        (body, i, delta) => {
          expect(gtinIsValid(substitute(body + gs1CheckDigit(body), i, delta))).toBe(false)
        },
      ),
    )
  })
})
