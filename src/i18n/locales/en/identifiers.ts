import type { IdentifierError, IdentifierWarning } from '../../../domain/identifiers'

export const identifiers = {
  'nir-empty': 'Enter the social security number (NIR).',
  'nir-length': 'A NIR has 15 characters including its key: check the number you entered.',
  'nir-format':
    'This NIR does not have the expected layout (sex, year, month, département, commune, order, key): check the number you entered.',
  'nir-key': 'The NIR key is wrong: check the number you entered.',
  'nir-temporary':
    'This NIR is temporary (first digit 3 to 8): it is accepted only when registering a patient by hand, and stays flagged as temporary.',
  'birth-date-invalid': 'The date of birth is not a valid date.',
  'rang-invalid': 'The birth rank must be a whole number from 1 to 9.',
  'niss-empty': 'Enter the national register number (NISS).',
  'niss-length': 'A NISS has 11 digits: check the number you entered.',
  'niss-format':
    'This NISS does not have the expected layout (birth date YYMMDD, counter, key): check the number you entered.',
  'niss-key': 'The NISS check digits are wrong: check the number you entered.',
  'finess-empty': 'Enter the establishment’s FINESS number.',
  'finess-length': 'A FINESS number has 9 characters: check the number you entered.',
  'finess-format': 'A FINESS number starts with the département (2 digits, 2A or 2B) followed by 7 digits.',
  'finess-key': 'The FINESS check digit is wrong: check the number you entered.',
  'rpps-empty': 'Enter the RPPS number.',
  'rpps-length': 'An RPPS number has 11 digits: check the number you entered.',
  'rpps-format': 'An RPPS number contains digits only.',
  'rpps-key': 'The RPPS check digit is wrong: check the number you entered.',
  'adeli-empty': 'Enter the ADELI number.',
  'adeli-length': 'An ADELI number has 9 digits: check the number you entered.',
  'adeli-format': 'An ADELI number contains digits only.',
  'adeli-key': 'The ADELI check digit is wrong: check the number you entered.',
  'nam-empty': 'Enter the practice’s health-insurance billing number (N°AM).',
  'nam-length': 'An N°AM has 9 digits: check the number you entered.',
  'nam-format': 'An N°AM contains digits only.',
  'inami-empty': 'Enter the INAMI/RIZIV number.',
  'inami-length': 'An INAMI/RIZIV number has 11 digits: check the number you entered.',
  'inami-format': 'An INAMI/RIZIV number contains digits only.',
  'inami-key': 'The INAMI/RIZIV check digits are wrong: check the number you entered.',
  'gs1-empty': 'Nothing was read: scan the DataMatrix code on the pack.',
  'gs1-format': 'The scanned code is not a readable GS1 code: scan again or type the lot number.',
  'gs1-unknown-ai':
    'The scanned code holds a GS1 field Carnet does not know: scan again or type the lot number.',
  'gs1-gtin-missing': 'The scanned code has no product code (GTIN): it is not a pack code.',
  'gs1-gtin-key': 'The product code (GTIN) read is wrong: scan again.',
  'gs1-expiry-invalid': 'The expiry date read is not a valid date: type it in.',
  'gs1-lot-invalid': 'The lot number read is not valid (20 characters at most): type it in.',
  'gs1-serial-invalid': 'The serial number read is not valid (20 characters at most).',
  'nir-sex-mismatch': 'The first digit of the NIR does not match the sex entered: check one or the other.',
  'nir-birth-month-mismatch': 'The birth month in the NIR does not match the date of birth entered.',
  'nir-birth-year-mismatch': 'The birth year in the NIR does not match the date of birth entered.',
  'finess-key-unchecked':
    'Corsican FINESS number: its check digit could not be verified, read it again carefully.',
  'nam-key-unverified':
    'The check digit of this N°AM could not be confirmed: read the number again carefully.',
} as const satisfies Record<IdentifierError | IdentifierWarning, string>
