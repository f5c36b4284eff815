// The organisation's vaccination activity over a range of days (the dashboard's "Activité" page). A dose counts
// on the day of its time of action as the device wrote it (its own offset: the local day where it was given);
// "received" counts it on the server's receipt day (UTC), so a gap between the two curves shows devices that
// synced late.
import { addDays, compareDates } from '../../../src/domain/time/calendar'
import type { ActivityResponse, Count } from '../../../src/shared/admin-api'
import type { DoseActivity } from '../store/admin-queries'

/** The default range: the 30 days up to `today`. */
export const DEFAULT_ACTIVITY_DAYS = 30
/** The longest range one request may cover. */
export const MAX_ACTIVITY_DAYS = 366

/** Every day from `from` to `to`, both included. */
export function daysBetween(from: string, to: string): string[] {
  const days: string[] = []
  for (
    let day = from;
    compareDates(day, to) <= 0 && days.length <= MAX_ACTIVITY_DAYS;
    day = addDays(day, 1)
  ) {
    days.push(day)
  }
  return days
}

const counted = (counts: Map<string, number>): Count[] =>
  [...counts]
    .map(([key, count]) => ({ key, count }))
    .sort((a, b) => b.count - a.count || a.key.localeCompare(b.key))

const add = (counts: Map<string, number>, key: string, count: number) =>
  counts.set(key, (counts.get(key) ?? 0) + count)

/** Counts the doses of a range per day, per site, per vaccine, and recorded versus received per day. */
export function activityOf(activity: DoseActivity, from: string, to: string): ActivityResponse {
  const days = daysBetween(from, to)
  const inRange = (day: string) => day >= from && day <= to
  const perDay = new Map(days.map((d) => [d, 0]))
  const received = new Map(days.map((d) => [d, 0]))
  const perSite = new Map<string, number>()
  const perVaccine = new Map<string, number>()
  for (const row of activity.recorded) {
    if (!inRange(row.day)) continue
    add(perDay, row.day, row.count)
    add(perSite, row.place ?? '', row.count)
    add(perVaccine, row.vaccineId ?? '', row.count)
  }
  for (const row of activity.received) if (inRange(row.day)) add(received, row.day, row.count)
  return {
    from,
    to,
    dosesPerDay: days.map((key) => ({ key, count: perDay.get(key) ?? 0 })),
    dosesPerSite: counted(perSite),
    dosesPerVaccine: counted(perVaccine),
    recordedVersusReceived: days.map((day) => ({
      day,
      recorded: perDay.get(day) ?? 0,
      received: received.get(day) ?? 0,
    })),
  }
}
