// Patient identity: identifier validation, identity keys (what makes two registrations the same person) and
// likely duplicates. Strong keys (NIR, NISS, NIR ouvrant droit + birth date + rang) merge registrations on the
// server; the weak key (names + birth date + rang) only warns before saving.
import type { PatientIdentity } from '../../shared/commands'
import type { IdentifierWarning } from '../identifiers'
import { beneficiaryKey, normalizeIdentifier, parseNir, parseNiss } from '../identifiers'
import { err, ok, type Result } from '../result'
import type { IsoDate } from '../time/calendar'
import { nameSearchKey } from './names'

/** The identity part a key is computed from (a register payload's identity or a patient record). */
export type IdentitySource = Pick<
  PatientIdentity,
  'birthName' | 'firstNames' | 'birthDate' | 'sex' | 'nir' | 'niss' | 'nirOuvrantDroit'
> & { birthRank?: number | undefined; usualName?: string | undefined }

/** The keys under which a patient is the same person: strong (merge) and weak (warn). */
export type IdentityKeys = { strong: string[]; weak: string }

/** Gives a patient's identity keys: 'NIR:<15>', 'NISS:<11>', the beneficiary key, and the weak names+birth+rang key. */
export function identityKeys(patient: IdentitySource): IdentityKeys {
  const strong: string[] = []
  if (patient.nir !== undefined) {
    const nir = parseNir(patient.nir, { allowTemporary: true, requireKey: false })
    if (nir.ok) strong.push(`NIR:${nir.value.value}`)
  }
  if (patient.niss !== undefined) {
    const niss = normalizeIdentifier(patient.niss)
    if (/^[0-9]{11}$/u.test(niss)) strong.push(`NISS:${niss}`)
  }
  if (patient.nirOuvrantDroit !== undefined) {
    const key = beneficiaryKey({
      nirOuvrantDroit: patient.nirOuvrantDroit,
      birthDate: patient.birthDate,
      rang: patient.birthRank ?? 1,
    })
    if (key.ok) strong.push(key.value)
  }
  const weak = `NAME:${nameSearchKey(patient.birthName)}|${nameSearchKey(patient.firstNames)}|${patient.birthDate}|${patient.birthRank ?? 1}`
  return { strong, weak }
}

/** Why two patients look like the same person. */
export type DuplicateReason = 'same-identifier' | 'same-names-birth-rang'

/** Lists existing patients that are likely the candidate: same NIR/NISS/beneficiary key, or same names + birth date + rang. */
export function findLikelyDuplicates<P extends IdentitySource>(
  candidate: IdentitySource,
  existing: readonly P[],
): { patient: P; reason: DuplicateReason }[] {
  const keys = identityKeys(candidate)
  const found: { patient: P; reason: DuplicateReason }[] = []
  for (const patient of existing) {
    const other = identityKeys(patient)
    if (other.strong.some((k) => keys.strong.includes(k))) found.push({ patient, reason: 'same-identifier' })
    else if (other.weak === keys.weak) found.push({ patient, reason: 'same-names-birth-rang' })
  }
  return found
}

/** Enforces valid identifiers before a patient is saved: NIR key (temporary numbers flagged), NISS key, account-holder NIR. */
export function validateIdentity(
  identity: IdentitySource,
  options: { today: IsoDate },
): Result<IdentityKeys, 'invalid-identifier', IdentifierWarning> {
  const warnings: IdentifierWarning[] = []
  if (identity.nir === undefined && identity.niss === undefined && identity.nirOuvrantDroit === undefined) {
    return err('invalid-identifier', { field: 'nir', reason: 'nir-empty' })
  }
  if (identity.nir !== undefined) {
    const sex = identity.sex === 'male' ? 'M' : identity.sex === 'female' ? 'F' : undefined
    const nir = parseNir(identity.nir, {
      allowTemporary: true,
      requireKey: false,
      expected: { birthDate: identity.birthDate, ...(sex === undefined ? {} : { sex }) },
    })
    if (!nir.ok) return err('invalid-identifier', { field: 'nir', reason: nir.error })
    warnings.push(...nir.warnings)
  }
  if (identity.niss !== undefined) {
    const niss = parseNiss(identity.niss, { today: options.today })
    if (!niss.ok) return err('invalid-identifier', { field: 'niss', reason: niss.error })
    warnings.push(...niss.warnings)
  }
  if (identity.nirOuvrantDroit !== undefined) {
    const key = beneficiaryKey({
      nirOuvrantDroit: identity.nirOuvrantDroit,
      birthDate: identity.birthDate,
      rang: identity.birthRank ?? 1,
    })
    if (!key.ok) return err('invalid-identifier', { field: 'nirOuvrantDroit', reason: key.error })
  }
  return ok(identityKeys(identity), warnings)
}
