import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { packInstant, packUuid, unpackInstant, unpackUuid } from './packed-values'

describe('packed instants', () => {
  it.each([
    '2026-01-05T09:00:00+01:00',
    '2026-03-04T10:15:00.250+01:00',
    '2026-02-01T09:00:00Z',
    '2026-02-01T23:30:00.000-02:00',
    '2026-06-30T05:45:59+05:45',
    '1969-12-31T23:59:59.999-12:00',
    '2040-01-01T00:00:00+14:00',
  ])('packs %s as a number and reads it back exactly', (iso) => {
    const packed = packInstant(iso)
    expect(typeof packed).toBe('number')
    expect(unpackInstant(packed)).toBe(iso)
  })

  it.each([
    '2026-02-01T09:00+01:00',
    '2026-02-01T09:00:00.5+01:00',
    '2026-02-01T09:00:00-00:00',
    '2026-02-01T09:00:00+00:07',
    '2026-02-30T09:00:00+01:00',
    '0099-01-01T00:00:00Z',
    ' 2026-02-01T09:00:00Z',
  ])('keeps %s as written when a number would not read back the same', (iso) => {
    expect(packInstant(iso)).toBe(iso)
    expect(unpackInstant(packInstant(iso))).toBe(iso)
  })

  it('reads back every instant it is given', () => {
    fc.assert(
      fc.property(
        fc.date({
          min: new Date('1900-01-01T00:00:00Z'),
          max: new Date('2100-01-01T00:00:00Z'),
          noInvalidDate: true,
        }),
        fc.integer({ min: -48, max: 56 }),
        fc.boolean(),
        (date, quarters, withMs) => {
          const iso = date.toISOString()
          const text = withMs ? iso : iso.replace(/\.\d{3}Z$/, 'Z')
          const minutes = Math.abs(quarters * 15)
          const offset = `${quarters < 0 ? '-' : '+'}${String(Math.floor(minutes / 60)).padStart(2, '0')}:${String(minutes % 60).padStart(2, '0')}`
          for (const candidate of [text, text.replace('Z', offset)]) {
            expect(unpackInstant(packInstant(candidate))).toBe(candidate)
          }
        },
      ),
    )
  })
})

describe('packed UUIDs', () => {
  it('packs a lower-case UUID in 23 characters and reads it back', () => {
    fc.assert(
      fc.property(fc.uuid(), (uuid) => {
        const packed = packUuid(uuid)
        expect(packed).toHaveLength(23)
        expect(packed.startsWith('~')).toBe(true)
        expect(unpackUuid(packed)).toBe(uuid)
      }),
    )
  })

  it.each(['dev-tablet-1', 'u-medecin', '019B8D2B-8EBE-7A2C-9B6C-0516C45E6D77', 'AZSgAAAAcACAAAAAAADQAQ'])(
    'keeps the id %s as it is',
    (id) => {
      expect(packUuid(id)).toBe(id)
      expect(unpackUuid(id)).toBe(id)
    },
  )
})
