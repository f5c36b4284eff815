// How the organisation page writes an organisation's numbers (grouped as on official documents) and checks a
// new site's postal code before the server sees it: five digits in France, four in Belgium.
import type { AdminOrganisation } from '../../shared/admin-api'

const digitsOf = (value: string) => value.replace(/[\s.-]/g, '')

/** A FINESS number as « 01 0000016 »: the département (2 digits, 2A or 2B), then the 7 others. */
export function formatFiness(value: string): string {
  const v = digitsOf(value).toUpperCase()
  return v.length === 9 ? `${v.slice(0, 2)} ${v.slice(2)}` : value
}

/** An INAMI/RIZIV number as « 1-23456-78-901 » (profession, identifier, check digits, qualification). */
export function formatInami(value: string): string {
  const v = digitsOf(value)
  return /^\d{11}$/.test(v) ? `${v[0]}-${v.slice(1, 6)}-${v.slice(6, 8)}-${v.slice(8)}` : value
}

/** A Belgian enterprise number (BCE/KBO) as « 0123.456.789 ». */
export function formatEnterpriseNumber(value: string): string {
  const v = digitsOf(value)
  return /^\d{10}$/.test(v) ? `${v.slice(0, 4)}.${v.slice(4, 7)}.${v.slice(7)}` : value
}

/** An official number of the organisation: which one (i18n key of its label) and its formatted value. */
export type OrganisationNumber = { labelKey: string; value: string }

/** The organisation's official numbers that are known, formatted: FINESS, INAMI, enterprise number. */
export function organisationNumbers(
  organisation: Pick<AdminOrganisation, 'finess' | 'inami' | 'enterpriseNumber'>,
): OrganisationNumber[] {
  const numbers: OrganisationNumber[] = []
  if (organisation.finess !== null)
    numbers.push({ labelKey: 'admin.organisation.finess', value: formatFiness(organisation.finess) })
  if (organisation.inami !== null)
    numbers.push({ labelKey: 'admin.organisation.inami', value: formatInami(organisation.inami) })
  if (organisation.enterpriseNumber !== null) {
    numbers.push({
      labelKey: 'admin.organisation.enterpriseNumber',
      value: formatEnterpriseNumber(organisation.enterpriseNumber),
    })
  }
  return numbers
}

/** Why a site's postal code is refused (its message is admin.validation.<code>), or null when it is empty or valid. */
export function sitePostalCodeError(
  value: string,
  country: AdminOrganisation['country'],
): 'postalCodeFr' | 'postalCodeBe' | null {
  const v = value.trim()
  if (v === '') return null
  if (country === 'BE') return /^[1-9]\d{3}$/.test(v) ? null : 'postalCodeBe'
  // Départements 01–95, overseas 97x and 98x (Monaco and the Pacific); 00 and 96 do not exist.
  return /^(?:0[1-9]|[1-8]\d|9[0-57-8])\d{3}$/.test(v) ? null : 'postalCodeFr'
}
