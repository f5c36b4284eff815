// How a patient is shown in lists: dates as the French read them, the NIR partly hidden (sex, year and month of
// birth and the key stay visible to tell people apart; the place and order of birth are masked).
import { normalizeIdentifier } from '../../domain/identifiers'
import type { PatientRecord } from '../../shared/records'

/** 'YYYY-MM-DD' → 'JJ/MM/AAAA' (anything else is returned as is). */
export function formatBirthDate(iso: string): string {
  const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(iso)
  return match === null ? iso : `${match[3]}/${match[2]}/${match[1]}`
}

/** 'JJ/MM/AAAA' (or J/M/AAAA, with / . - or spaces) → 'YYYY-MM-DD', or null when it is not that shape. */
export function parseFrenchDate(text: string): string | null {
  const match = /^\s*(\d{1,2})[/.\s-](\d{1,2})[/.\s-](\d{4})\s*$/.exec(text)
  if (match === null) return null
  const [, d = '', m = '', y = ''] = match
  return `${y}-${m.padStart(2, '0')}-${d.padStart(2, '0')}`
}

/** A NIR with its place and order of birth masked: « 1 84 12 •• ••• ••• 44 ». */
export function maskNir(nir: string): string {
  const n = normalizeIdentifier(nir)
  if (n.length < 13) return '•'.repeat(n.length)
  const key = n.length >= 15 ? ` ${n.slice(13, 15)}` : ''
  return `${n.slice(0, 1)} ${n.slice(1, 3)} ${n.slice(3, 5)} •• ••• •••${key}`
}

/** A NISS with its counter masked: « 85.07.30-•••.•• ». */
export function maskNiss(niss: string): string {
  const n = normalizeIdentifier(niss)
  if (n.length !== 11) return '•'.repeat(n.length)
  return `${n.slice(0, 2)}.${n.slice(2, 4)}.${n.slice(4, 6)}-•••.••`
}

/** The name line of a patient: « DUPONT (MARTIN) Jean Pierre ». */
export function patientDisplayName(
  patient: Pick<PatientRecord, 'birthName' | 'usualName' | 'firstNames'>,
): string {
  const usual =
    patient.usualName !== undefined && patient.usualName.toUpperCase() !== patient.birthName.toUpperCase()
      ? ` (${patient.usualName.toUpperCase()})`
      : ''
  return `${patient.birthName.toUpperCase()}${usual} ${patient.firstNames}`
}
