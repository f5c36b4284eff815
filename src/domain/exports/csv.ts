// CSV as French spreadsheets open it: UTF-8 with a byte-order mark (so Excel reads accents right), `;` between
// cells, CRLF between rows (RFC 4180). Every cell is quoted when it must be, and a cell a spreadsheet would run as
// a formula (leading =, +, -, @, tab or carriage return) is neutralised with a leading apostrophe (OWASP's advice).

/** The byte-order mark that tells spreadsheets the file is UTF-8. */
export const CSV_BOM = '\uFEFF'

/** The separator French spreadsheets expect (`,` is their decimal mark). */
export const CSV_SEPARATOR = ';'

/** A value a CSV cell can hold; null and undefined become an empty cell. */
export type CsvValue = string | number | boolean | null | undefined

const FORMULA_START = /^[=+\-@\t\r]/
const NEEDS_QUOTES = /[";\r\n]/

/** Enforces that a cell neither breaks the row (separator, quote, line break) nor becomes a formula. */
export function escapeCsvCell(value: CsvValue): string {
  if (value == null) return ''
  let text = typeof value === 'string' ? value : String(value)
  // A number is data, never a formula, even when negative: only text is neutralised.
  if (typeof value === 'string' && FORMULA_START.test(text)) text = `'${text}`
  return NEEDS_QUOTES.test(text) || text !== text.trim() ? `"${text.replaceAll('"', '""')}"` : text
}

/** Builds a whole CSV file (BOM, header row, one row per record) from rows of cells. */
export function toCsv(header: readonly string[], rows: Iterable<readonly CsvValue[]>): string {
  const lines = [header.map(escapeCsvCell).join(CSV_SEPARATOR)]
  for (const row of rows) lines.push(row.map(escapeCsvCell).join(CSV_SEPARATOR))
  return `${CSV_BOM}${lines.join('\r\n')}\r\n`
}

/** Reads back a file written by `toCsv` (BOM, `;`, quoted cells), the inverse that tests and imports rely on. */
export function parseCsv(text: string): string[][] {
  const source = text.startsWith(CSV_BOM) ? text.slice(1) : text
  const rows: string[][] = []
  let row: string[] = []
  let cell = ''
  let quoted = false
  for (let i = 0; i < source.length; i++) {
    const char = source[i]
    if (quoted) {
      if (char === '"' && source[i + 1] === '"') {
        cell += '"'
        i++
      } else if (char === '"') {
        quoted = false
      } else {
        cell += char
      }
    } else if (char === '"') {
      quoted = true
    } else if (char === CSV_SEPARATOR) {
      row.push(cell)
      cell = ''
    } else if (char === '\r' && source[i + 1] === '\n') {
      row.push(cell)
      rows.push(row)
      row = []
      cell = ''
      i++
    } else {
      cell += char
    }
  }
  if (cell !== '' || row.length > 0) {
    row.push(cell)
    rows.push(row)
  }
  return rows
}
