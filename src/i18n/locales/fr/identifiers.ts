import type { IdentifierError, IdentifierWarning } from '../../../domain/identifiers'

export const identifiers = {
  'nir-empty': 'Saisissez le numéro de sécurité sociale (NIR).',
  'nir-length': 'Le NIR compte 15 caractères, clé comprise : vérifiez le numéro saisi.',
  'nir-format':
    'Ce NIR n’a pas la forme attendue (sexe, année, mois, département, commune, ordre, clé) : vérifiez le numéro saisi.',
  'nir-key': 'La clé du NIR est incorrecte : vérifiez le numéro saisi.',
  'nir-temporary':
    'Ce NIR est provisoire (premier chiffre de 3 à 8) : il n’est accepté qu’à l’inscription manuelle d’un patient, où il reste signalé comme provisoire.',
  'birth-date-invalid': 'La date de naissance n’est pas une date valide.',
  'rang-invalid': 'Le rang de naissance doit être un nombre entier de 1 à 9.',
  'niss-empty': 'Saisissez le numéro de registre national (NISS).',
  'niss-length': 'Le NISS compte 11 chiffres : vérifiez le numéro saisi.',
  'niss-format':
    'Ce NISS n’a pas la forme attendue (date de naissance AAMMJJ, compteur, clé) : vérifiez le numéro saisi.',
  'niss-key': 'La clé du NISS est incorrecte : vérifiez le numéro saisi.',
  'finess-empty': 'Saisissez le numéro FINESS de l’établissement.',
  'finess-length': 'Le numéro FINESS compte 9 caractères : vérifiez le numéro saisi.',
  'finess-format': 'Le numéro FINESS commence par le département (2 chiffres, 2A ou 2B) suivi de 7 chiffres.',
  'finess-key': 'La clé du numéro FINESS est incorrecte : vérifiez le numéro saisi.',
  'rpps-empty': 'Saisissez le numéro RPPS.',
  'rpps-length': 'Le numéro RPPS compte 11 chiffres : vérifiez le numéro saisi.',
  'rpps-format': 'Le numéro RPPS ne contient que des chiffres.',
  'rpps-key': 'La clé du numéro RPPS est incorrecte : vérifiez le numéro saisi.',
  'adeli-empty': 'Saisissez le numéro ADELI.',
  'adeli-length': 'Le numéro ADELI compte 9 chiffres : vérifiez le numéro saisi.',
  'adeli-format': 'Le numéro ADELI ne contient que des chiffres.',
  'adeli-key': 'La clé du numéro ADELI est incorrecte : vérifiez le numéro saisi.',
  'nam-empty': 'Saisissez le numéro d’Assurance Maladie (N°AM) du cabinet.',
  'nam-length': 'Le N°AM compte 9 chiffres : vérifiez le numéro saisi.',
  'nam-format': 'Le N°AM ne contient que des chiffres.',
  'inami-empty': 'Saisissez le numéro INAMI.',
  'inami-length': 'Le numéro INAMI compte 11 chiffres : vérifiez le numéro saisi.',
  'inami-format': 'Le numéro INAMI ne contient que des chiffres.',
  'inami-key': 'Les chiffres de contrôle du numéro INAMI sont incorrects : vérifiez le numéro saisi.',
  'gs1-empty': 'Aucun code n’a été lu : scannez le code DataMatrix de la boîte.',
  'gs1-format':
    'Le code scanné n’est pas un code GS1 lisible : scannez de nouveau ou saisissez le lot à la main.',
  'gs1-unknown-ai':
    'Le code scanné contient une donnée GS1 inconnue : scannez de nouveau ou saisissez le lot à la main.',
  'gs1-gtin-missing':
    'Le code scanné ne contient pas de code produit (GTIN) : ce n’est pas le code d’une boîte.',
  'gs1-gtin-key': 'Le code produit (GTIN) lu est incorrect : scannez de nouveau.',
  'gs1-expiry-invalid': 'La date de péremption lue n’est pas une date valide : saisissez-la à la main.',
  'gs1-lot-invalid': 'Le numéro de lot lu n’est pas valide (20 caractères au plus) : saisissez-le à la main.',
  'gs1-serial-invalid': 'Le numéro de série lu n’est pas valide (20 caractères au plus).',
  'nir-sex-mismatch':
    'Le premier chiffre du NIR ne correspond pas au sexe indiqué : vérifiez l’un ou l’autre.',
  'nir-birth-month-mismatch':
    'Le mois de naissance du NIR ne correspond pas à la date de naissance indiquée.',
  'nir-birth-year-mismatch': 'L’année de naissance du NIR ne correspond pas à la date de naissance indiquée.',
  'finess-key-unchecked': 'Numéro FINESS corse : sa clé n’a pas pu être vérifiée, relisez-le attentivement.',
  'nam-key-unverified': 'La clé de ce N°AM n’a pas pu être confirmée : relisez le numéro attentivement.',
} as const satisfies Record<IdentifierError | IdentifierWarning, string>
