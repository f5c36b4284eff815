export const appMessagesFr = {
  name: 'Carnet',
  documentTitle: 'Carnet — {page}',
  skipToContent: 'Aller au contenu',
  header: {
    homeLink: 'Carnet, accueil',
    toolsLabel: 'État et réglages',
  },
  network: {
    online: 'En ligne',
    offline: 'Hors ligne',
  },
  language: {
    label: 'Langue',
  },
  update: {
    available: 'Nouvelle version disponible',
    hint: 'Rechargez quand votre saisie en cours est enregistrée.',
    reload: 'Recharger',
    later: 'Plus tard',
    applying: 'Mise à jour en cours…',
    offlineReady: 'Carnet est prêt à fonctionner hors ligne sur cet appareil.',
    close: 'Fermer',
  },
  home: {
    title: 'Accueil',
    intro:
      "Carnet enregistre les patients, leur éligibilité et les doses administrées par les équipes de vaccination, même sans réseau : chaque saisie est gardée sur l'appareil puis transmise dès qu'une connexion revient.",
    deviceHeading: 'Cet appareil',
    network: 'Réseau',
    version: 'Version',
  },
  notFound: {
    title: 'Page introuvable',
    body: "L'adresse demandée ne correspond à aucune page de Carnet.",
    backHome: "Retour à l'accueil",
  },
}

export type AppMessages = typeof appMessagesFr
