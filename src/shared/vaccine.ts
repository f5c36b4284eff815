// A vaccine and its schedule as data (product.md: a new vaccine or campaign needs no release). The catalogue
// ships in src/domain/vaccines/catalogue.ts and can be replaced by the server's (pull entity `vaccine`).
import { z } from 'zod'
import { IdSchema, LabelSchema } from './primitives'
import { RouteSchema, TargetDiseaseSchema, VaccinePlatformSchema } from './vocabulary'

/** A minimum interval, in days or in calendar months (months clamp to the month's end). */
export const IntervalSchema = z.discriminatedUnion('unit', [
  z.object({ unit: z.literal('days'), value: z.number().int().min(1).max(3650) }),
  z.object({ unit: z.literal('months'), value: z.number().int().min(1).max(120) }),
])

/** When boosters may follow the last dose: from `fromMonths` (`fromMonthsHighRisk` for ≥80, EHPAD/USLD, immunocompromised). */
export const BoosterPolicySchema = z.discriminatedUnion('allowed', [
  z.object({ allowed: z.literal(false) }),
  z.object({
    allowed: z.literal(true),
    fromMonths: z.number().int().min(1).max(120),
    fromMonthsHighRisk: z.number().int().min(1).max(120).optional(),
  }),
])

/** Enforces a coherent schedule: booster-only products have no primary series; one interval between each pair of primary doses. */
export const VaccineSchema = z
  .object({
    id: IdSchema,
    name: LabelSchema,
    manufacturer: LabelSchema,
    euAuthorisation: z
      .string()
      .regex(/^EU\/\d\/\d{2}\/\d{3,4}$/)
      .optional(),
    targetDisease: TargetDiseaseSchema,
    platform: VaccinePlatformSchema,
    defaultRoute: RouteSchema,
    dosesInPrimarySeries: z.number().int().min(0).max(10),
    minIntervals: z.array(IntervalSchema).max(9),
    booster: BoosterPolicySchema,
    isBoosterOnly: z.boolean(),
  })
  .superRefine((v, ctx) => {
    if (v.isBoosterOnly !== (v.dosesInPrimarySeries === 0)) {
      ctx.addIssue({
        code: 'custom',
        message: 'booster-only exactly when no primary series',
        path: ['isBoosterOnly'],
      })
    }
    if (v.isBoosterOnly && !v.booster.allowed) {
      ctx.addIssue({
        code: 'custom',
        message: 'a booster-only product must allow boosters',
        path: ['booster'],
      })
    }
    if (v.minIntervals.length !== Math.max(0, v.dosesInPrimarySeries - 1)) {
      ctx.addIssue({
        code: 'custom',
        message: 'one interval between each pair of primary doses',
        path: ['minIntervals'],
      })
    }
  })

/** Enforces unique ids across a catalogue. */
export const CatalogueSchema = z
  .array(VaccineSchema)
  .min(1)
  .refine((list) => new Set(list.map((v) => v.id)).size === list.length, { message: 'duplicate vaccine id' })

/** A minimum interval. */
export type Interval = z.infer<typeof IntervalSchema>
/** A booster policy. */
export type BoosterPolicy = z.infer<typeof BoosterPolicySchema>
/** A vaccine and its schedule. */
export type Vaccine = z.infer<typeof VaccineSchema>
/** A catalogue of vaccines. */
export type Catalogue = readonly Vaccine[]
