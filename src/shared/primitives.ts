// Building blocks of every wire schema: ids, times, names, identifiers as typed (trimmed, bounded).
// Identifier strings are kept as the user typed them (trimmed) here; src/domain/identifiers checks their keys.
import { z } from 'zod'

/** An id: a device-made UUID v7 or a server-made string; printable, at most 64 characters. */
export const IdSchema = z
  .string()
  .trim()
  .min(1)
  .max(64)
  .regex(/^[A-Za-z0-9][A-Za-z0-9._:-]*$/, 'id: letters, digits, . _ : - only')

/** An instant, ISO 8601 with an offset (or Z): `at`, server times, injection times. */
export const IsoDateTimeSchema = z
  .string()
  .trim()
  .pipe(z.iso.datetime({ offset: true }))

/** A calendar day 'YYYY-MM-DD': birth dates, prescription dates, lot expiry. */
export const IsoDateSchema = z.string().trim().pipe(z.iso.date())

/** A person's name part (nom, prénoms): trimmed, 1–100 characters. */
export const NameSchema = z.string().trim().min(1).max(100)

/** A free, short label (place name, device name): trimmed, 1–200 characters. */
export const LabelSchema = z.string().trim().min(1).max(200)

/** An identifier as typed (NIR, NISS, RPPS, FINESS…): trimmed, at most 32 characters, checked by the domain. */
export const RawIdentifierSchema = z.string().trim().min(1).max(32)

/** A French (5 digits) or Belgian (4 digits) postal code. */
export const PostalCodeSchema = z
  .string()
  .trim()
  .regex(/^\d{4,5}$/, 'postal code: 4 or 5 digits')

/** A phone number as typed: digits, spaces, + ( ) . - only. */
export const PhoneSchema = z
  .string()
  .trim()
  .regex(/^[+0-9 ().-]{6,30}$/, 'phone: 6–30 digits and separators')

/** An e-mail address (at most 254 characters). */
export const EmailSchema = z.string().trim().max(254).pipe(z.email())

/** A lot number (GS1 AI 10): up to 20 letters and digits; stored upper-case by the domain. */
export const LotNumberSchema = z
  .string()
  .trim()
  .regex(/^[A-Za-z0-9]{1,20}$/, 'lot: 1–20 letters or digits')

/** Who acted: the signed-in user and, for a delegate, the professional they act for. */
export const ActorSchema = z.object({ userId: IdSchema, onBehalfOf: IdSchema.optional() })

/** Who acted (the `actor` of a mutation, the `author` of a step). */
export type Actor = z.infer<typeof ActorSchema>

/** When and from which device a field was last written: the order of field-level last-writer-wins. */
export const StampSchema = z.object({ at: IsoDateTimeSchema, deviceId: IdSchema })

/** A field's last-writer stamp. */
export type Stamp = z.infer<typeof StampSchema>
