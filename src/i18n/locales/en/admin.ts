// Messages of the admin screens in English (second language); same keys as the French file.
import type { AdminMessages } from '../fr/admin'

/** English messages of admin. */
export const admin = {} satisfies AdminMessages
