// Messages of sync: the « À traiter » inbox of rejected changes and the sync panel (default language).
// Rejection reasons themselves are workflow.errors.<code>.
import type { MutationType } from '../../../shared/commands'

// vue-i18n reads dots as nesting: a mutation type is a key with its dot turned into a hyphen.
type Dashed<T extends string> = T extends `${infer A}.${infer B}` ? `${A}-${B}` : T
/** The message key of a mutation type ('step.record' → 'step-record'). */
export type MutationTypeKey = Dashed<MutationType>

/** French messages of the inbox and the sync panel. */
export const sync = {
  inbox: {
    title: 'À traiter',
    intro:
      "Les modifications que le serveur a refusées restent ici jusqu'à ce que vous décidiez quoi en faire. Rien n'est effacé sans votre action.",
    empty: 'Rien à traiter : toutes vos modifications ont été acceptées.',
    listLabel: 'Modifications refusées',
    rejectedOn: 'Refusée le {date} à {time}',
    actedOn: 'Saisie le {date} à {time}',
    heldBy: 'Enregistrée par {name} le {date} à {time}',
    reason: 'Motif',
    patient: 'Patient',
    unknownPatient: 'Patient absent de cet appareil (inscription refusée ou pas encore reçue)',
    openFile: 'Ouvrir le dossier de {name}',
    actions: {
      discard: 'Ignorer',
      reEnter: 'Saisir à nouveau',
      requestCorrection: "Demander une correction à l'auteur",
      export: "Exporter pour l'administrateur",
    },
    correction: {
      label: 'Message pour {name}',
      hint: 'Décrivez la correction à apporter à cette étape.',
      send: 'Envoyer la demande',
      cancel: 'Annuler',
    },
    recorded:
      'Votre décision est enregistrée ; elle sera transmise au serveur à la prochaine synchronisation.',
    exported:
      "Fichier enregistré : {name}. Chiffré, il ne peut être ouvert que par le serveur : remettez-le à l'administrateur de la synchronisation.",
    types: {
      'patient-register': 'Inscription du patient',
      'patient-update': 'Modification du patient',
      'step-record': "Enregistrement d'une étape",
      'step-amend': "Rectification d'une étape",
      'adverse-event-record': "Déclaration d'un effet indésirable",
      'lot-upsert': 'Lot de vaccin',
      'audit-append': "Journal d'activité",
    } satisfies Record<MutationTypeKey, string>,
  },
  panel: {
    title: 'Synchronisation',
    status: {
      idle: 'À jour',
      syncing: 'Synchronisation en cours…',
      offline: 'Hors ligne : les modifications sont gardées sur l’appareil et partiront au retour du réseau.',
      error: 'La synchronisation a échoué ; un nouvel essai aura lieu automatiquement.',
      revoked:
        "Cet appareil a été révoqué par l'administrateur : la synchronisation est arrêtée. Exportez les modifications non synchronisées et remettez le fichier à l'administrateur.",
      'upgrade-required':
        "Cette version de Carnet est trop ancienne pour le serveur : mettez l'application à jour. Vos modifications restent sur l'appareil.",
    },
    pending: 'Aucune modification en attente | 1 modification en attente | {n} modifications en attente',
    lastSync: 'Dernière synchronisation : {when}',
    never: 'jamais',
    progressLabel: 'Progression de la synchronisation',
    progressPush: 'Envoi des modifications : {received} sur {total}',
    progressPull: '{received} changements reçus',
    progressPullOf: '{received} changements reçus sur environ {total}',
    nextRetry: 'Prochain essai vers {time}',
    syncNow: 'Synchroniser maintenant',
    export: 'Exporter les modifications non synchronisées',
    exportHint:
      "Le fichier contient les modifications pas encore reçues par le serveur ; l'administrateur peut l'importer.",
    exported: 'Fichier enregistré : {name}',
  },
}

/** The shape every language's sync messages must fill. */
export type SyncMessages = typeof sync
