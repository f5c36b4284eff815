// Messages of sign-in, the session header, patient search and registration (default language).
// vue-i18n reserves @ { } | $ : e-mail examples write the at sign as {'@'}; « | » separates plural forms.
export const patients = {
  common: {
    required: 'obligatoire',
    choose: 'Choisir…',
    yes: 'Oui',
    no: 'Non',
    suggestions: 'Suggestions',
    never: 'jamais',
  },
  signIn: {
    title: 'Connexion',
    intro:
      'Connectez-vous avec l’identifiant et le mot de passe que votre gestionnaire d’accès vous a remis.',
    login: 'Identifiant',
    password: 'Mot de passe',
    submit: 'Se connecter',
    submitting: 'Connexion en cours…',
    offlineHint:
      'Hors ligne : la connexion est possible sur cet appareil si vous vous y êtes déjà connecté·e en ligne.',
    loginRequired: 'Saisissez votre identifiant.',
    passwordRequired: 'Saisissez votre mot de passe.',
    offlineDone: 'Connecté·e hors ligne : vos saisies seront transmises au retour du réseau.',
    errors: {
      'invalid-credentials': 'Identifiant ou mot de passe incorrect.',
      'rate-limited': 'Trop de tentatives de connexion. Patientez {seconds} secondes avant de réessayer.',
      'wrong-password': 'Hors ligne : mot de passe incorrect.',
      'never-signed-in-here':
        'Vous ne vous êtes jamais connecté·e en ligne sur cet appareil : une première connexion avec réseau est nécessaire avant de pouvoir travailler hors ligne.',
      'device-revoked':
        'Cet appareil a été révoqué par l’administrateur : il ne peut plus être utilisé pour se connecter.',
      forbidden: 'Votre compte n’a pas accès à Carnet. Contactez votre gestionnaire d’accès.',
      'server-error': 'Le serveur n’a pas pu traiter la connexion. Réessayez dans un instant.',
      'corrupt-key-blob':
        'La clé gardée sur cet appareil est illisible : connectez-vous une fois avec réseau pour la renouveler.',
      'online-sign-in-needed':
        'Les données de cet appareil sont désormais chiffrées : connectez-vous une fois avec réseau pour recevoir la clé qui les ouvre, puis la connexion hors ligne sera de nouveau possible.',
      'data-key-mismatch':
        'Les données de cet appareil ont été chiffrées avec une autre clé que celle que le serveur connaît : elles ne peuvent pas être ouvertes. Contactez l’administrateur de la synchronisation avant toute nouvelle saisie.',
      'too-many-attempts':
        'Trop de mots de passe incorrects sur cet appareil pour cet identifiant. Patientez {wait} avant de réessayer.',
    },
    /** Added to « mot de passe incorrect » once the next attempt must wait. */
    nextAttempt: 'Prochain essai possible dans {wait}.',
    wait: {
      seconds: '{n} seconde | {n} secondes',
      minutes: '{n} minute | {n} minutes',
    },
  },
  lock: {
    title: 'Session verrouillée',
    intro:
      'La session de {name} est verrouillée. Saisissez votre mot de passe pour reprendre là où vous en étiez.',
    idle: 'Verrouillée après {minutes} minute sans activité. | Verrouillée après {minutes} minutes sans activité.',
    reload: 'La page a été rechargée : saisissez votre mot de passe pour rouvrir la session.',
    password: 'Mot de passe',
    submit: 'Déverrouiller',
    submitting: 'Vérification…',
    switchUser: 'Se connecter avec un autre compte',
    switchHint:
      'La session de {name} sera fermée : ce qu’elle avait à l’écran et qui n’était pas enregistré sera perdu.',
    lockNow: 'Verrouiller',
    wrongPassword: 'Mot de passe incorrect.',
  },
  revocation: {
    title: 'Appareil révoqué',
    by: 'Cet appareil a été révoqué par {name} le {date} à {time}.',
    byUnknown: 'Cet appareil a été révoqué par l’administrateur le {date} à {time}.',
    noSignIn: 'Plus aucune connexion n’est possible sur cet appareil.',
    wiped:
      'Ses données (patients, saisies en attente, clés et jetons de connexion) ont été effacées de l’appareil.',
    pending:
      'Aucune modification en attente sur cet appareil. | 1 modification n’a pas pu être envoyée au serveur. | {n} modifications n’ont pas pu être envoyées au serveur.',
    exportIntro:
      'L’administrateur a demandé qu’elles soient exportées avant l’effacement de l’appareil. Le fichier est chiffré : seul le serveur peut l’ouvrir. Remettez-le à l’administrateur de la synchronisation avant le {date}.',
    export: 'Exporter les modifications en attente',
    exporting: 'Export en cours…',
    exported:
      'Fichier enregistré : {name}. Une fois remis à l’administrateur, effacez les données de cet appareil.',
    wipe: 'Effacer les données de cet appareil',
    wiping: 'Effacement en cours…',
    wipeUnexported:
      'Les modifications en attente n’ont pas été exportées : elles seront perdues. Effacer quand même ?',
    confirmWipe: 'Effacer sans exporter',
    cancel: 'Annuler',
    failed: 'L’opération a échoué : {error}',
  },
  session: {
    signedInAs: 'Connecté·e : {name}',
    onBehalfOf: 'pour le compte de {name}',
    change: 'Changer',
    signOut: 'Se déconnecter',
    offlineMode: 'connexion hors ligne',
    unknownProfession: 'Profession non renseignée',
    errors: {
      'not-signed-in': 'Votre session a pris fin : reconnectez-vous pour enregistrer.',
      'acting-for-required':
        'Choisissez le professionnel pour le compte duquel vous saisissez avant d’enregistrer.',
    },
    actingFor: {
      title: 'Pour le compte de qui saisissez-vous ?',
      intro:
        'En tant que délégué·e, vous saisissez au nom d’un professionnel de santé : c’est lui qui valide. Choisissez-le avant toute saisie.',
      label: 'Professionnel de santé',
      confirm: 'Continuer',
      required: 'Choisissez un professionnel.',
      unknownName: 'Professionnel {id} (nom non encore synchronisé)',
      none: 'Aucun professionnel ne vous est rattaché pour le moment. Contactez votre gestionnaire d’accès.',
    },
  },
  sync: {
    label: 'Synchronisation',
    pending: 'Aucune modification en attente | 1 modification en attente | {n} modifications en attente',
    lastSync: 'Dernière synchronisation : {when}',
  },
  storage: {
    title: 'Stockage de cet appareil',
    usage: '{used} utilisés sur {quota}',
    unknown: 'Espace utilisé inconnu sur ce navigateur.',
    persistent: 'Stockage persistant : le navigateur ne l’effacera pas de lui-même.',
    notPersistent:
      'Stockage non persistant : le navigateur peut effacer les données de Carnet (Safari après 7 jours sans visite). Synchronisez régulièrement.',
    overHalf:
      'Plus de la moitié de l’espace disponible est utilisée : synchronisez et libérez de la place sur l’appareil.',
  },
  search: {
    title: 'Rechercher un patient',
    label: 'Code de ciblage, NIR ou nom (et date de naissance JJ/MM/AAAA)',
    hint: 'Exemples : 7K3M9Q2X4B5, 1 84 12 75 108 052 44, « dupont jean 03/04/1950 ».',
    results: 'Aucun résultat | 1 patient trouvé | {n} patients trouvés',
    resultsLabel: 'Patients trouvés',
    searching: 'Recherche…',
    none: 'Aucun patient ne correspond à « {query} ».',
    register: 'Enregistrer un nouveau patient',
    beneficiaries: 'Bénéficiaires rattachés au NIR ouvrant droit {nir} : choisissez le patient concerné.',
    born: 'né·e le {date}',
    rank: 'rang {rank}',
    code: 'Code de ciblage',
    nir: 'NIR',
    niss: 'NISS',
    usualName: 'nom d’usage {name}',
    matches: {
      code: 'code de ciblage',
      nir: 'NIR',
      'nir-ouvrant-droit': 'ayant droit du NIR saisi',
      niss: 'NISS',
      name: 'nom',
    },
    keyboardHint: 'Flèches haut et bas pour parcourir les résultats, Entrée pour ouvrir le dossier.',
  },
  register: {
    title: 'Enregistrer un nouveau patient',
    intro:
      'Patient inconnu de Carnet : complétez son identification puis ses coordonnées. Rien n’est enregistré tant que le formulaire contient une erreur.',
    identityHeading: 'Identification du patient',
    contactHeading: 'Coordonnées de contact',
    identifierKind: 'Le patient est identifié par',
    identifierKinds: {
      nir: 'Son propre NIR (numéro de sécurité sociale)',
      beneficiary: 'Le NIR de l’ouvrant droit (patient sans NIR propre)',
      niss: 'Son NISS (registre national belge ou numéro BIS)',
    },
    nirCheck:
      'Veuillez vérifier le NIR saisi avant d’enregistrer votre patient via ce formulaire. En cas d’erreur, corrigez-le ici ou revenez à la recherche.',
    birthName: 'Nom de naissance',
    usualName: 'Nom d’usage',
    firstNames: 'Prénom(s)',
    sex: 'Sexe',
    birthDate: 'Date de naissance',
    birthDateHint: 'JJ/MM/AAAA',
    birthRank: 'Rang de naissance',
    birthRankHint:
      'Prérempli à 1. Pour des jumeaux ou triplés : 1 pour le premier, 2 pour son jumeau, 3 pour le triplé…',
    nir: 'NIR (15 caractères, clé comprise)',
    nirHint: '13 caractères et la clé de 2 chiffres, espaces permis.',
    nirOuvrantDroit: 'NIR de l’ouvrant droit',
    niss: 'NISS',
    nissHint: '11 chiffres : date de naissance AAMMJJ, compteur, clé.',
    address: 'Adresse',
    postalCode: 'Code postal',
    postalCodeHint: 'Saisissez les 2 premiers chiffres puis choisissez dans la liste.',
    commune: 'Commune',
    communeHint: 'Saisissez les 2 premières lettres puis choisissez dans la liste.',
    communesUnavailable:
      'La liste des communes n’est pas disponible sur cet appareil : saisissez code postal et commune à la main.',
    phone: 'Téléphone',
    email: 'E-mail',
    emailHint: "Exemple : prenom.nom{'@'}exemple.fr",
    submit: 'Vérifier et enregistrer',
    saving: 'Enregistrement…',
    cancel: 'Retour à la recherche',
    errorSummary:
      'Le formulaire contient {n} erreur : corrigez-la avant d’enregistrer. | Le formulaire contient {n} erreurs : corrigez-les avant d’enregistrer.',
    errors: {
      required: 'Ce champ est obligatoire.',
      birthNameRequired: 'Saisissez le nom de naissance.',
      firstNamesRequired: 'Saisissez le ou les prénoms.',
      sexRequired: 'Indiquez le sexe du patient.',
      birthDateRequired: 'Saisissez la date de naissance (JJ/MM/AAAA).',
      birthDateInvalid: 'La date de naissance n’est pas une date valide (JJ/MM/AAAA).',
      birthDateFuture: 'La date de naissance ne peut pas être dans le futur.',
      birthDateTooOld: 'La date de naissance est antérieure à 1890 : vérifiez l’année.',
      birthRank: 'Le rang de naissance est un nombre entier de 1 à 9.',
      postalCode: 'Le code postal compte 5 chiffres (4 en Belgique).',
      phone: 'Le numéro de téléphone ne peut contenir que des chiffres, espaces et + ( ) . - (6 à 30).',
      email: 'L’adresse e-mail n’est pas valide.',
      tooLong: 'Ce champ est trop long ({max} caractères au plus).',
    },
    duplicates: {
      title: 'Ce patient est peut-être déjà enregistré',
      intro:
        'Vérifiez avant d’enregistrer : ouvrir le dossier existant évite deux dossiers pour la même personne.',
      sameIdentifier: 'même numéro d’identification',
      sameNames: 'mêmes noms, date et rang de naissance',
      open: 'Ouvrir le dossier de {name}',
      notSame: 'Ce n’est pas la même personne — enregistrer',
      edit: 'Revenir au formulaire',
    },
    done: {
      title: 'Patient enregistré',
      body: '{name} est enregistré·e sur cet appareil ; le dossier sera transmis à la prochaine synchronisation.',
      codeLabel: 'Code de ciblage du patient',
      codeHint:
        'Donnez ce code au patient (notez-le sur sa synthèse) : il permet de retrouver son dossier par la suite.',
      openFile: 'Ouvrir le dossier du patient',
    },
  },
}

/** The shape every language's messages of this part must fill. */
export type PatientsMessages = typeof patients
