import { err, ok, type Result } from '../result'
import { luhnIsValid } from './checksums'
import type { FinessError, FinessWarning } from './codes'
import { normalizeIdentifier } from './normalize'

/** A FINESS number (French health and social establishment, incl. EHPAD). */
export type Finess = {
  /** The 9 characters. */
  readonly value: string
  /** The first two characters: digits, or 2A/2B for Corsica. */
  readonly department: string
}

/**
 * The FINESS rule: 9 characters, a département (two digits, 2A or 2B) then 7 digits, Luhn over the 9 digits;
 * Corsican numbers are not key-checked (unsure rule) and carry 'finess-key-unchecked'.
 */
export function parseFiness(input: string): Result<Finess, FinessError, FinessWarning> {
  const value = normalizeIdentifier(input)
  if (value.length === 0) return err('finess-empty')
  if (/[^0-9AB]/.test(value)) return err('finess-format')
  if (value.length !== 9) return err('finess-length', { length: value.length })
  if (!/^(?:[0-9]{2}|2A|2B)[0-9]{7}$/.test(value)) return err('finess-format')
  const department = value.slice(0, 2)
  if (department === '2A' || department === '2B') return ok({ value, department }, ['finess-key-unchecked'])
  if (!luhnIsValid(value)) return err('finess-key')
  return ok({ value, department })
}
