// The device clock, as the protocol wants it: an instant in ISO 8601 with the device's own UTC offset
// (« 2026-03-04T10:15:00.000+01:00 »), so `at` tells both the instant and the local time the person saw.

function pad(value: number, width = 2): string {
  return String(Math.abs(value)).padStart(width, '0')
}

/** Formats an instant in the local time zone with its offset (never 'Z'), milliseconds included. */
export function toLocalIsoString(date: Date): string {
  const offset = -date.getTimezoneOffset()
  const sign = offset >= 0 ? '+' : '-'
  return (
    `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())}` +
    `T${pad(date.getHours())}:${pad(date.getMinutes())}:${pad(date.getSeconds())}.${pad(date.getMilliseconds(), 3)}` +
    `${sign}${pad(Math.trunc(offset / 60))}:${pad(offset % 60)}`
  )
}

/** The device's current time, ISO 8601 with its local offset. */
export function nowLocalIso(): string {
  return toLocalIsoString(new Date())
}

/** Today's calendar day on the device, 'YYYY-MM-DD' (local, not UTC). */
export function todayLocal(): string {
  return nowLocalIso().slice(0, 10)
}
