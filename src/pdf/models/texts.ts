// The wording of the printed documents that the screens do not already have (the rest comes from the French
// messages through `french`). Documents are French only: they are handed to the patient and filed as such.

/** The national portal for reporting adverse events (pharmacovigilance), printed on every document. */
export const ADVERSE_EFFECT_PORTAL = 'https://signalement.social-sante.gouv.fr'

/** Fixed French wording of the documents. */
export const TEXTS = {
  brand: 'Carnet',
  tagline: 'Carnet de vaccination',
  finess: 'FINESS {finess}',
  certificateTitle: 'Bilan de vaccination',
  provisional: 'PROVISOIRE — doses non encore transmises',
  provisionalHint:
    'Des doses de ce bilan, enregistrées sur l’appareil, n’ont pas encore été transmises au serveur : le bilan sera définitif après la synchronisation.',
  sections: {
    patient: 'Patient',
    eligibility: 'Déclaration d’éligibilité',
    dose: 'Vaccination',
    professional: 'Professionnel de santé',
    doses: 'Doses administrées',
    nextDose: 'Prochaine dose',
    adverseEffects: 'Effets indésirables',
    qr: 'Données de vaccination (QR code)',
  },
  identity: {
    birthName: 'Nom de naissance',
    usualName: 'Nom d’usage',
    firstNames: 'Prénom(s)',
    sex: 'Sexe',
    birthDate: 'Date de naissance',
    birthRank: 'Rang de naissance',
    nir: 'NIR',
    nirOuvrantDroit: 'NIR ouvrant droit',
    niss: 'NISS',
  },
  professional: {
    name: 'Nom',
    profession: 'Profession',
    rpps: 'N° RPPS',
    adeli: 'N° ADELI',
    inami: 'N° INAMI',
    validation: 'Validation',
    amendment: 'Dernière modification',
  },
  dosesTable: {
    date: 'Date',
    vaccine: 'Vaccin',
    lot: 'Lot',
    dose: 'Dose',
    site: 'Zone d’injection',
    professional: 'Professionnel de santé',
    place: 'Lieu',
  },
  doseOf: '{n}/{total}',
  doseBooster: '{n} (rappel)',
  noDose: 'Aucune dose enregistrée.',
  adverseEffect:
    'Un effet indésirable après la vaccination ? Déclarez-le sur le portail national de signalement :',
  signatureBoxes: ['Signature et cachet du professionnel de santé', 'Date'],
  qrCaption:
    'Ce QR code reprend les données de vaccination au format du certificat COVID numérique de l’UE. Il n’est pas signé : il ne remplace pas le certificat délivré par le service national.',
  generated: 'Document généré le {date} à {time}',
  generatedBy: 'Document généré le {date} à {time} par {name}',
  page: 'Page {n}/{total}',
} as const
