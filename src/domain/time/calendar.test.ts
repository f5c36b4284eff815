import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import {
  addDays,
  addMonths,
  compareDates,
  compareInstants,
  formatInstantUtc,
  isIsoDate,
  parseInstant,
} from './calendar'

describe('calendar arithmetic', () => {
  it.each([
    ['2026-01-31', 1, '2026-02-01'],
    ['2026-02-28', 1, '2026-03-01'],
    ['2024-02-28', 1, '2024-02-29'],
    ['2026-12-31', 1, '2027-01-01'],
    ['2026-03-01', -1, '2026-02-28'],
    ['2026-01-01', 21, '2026-01-22'],
  ])('%s + %i days = %s', (date, days, expected) => expect(addDays(date, days)).toBe(expected))

  it.each([
    ['2026-01-31', 1, '2026-02-28'],
    ['2024-01-31', 1, '2024-02-29'],
    ['2026-03-31', 2, '2026-05-31'],
    ['2026-08-31', 6, '2027-02-28'],
    ['2026-11-15', 3, '2027-02-15'],
    ['2026-03-31', -1, '2026-02-28'],
  ])('%s + %i months = %s (clamped)', (date, months, expected) =>
    expect(addMonths(date, months)).toBe(expected),
  )

  it('knows real calendar days', () => {
    expect(isIsoDate('2024-02-29')).toBe(true)
    expect(isIsoDate('2026-02-29')).toBe(false)
    expect(isIsoDate('2026-13-01')).toBe(false)
  })

  it.each([
    ['2026-03-04T10:15:00+01:00', '2026-03-04T09:15:00Z', 0],
    ['2026-03-04T00:30:00+01:00', '2026-03-03T23:45:00Z', -1],
    ['2026-03-04T10:15:00.5-02:00', '2026-03-04T12:15:00.4Z', 1],
  ])('orders %s against %s whatever the offsets', (a, b, sign) =>
    expect(Math.sign(compareInstants(a, b))).toBe(sign),
  )

  it('refuses what is not an instant with offset', () => {
    expect(parseInstant('2026-03-04T10:15:00')).toBeNull()
    expect(parseInstant('2026-02-30T10:15:00Z')).toBeNull()
    expect(parseInstant('1970-01-01T00:00:00Z')).toBe(0)
  })

  const day = fc.integer({ min: -200_000, max: 200_000 }).map((n) => addDays('2000-01-01', n))

  it('adding then subtracting days comes back (property)', () => {
    fc.assert(
      fc.property(day, fc.integer({ min: -5000, max: 5000 }), (d, n) => addDays(addDays(d, n), -n) === d),
    )
  })

  it('adding days moves the date by exactly that many days (property)', () => {
    fc.assert(
      fc.property(
        day,
        fc.integer({ min: -5000, max: 5000 }),
        (d, n) => Math.sign(compareDates(addDays(d, n), d)) === Math.sign(n),
      ),
    )
  })

  it('adding months never overflows into the month after (property)', () => {
    fc.assert(
      fc.property(day, fc.integer({ min: -240, max: 240 }), (d, n) => {
        const r = addMonths(d, n)
        const months =
          (Number(r.slice(0, 4)) - Number(d.slice(0, 4))) * 12 + Number(r.slice(5, 7)) - Number(d.slice(5, 7))
        return isIsoDate(r) && months === n && Number(r.slice(8)) <= Number(d.slice(8))
      }),
    )
  })

  it('formats and parses instants back (property)', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: -10_000_000_000_000, max: 10_000_000_000_000 }),
        (ms) => parseInstant(formatInstantUtc(ms)) === ms,
      ),
    )
  })
})
