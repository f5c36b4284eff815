// Checks a professional number as typed, with the domain's identifier rules, before the server sees it:
// RPPS (11 digits, Luhn), ADELI (9 digits), INAMI (11 digits, mod 97/89), NISS (11 digits, key), and the
// organisation's FINESS or INAMI number of an access request. The refusal code has its French message in
// identifiers.<code>.
import { parseAdeli, parseFiness, parseInami, parseNiss, parseRpps } from '../../domain/identifiers'
import type { IdentifierError } from '../../domain/identifiers'
import type { ProfessionalIdKind } from '../../shared/admin-api'

/** The identifier rule's refusal of a professional number, or null when it is valid. */
export function professionalIdError(
  kind: ProfessionalIdKind,
  value: string,
  today: string,
): IdentifierError | null {
  const result =
    kind === 'rpps'
      ? parseRpps(value)
      : kind === 'adeli'
        ? parseAdeli(value)
        : kind === 'inami'
          ? parseInami(value)
          : parseNiss(value, { today })
  return result.ok ? null : result.error
}

/** The identifier rule's refusal of an organisation's FINESS or INAMI number, or null when it is valid. */
export function organisationIdError(kind: 'finess' | 'inami', value: string): IdentifierError | null {
  const result = kind === 'finess' ? parseFiness(value) : parseInami(value)
  return result.ok ? null : result.error
}

/** A plausible e-mail address (the server's schema decides; this catches typing slips next to the field). */
export function isEmail(value: string): boolean {
  return /^[^\s@]+@[^\s@]+\.[^\s@]{2,}$/.test(value.trim())
}

/** A phone number as the shared schema accepts it: 6–30 digits and separators. */
export function isPhone(value: string): boolean {
  return /^[+0-9 ().-]{6,30}$/.test(value.trim())
}

/** A login the server accepts: 3–100 letters, digits, dots, dashes or underscores, starting with a letter or digit. */
export function isLogin(value: string): boolean {
  const v = value.trim()
  return v.length >= 3 && v.length <= 100 && /^[A-Za-z0-9][A-Za-z0-9._-]*$/.test(v)
}
