// Messages of the documents screens in English (second language); same keys as the French file.
import type { DocumentsMessages } from '../fr/documents'

/** English messages of documents. */
export const documents = {
  preparing: 'Preparing the document…',
  done: 'Document ready.',
  summary: {
    heading: 'Summary to hand to the patient',
    print: 'Print the summary',
    printHint: 'Opens the PDF in a new tab to print it, then sign it before handing it over.',
    downloadPdf: 'Download (PDF)',
    exportCsv: 'Export the summary (.csv)',
  },
  patient: {
    heading: 'Patient documents',
    certificate: 'Vaccination record (PDF)',
    fhir: 'Export (FHIR)',
    provisional:
      'Provisional record: doses recorded on this device have not reached the server yet. The document will be marked “PROVISOIRE”.',
    final: 'Every dose has reached the server.',
  },
  day: {
    heading: 'Activity of the day',
    date: 'Day of the injections',
    place: 'Vaccination place',
    allPlaces: 'All places',
    placeOption: '{label} — {count} injection | {label} — {count} injections',
    export: 'Export the day’s injections (.csv)',
    none: 'No injection recorded on that day on this device.',
  },
  errors: {
    'not-signed-in': 'Sign in to print or export a document.',
    'not-found': 'This file is not on this device: the document could not be prepared.',
    'nothing-to-export': 'No injection to export for this day and place.',
    failed: 'The document could not be prepared. Try again; if it keeps failing, restart the app.',
  },
  dismiss: 'Close the message',
} satisfies DocumentsMessages
