// RFC 9562 UUID version 7 for every record and mutation created on the device: 48-bit Unix milliseconds then
// random bits, so ids sort by creation time (good IndexedDB and B-tree locality on the server).

let lastMs = -1
let counter = 0

function hex(bytes: Uint8Array): string {
  let out = ''
  for (const b of bytes) out += b.toString(16).padStart(2, '0')
  return out
}

/**
 * Makes a UUID v7. Within one millisecond the 12 `rand_a` bits are a counter started at a random value
 * (RFC 9562 §6.2 method 1), so ids made in a burst still sort in creation order.
 */
export function uuidv7(nowMs: number = Date.now()): string {
  const bytes = crypto.getRandomValues(new Uint8Array(16))
  let ms = Math.max(0, Math.floor(nowMs))
  if (ms <= lastMs) {
    counter += 1
    if (counter > 0xfff) {
      lastMs += 1
      counter = 0
    }
    ms = lastMs
  } else {
    lastMs = ms
    counter = ((bytes[6] ?? 0) << 4) & 0x7ff
  }
  for (let i = 5; i >= 0; i -= 1) {
    bytes[i] = ms % 256
    ms = Math.floor(ms / 256)
  }
  bytes[6] = 0x70 | ((counter >> 8) & 0x0f)
  bytes[7] = counter & 0xff
  bytes[8] = ((bytes[8] ?? 0) & 0x3f) | 0x80
  const h = hex(bytes)
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`
}

/** A UUID (any version) in its canonical lower-case text form. */
export const UUID_PATTERN = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/
