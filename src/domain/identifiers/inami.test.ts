import { describe, expect, it } from 'vitest'
import fc from 'fast-check'
import { computeInamiCheckDigits, parseInami, type InamiModulus } from './inami'

const substitute = (value: string, index: number, delta: number) =>
  value.slice(0, index) + String((Number(value.charAt(index)) + delta) % 10) + value.slice(index + 1)

const validInami = fc
  .tuple(
    fc.integer({ min: 0, max: 999_999 }).map((n) => String(n).padStart(6, '0')),
    fc.constantFrom<InamiModulus>(97, 89),
    fc.integer({ min: 0, max: 999 }).map((n) => String(n).padStart(3, '0')),
  )
  .map(([first6, modulus, qualification]) => ({
    modulus,
    value: first6 + computeInamiCheckDigits(first6, modulus) + qualification,
  }))

describe('parseInami', () => {
  // No python-stdnum module exists for INAMI. Vectors: a physician's number published on a Belgian practice's
  // website ("RIZIV 101.85748.004", modulus 89), and the 8-digit nihdi-professional identifier of the HL7 Belgium
  // vaccination examples (10829059, modulus 97) with a qualification appended.
  it.each([
    ['1-01857-48-004', 89, '1', '004'],
    ['101.85748.004', 89, '1', '004'],
    ['10829059000', 97, '1', '000'],
  ])('accepts %s (modulus %d)', (input, modulus, profession, qualification) => {
    expect(parseInami(input)).toMatchObject({ ok: true, value: { modulus, profession, qualification } })
  })

  it.each([
    ['', 'inami-empty'],
    ['10185749004', 'inami-key'],
    ['10829058000', 'inami-key'],
    ['10829059', 'inami-length'],
    ['108290590001', 'inami-length'],
    ['1082905900A', 'inami-format'],
  ])('refuses %j with %s', (input, error) => {
    expect(parseInami(input)).toMatchObject({ ok: false, error })
  })

  it('accepts every number completed with its computed check digits, under either modulus', () => {
    fc.assert(
      fc.property(validInami, ({ value, modulus }) => {
        const result = parseInami(value)
        expect(result.ok).toBe(true)
        // Both moduli can give the same digits; the older (97) is then reported.
        if (result.ok && result.value.modulus !== modulus) expect(result.value.modulus).toBe(97)
      }),
    )
  })

  // Two moduli make an accidental match under the other modulus possible; the qualification is not covered at all.
  it('refuses a single-digit substitution in the first 8 digits unless it happens to match the other modulus', () => {
    fc.assert(
      fc.property(
        validInami,
        fc.integer({ min: 0, max: 7 }),
        fc.integer({ min: 1, max: 9 }),
        (inami, i, delta) => {
          const result = parseInami(substitute(inami.value, i, delta))
          if (result.ok) expect(result.value.modulus).not.toBe(inami.modulus)
          else expect(result.error).toBe('inami-key')
        },
      ),
    )
  })
})
