import { describe, expect, it } from 'vitest'
import { parseGs1DataMatrix } from './gs1'

const GS = '\u001d'

describe('parseGs1DataMatrix', () => {
  it.each([
    // python-stdnum tests/test_gs1_128.doctest (AI 37, a count, is read and ignored).
    [
      '(01)38425876095074(17)181119(37)1',
      { gtin: '38425876095074', expiry: '2018-11-19', lot: null, serial: null },
    ],
    [
      '013842587609507417181119371',
      { gtin: '38425876095074', expiry: '2018-11-19', lot: null, serial: null },
    ],
    // Same source: a lot padded with spaces in the human-readable form.
    [
      '(01)58425876097843(10)123456              (17)181119(37)18',
      { gtin: '58425876097843', expiry: '2018-11-19', lot: '123456', serial: null },
    ],
    // Bytescout GS1 DataMatrix sample: both forms of the same content.
    [
      '(01)03453120000011(17)291030(10)ABC123',
      { gtin: '03453120000011', expiry: '2029-10-30', lot: 'ABC123', serial: null },
    ],
    [
      '01034531200000111729103010ABC123',
      { gtin: '03453120000011', expiry: '2029-10-30', lot: 'ABC123', serial: null },
    ],
  ])('reads %j', (input, pack) => {
    expect(parseGs1DataMatrix(input)).toEqual({ ok: true, value: pack, warnings: [] })
  })

  it('reads a raw scan with symbology prefix, FNC1 and GS separators, lot before expiry', () => {
    const scan = `]d2${GS}0103453120000011${GS}10abc-12/3${GS}17290300${GS}21Sn9x`
    expect(parseGs1DataMatrix(scan)).toEqual({
      ok: true,
      warnings: [],
      value: { gtin: '03453120000011', expiry: '2029-03-31', lot: 'ABC-12/3', serial: 'Sn9x' },
    })
  })

  it('reads day 00 as the last day of the month, leap years included', () => {
    const read = (yymmdd: string) => {
      const result = parseGs1DataMatrix(`(01)03453120000011(17)${yymmdd}`)
      return result.ok ? result.value.expiry : result.error
    }
    expect(read('280200')).toBe('2028-02-29')
    expect(read('270200')).toBe('2027-02-28')
    expect(read('270400')).toBe('2027-04-30')
    expect(read('271200')).toBe('2027-12-31')
  })

  it('reads a 20-character lot ended by the end of the data', () => {
    const result = parseGs1DataMatrix('0103453120000011' + '10' + 'A'.repeat(20))
    expect(result.ok && result.value.lot).toBe('A'.repeat(20))
  })

  it.each([
    ['', 'gs1-empty'],
    [`  ]d2${GS} `, 'gs1-empty'],
    ['(01)03453120000012(17)291030(10)ABC123', 'gs1-gtin-key'],
    ['01034531200000121729103010ABC123', 'gs1-gtin-key'],
    ['(17)291030(10)ABC123', 'gs1-gtin-missing'],
    ['(01)0345312000001(17)291030', 'gs1-format'],
    ['(01)0345312000001A(17)291030', 'gs1-format'],
    ['(01)03453120000011(17)291330', 'gs1-expiry-invalid'],
    ['(01)03453120000011(17)290230', 'gs1-expiry-invalid'],
    ['(01)03453120000011(17)2910', 'gs1-expiry-invalid'],
    ['01034531200000111729', 'gs1-expiry-invalid'],
    [`(01)03453120000011(10)${'A'.repeat(21)}`, 'gs1-lot-invalid'],
    [`0103453120000011${'10'}${'A'.repeat(21)}`, 'gs1-lot-invalid'],
    ['(01)03453120000011(10)AB C', 'gs1-lot-invalid'],
    ['(01)03453120000011(10)ABC#1', 'gs1-lot-invalid'],
    [`(01)03453120000011(21)${'9'.repeat(21)}`, 'gs1-serial-invalid'],
    ['0103453120000011990000', 'gs1-unknown-ai'],
    ['(01)03453120000011(10)', 'gs1-format'],
    ['(01)03453120000011(10)A(10)B', 'gs1-format'],
    ['01034531200000', 'gs1-format'],
    ['ABC123', 'gs1-unknown-ai'],
    ['(01)03453120000011 (17', 'gs1-format'],
  ])('refuses %j with %s', (input, error) => {
    expect(parseGs1DataMatrix(input)).toMatchObject({ ok: false, error })
  })

  it('skips an AI it does not know in the human-readable form, where parentheses delimit it', () => {
    const result = parseGs1DataMatrix('(01)03453120000011(99)INTERNAL(10)ABC123')
    expect(result.ok && result.value.lot).toBe('ABC123')
  })
})
