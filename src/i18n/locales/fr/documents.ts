// Messages of the documents screens (default language).

/** French messages of documents. */
export const documents = {}

/** The shape every language's documents messages must fill. */
export type DocumentsMessages = typeof documents
