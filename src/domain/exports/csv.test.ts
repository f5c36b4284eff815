import { describe, expect, it } from 'vitest'
import fc from 'fast-check'
import { CSV_BOM, escapeCsvCell, parseCsv, toCsv } from './csv'

describe('CSV for French spreadsheets', () => {
  it('starts with a BOM, separates with ; and ends rows with CRLF', () => {
    const csv = toCsv(['Nom', 'Dose'], [['Durand', 1]])
    expect(csv).toBe(`${CSV_BOM}Nom;Dose\r\nDurand;1\r\n`)
  })

  it.each([
    ['Dupont; Jean', '"Dupont; Jean"'],
    ['Le "grand" Jean', '"Le ""grand"" Jean"'],
    ['ligne\nsuivante', '"ligne\nsuivante"'],
    ['=HYPERLINK("http://x")', `"'=HYPERLINK(""http://x"")"`],
    ['+33 6 12', "'+33 6 12"],
    ['-2+3', "'-2+3"],
    ['@SUM(A1)', "'@SUM(A1)"],
    ['  espaces  ', '"  espaces  "'],
    ['Éloïse Œuvray', 'Éloïse Œuvray'],
  ])('keeps %j one inert cell', (value, cell) => {
    expect(escapeCsvCell(value)).toBe(cell)
  })

  it('writes numbers as data, empty for missing values', () => {
    expect([escapeCsvCell(-3), escapeCsvCell(null), escapeCsvCell(undefined), escapeCsvCell(true)]).toEqual([
      '-3',
      '',
      '',
      'true',
    ])
  })

  it('reads back every hostile name as written, with no cell turned into a formula', () => {
    fc.assert(
      fc.property(
        fc.array(fc.array(fc.string({ unit: 'grapheme', maxLength: 20 }), { minLength: 3, maxLength: 3 }), {
          maxLength: 10,
        }),
        (rows) => {
          const parsed = parseCsv(toCsv(['a', 'b', 'c'], rows))
          expect(parsed).toHaveLength(rows.length + 1)
          parsed.slice(1).forEach((cells, r) => {
            cells.forEach((cell, c) => {
              const original = rows[r]![c]!
              const expected = /^[=+\-@\t\r]/.test(original) ? `'${original}` : original
              expect(cell).toBe(expected)
              expect(cell).not.toMatch(/^[=+\-@]/)
            })
          })
        },
      ),
    )
  })
})
