// The registration form's rules (seed 004 « Cas des NIR inconnus »), as a pure check of what was typed: each
// field's refusal as an i18n key next to that field, non-blocking warnings (temporary NIR, NIR disagreeing with
// the sex or birth date), and, once everything passes, the identity and contact of the `patient.register` payload.
import { parseNir, parseNiss, normalizeIdentifier } from '../../domain/identifiers'
import { validateIdentity } from '../../domain/patients/identity'
import { isIsoDate } from '../../domain/time/calendar'
import type { PatientContact, PatientIdentity } from '../../shared/commands'
import { EmailSchema, PhoneSchema, PostalCodeSchema } from '../../shared/primitives'
import type { Sex } from '../../shared/vocabulary'
import { parseFrenchDate } from './format'

/** How the patient is identified: their own NIR, the account holder's NIR (+ birth date + rang), or a NISS. */
export type IdentifierKind = 'nir' | 'beneficiary' | 'niss'

/** What the form holds, as typed. */
export type RegistrationFormValues = {
  identifierKind: IdentifierKind
  birthName: string
  usualName: string
  firstNames: string
  sex: Sex | null
  /** JJ/MM/AAAA. */
  birthDate: string
  birthRank: string
  nir: string
  nirOuvrantDroit: string
  niss: string
  address: string
  postalCode: string
  commune: string
  phone: string
  email: string
}

/** The fields of the form. */
export type RegistrationField = Exclude<keyof RegistrationFormValues, 'identifierKind'>

/** A message to show: an i18n key and its parameters. */
export type FieldMessage = { key: string; params?: Record<string, string | number> }

/** The outcome of a check: per-field errors and warnings, and the payload parts when there is no error. */
export type RegistrationCheck = {
  errors: Partial<Record<RegistrationField, FieldMessage>>
  warnings: Partial<Record<RegistrationField, FieldMessage[]>>
  identity?: PatientIdentity
  contact?: PatientContact
}

/** An empty form: rang 1 by default (seed 004), identified by NIR unless the site is Belgian. */
export function emptyRegistrationForm(
  overrides: Partial<RegistrationFormValues> = {},
): RegistrationFormValues {
  return {
    identifierKind: 'nir',
    birthName: '',
    usualName: '',
    firstNames: '',
    sex: null,
    birthDate: '',
    birthRank: '1',
    nir: '',
    nirOuvrantDroit: '',
    niss: '',
    address: '',
    postalCode: '',
    commune: '',
    phone: '',
    email: '',
    ...overrides,
  }
}

const MAX_LENGTHS: Partial<Record<RegistrationField, number>> = {
  birthName: 100,
  usualName: 100,
  firstNames: 150,
  address: 300,
  commune: 100,
}

const identifierFieldOf: Record<IdentifierKind, RegistrationField> = {
  nir: 'nir',
  beneficiary: 'nirOuvrantDroit',
  niss: 'niss',
}

function identifierMessage(code: string): FieldMessage {
  return { key: `identifiers.${code}` }
}

