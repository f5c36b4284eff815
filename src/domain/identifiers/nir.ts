import { err, ok, type Result } from '../result'
import { digitsMod } from './checksums'
import type { BeneficiaryKeyError, NirError, NirWarning } from './codes'
import { parseIsoDate } from './dates'
import { normalizeIdentifier } from './normalize'

/** A French NIR read from its 15 characters (body of 13 + key of 2). */
export type Nir = {
  /** The 15 characters, body then key, as stored. */
  readonly value: string
  readonly body: string
  readonly key: string
  /** 1 = male, 2 = female; null for a temporary number, whose layout does not carry it reliably. */
  readonly sex: 1 | 2 | null
  readonly isTemporary: boolean
  /** The two digits of the birth year, as written (the century is not in the NIR). */
  readonly birthYear: string
  /** 1–12, or null when the civil record was incomplete (20, 30–42, 50–99) or the number is temporary. */
  readonly birthMonth: number | null
  /** Two characters (01–95, 2A, 2B, 99 = born abroad) or three for overseas (97x, 98x). */
  readonly department: string
  /** The commune code (three digits, two for overseas) or, for department 99, the country code. */
  readonly commune: string
  readonly order: string
}

/** What the caller knows of the patient, to warn when the NIR disagrees. */
export type NirExpected = {
  readonly sex?: 'M' | 'F'
  /** 'YYYY-MM-DD'. */
  readonly birthDate?: string
}

/** Options of {@link parseNir}. */
export type NirOptions = {
  /** Accept temporary numbers (first digit 3–8) with a 'nir-temporary' warning; refused otherwise. */
  readonly allowTemporary?: boolean
  /** false: a 13-character input without key is accepted and the key computed. Default true. */
  readonly requireKey?: boolean
  readonly expected?: NirExpected
}

const bodyPattern = /^[0-9]{5}(?:[0-9]{2}|2A|2B)[0-9]{6}$/
const temporaryFirstDigits = '345678'

/** The NIR key rule: 97 − (body mod 97) with 2A read as 19 and 2B as 18, two digits; null when the body is malformed. */
export function computeNirKey(body13: string): string | null {
  const body = normalizeIdentifier(body13)
  if (!bodyPattern.test(body)) return null
  const department = body.slice(5, 7)
  const numeric =
    department === '2A'
      ? `${body.slice(0, 5)}19${body.slice(7)}`
      : department === '2B'
        ? `${body.slice(0, 5)}18${body.slice(7)}`
        : body
  return String(97 - digitsMod(numeric, 97)).padStart(2, '0')
}

/** Whether a two-digit NIR month is a month or one of the codes of an incomplete civil record (20, 30–42, 50–99). */
function isNirMonth(month: number): boolean {
  return (month >= 1 && month <= 12) || month === 20 || (month >= 30 && month <= 42) || month >= 50
}

/**
 * The French NIR rule: 15 characters with a correct key (13 without key only with `requireKey: false`);
 * temporary numbers only with `allowTemporary`; disagreement with the known sex or birth date only warns.
 */
export function parseNir(input: string, options: NirOptions = {}): Result<Nir, NirError, NirWarning> {
  const normalized = normalizeIdentifier(input)
  if (normalized.length === 0) return err('nir-empty')
  if (/[^0-9AB]/.test(normalized)) return err('nir-format')
  const requireKey = options.requireKey ?? true
  if (normalized.length !== 15 && (requireKey || normalized.length !== 13)) {
    return err('nir-length', { length: normalized.length })
  }
  const body = normalized.slice(0, 13)
  const typedKey = normalized.slice(13)
  if (!bodyPattern.test(body) || !/^[0-9]*$/.test(typedKey)) return err('nir-format')

  const first = body.charAt(0)
  const isTemporary = temporaryFirstDigits.includes(first)
  if (!isTemporary && first !== '1' && first !== '2') return err('nir-format', { field: 'sex' })
  const month = Number(body.slice(3, 5))
  if (!isTemporary && !isNirMonth(month)) return err('nir-format', { field: 'month' })

  // The key is checked before the temporary refusal: a typo in the first digit is a key error, not a temporary number.
  const key = computeNirKey(body) ?? ''
  if (typedKey !== '' && typedKey !== key) return err('nir-key')
  if (isTemporary && options.allowTemporary !== true) return err('nir-temporary')

  const isOverseas = body.startsWith('97', 5) || body.startsWith('98', 5)
  const nir: Nir = {
    value: body + key,
    body,
    key,
    sex: isTemporary ? null : first === '1' ? 1 : 2,
    isTemporary,
    birthYear: body.slice(1, 3),
    birthMonth: month >= 1 && month <= 12 ? month : null,
    department: isOverseas ? body.slice(5, 8) : body.slice(5, 7),
    commune: isOverseas ? body.slice(8, 10) : body.slice(7, 10),
    order: body.slice(10, 13),
  }
  const warnings: NirWarning[] = isTemporary ? ['nir-temporary'] : compareWithExpected(nir, options.expected)
  return ok(nir, warnings)
}

/** Warnings when a real NIR disagrees with what is known of the patient (a temporary layout is not compared). */
function compareWithExpected(nir: Nir, expected: NirExpected | undefined): NirWarning[] {
  const warnings: NirWarning[] = []
  if (expected === undefined) return warnings
  if (expected.sex !== undefined && nir.sex !== (expected.sex === 'M' ? 1 : 2))
    warnings.push('nir-sex-mismatch')
  const birth = expected.birthDate === undefined ? null : parseIsoDate(expected.birthDate)
  if (birth !== null) {
    if (String(birth.year % 100).padStart(2, '0') !== nir.birthYear) warnings.push('nir-birth-year-mismatch')
    if (nir.birthMonth !== null && nir.birthMonth !== birth.month) warnings.push('nir-birth-month-mismatch')
  }
  return warnings
}

/** Input of {@link beneficiaryKey}. */
export type BeneficiaryKeyInput = {
  /** NIR of the account holder ("ouvrant droit"), with or without its key. */
  readonly nirOuvrantDroit: string
  /** 'YYYY-MM-DD'. */
  readonly birthDate: string
  /** Rang de naissance, an integer from 1 to 9. */
  readonly rang: number
}

/**
 * The identity rule for a beneficiary without own NIR: account-holder NIR body + birth date + rang,
 * as 'OD:<body13>:<YYYY-MM-DD>:<rang>' (the holder's key is checked when given, a temporary NIR is refused).
 */
export function beneficiaryKey(input: BeneficiaryKeyInput): Result<string, BeneficiaryKeyError> {
  const holder = parseNir(input.nirOuvrantDroit, { requireKey: false })
  if (!holder.ok) return err(holder.error, holder.detail)
  if (parseIsoDate(input.birthDate) === null) return err('birth-date-invalid')
  if (!Number.isInteger(input.rang) || input.rang < 1 || input.rang > 9) return err('rang-invalid')
  return ok(`OD:${holder.value.body}:${input.birthDate}:${input.rang}`)
}
