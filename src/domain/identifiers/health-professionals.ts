import { err, ok, type Result } from '../result'
import { luhnIsValid } from './checksums'
import type { AdeliError, NamError, NamWarning, RppsError } from './codes'
import { normalizeIdentifier } from './normalize'

type DigitsCheck = 'empty' | 'format' | 'length' | 'ok'

/** Reads a normalised all-digit identifier of a fixed length. */
function checkDigits(value: string, length: number): DigitsCheck {
  if (value.length === 0) return 'empty'
  if (!/^[0-9]+$/.test(value)) return 'format'
  return value.length === length ? 'ok' : 'length'
}

/** The RPPS rule: 11 digits with a Luhn key over the 11; the value is the normalised digits. */
export function parseRpps(input: string): Result<string, RppsError> {
  const value = normalizeIdentifier(input)
  const check = checkDigits(value, 11)
  if (check !== 'ok')
    return check === 'length' ? err('rpps-length', { length: value.length }) : err(`rpps-${check}`)
  return luhnIsValid(value) ? ok(value) : err('rpps-key')
}

/** The ADELI rule: 9 digits with a Luhn key over the 9; the value is the normalised digits. */
export function parseAdeli(input: string): Result<string, AdeliError> {
  const value = normalizeIdentifier(input)
  const check = checkDigits(value, 9)
  if (check !== 'ok')
    return check === 'length' ? err('adeli-length', { length: value.length }) : err(`adeli-${check}`)
  return luhnIsValid(value) ? ok(value) : err('adeli-key')
}

/**
 * The N°AM rule (practice billing number): 9 digits; the Luhn key is known from a single sample only,
 * so a failing key is a 'nam-key-unverified' warning, never a refusal.
 */
export function parseNam(input: string): Result<string, NamError, NamWarning> {
  const value = normalizeIdentifier(input)
  const check = checkDigits(value, 9)
  if (check !== 'ok')
    return check === 'length' ? err('nam-length', { length: value.length }) : err(`nam-${check}`)
  return ok(value, luhnIsValid(value) ? [] : ['nam-key-unverified'])
}
