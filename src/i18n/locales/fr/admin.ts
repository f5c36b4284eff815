// Messages of the admin screens (default language).

/** French messages of admin. */
export const admin = {}

/** The shape every language's admin messages must fill. */
export type AdminMessages = typeof admin
