export { normalizeIdentifier } from './normalize'
export { luhnIsValid, luhnCheckDigit, gtinIsValid, gs1CheckDigit } from './checksums'
export {
  identifierErrorCodes,
  identifierWarningCodes,
  type IdentifierError,
  type IdentifierWarning,
  type NirError,
  type NirWarning,
  type BeneficiaryKeyError,
  type NissError,
  type NissWarning,
  type FinessError,
  type FinessWarning,
  type RppsError,
  type AdeliError,
  type NamError,
  type NamWarning,
  type InamiError,
  type Gs1Error,
} from './codes'
export {
  computeNirKey,
  parseNir,
  beneficiaryKey,
  type Nir,
  type NirOptions,
  type NirExpected,
  type BeneficiaryKeyInput,
} from './nir'
export { computeNissKey, parseNiss, type Niss, type NissOptions } from './niss'
export { parseFiness, type Finess } from './finess'
export { parseRpps, parseAdeli, parseNam } from './health-professionals'
export { computeInamiCheckDigits, parseInami, type Inami, type InamiModulus } from './inami'
export { parseGs1DataMatrix, type Gs1Pack } from './gs1'
