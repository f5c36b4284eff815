import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { buildPatient, VALID } from '../testing/builders'
import { issueCodeDeCiblage, isValidCodeDeCiblage } from './code-de-ciblage'
import { findLikelyDuplicates, identityKeys, validateIdentity } from './identity'
import { compareStamps, mergePatientUpdate } from './merge'
import { nameSearchKey, normalizeName } from './names'

describe('names', () => {
  it.each([
    ['Éloïse  Dupré', 'ELOISE DUPRE'],
    ['  jean-pierre   d’Ormesson ', 'JEAN PIERRE D ORMESSON'],
    ['Cœur', 'COEUR'],
    ['Ñúñez', 'NUNEZ'],
  ])('search key of %s is %s', (input, key) => expect(nameSearchKey(input)).toBe(key))

  it('normalises for storage without changing case', () => {
    expect(normalizeName('  Éloïse \t Marie ')).toBe('Éloïse Marie')
  })

  it('the search key ignores accents and case (property)', () => {
    const name = fc.stringMatching(/^[a-zA-ZéèêëàâäîïôöùûüçÉÈÊÀÂÎÔÙÛÇ' -]{0,30}$/)
    fc.assert(fc.property(name, (s) => nameSearchKey(s.toLowerCase()) === nameSearchKey(s.toUpperCase())))
    fc.assert(fc.property(name, (s) => /^[A-Z ]*$/.test(nameSearchKey(s))))
  })
})

describe('identity keys and duplicates', () => {
  const patient = buildPatient()
  it('gives NIR, NISS and beneficiary keys and the weak key', () => {
    expect(identityKeys(patient)).toEqual({
      strong: [`NIR:${VALID.nir}`],
      weak: 'NAME:DUPRE|ELOISE|1955-08-20|1',
    })
    expect(identityKeys({ ...patient, nir: undefined, niss: '850730 033 28' }).strong).toEqual([
      'NISS:85073003328',
    ])
    expect(
      identityKeys({ ...patient, nir: undefined, nirOuvrantDroit: VALID.otherNir, birthRank: 2 }).strong,
    ).toEqual(['OD:1891275125012:1955-08-20:2'])
  })

  it.each([
    [
      'the same NIR typed with spaces',
      { nir: '2 55 08 14 168 025 38', birthName: 'Autre' },
      'same-identifier',
    ],
    [
      'the same names without accents, birth date and rang',
      { nir: VALID.otherNir, birthName: 'DUPRE', firstNames: 'eloise' },
      'same-names-birth-rang',
    ],
    ['twins (another rang)', { nir: VALID.otherNir, birthRank: 2 }, null],
    ['another birth date', { nir: VALID.otherNir, birthDate: '1955-08-21' }, null],
  ])('finds %s', (_name, override, reason) => {
    const found = findLikelyDuplicates({ ...patient, ...override }, [patient])
    expect(found[0]?.reason ?? null).toBe(reason)
  })

  it.each([
    ['a valid NIR', { nir: VALID.nir }, null],
    ['a NIR with a wrong key', { nir: '255081416802539' }, 'nir-key'],
    ['a valid NISS', { nir: undefined, niss: VALID.niss }, null],
    ['a NISS with a wrong key', { nir: undefined, niss: '85073003329' }, 'niss-key'],
    ['no identifier at all', { nir: undefined }, 'nir-empty'],
  ])('validates %s', (_name, override, reason) => {
    const result = validateIdentity({ ...patient, ...override }, { today: '2026-03-04' })
    expect(result.ok ? null : result.detail?.reason).toBe(reason)
  })
})

describe('code de ciblage', () => {
  it('issues 11 Crockford symbols with a valid check', () => {
    const code = issueCodeDeCiblage(new Uint8Array([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]))
    expect(code).toBe('123456789AB')
    expect(isValidCodeDeCiblage(code)).toBe(true)
    expect(isValidCodeDeCiblage('123456789ab')).toBe(true)
    expect(isValidCodeDeCiblage('12345-6789A-B')).toBe(true)
  })

  it('every issued code is valid and one changed symbol is caught (property)', () => {
    const bytes = fc.uint8Array({ minLength: 10, maxLength: 16 })
    fc.assert(
      fc.property(bytes, fc.integer({ min: 0, max: 9 }), fc.integer({ min: 1, max: 31 }), (b, i, shift) => {
        const code = issueCodeDeCiblage(b)
        const alphabet = '0123456789ABCDEFGHJKMNPQRSTVWXYZ'
        const changed = alphabet.charAt((alphabet.indexOf(code.charAt(i)) + shift) % 32)
        const typo = code.slice(0, i) + changed + code.slice(i + 1)
        return isValidCodeDeCiblage(code) && !isValidCodeDeCiblage(typo)
      }),
    )
  })

  it('refuses too few random bytes', () => {
    expect(() => issueCodeDeCiblage(new Uint8Array(9))).toThrow()
  })
})

describe('mergePatientUpdate (field-level last-writer-wins)', () => {
  const current = buildPatient({
    phone: '0600000000',
    stamps: { ...buildPatient().stamps, phone: { at: '2026-03-01T10:00:00+01:00', deviceId: 'dev-b' } },
  })
  it.each([
    ['a later change wins', '2026-03-02T10:00:00+01:00', 'dev-a', true],
    ['an older change loses', '2026-02-28T10:00:00+01:00', 'dev-z', false],
    [
      'same instant written with another offset: device id breaks the tie (a < b loses)',
      '2026-03-01T09:00:00Z',
      'dev-a',
      false,
    ],
    ['same instant: device id breaks the tie (c > b wins)', '2026-03-01T09:00:00Z', 'dev-c', true],
  ])('%s', (_name, at, deviceId, wins) => {
    const merge = mergePatientUpdate(
      current,
      { changes: { phone: '0611111111', email: 'a@b.fr' }, stamp: { at, deviceId } },
      '2026-03-04T12:00:00Z',
    )
    expect(merge.patient.phone).toBe(wins ? '0611111111' : '0600000000')
    expect(merge.patient.email).toBe('a@b.fr')
    expect(merge.patient.version).toBe(2)
  })

  it('clears an optional field with null and leaves the record unchanged when nothing wins', () => {
    const cleared = mergePatientUpdate(
      current,
      { changes: { phone: null }, stamp: { at: '2026-03-03T00:00:00Z', deviceId: 'x' } },
      'n',
    )
    expect('phone' in cleared.patient).toBe(false)
    const lost = mergePatientUpdate(
      current,
      { changes: { phone: null }, stamp: { at: '2020-01-01T00:00:00Z', deviceId: 'x' } },
      'n',
    )
    expect(lost.patient).toBe(current)
  })

  it('converges whatever the order of two updates (property)', () => {
    const stamp = fc.record({
      at: fc.integer({ min: 0, max: 50 }).map((m) => `2026-03-02T10:${String(m).padStart(2, '0')}:00+01:00`),
      deviceId: fc.constantFrom('dev-a', 'dev-b', 'dev-c'),
    })
    const phone = fc.constantFrom('0611111111', '0622222222', '0633333333')
    fc.assert(
      fc.property(stamp, phone, stamp, phone, (s1, p1, s2, p2) => {
        fc.pre(compareStamps(s1, s2) !== 0)
        const a = mergePatientUpdate(
          mergePatientUpdate(current, { changes: { phone: p1 }, stamp: s1 }, 'n').patient,
          { changes: { phone: p2 }, stamp: s2 },
          'n',
        )
        const b = mergePatientUpdate(
          mergePatientUpdate(current, { changes: { phone: p2 }, stamp: s2 }, 'n').patient,
          { changes: { phone: p1 }, stamp: s1 },
          'n',
        )
        return a.patient.phone === b.patient.phone
      }),
    )
  })
})
