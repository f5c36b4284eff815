// Messages of the documents screens in English (second language); same keys as the French file.
import type { DocumentsMessages } from '../fr/documents'

/** English messages of documents. */
export const documents = {} satisfies DocumentsMessages
