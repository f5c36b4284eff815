// Messages of the vaccination workflow (default language). Placeholders in braces come from a refusal's detail.
import type { ErrorCode, RuleWarningCode } from '../../../shared/errors'
import type {
  AdverseEventSeverity,
  InjectionSite,
  MainActivity,
  PlaceType,
  Profession,
  Role,
  Route,
  Sex,
  TargetDisease,
} from '../../../shared/vocabulary'

/** The shape every language's workflow messages must fill. */
export type WorkflowMessages = {
  errors: Record<ErrorCode, string>
  warnings: Record<RuleWarningCode, string>
  places: Record<PlaceType, string>
  sites: Record<InjectionSite, string>
  routes: Record<Route, string>
  activities: Record<MainActivity, string>
  professions: Record<Profession, string>
  sexes: Record<Sex, string>
  diseases: Record<TargetDisease, string>
  severities: Record<AdverseEventSeverity, string>
  roles: Record<Role, string>
  steps: {
    eligibility: string
    dose1: string
    dose2: string
    doseN: string
    booster: string
    rectificatif: string
    nextDoseFrom: string
    signBeforeHandingOver: string
  }
}

/** French messages of the workflow: every error code, warning and form vocabulary, translated for the UI. */
export const workflow = {
  errors: {
    'action-in-future':
      "L'heure de la saisie ({at}) est postérieure à l'heure du serveur : vérifiez l'horloge de l'appareil.",
    'action-before-sign-in': 'Cette saisie est datée d’avant la connexion de son auteur·e.',
    'unknown-user': "Cet utilisateur n'est pas membre de l'organisation.",
    'role-not-valid':
      "Aucun rôle valide à la date de la saisie : le rôle n'avait pas commencé ou avait expiré.",
    'not-a-professional': 'Seul un professionnel de santé habilité à vacciner peut valider une étape.',
    'delegate-not-acting-for': "Vous n'êtes pas délégué·e pour le compte de ce professionnel de santé.",
    'patient-not-found': 'Ce patient est introuvable.',
    'step-not-found': 'Cette étape est introuvable.',
    'invalid-identifier': 'Identifiant invalide ({field}) : vérifiez la saisie.',
    'invalid-fields': 'Certains champs sont incomplets ou invalides.',
    'identity-conflict': 'Cet identifiant appartient déjà à un autre patient.',
    'duplicate-id': 'Cet enregistrement existe déjà.',
    'step-already-recorded': 'Cette étape a déjà été enregistrée par {author}.',
    'previous-step-missing': "L'étape précédente n'a pas encore été enregistrée.",
    'step-kind-mismatch': "Cette saisie ne correspond pas au type de l'étape.",
    'unknown-vaccine': "Ce vaccin n'est pas dans le catalogue.",
    'vaccine-mismatch': 'Le vaccin doit être celui de la 1ère vaccination ({expected}).',
    'booster-only-vaccine': "Ce vaccin n'est utilisable qu'en rappel, après une primo-vaccination.",
    'single-dose-series': "Ce vaccin est monodose : il n'y a pas de 2ème vaccination.",
    'series-complete': 'Le schéma vaccinal est complet : aucune dose supplémentaire prévue.',
    'injection-in-future': "La date d'injection est dans le futur.",
    'duplicate-injection-site':
      "Une autre injection a déjà eu lieu à ce site lors de cette visite : choisissez un autre site d'injection.",
    'step-locked-by-author':
      'Cette étape a été validée par {author} : seul·e cette personne peut la modifier.',
    'step-locked-by-next-step':
      "L'étape suivante a été enregistrée : cette étape ne peut plus être modifiée.",
    'stale-base-version':
      'Cette étape a été modifiée entre-temps : rouvrez-la pour voir la dernière version.',
    'signature-mismatch':
      'La signature de cette modification ne correspond pas à la clé de son auteur·e sur cet appareil : elle a été mise de côté sans être appliquée. Exportez-la pour l’administrateur de la synchronisation.',
    'invalid-json': 'Requête illisible.',
    'invalid-request': 'Requête invalide.',
    unauthenticated: 'Session expirée : reconnectez-vous.',
    'invalid-credentials': 'Identifiant ou mot de passe incorrect.',
    'device-revoked': "Cet appareil a été révoqué par l'administrateur : la synchronisation est arrêtée.",
    'device-mismatch': 'Ces modifications ne viennent pas de cet appareil.',
    'invalid-signature': 'Signature des modifications invalide.',
    forbidden: "Vous n'avez pas les droits pour cette action.",
    'not-found': 'Ressource introuvable.',
    'seq-gap': 'Des modifications manquent dans la file : reprise de la synchronisation.',
    'mutation-id-reused': 'Identifiant de modification déjà utilisé.',
    'already-resolved': 'Ce rejet a déjà été traité.',
    'payload-too-large': 'Envoi trop volumineux : il sera découpé.',
    'upgrade-required': "Une mise à jour de l'application est nécessaire pour synchroniser.",
    'rate-limited': 'Trop de tentatives : réessayez dans un moment.',
    internal: 'Erreur du serveur : réessai automatique.',
    unavailable: 'Serveur momentanément indisponible : réessai automatique.',
    'device-keys-destroyed':
      'Les clés de cet appareil ont été détruites après sa révocation : ses modifications ne peuvent plus être importées.',
  },
  warnings: {
    'dose-before-minimum-interval': "Dose administrée avant l'intervalle minimal recommandé.",
    'lot-expired': "Le lot était périmé à la date d'injection.",
    'primary-series-cut-short': 'Rappel enregistré avant la fin de la primo-vaccination.',
    'possible-duplicate': 'Un patient avec les mêmes nom, prénoms, date et rang de naissance existe déjà.',
  },
  places: {
    ehpad: 'EHPAD',
    'centre-de-vaccination': 'Centre de vaccination',
    usld: 'USLD',
    'residence-autonomie': 'Résidence autonomie',
    'residence-services-seniors': 'Résidence service senior',
    'mas-fam': "Maison d'accueil spécialisée ou foyer d'accueil médicalisé",
    'autre-etablissement-medico-social': 'Dans un autre établissement médico-social',
    'autre-etablissement-de-sante': 'Dans un autre établissement de santé',
    cabinet: "Au cabinet ou dans la structure d'exercice",
    domicile: 'Au domicile du patient',
    'foyer-migrant': 'Foyer migrant',
    autre: 'Autre',
  },
  sites: {
    'deltoid-left': 'Deltoïde gauche',
    'deltoid-right': 'Deltoïde droit',
    'thigh-left': 'Cuisse gauche',
    'thigh-right': 'Cuisse droite',
    'buttock-left': 'Fesse gauche',
    'buttock-right': 'Fesse droite',
  },
  routes: {
    intramuscular: 'Intramusculaire',
    subcutaneous: 'Sous-cutanée',
    intradermal: 'Intradermique',
    nasal: 'Nasale',
  },
  activities: {
    'etablissement-de-sante':
      'Professionnel de santé travaillant au sein d’un établissement de santé public ou privé',
    'etablissement-medico-social':
      'Professionnel de santé travaillant au sein d’un établissement médico-social (EHPAD…)',
    ambulatoire: 'Professionnel de santé travaillant en ambulatoire',
    autre: 'Autre (étudiants, professionnels de prévention)',
  },
  professions: {
    medecin: 'Médecin',
    'chirurgien-dentiste': 'Chirurgien-dentiste',
    'sage-femme': 'Sage-femme',
    pharmacien: 'Pharmacien·ne',
    'preparateur-en-pharmacie': 'Préparateur·rice en pharmacie',
    'preparateur-en-pharmacie-hospitaliere': 'Préparateur·rice en pharmacie hospitalière',
    infirmier: 'Infirmier·e',
    'masseur-kinesitherapeute': 'Masseur-kinésithérapeute',
    'pedicure-podologue': 'Pédicure-podologue',
    ergotherapeute: 'Ergothérapeute',
    psychomotricien: 'Psychomotricien·ne',
    orthophoniste: 'Orthophoniste',
    orthoptiste: 'Orthoptiste',
    'manipulateur-electroradiologie': "Manipulateur·rice d'électroradiologie médicale",
    'technicien-laboratoire': 'Technicien·ne de laboratoire médical',
    audioprothesiste: 'Audioprothésiste',
    'opticien-lunetier': 'Opticien-lunetier',
    'prothesiste-orthesiste': 'Prothésiste et orthésiste',
    dieteticien: 'Diététicien·ne',
    'aide-soignant': 'Aide-soignant·e',
    'auxiliaire-de-puericulture': 'Auxiliaire de puériculture',
    ambulancier: 'Ambulancier·ère',
  },
  sexes: { male: 'Masculin', female: 'Féminin', unknown: 'Non renseigné' },
  diseases: {
    'covid-19': 'COVID-19',
    influenza: 'Grippe',
    pneumococcal: 'Pneumocoque',
    zoster: 'Zona',
    rsv: 'VRS (virus respiratoire syncytial)',
  },
  severities: { 'non-serious': 'Non grave', serious: 'Grave' },
  roles: {
    vaccinator: 'Vaccinateur',
    delegate: 'Délégué·e',
    'access-manager': "Gestionnaire d'accès",
    'sync-admin': 'Administrateur de la synchronisation',
  },
  steps: {
    eligibility: 'Éligibilité vaccination',
    dose1: '1ère vaccination',
    dose2: '2ème vaccination',
    doseN: '{n}ème vaccination',
    booster: 'Rappel',
    rectificatif: "Rectificatif des données télétransmises à l'Assurance Maladie",
    nextDoseFrom: 'Prochaine dose possible à partir du {date}',
    signBeforeHandingOver: 'Il convient de signer ce document avant de le remettre à son patient',
  },
} satisfies WorkflowMessages
