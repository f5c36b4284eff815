import { err, ok, type Result } from '../result'
import { gtinIsValid } from './checksums'
import type { Gs1Error } from './codes'
import { daysInMonth, formatIsoDate } from './dates'

/** What Carnet keeps of a vaccine pack's GS1 DataMatrix. */
export type Gs1Pack = {
  /** AI 01: the GTIN-14, check digit verified. */
  readonly gtin: string
  /** AI 17 as 'YYYY-MM-DD' (day 00 = last day of the month); null when absent. */
  readonly expiry: string | null
  /** AI 10, upper-cased; null when absent. */
  readonly lot: string | null
  /** AI 21 as printed (serials are case-sensitive); null when absent. */
  readonly serial: string | null
}

type AiSpec = { readonly length: number; readonly isVariable: boolean }

// Application identifiers found on medicine packs; a raw string can only be split when each AI's length is known.
const knownAis: ReadonlyMap<string, AiSpec> = new Map(
  Object.entries({
    '00': { length: 18, isVariable: false },
    '01': { length: 14, isVariable: false },
    '02': { length: 14, isVariable: false },
    '10': { length: 20, isVariable: true },
    '11': { length: 6, isVariable: false },
    '12': { length: 6, isVariable: false },
    '13': { length: 6, isVariable: false },
    '15': { length: 6, isVariable: false },
    '16': { length: 6, isVariable: false },
    '17': { length: 6, isVariable: false },
    '20': { length: 2, isVariable: false },
    '21': { length: 20, isVariable: true },
    '22': { length: 20, isVariable: true },
    '240': { length: 30, isVariable: true },
    '241': { length: 30, isVariable: true },
    '30': { length: 8, isVariable: true },
    '37': { length: 8, isVariable: true },
    '710': { length: 20, isVariable: true },
    '711': { length: 20, isVariable: true },
    '712': { length: 20, isVariable: true },
    '713': { length: 20, isVariable: true },
    '714': { length: 20, isVariable: true },
    '715': { length: 20, isVariable: true },
  } satisfies Record<string, AiSpec>),
)

const groupSeparator = '\u001d'
// GS1 character set 82, the alphabet of lots and serials.
const cset82 = /^[A-Za-z0-9!"%&'()*+,\-./:;<=>?_]{1,20}$/

type Elements = Map<string, string>

/**
 * The GS1 element-string rule for vaccine packs, in human-readable `(01)…(17)…(10)…` or raw FNC1/GS form
 * (optional `]d2`-style prefix): a GTIN-14 with a valid check digit is required; expiry, lot (≤ 20) and serial are read.
 */
export function parseGs1DataMatrix(input: string): Result<Gs1Pack, Gs1Error> {
  const unprefixed = input.trim().replace(/^\][A-Za-z][0-9]/, '')
  let start = 0
  while (unprefixed.charAt(start) === groupSeparator) start++
  const data = unprefixed.slice(start)
  if (data.length === 0) return err('gs1-empty')
  const parsed = data.startsWith('(') ? splitHumanReadable(data) : splitRaw(data)
  if (!parsed.ok) return parsed
  const elements = parsed.value

  const gtin = elements.get('01')
  if (gtin === undefined) return err('gs1-gtin-missing')
  if (!/^[0-9]{14}$/.test(gtin)) return err('gs1-format', { ai: '01' })
  if (!gtinIsValid(gtin)) return err('gs1-gtin-key')

  const rawExpiry = elements.get('17')
  const expiry = rawExpiry === undefined ? null : readExpiry(rawExpiry)
  if (expiry === undefined) return err('gs1-expiry-invalid')

  const lot = elements.get('10')
  if (lot !== undefined && !cset82.test(lot)) return err('gs1-lot-invalid')
  const serial = elements.get('21')
  if (serial !== undefined && !cset82.test(serial)) return err('gs1-serial-invalid')

  return ok({ gtin, expiry, lot: lot === undefined ? null : lot.toUpperCase(), serial: serial ?? null })
}

/** Reads a YYMMDD expiry (20YY; day 00 = end of month); undefined when it is not a date. */
function readExpiry(value: string): string | undefined {
  if (!/^[0-9]{6}$/.test(value)) return undefined
  const year = 2000 + Number(value.slice(0, 2))
  const month = Number(value.slice(2, 4))
  const day = Number(value.slice(4, 6))
  if (month < 1 || month > 12) return undefined
  const lastDay = daysInMonth(year, month)
  if (day > lastDay) return undefined
  return formatIsoDate(year, month, day === 0 ? lastDay : day)
}

/** Records one element, refusing a repeated AI with another value or a fixed-length AI of the wrong length. */
function addElement(elements: Elements, ai: string, value: string): Result<Elements, Gs1Error> {
  const spec = knownAis.get(ai)
  if (spec !== undefined && !spec.isVariable && value.length !== spec.length) {
    return err(ai === '17' ? 'gs1-expiry-invalid' : 'gs1-format', { ai })
  }
  if (spec?.isVariable === true && value.length > spec.length) {
    return err(ai === '10' ? 'gs1-lot-invalid' : ai === '21' ? 'gs1-serial-invalid' : 'gs1-format', { ai })
  }
  const previous = elements.get(ai)
  if (previous !== undefined && previous !== value) return err('gs1-format', { ai })
  elements.set(ai, value)
  return ok(elements)
}

/** Splits `(AI)value(AI)value…`; AIs unknown to Carnet are skipped since the parentheses delimit them. */
function splitHumanReadable(data: string): Result<Elements, Gs1Error> {
  const elements: Elements = new Map()
  const element = /\(([0-9]{2,4})\)([^(]*)/y
  let position = 0
  while (position < data.length) {
    element.lastIndex = position
    const match = element.exec(data)
    if (match === null) return err('gs1-format')
    const ai = match[1] ?? ''
    const value = (match[2] ?? '').trim()
    if (value.length === 0) return err('gs1-format', { ai })
    const added = addElement(elements, ai, value)
    if (!added.ok) return added
    position = element.lastIndex
  }
  return ok(elements)
}

/** Splits a raw element string: fixed-length AIs by their length, variable ones up to GS or the end. */
function splitRaw(data: string): Result<Elements, Gs1Error> {
  const elements: Elements = new Map()
  let position = 0
  while (position < data.length) {
    const ai = [2, 3, 4]
      .map((size) => data.slice(position, position + size))
      .find((code) => knownAis.has(code))
    const spec = ai === undefined ? undefined : knownAis.get(ai)
    if (ai === undefined || spec === undefined) {
      return err('gs1-unknown-ai', { ai: data.slice(position, position + 2) })
    }
    const start = position + ai.length
    let end: number
    if (spec.isVariable) {
      const separator = data.indexOf(groupSeparator, start)
      end = separator === -1 ? data.length : separator
    } else {
      end = start + spec.length
      if (end > data.length) return err(ai === '17' ? 'gs1-expiry-invalid' : 'gs1-format', { ai })
    }
    const value = data.slice(start, end)
    if (value.length === 0) return err('gs1-format', { ai })
    const added = addElement(elements, ai, value)
    if (!added.ok) return added
    // A GS after a fixed-length element is redundant but common; skip it like the one ending a variable element.
    position = data.charAt(end) === groupSeparator ? end + 1 : end
  }
  return ok(elements)
}
