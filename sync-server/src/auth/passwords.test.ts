import { describe, expect, it } from 'vitest'
import { generateReadablePassword, hashPassword, needsRehash, verifyPassword } from './passwords'

const FAST = { N: 2 ** 10, r: 8, p: 1 }

describe('passwords', () => {
  it('hashes as scrypt$N$r$p$salt$hash with a fresh salt each time', async () => {
    const first = await hashPassword('correct horse')
    const second = await hashPassword('correct horse')
    expect(first).toMatch(/^scrypt\$32768\$8\$1\$[A-Za-z0-9_-]{22}\$[A-Za-z0-9_-]{43}$/)
    expect(first).not.toBe(second)
  })

  it('verifies the right password and refuses a wrong one', async () => {
    const stored = await hashPassword('Été 2026 !', FAST)
    expect(await verifyPassword('Été 2026 !', stored)).toBe(true)
    expect(await verifyPassword('été 2026 !', stored)).toBe(false)
    expect(await verifyPassword('', stored)).toBe(false)
  })

  it('treats composed and decomposed accents as the same password', async () => {
    const stored = await hashPassword('caf\u00e9', FAST)
    expect(await verifyPassword('cafe\u0301', stored)).toBe(true)
  })

  it.each([
    ['empty', ''],
    ['other scheme', 'bcrypt$2b$10$abc'],
    ['N not a power of two', 'scrypt$1000$8$1$c2FsdHNhbHQ$' + 'a'.repeat(43)],
    ['N too large', 'scrypt$2097152$8$1$c2FsdHNhbHQ$' + 'a'.repeat(43)],
    ['missing part', 'scrypt$1024$8$1$c2FsdHNhbHQ'],
    ['short key', 'scrypt$1024$8$1$c2FsdHNhbHQ$YQ'],
  ])('never matches a malformed stored hash (%s)', async (_label, stored) => {
    expect(await verifyPassword('anything', stored)).toBe(false)
  })

  it('asks for a rehash when parameters were weaker', async () => {
    expect(needsRehash(await hashPassword('x', FAST))).toBe(true)
    expect(needsRehash(await hashPassword('x'))).toBe(false)
    expect(needsRehash('garbage')).toBe(true)
  })

  it('generates readable random passwords', () => {
    const passwords = new Set(Array.from({ length: 50 }, generateReadablePassword))
    expect(passwords.size).toBe(50)
    for (const password of passwords) expect(password).toMatch(/^[a-hjkmnp-z2-9]{4}(-[a-hjkmnp-z2-9]{4}){2}$/)
  })
})
