// Compact stored forms of the two kinds of value a row repeats most: instants (ISO 8601 with an offset, 25 to 29
// characters) and ids that are not keys (devices, users, the professional acted for: UUIDs of 36 characters).
// Each form is taken only when it reads back as exactly the same string; anything else is stored as it is, and
// the stored type tells which form a value is in (a number is a packed instant; a string that starts with '~',
// which no id may, is a packed UUID), so rows written before these forms existed still read.

/** An instant as stored: a number when it packs exactly, else the ISO string. */
export type StoredInstant = number | string

const INSTANT = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(\.\d{3})?(Z|[+-]\d{2}:\d{2})$/
/** Offsets are packed as a count of quarter hours, −12:00 to +14:00, shifted to 1…105; 0 is 'Z'. */
const QUARTERS_SHIFT = 49
const MAX_OFFSET_CODE = 105

function pad(value: number, width = 2): string {
  return String(value).padStart(width, '0')
}

/**
 * Packs an instant as one integer: the local date and time it spells (milliseconds, as if they were UTC) × 256,
 * plus its offset (1 bit: milliseconds written or not; 7 bits: 'Z' or the offset in quarter hours).
 */
export function packInstant(iso: string): StoredInstant {
  const m = INSTANT.exec(iso)
  if (m === null) return iso
  const [, y, mo, d, h, mi, s, fraction, offset] = m
  const local = Date.UTC(
    Number(y),
    Number(mo) - 1,
    Number(d),
    Number(h),
    Number(mi),
    Number(s),
    fraction === undefined ? 0 : Number(fraction.slice(1)),
  )
  let offsetCode = 0
  if (offset !== 'Z' && offset !== undefined) {
    const minutes =
      (offset[0] === '-' ? -1 : 1) * (Number(offset.slice(1, 3)) * 60 + Number(offset.slice(4, 6)))
    if (minutes % 15 !== 0) return iso
    offsetCode = minutes / 15 + QUARTERS_SHIFT
    if (offsetCode < 1 || offsetCode > MAX_OFFSET_CODE) return iso
  }
  const packed = local * 256 + offsetCode * 2 + (fraction === undefined ? 0 : 1)
  return Number.isSafeInteger(packed) && unpackInstant(packed) === iso ? packed : iso
}

/** Reads an instant back from its stored form. */
export function unpackInstant(stored: StoredInstant): string {
  if (typeof stored === 'string') return stored
  const local = Math.floor(stored / 256)
  const code = stored - local * 256
  const date = new Date(local)
  const text =
    `${pad(date.getUTCFullYear(), 4)}-${pad(date.getUTCMonth() + 1)}-${pad(date.getUTCDate())}` +
    `T${pad(date.getUTCHours())}:${pad(date.getUTCMinutes())}:${pad(date.getUTCSeconds())}` +
    (code % 2 === 1 ? `.${pad(date.getUTCMilliseconds(), 3)}` : '')
  const offsetCode = code >> 1
  if (offsetCode === 0) return `${text}Z`
  const minutes = (offsetCode - QUARTERS_SHIFT) * 15
  const sign = minutes < 0 ? '-' : '+'
  return `${text}${sign}${pad(Math.floor(Math.abs(minutes) / 60))}:${pad(Math.abs(minutes) % 60)}`
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/
const BASE64URL = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_'
const PACKED_UUID = /^~[A-Za-z0-9_-]{21}[AQgw]$/
const HEX = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, '0'))

/** Packs a lower-case UUID as '~' and the base64url of its 16 bytes (23 characters); any other id as it is. */
export function packUuid(id: string): string {
  if (!UUID.test(id)) return id
  const hex = id.replace(/-/g, '')
  let bits = 0
  let count = 0
  let out = '~'
  for (let i = 0; i < 32; i += 1) {
    bits = (bits << 4) | Number.parseInt(hex.charAt(i), 16)
    count += 4
    if (count >= 6) {
      count -= 6
      out += BASE64URL.charAt((bits >> count) & 63)
    }
  }
  return out + BASE64URL.charAt((bits << (6 - count)) & 63)
}

/** Reads an id back from its stored form. */
export function unpackUuid(stored: string): string {
  if (!PACKED_UUID.test(stored)) return stored
  const bytes: number[] = []
  let bits = 0
  let count = 0
  for (let i = 1; i < stored.length; i += 1) {
    bits = ((bits << 6) | BASE64URL.indexOf(stored.charAt(i))) & 0xffff
    count += 6
    if (count >= 8) {
      count -= 8
      bytes.push((bits >> count) & 255)
    }
  }
  const h = bytes.map((b) => HEX[b] ?? '00').join('')
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20, 32)}`
}
