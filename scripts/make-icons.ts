// Draws Carnet's icons (a white « C » holding a cross, on navy) and writes them as PNG and SVG.
// The PNG encoder is hand-written over node:zlib so that no image package is needed.
// Run: npx tsx scripts/make-icons.ts
import { mkdirSync, writeFileSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { deflateSync } from 'node:zlib'

type Rgb = readonly [number, number, number]

const NAVY: Rgb = [0x1d, 0x4e, 0x89]
const WHITE: Rgb = [0xff, 0xff, 0xff]

/** Geometry in units of the icon's side: the whole motif fits in a circle of radius `scale`. */
type Motif = {
  scale: number
  cornerRadius: number
  fullBleed: boolean
}

const CRC_TABLE = (() => {
  const table = new Uint32Array(256)
  for (let n = 0; n < 256; n++) {
    let c = n
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1
    table[n] = c >>> 0
  }
  return table
})()

function crc32(bytes: Uint8Array): number {
  let crc = 0xffffffff
  for (const byte of bytes) crc = (CRC_TABLE[(crc ^ byte) & 0xff] ?? 0) ^ (crc >>> 8)
  return (crc ^ 0xffffffff) >>> 0
}

function chunk(type: string, data: Uint8Array): Buffer {
  const typeAndData = Buffer.concat([Buffer.from(type, 'ascii'), data])
  const length = Buffer.alloc(4)
  length.writeUInt32BE(data.length)
  const crc = Buffer.alloc(4)
  crc.writeUInt32BE(crc32(typeAndData))
  return Buffer.concat([length, typeAndData, crc])
}

/** Encodes 8-bit RGBA pixels as a PNG: signature, IHDR, one zlib IDAT (filter 0 per row), IEND. */
export function encodePng(width: number, height: number, rgba: Uint8Array): Buffer {
  const header = Buffer.alloc(13)
  header.writeUInt32BE(width, 0)
  header.writeUInt32BE(height, 4)
  header[8] = 8 // bit depth
  header[9] = 6 // colour type: RGBA
  header[10] = 0 // deflate
  header[11] = 0 // adaptive filtering
  header[12] = 0 // no interlace
  const stride = width * 4
  const raw = Buffer.alloc((stride + 1) * height)
  for (let y = 0; y < height; y++) {
    raw[y * (stride + 1)] = 0
    raw.set(rgba.subarray(y * stride, (y + 1) * stride), y * (stride + 1) + 1)
  }
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', header),
    chunk('IDAT', deflateSync(raw, { level: 9 })),
    chunk('IEND', new Uint8Array(0)),
  ])
}

/** Proportions of the « C » and its cross, relative to the motif radius. */
const RING_OUTER = 1
const RING_INNER = 0.7
const GAP_HALF_ANGLE = Math.PI / 4
const CROSS_HALF_LENGTH = 0.42
const CROSS_HALF_WIDTH = 0.14

function insideRoundedSquare(x: number, y: number, radius: number): boolean {
  if (x < 0 || y < 0 || x > 1 || y > 1) return false
  const dx = Math.max(radius - x, 0, x - (1 - radius))
  const dy = Math.max(radius - y, 0, y - (1 - radius))
  return dx * dx + dy * dy <= radius * radius
}

function insideMotif(x: number, y: number, scale: number): boolean {
  const u = (x - 0.5) / scale
  const v = (y - 0.5) / scale
  const distance = Math.hypot(u, v)
  const inRing =
    distance <= RING_OUTER && distance >= RING_INNER && Math.abs(Math.atan2(v, u)) > GAP_HALF_ANGLE
  const inCross =
    (Math.abs(u) <= CROSS_HALF_LENGTH && Math.abs(v) <= CROSS_HALF_WIDTH) ||
    (Math.abs(v) <= CROSS_HALF_LENGTH && Math.abs(u) <= CROSS_HALF_WIDTH)
  return inRing || inCross
}

const SAMPLES = 4

