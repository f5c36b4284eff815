// Messages of the documents screens (default language).

/** French messages of documents. */
export const documents = {
  preparing: 'Préparation du document…',
  done: 'Document prêt.',
  summary: {
    heading: 'Synthèse à remettre au patient',
    print: 'Imprimer la synthèse',
    printHint: 'Ouvre le PDF dans un nouvel onglet pour l’imprimer, puis le signer avant de le remettre.',
    downloadPdf: 'Télécharger (PDF)',
    exportCsv: 'Exporter la synthèse (.csv)',
  },
  patient: {
    heading: 'Documents du patient',
    certificate: 'Bilan de vaccination (PDF)',
    fhir: 'Exporter (FHIR)',
    provisional:
      'Bilan provisoire : des doses enregistrées sur cet appareil n’ont pas encore été transmises au serveur. Le document portera la mention « PROVISOIRE ».',
    final: 'Toutes les doses ont été transmises au serveur.',
  },
  day: {
    heading: 'Activité du jour',
    date: 'Jour des injections',
    place: 'Lieu de vaccination',
    allPlaces: 'Tous les lieux',
    placeOption: '{label} — {count} injection | {label} — {count} injections',
    export: 'Exporter les injections du jour (.csv)',
    none: 'Aucune injection enregistrée ce jour-là sur cet appareil.',
  },
  errors: {
    'not-signed-in': 'Connectez-vous pour imprimer ou exporter un document.',
    'not-found': 'Ce dossier n’est pas sur cet appareil : le document n’a pas pu être préparé.',
    'nothing-to-export': 'Aucune injection à exporter pour ce jour et ce lieu.',
    failed:
      'Le document n’a pas pu être préparé. Réessayez ; si le problème persiste, redémarrez l’application.',
  },
  dismiss: 'Fermer le message',
}

/** The shape every language's documents messages must fill. */
export type DocumentsMessages = typeof documents
