/** Every refusal code an identifier rule can return; the UI translates each one (fr and en). */
export const identifierErrorCodes = [
  'nir-empty',
  'nir-length',
  'nir-format',
  'nir-key',
  'nir-temporary',
  'birth-date-invalid',
  'rang-invalid',
  'niss-empty',
  'niss-length',
  'niss-format',
  'niss-key',
  'finess-empty',
  'finess-length',
  'finess-format',
  'finess-key',
  'rpps-empty',
  'rpps-length',
  'rpps-format',
  'rpps-key',
  'adeli-empty',
  'adeli-length',
  'adeli-format',
  'adeli-key',
  'nam-empty',
  'nam-length',
  'nam-format',
  'inami-empty',
  'inami-length',
  'inami-format',
  'inami-key',
  'gs1-empty',
  'gs1-format',
  'gs1-unknown-ai',
  'gs1-gtin-missing',
  'gs1-gtin-key',
  'gs1-expiry-invalid',
  'gs1-lot-invalid',
  'gs1-serial-invalid',
] as const

/** Every warning code an identifier rule can attach to an accepted value: it informs, never blocks. */
export const identifierWarningCodes = [
  'nir-temporary',
  'nir-sex-mismatch',
  'nir-birth-month-mismatch',
  'nir-birth-year-mismatch',
  'finess-key-unchecked',
  'nam-key-unverified',
] as const

/** A refusal code of an identifier rule. */
export type IdentifierError = (typeof identifierErrorCodes)[number]

/** A warning code of an identifier rule. */
export type IdentifierWarning = (typeof identifierWarningCodes)[number]

/** Refusals of the French NIR rule. */
export type NirError = Extract<IdentifierError, `nir-${string}`>
/** Warnings of the French NIR rule. */
export type NirWarning = Extract<IdentifierWarning, `nir-${string}`>
/** Refusals of the beneficiary identity key rule (bad account-holder NIR, birth date or rang). */
export type BeneficiaryKeyError = NirError | 'birth-date-invalid' | 'rang-invalid'
/** Refusals of the Belgian NISS rule. */
export type NissError = Extract<IdentifierError, `niss-${string}`>
/** Warnings of the Belgian NISS rule (none today: every NISS fact is checked or refused). */
export type NissWarning = Extract<IdentifierWarning, `niss-${string}`>
/** Refusals of the FINESS rule. */
export type FinessError = Extract<IdentifierError, `finess-${string}`>
/** Warnings of the FINESS rule. */
export type FinessWarning = Extract<IdentifierWarning, `finess-${string}`>
/** Refusals of the RPPS rule. */
export type RppsError = Extract<IdentifierError, `rpps-${string}`>
/** Refusals of the ADELI rule. */
export type AdeliError = Extract<IdentifierError, `adeli-${string}`>
/** Refusals of the N°AM rule (the key is never a refusal). */
export type NamError = Extract<IdentifierError, `nam-${string}`>
/** Warnings of the N°AM rule. */
export type NamWarning = Extract<IdentifierWarning, `nam-${string}`>
/** Refusals of the Belgian INAMI/RIZIV rule. */
export type InamiError = Extract<IdentifierError, `inami-${string}`>
/** Refusals of the GS1 DataMatrix rule. */
export type Gs1Error = Extract<IdentifierError, `gs1-${string}`>
