// The operator's identifiers checked by the same rules as the app's (src/domain/identifiers), each refusal
// turned into one line that names the number and the problem, e.g. « FINESS 750712185: wrong check digit ».
import {
  parseAdeli,
  parseFiness,
  parseInami,
  parseNiss,
  parseRpps,
  type IdentifierError,
} from '../../../src/domain/identifiers'
import type { ProfessionalIdKind } from '../store'

export type IdentifierCheck = { ok: true; value: string } | { ok: false; message: string }

type Refusal = { readonly error: IdentifierError; readonly detail?: Readonly<Record<string, unknown>> }

const LABELS = { finess: 'FINESS', rpps: 'RPPS', adeli: 'ADELI', inami: 'INAMI', niss: 'NISS' } as const
type Kind = keyof typeof LABELS

const EXPECTED: Record<Kind, string> = {
  finess: 'a FINESS number has 9 characters: 2 digits (or 2A/2B) then 7 digits',
  rpps: 'an RPPS number has 11 digits',
  adeli: 'an ADELI number has 9 digits',
  inami: 'an INAMI number has 11 digits',
  niss: 'a NISS number has 11 digits',
}

function describe(kind: Kind, input: string, refusal: Refusal): string {
  const label = LABELS[kind]
  const typed = input.trim()
  const problem = refusal.error.slice(refusal.error.indexOf('-') + 1)
  switch (problem) {
    case 'empty':
      return `${label}: the number is empty`
    case 'length': {
      const length = refusal.detail?.length
      return `${label} ${typed}: ${typeof length === 'number' ? `${length} characters, but ` : ''}${EXPECTED[kind]}`
    }
    case 'key':
      return `${label} ${typed}: wrong check ${kind === 'inami' || kind === 'niss' ? 'digits' : 'digit'}`
    default:
      if (kind === 'niss' && refusal.detail?.field === 'month')
        return `${label} ${typed}: no such birth month`
      return `${label} ${typed}: not a well-formed number (${EXPECTED[kind]})`
  }
}

const toCheck = (
  kind: Kind,
  input: string,
  outcome: { ok: true; value: string } | ({ ok: false } & Refusal),
): IdentifierCheck =>
  outcome.ok ? { ok: true, value: outcome.value } : { ok: false, message: describe(kind, input, outcome) }

/** An organisation's FINESS, key-checked (Corsican numbers are accepted unchecked, as in the app). */
export function checkFiness(input: string): IdentifierCheck {
  const outcome = parseFiness(input)
  return toCheck('finess', input, outcome.ok ? { ok: true, value: outcome.value.value } : outcome)
}

/**
 * A Belgian institution's INAMI number: 11 digits, or the 8 that identify the institution. The check digits
 * cover the first 6 only, so an 8-digit number is checked as if followed by a qualification code.
 */
export function checkInstitutionInami(input: string): IdentifierCheck {
  const isShort = /^\d{8}$/.test(input.replace(/[\s.\-/]/g, ''))
  const outcome = parseInami(isShort ? `${input.trim()}000` : input)
  if (!outcome.ok) return { ok: false, message: describe('inami', input, outcome) }
  return { ok: true, value: outcome.value.value.slice(0, isShort ? 8 : 11) }
}

/** A professional's RPPS, ADELI, INAMI or NISS number; `today` ('YYYY-MM-DD') dates NISS births. */
export function checkProfessionalId(kind: ProfessionalIdKind, input: string, today: string): IdentifierCheck {
  switch (kind) {
    case 'rpps':
      return toCheck(kind, input, parseRpps(input))
    case 'adeli':
      return toCheck(kind, input, parseAdeli(input))
    case 'inami': {
      const outcome = parseInami(input)
      return toCheck(kind, input, outcome.ok ? { ok: true, value: outcome.value.value } : outcome)
    }
    case 'niss': {
      const outcome = parseNiss(input, { today })
      return toCheck(kind, input, outcome.ok ? { ok: true, value: outcome.value.value } : outcome)
    }
  }
}
