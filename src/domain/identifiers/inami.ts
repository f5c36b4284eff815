import { err, ok, type Result } from '../result'
import { digitsMod } from './checksums'
import type { InamiError } from './codes'
import { normalizeIdentifier } from './normalize'

/** The two moduli of INAMI/RIZIV check digits: 97 for older numbers, 89 for newer ones (since 2013). */
export type InamiModulus = 97 | 89

/** A Belgian INAMI/RIZIV number `C-NNNNN-CC-QQQ`. */
export type Inami = {
  /** The 11 digits. */
  readonly value: string
  /** The first digit: the profession (1 = physician, 3 = dentist, 4 = nurse, …). */
  readonly profession: string
  /** The first 8 digits, which identify the care provider or institution. */
  readonly identifier: string
  /** The last 3 digits: the qualification code (not covered by the check digits). */
  readonly qualification: string
  /** The modulus with which the check digits matched. */
  readonly modulus: InamiModulus
}

/** The INAMI check-digit rule: M − (first 6 digits mod M), two digits; null when the 6 digits are malformed. */
export function computeInamiCheckDigits(first6: string, modulus: InamiModulus): string | null {
  if (!/^[0-9]{6}$/.test(first6)) return null
  return String(modulus - digitsMod(first6, modulus)).padStart(2, '0')
}

/** The Belgian INAMI/RIZIV rule: 11 digits whose digits 7–8 are the check digits of the first 6, modulus 97 or 89. */
export function parseInami(input: string): Result<Inami, InamiError> {
  const value = normalizeIdentifier(input)
  if (value.length === 0) return err('inami-empty')
  if (!/^[0-9]+$/.test(value)) return err('inami-format')
  if (value.length !== 11) return err('inami-length', { length: value.length })
  const first6 = value.slice(0, 6)
  const checkDigits = value.slice(6, 8)
  const modulus: InamiModulus | null =
    computeInamiCheckDigits(first6, 97) === checkDigits
      ? 97
      : computeInamiCheckDigits(first6, 89) === checkDigits
        ? 89
        : null
  if (modulus === null) return err('inami-key')
  return ok({
    value,
    profession: value.slice(0, 1),
    identifier: value.slice(0, 8),
    qualification: value.slice(8),
    modulus,
  })
}