/** Checks the form against the identifier rules and the payload schemas; `today` is the device's day ('YYYY-MM-DD'). */
export function checkRegistration(values: RegistrationFormValues, today: string): RegistrationCheck {
  const errors: RegistrationCheck['errors'] = {}
  const warnings: RegistrationCheck['warnings'] = {}
  const text = (field: RegistrationField): string => String(values[field] ?? '').trim()
  const warn = (field: RegistrationField, message: FieldMessage) => {
    warnings[field] = [...(warnings[field] ?? []), message]
  }

  for (const [field, max] of Object.entries(MAX_LENGTHS) as [RegistrationField, number][]) {
    if (text(field).length > max) errors[field] = { key: 'patients.register.errors.tooLong', params: { max } }
  }
  if (text('birthName') === '') errors.birthName = { key: 'patients.register.errors.birthNameRequired' }
  if (text('firstNames') === '') errors.firstNames = { key: 'patients.register.errors.firstNamesRequired' }
  if (values.sex === null) errors.sex = { key: 'patients.register.errors.sexRequired' }

  let birthDate: string | null = null
  if (text('birthDate') === '') errors.birthDate = { key: 'patients.register.errors.birthDateRequired' }
  else {
    const iso = parseFrenchDate(text('birthDate'))
    if (iso === null || !isIsoDate(iso))
      errors.birthDate = { key: 'patients.register.errors.birthDateInvalid' }
    else if (iso > today) errors.birthDate = { key: 'patients.register.errors.birthDateFuture' }
    else if (iso < '1890-01-01') errors.birthDate = { key: 'patients.register.errors.birthDateTooOld' }
    else birthDate = iso
  }
  const rank = /^[1-9]$/.test(text('birthRank')) ? Number(text('birthRank')) : null
  if (rank === null) errors.birthRank = { key: 'patients.register.errors.birthRank' }

  const sex = values.sex === 'male' ? 'M' : values.sex === 'female' ? 'F' : undefined
  const idField = identifierFieldOf[values.identifierKind]
  const typedId = normalizeIdentifier(text(idField))
  if (values.identifierKind === 'nir') {
    const nir = parseNir(typedId, {
      allowTemporary: true,
      expected: { ...(birthDate === null ? {} : { birthDate }), ...(sex === undefined ? {} : { sex }) },
    })
    if (!nir.ok) errors.nir = identifierMessage(nir.error)
    else for (const w of nir.warnings) warn('nir', identifierMessage(w))
  } else if (values.identifierKind === 'beneficiary') {
    const holder = parseNir(typedId, { requireKey: false })
    if (!holder.ok) errors.nirOuvrantDroit = identifierMessage(holder.error)
  } else {
    const niss = parseNiss(typedId, { today })
    if (!niss.ok) errors.niss = identifierMessage(niss.error)
    else for (const w of niss.warnings) warn('niss', identifierMessage(w))
  }

  if (text('postalCode') !== '' && !PostalCodeSchema.safeParse(text('postalCode')).success)
    errors.postalCode = { key: 'patients.register.errors.postalCode' }
  if (text('phone') !== '' && !PhoneSchema.safeParse(text('phone')).success)
    errors.phone = { key: 'patients.register.errors.phone' }
  if (text('email') !== '' && !EmailSchema.safeParse(text('email')).success)
    errors.email = { key: 'patients.register.errors.email' }

  if (Object.keys(errors).length > 0 || birthDate === null || rank === null || values.sex === null) {
    return { errors, warnings }
  }

  const identity: PatientIdentity = {
    birthName: text('birthName'),
    firstNames: text('firstNames'),
    sex: values.sex,
    birthDate,
    birthRank: rank,
    ...(text('usualName') === '' ? {} : { usualName: text('usualName') }),
    ...(values.identifierKind === 'nir' ? { nir: typedId } : {}),
    ...(values.identifierKind === 'beneficiary' ? { nirOuvrantDroit: typedId } : {}),
    ...(values.identifierKind === 'niss' ? { niss: typedId } : {}),
  }
  // The domain's own check, the one the server runs too: whatever it refuses is shown on its field.
  const domain = validateIdentity(identity, { today })
  if (!domain.ok) {
    const field =
      domain.detail?.field === 'niss'
        ? 'niss'
        : domain.detail?.field === 'nirOuvrantDroit'
          ? 'nirOuvrantDroit'
          : 'nir'
    const reason = typeof domain.detail?.reason === 'string' ? domain.detail.reason : 'nir-format'
    errors[field] = identifierMessage(reason)
    return { errors, warnings }
  }

  const contact: PatientContact = {}
  if (text('address') !== '') contact.address = text('address')
  if (text('postalCode') !== '') contact.postalCode = text('postalCode')
  if (text('commune') !== '') contact.commune = text('commune')
  if (text('phone') !== '') contact.phone = text('phone')
  if (text('email') !== '') contact.email = text('email')
  return { errors, warnings, identity, contact }
}
