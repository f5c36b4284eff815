// Calendar arithmetic on ISO strings, by hand: src/domain has no clock and no `Date`.
// Days are counted from 1970-01-01 with the proleptic Gregorian calendar (civil-from-days algorithm).

const DATE_RE = /^(\d{4})-(\d{2})-(\d{2})$/
const INSTANT_RE =
  /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?(Z|[+-]\d{2}:\d{2})$/i

const MS_PER_DAY = 86_400_000

/** A calendar day as written on a form ('YYYY-MM-DD'), the unit of schedules and birth dates. */
export type IsoDate = string

/** An instant written ISO 8601 with its offset, the unit of `at`, `now` and injection times. */
export type IsoDateTime = string

/** Tells whether a year is a Gregorian leap year, so that February is clamped right. */
export function isLeapYear(year: number): boolean {
  return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0
}

/** Gives the number of days in a month (1–12), so that month arithmetic clamps to the month's end. */
export function daysInMonth(year: number, month: number): number {
  if (month === 2) return isLeapYear(year) ? 29 : 28
  return [4, 6, 9, 11].includes(month) ? 30 : 31
}

function daysFromCivil(year: number, month: number, day: number): number {
  const y = month <= 2 ? year - 1 : year
  const era = Math.floor(y / 400)
  const yoe = y - era * 400
  const mp = (month + 9) % 12
  const doy = Math.floor((153 * mp + 2) / 5) + day - 1
  const doe = yoe * 365 + Math.floor(yoe / 4) - Math.floor(yoe / 100) + doy
  return era * 146_097 + doe - 719_468
}

function civilFromDays(days: number): { year: number; month: number; day: number } {
  const z = days + 719_468
  const era = Math.floor(z / 146_097)
  const doe = z - era * 146_097
  const yoe = Math.floor(
    (doe - Math.floor(doe / 1460) + Math.floor(doe / 36_524) - Math.floor(doe / 146_096)) / 365,
  )
  const doy = doe - (365 * yoe + Math.floor(yoe / 4) - Math.floor(yoe / 100))
  const mp = Math.floor((5 * doy + 2) / 153)
  const day = doy - Math.floor((153 * mp + 2) / 5) + 1
  const month = mp < 10 ? mp + 3 : mp - 9
  return { year: yoe + era * 400 + (month <= 2 ? 1 : 0), month, day }
}

function pad(n: number, width: number): string {
  return String(n).padStart(width, '0')
}

function formatDate(year: number, month: number, day: number): IsoDate {
  return `${pad(year, 4)}-${pad(month, 2)}-${pad(day, 2)}`
}

function splitDate(date: IsoDate): { year: number; month: number; day: number } | null {
  const m = DATE_RE.exec(date)
  if (!m) return null
  const year = Number(m[1])
  const month = Number(m[2])
  const day = Number(m[3])
  if (month < 1 || month > 12 || day < 1 || day > daysInMonth(year, month)) return null
  return { year, month, day }
}

function requireDate(date: IsoDate): { year: number; month: number; day: number } {
  const parts = splitDate(date)
  if (!parts) throw new RangeError(`Not a calendar date: ${date}`)
  return parts
}

/** Tells whether a string is a real calendar day 'YYYY-MM-DD' (no 30 February). */
export function isIsoDate(value: string): boolean {
  return splitDate(value) !== null
}

/** Adds (or subtracts) whole days to a calendar day, for minimum intervals counted in days. */
export function addDays(date: IsoDate, days: number): IsoDate {
  const { year, month, day } = requireDate(date)
  const c = civilFromDays(daysFromCivil(year, month, day) + days)
  return formatDate(c.year, c.month, c.day)
}

/** Adds (or subtracts) whole months to a calendar day, clamped to the month's end (31 Jan + 1 month = 28/29 Feb). */
export function addMonths(date: IsoDate, months: number): IsoDate {
  const { year, month, day } = requireDate(date)
  const index = year * 12 + (month - 1) + months
  const y = Math.floor(index / 12)
  const m = index - y * 12 + 1
  return formatDate(y, m, Math.min(day, daysInMonth(y, m)))
}

/** Orders two calendar days (negative, zero, positive), the comparison of schedules and validity dates. */
export function compareDates(a: IsoDate, b: IsoDate): number {
  const x = requireDate(a)
  const y = requireDate(b)
  return daysFromCivil(x.year, x.month, x.day) - daysFromCivil(y.year, y.month, y.day)
}

/** Reads an ISO 8601 instant with offset as milliseconds since the epoch, or null when it is not one. */
export function parseInstant(value: IsoDateTime): number | null {
  const m = INSTANT_RE.exec(value)
  if (!m) return null
  const date = splitDate(`${m[1]}-${m[2]}-${m[3]}`)
  const hours = Number(m[4])
  const minutes = Number(m[5])
  const seconds = m[6] === undefined ? 0 : Number(m[6])
  if (!date || hours > 23 || minutes > 59 || seconds > 59) return null
  const millis = m[7] === undefined ? 0 : Math.floor(Number(`0.${m[7]}`) * 1000 + 1e-6)
  const zone = (m[8] ?? 'Z').toUpperCase()
  let offsetMinutes = 0
  if (zone !== 'Z') {
    const sign = zone.startsWith('-') ? -1 : 1
    const oh = Number(zone.slice(1, 3))
    const om = Number(zone.slice(4, 6))
    if (oh > 23 || om > 59) return null
    offsetMinutes = sign * (oh * 60 + om)
  }
  const days = daysFromCivil(date.year, date.month, date.day)
  return days * MS_PER_DAY + ((hours * 60 + minutes - offsetMinutes) * 60 + seconds) * 1000 + millis
}

function requireInstant(value: IsoDateTime): number {
  const ms = parseInstant(value)
  if (ms === null) throw new RangeError(`Not an ISO instant with offset: ${value}`)
  return ms
}

/** Orders two instants whatever their offsets (negative, zero, positive): `at` against `now`, role validity. */
export function compareInstants(a: IsoDateTime, b: IsoDateTime): number {
  return requireInstant(a) - requireInstant(b)
}

/** Gives the milliseconds from `a` to `b` (positive when `b` is later), for clock-skew tolerances. */
export function millisBetween(a: IsoDateTime, b: IsoDateTime): number {
  return requireInstant(b) - requireInstant(a)
}

/** Writes an epoch-milliseconds instant as UTC ISO 8601 ('…Z'), for times the domain derives itself. */
export function formatInstantUtc(ms: number): IsoDateTime {
  const days = Math.floor(ms / MS_PER_DAY)
  const rest = ms - days * MS_PER_DAY
  const c = civilFromDays(days)
  const h = Math.floor(rest / 3_600_000)
  const mi = Math.floor((rest % 3_600_000) / 60_000)
  const s = Math.floor((rest % 60_000) / 1000)
  const milli = rest % 1000
  return `${formatDate(c.year, c.month, c.day)}T${pad(h, 2)}:${pad(mi, 2)}:${pad(s, 2)}.${pad(milli, 3)}Z`
}

/** Gives the calendar day of an instant as the person wrote it (its own offset), the unit of "one visit". */
export function localDateOf(value: IsoDateTime): IsoDate {
  return value.slice(0, 10)
}
