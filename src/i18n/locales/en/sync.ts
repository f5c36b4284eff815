// Messages of sync in English (second language); same keys as the French file.
import type { SyncMessages } from '../fr/sync'

/** English messages of the inbox and the sync panel. */
export const sync = {
  inbox: {
    title: 'To do',
    intro:
      'Changes the server refused stay here until you decide what to do with them. Nothing is removed without your action.',
    empty: 'Nothing to do: all your changes were accepted.',
    listLabel: 'Refused changes',
    rejectedOn: 'Refused on {date} at {time}',
    actedOn: 'Entered on {date} at {time}',
    heldBy: 'Recorded by {name} on {date} at {time}',
    reason: 'Reason',
    patient: 'Patient',
    unknownPatient: 'Patient not on this device (registration refused or not received yet)',
    openFile: 'Open the file of {name}',
    actions: {
      discard: 'Ignore',
      reEnter: 'Enter again',
      requestCorrection: 'Ask the author for a correction',
      export: 'Export for the administrator',
    },
    correction: {
      label: 'Message for {name}',
      hint: 'Describe the correction this step needs.',
      send: 'Send the request',
      cancel: 'Cancel',
    },
    recorded: 'Your decision is saved; it will reach the server at the next sync.',
    exported:
      'File saved: {name}. Encrypted, it can only be opened by the server: hand it to the sync administrator.',
    types: {
      'patient-register': 'Patient registration',
      'patient-update': 'Patient change',
      'step-record': 'Step recording',
      'step-amend': 'Step correction',
      'adverse-event-record': 'Adverse event report',
      'lot-upsert': 'Vaccine lot',
      'audit-append': 'Activity log',
    },
  },
  panel: {
    title: 'Sync',
    status: {
      idle: 'Up to date',
      syncing: 'Syncing…',
      offline: 'Offline: changes are kept on the device and will be sent when the network is back.',
      error: 'Sync failed; it will be retried automatically.',
      revoked:
        'This device was revoked by the administrator: sync is stopped. Export the unsynced changes and hand the file to the administrator.',
      'upgrade-required':
        'This version of Carnet is too old for the server: update the app. Your changes stay on the device.',
    },
    pending: 'No change waiting | 1 change waiting | {n} changes waiting',
    lastSync: 'Last sync: {when}',
    never: 'never',
    progressLabel: 'Sync progress',
    progressPush: 'Sending changes: {received} of {total}',
    progressPull: '{received} changes received',
    progressPullOf: '{received} changes received of about {total}',
    nextRetry: 'Next attempt around {time}',
    syncNow: 'Sync now',
    export: 'Export unsynced changes',
    exportHint:
      'The file holds the changes the server has not received yet; the administrator can import it.',
    exported: 'File saved: {name}',
  },
} satisfies SyncMessages
