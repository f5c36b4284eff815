import { err, ok, type Result } from '../result'
import { digitsMod } from './checksums'
import type { NissError, NissWarning } from './codes'
import { daysInMonth, formatIsoDate, parseIsoDate } from './dates'
import { normalizeIdentifier } from './normalize'

/** A Belgian national register number (NISS/INSZ), or a BIS number. */
export type Niss = {
  /** The 11 digits. */
  readonly value: string
  /** 'YYYY-MM-DD' when the whole date is known; null when the month or day is unknown (00) or fictitious. */
  readonly birthDate: string | null
  /** From the counter (odd = M, even = F); null for a BIS number issued with the sex unknown (month + 20). */
  readonly sex: 'M' | 'F' | null
  /** A BIS number (month + 20 or + 40) rather than a national register number. */
  readonly isBis: boolean
}

/** Options of {@link parseNiss}. */
export type NissOptions = {
  /** 'YYYY-MM-DD': a number is read as born in 20YY only when that year is not after today's. */
  readonly today: string
}

/** The NISS key rule: 97 − (YYMMDDNNN mod 97), the 9 digits prefixed with 2 for births from 2000; null when malformed. */
export function computeNissKey(body9: string, century: 1900 | 2000): string | null {
  if (!/^[0-9]{9}$/.test(body9)) return null
  const numeric = century === 2000 ? `2${body9}` : body9
  return String(97 - digitsMod(numeric, 97)).padStart(2, '0')
}

/**
 * The Belgian NISS/BIS rule: 11 digits whose key matches the 1900 reading or, when 20YY is not after `today`,
 * the 2000 reading; a month beyond 12 (after removing the BIS offset) is refused.
 */
export function parseNiss(input: string, options: NissOptions): Result<Niss, NissError, NissWarning> {
  const value = normalizeIdentifier(input)
  if (value.length === 0) return err('niss-empty')
  if (!/^[0-9]+$/.test(value)) return err('niss-format')
  if (value.length !== 11) return err('niss-length', { length: value.length })

  const body = value.slice(0, 9)
  const key = value.slice(9)
  const yy = Number(value.slice(0, 2))
  // An unreadable `today` is a caller bug; both readings are then tried rather than refusing every post-2000 birth.
  const todayYear = parseIsoDate(options.today)?.year ?? null
  let century: 1900 | 2000
  if (computeNissKey(body, 1900) === key) century = 1900
  else if ((todayYear === null || 2000 + yy <= todayYear) && computeNissKey(body, 2000) === key)
    century = 2000
  else return err('niss-key')

  const rawMonth = Number(value.slice(2, 4))
  const offset = rawMonth >= 40 ? 40 : rawMonth >= 20 ? 20 : 0
  const month = rawMonth - offset
  if (month > 12) return err('niss-format', { field: 'month' })
  const day = Number(value.slice(4, 6))
  const year = century + yy
  // Month or day 00 means unknown (or an exhausted day counter); a day past the month's end is likewise unknown.
  const isDateKnown = month >= 1 && day >= 1 && day <= daysInMonth(year, month)
  const counter = Number(value.slice(6, 9))
  return ok({
    value,
    birthDate: isDateKnown ? formatIsoDate(year, month, day) : null,
    sex: offset === 20 ? null : counter % 2 === 1 ? 'M' : 'F',
    isBis: offset !== 0,
  })
}
