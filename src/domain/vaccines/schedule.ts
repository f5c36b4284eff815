// Schedule rules over the catalogue: which product, and from when the next dose may be given (a hint).
import { addDays, addMonths, type IsoDate } from '../time/calendar'
import type { Catalogue, Interval, Vaccine } from '../../shared/vaccine'

/** Finds a vaccine by id, so a step naming an unknown product is refused ('unknown-vaccine'). */
export function findVaccine(catalogue: Catalogue, id: string): Vaccine | undefined {
  return catalogue.find((v) => v.id === id)
}

/** Adds a minimum interval (days, or months clamped to the month's end) to a calendar day. */
export function addInterval(date: IsoDate, interval: Interval): IsoDate {
  return interval.unit === 'days' ? addDays(date, interval.value) : addMonths(date, interval.value)
}

/** What the next dose after a given one would be, for the "next dose from" hint. */
export type NextDoseHint = { doseNumber: number; isBooster: boolean; from: IsoDate }

/**
 * Gives the "next dose from" hint of the summary: last dose + the primary series' minimum interval, or the
 * booster interval after the last primary dose (or after a booster); null when nothing follows (single-dose
 * product without boosters, completed series without boosters). Never a block.
 */
export function nextDoseFrom(
  seriesVaccine: Vaccine,
  last: { doseNumber: number; date: IsoDate; isBooster?: boolean },
  options: { highRisk?: boolean } = {},
): NextDoseHint | null {
  const primary = seriesVaccine.dosesInPrimarySeries
  if (!last.isBooster && last.doseNumber < primary) {
    const interval = seriesVaccine.minIntervals[last.doseNumber - 1]
    if (interval === undefined) return null
    return { doseNumber: last.doseNumber + 1, isBooster: false, from: addInterval(last.date, interval) }
  }
  const booster = seriesVaccine.booster
  if (!booster.allowed) return null
  const months = options.highRisk ? (booster.fromMonthsHighRisk ?? booster.fromMonths) : booster.fromMonths
  return { doseNumber: last.doseNumber + 1, isBooster: true, from: addMonths(last.date, months) }
}
