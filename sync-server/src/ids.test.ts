import { describe, expect, it } from 'vitest'
import { uuidv7, UUID_PATTERN } from './ids'

describe('uuidv7', () => {
  it('has version 7, the RFC variant and the time in its first 48 bits', () => {
    const at = Date.parse('2026-03-04T09:15:00.000Z')
    const id = uuidv7(at)
    expect(id).toMatch(UUID_PATTERN)
    expect(id[14]).toBe('7')
    expect('89ab').toContain(id[19])
    expect(parseInt(id.replace(/-/g, '').slice(0, 12), 16)).toBe(at)
  })

  it('sorts by time and does not repeat', () => {
    const ids = Array.from({ length: 1000 }, (_, i) => uuidv7(1_700_000_000_000 + i))
    expect([...ids].sort()).toEqual(ids)
    expect(new Set(Array.from({ length: 1000 }, () => uuidv7(0))).size).toBe(1000)
  })
})
