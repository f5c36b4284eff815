import { describe, expect, it } from 'vitest'
import fc from 'fast-check'
import { computeNissKey, parseNiss } from './niss'
import { daysInMonth } from './dates'

const today = '2025-06-15'
const substitute = (value: string, index: number, delta: number) =>
  value.slice(0, index) + String((Number(value.charAt(index)) + delta) % 10) + value.slice(index + 1)

const pad = (n: number, width: number) => String(n).padStart(width, '0')
const birth = fc
  .record({
    year: fc.integer({ min: 1900, max: 2025 }),
    month: fc.integer({ min: 1, max: 12 }),
    day: fc.integer({ min: 1, max: 31 }),
    counter: fc.integer({ min: 1, max: 998 }),
  })
  .map((b) => ({ ...b, day: Math.min(b.day, daysInMonth(b.year, b.month)) }))
const validNiss = birth.map((b) => {
  const body = pad(b.year % 100, 2) + pad(b.month, 2) + pad(b.day, 2) + pad(b.counter, 3)
  return { ...b, value: body + computeNissKey(body, b.year >= 2000 ? 2000 : 1900) }
})

describe('parseNiss', () => {
  // python-stdnum stdnum/be/nn.py and tests/test_be_nn.doctest; the first two are the domain reference's worked examples.
  it.each([
    ['85.07.30-033 28', '1985-07-30', 'M'],
    ['85073003328', '1985-07-30', 'M'],
    ['17 07 30 033 84', '2017-07-30', 'M'],
    ['75.06.08-980.09', '1975-06-08', 'F'],
    ['00000100166', null, 'M'], // fictitious date 1900-00-01: birth date unknown
    ['00000100195', null, 'M'], // fictitious date 2000-00-01
    ['00000000128', null, 'M'], // only the year (2000) known
    ['00010000135', null, 'M'], // only year and month known
    ['85073500107', null, 'M'], // day 35: day unknown
  ])('accepts the national number %s (born %s, sex %s)', (input, birthDate, sex) => {
    expect(parseNiss(input, { today })).toMatchObject({ ok: true, value: { birthDate, sex, isBis: false } })
  })

  // python-stdnum tests/test_be_bis.doctest
  it.each([
    ['75.46.08-980.95', '1975-06-08', 'F'],
    ['01 49 07 001 85', '2001-09-07', 'M'],
    ['75.26.08-980.52', '1975-06-08', null], // month + 20: sex unknown
    ['85273500150', null, null],
    ['85473500193', null, 'M'],
    ['00400000117', null, 'M'],
  ])('accepts the BIS number %s (born %s, sex %s)', (input, birthDate, sex) => {
    expect(parseNiss(input, { today })).toMatchObject({ ok: true, value: { birthDate, sex, isBis: true } })
  })

  it.each([
    ['', 'niss-empty'],
    [' -. ', 'niss-empty'],
    ['12345678901', 'niss-key'], // python-stdnum
    ['85073003329', 'niss-key'],
    ['8507300332', 'niss-length'],
    ['850730033280', 'niss-length'],
    ['85O73003328', 'niss-format'],
    ['85133000105', 'niss-format'], // python-stdnum: month 13
    ['85533000191', 'niss-format'], // python-stdnum: BIS month 13
    ['85333000148', 'niss-format'], // python-stdnum: BIS month 13
  ])('refuses %j with %s', (input, error) => {
    expect(parseNiss(input, { today })).toMatchObject({ ok: false, error })
  })

  it('reads a number as born in 2000 or later only when that year is not after today', () => {
    expect(parseNiss('17073003384', { today: '2017-01-01' }).ok).toBe(true)
    expect(parseNiss('17073003384', { today: '2016-12-31' })).toMatchObject({ ok: false, error: 'niss-key' })
  })

  it('accepts every number completed with its computed key, with its birth date and sex', () => {
    fc.assert(
      fc.property(validNiss, (niss) => {
        expect(parseNiss(niss.value, { today })).toEqual({
          ok: true,
          warnings: [],
          value: {
            value: niss.value,
            birthDate: `${niss.year}-${pad(niss.month, 2)}-${pad(niss.day, 2)}`,
            sex: niss.counter % 2 === 1 ? 'M' : 'F',
            isBis: false,
          },
        })
      }),
    )
  })

  // Adding ±6 to the second year digit shifts the body by ±6·10⁷ ≡ ±2·10⁹ (mod 97): exactly the 2000 prefix,
  // so the number reads as the other century. No other single-digit change can be accepted.
  it('refuses any single-digit substitution, except ±6 on the second year digit', () => {
    fc.assert(
      fc.property(
        validNiss,
        fc.integer({ min: 0, max: 10 }),
        fc.integer({ min: 1, max: 9 }),
        (niss, i, delta) => {
          const changed = substitute(niss.value, i, delta)
          fc.pre(!(i === 1 && Math.abs(Number(changed.charAt(1)) - Number(niss.value.charAt(1))) === 6))
          expect(parseNiss(changed, { today }).ok).toBe(false)
        },
      ),
    )
  })

  it('cannot tell a second year digit off by 6 from the other century (a limit of the NISS key)', () => {
    expect(parseNiss('11010100142', { today })).toMatchObject({ value: { birthDate: '2011-01-01' } })
    expect(parseNiss('17010100142', { today })).toMatchObject({ value: { birthDate: '1917-01-01' } })
  })
})

describe('computeNissKey', () => {
  it('prefixes the body with 2 for births from 2000', () => {
    expect(computeNissKey('850730033', 1900)).toBe('28')
    expect(computeNissKey('170730033', 2000)).toBe('84')
    expect(computeNissKey('17073003', 2000)).toBeNull()
  })
})