function renderIcon(size: number, motif: Motif): Uint8Array {
  const pixels = new Uint8Array(size * size * 4)
  for (let py = 0; py < size; py++) {
    for (let px = 0; px < size; px++) {
      let background = 0
      let foreground = 0
      for (let sy = 0; sy < SAMPLES; sy++) {
        for (let sx = 0; sx < SAMPLES; sx++) {
          const x = (px + (sx + 0.5) / SAMPLES) / size
          const y = (py + (sy + 0.5) / SAMPLES) / size
          if (!motif.fullBleed && !insideRoundedSquare(x, y, motif.cornerRadius)) continue
          background++
          if (insideMotif(x, y, motif.scale)) foreground++
        }
      }
      const total = SAMPLES * SAMPLES
      const alpha = background / total
      const whiteShare = background === 0 ? 0 : foreground / background
      const offset = (py * size + px) * 4
      for (let channel = 0; channel < 3; channel++) {
        const navy = NAVY[channel] ?? 0
        const white = WHITE[channel] ?? 0
        pixels[offset + channel] = Math.round(navy + (white - navy) * whiteShare)
      }
      pixels[offset + 3] = Math.round(alpha * 255)
    }
  }
  return pixels
}

function hex([r, g, b]: Rgb): string {
  return `#${[r, g, b].map((c) => c.toString(16).padStart(2, '0')).join('')}`
}

function renderFaviconSvg(motif: Motif): string {
  const side = 64
  const at = (value: number) => Number((value * side).toFixed(2))
  const center = side / 2
  const ringRadius = ((RING_OUTER + RING_INNER) / 2) * motif.scale * side
  const ringWidth = (RING_OUTER - RING_INNER) * motif.scale * side
  const startX = center + ringRadius * Math.cos(GAP_HALF_ANGLE)
  const startY = center - ringRadius * Math.sin(GAP_HALF_ANGLE)
  const endY = center + ringRadius * Math.sin(GAP_HALF_ANGLE)
  const arm = CROSS_HALF_LENGTH * motif.scale * side
  const half = CROSS_HALF_WIDTH * motif.scale * side
  const round = (value: number) => Number(value.toFixed(2))
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${side} ${side}">`,
    `<rect width="${side}" height="${side}" rx="${at(motif.cornerRadius)}" fill="${hex(NAVY)}"/>`,
    `<path d="M${round(startX)} ${round(startY)}A${round(ringRadius)} ${round(ringRadius)} 0 1 0 ${round(startX)} ${round(endY)}" fill="none" stroke="${hex(WHITE)}" stroke-width="${round(ringWidth)}"/>`,
    `<path d="M${round(center - arm)} ${round(center - half)}h${round(2 * arm)}v${round(2 * half)}h${round(-2 * arm)}z` +
      `M${round(center - half)} ${round(center - arm)}h${round(2 * half)}v${round(2 * arm)}h${round(-2 * half)}z" fill="${hex(WHITE)}"/>`,
    '</svg>',
    '',
  ].join('\n')
}

const ANY_ICON: Motif = { scale: 0.36, cornerRadius: 0.18, fullBleed: false }
// Maskable icons are cropped to the platform's shape: the motif stays within the central 80 %
// (a circle of radius 0.4) and the navy background covers every pixel.
const MASKABLE_ICON: Motif = { scale: 0.3, cornerRadius: 0, fullBleed: true }

function main(): void {
  const publicDir = join(dirname(fileURLToPath(import.meta.url)), '..', 'public')
  const iconsDir = join(publicDir, 'icons')
  mkdirSync(iconsDir, { recursive: true })
  const outputs: [string, Buffer | string][] = [
    [join(iconsDir, 'icon-192.png'), encodePng(192, 192, renderIcon(192, ANY_ICON))],
    [join(iconsDir, 'icon-512.png'), encodePng(512, 512, renderIcon(512, ANY_ICON))],
    [join(iconsDir, 'icon-maskable-512.png'), encodePng(512, 512, renderIcon(512, MASKABLE_ICON))],
    [join(publicDir, 'favicon.svg'), renderFaviconSvg(ANY_ICON)],
  ]
  for (const [path, content] of outputs) {
    writeFileSync(path, content)
    console.log(`wrote ${path}`)
  }
}

main()
