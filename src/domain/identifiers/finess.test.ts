import { describe, expect, it } from 'vitest'
import fc from 'fast-check'
import { luhnCheckDigit } from './checksums'
import { parseFiness } from './finess'

const substitute = (value: string, index: number, delta: number) =>
  value.slice(0, index) + String((Number(value.charAt(index)) + delta) % 10) + value.slice(index + 1)

const finessBody = fc
  .tuple(fc.integer({ min: 1, max: 98 }), fc.integer({ min: 0, max: 999_999 }))
  .map(([department, rest]) => String(department).padStart(2, '0') + String(rest).padStart(6, '0'))

describe('parseFiness', () => {
  // Domain reference: 750712184 (75071218 + key 4) and the synthetic fixture 010000016.
  it.each([
    ['750712184', '75'],
    ['75 071 218 4', '75'],
    ['010000016', '01'],
  ])('accepts %s (département %s)', (input, department) => {
    expect(parseFiness(input)).toMatchObject({ ok: true, warnings: [], value: { department } })
  })

  it('accepts a Corsican number without checking its key, and says so', () => {
    expect(parseFiness('2A0000012')).toMatchObject({
      ok: true,
      value: { department: '2A' },
      warnings: ['finess-key-unchecked'],
    })
    expect(parseFiness('2b0000019')).toMatchObject({
      ok: true,
      value: { value: '2B0000019' },
      warnings: ['finess-key-unchecked'],
    })
  })

  it.each([
    ['', 'finess-empty'],
    ['750712185', 'finess-key'],
    ['010000017', 'finess-key'],
    ['75071218', 'finess-length'],
    ['7507121845', 'finess-length'],
    ['2C0000012', 'finess-format'],
    ['75A712184', 'finess-format'],
    ['7507121A4', 'finess-format'],
  ])('refuses %j with %s', (input, error) => {
    expect(parseFiness(input)).toMatchObject({ ok: false, error })
  })

  it('accepts every number completed with its computed key', () => {
    fc.assert(fc.property(finessBody, (body) => parseFiness(body + luhnCheckDigit(body)).ok))
  })

  it('refuses any single-digit substitution', () => {
    fc.assert(
      fc.property(
        finessBody,
        fc.integer({ min: 0, max: 8 }),
        fc.integer({ min: 1, max: 9 }),
        (body, i, delta) => {
          expect(parseFiness(substitute(body + luhnCheckDigit(body), i, delta))).toMatchObject({ ok: false })
        },
      ),
    )
  })
})
