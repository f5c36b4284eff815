import { describe, expect, it } from 'vitest'
import fc from 'fast-check'
import { beneficiaryKey, computeNirKey, parseNir } from './nir'

const substitute = (value: string, index: number, delta: number) =>
  value.slice(0, index) + String((Number(value.charAt(index)) + delta) % 10) + value.slice(index + 1)

const twoDigits = (min: number, max: number) =>
  fc.integer({ min, max }).map((n) => String(n).padStart(2, '0'))
const threeDigits = fc.integer({ min: 0, max: 999 }).map((n) => String(n).padStart(3, '0'))
const nirMonth = fc.oneof(twoDigits(1, 12), fc.constant('20'), twoDigits(30, 42), twoDigits(50, 99))
const nirBody = fc
  .tuple(
    fc.constantFrom('1', '2'),
    twoDigits(0, 99),
    nirMonth,
    fc.oneof(twoDigits(1, 95), fc.constantFrom('2A', '2B', '99')),
    threeDigits,
    threeDigits,
  )
  .map((parts) => parts.join(''))

describe('computeNirKey', () => {
  // Domain reference worked examples; CNAM nir-validation tests/Spec/Cnamts/Nir/NirKeySpec.php;
  // python-stdnum stdnum/fr/nir.py doctests (the last three).
  it.each([
    ['2 55 08 14 168 025', '38'],
    ['2 84 05 2A 321 025', '52'],
    ['2 84 05 2a 321 025', '52'],
    ['2 84 05 2B 321 025', '79'],
    ['1 89 12 75 125 012', '82'],
    ['2 94 03 75 120 005', '91'],
    ['1 53 12 45 007 231', '60'],
    ['2 84 05 88 321 025', '32'],
    ['2 95 10 99 126 111', '93'],
    ['253072B073004', '70'],
    ['253072A073004', '43'],
  ])('the key of %s is %s', (body, key) => {
    expect(computeNirKey(body)).toBe(key)
  })

  it.each(['', '28405883210', '2840588321025A', '284052C321025', '2A34567890123'])(
    'has no key for %j',
    (body) => {
      expect(computeNirKey(body)).toBeNull()
    },
  )
})

describe('parseNir', () => {
  it('reads a valid NIR and its parts', () => {
    const result = parseNir('2 55 08 14 168 025 38')
    expect(result).toEqual({
      ok: true,
      warnings: [],
      value: {
        value: '255081416802538',
        body: '2550814168025',
        key: '38',
        sex: 2,
        isTemporary: false,
        birthYear: '55',
        birthMonth: 8,
        department: '14',
        commune: '168',
        order: '025',
      },
    })
  })

  // CNAM NirValidatorSpec (valid NIRs), python-stdnum fr/nir.py doctests, domain reference.
  it.each([
    ['2 84 05 88 321 025 32', '88', '321'],
    ['2 84 05 2A 321 025 52', '2A', '321'],
    ['2 84 05 2a 321 025 52', '2A', '321'],
    ['2 84 05 2B 321 025 79', '2B', '321'],
    ['1 89 12 75 125 012 82', '75', '125'],
    ['2 95 10 99 126 111 93', '99', '126'],
    ['253072B07300470', '2B', '073'],
    ['253072A07300443', '2A', '073'],
  ])('accepts %s (department %s, commune %s)', (input, department, commune) => {
    const result = parseNir(input)
    expect(result.ok && result.value.department).toBe(department)
    expect(result.ok && result.value.commune).toBe(commune)
  })

  it('reads an overseas birthplace as a 3-digit department and a 2-digit commune', () => {
    const result = parseNir('1 85 03 971 12 345 82')
    expect(result.ok && [result.value.department, result.value.commune, result.value.order]).toEqual([
      '971',
      '12',
      '345',
    ])
  })

  it('accepts a month of an incomplete civil record, with the month unknown', () => {
    // Synthetic: month 30, key computed by hand (97 − 2533018073004 mod 97).
    const result = parseNir('2 53 30 2B 073 004 50')
    expect(result.ok && result.value.birthMonth).toBeNull()
  })

  it.each([
    ['', 'nir-empty'],
    [' . - ', 'nir-empty'],
    ['295109912611199', 'nir-key'], // python-stdnum: invalid check digit
    ['2 55 08 14 168 025 00', 'nir-key'], // CNAM: wrong key
    ['2 55 08 14 168 025 39', 'nir-key'],
    ['253072C07300443', 'nir-format'], // python-stdnum: neither 2A nor 2B
    ['6546546546546703', 'nir-length'], // python-stdnum: 16 characters
    ['2 84 05 88 321 30', 'nir-length'], // CNAM: 11 characters
    ['2840588321025', 'nir-length'], // the key is mandatory by default
    ['2 84 05 88 321 025 3O', 'nir-format'],
    ['0 84 05 88 321 025 32', 'nir-format'],
    ['9 84 05 88 321 025 32', 'nir-format'],
    ['2 84 13 88 321 025 32', 'nir-format'],
    ['2 84 00 88 321 025 32', 'nir-format'],
    ['2 84 25 88 321 025 32', 'nir-format'],
    ['2A4058832102532', 'nir-format'],
  ])('refuses %j with %s', (input, error) => {
    expect(parseNir(input)).toMatchObject({ ok: false, error })
  })

  it('accepts 13 characters only with requireKey: false, and computes the key', () => {
    // CNAM NirValidatorSpec accepts '2840588321025' without key.
    const result = parseNir('2840588321025', { requireKey: false })
    expect(result.ok && result.value.value).toBe('284058832102532')
    expect(parseNir('2 84 05 88 321 025 33', { requireKey: false })).toMatchObject({
      ok: false,
      error: 'nir-key',
    })
  })

  describe('temporary numbers', () => {
    // CNAM NirValidatorSpec refuses '8 84 05 88 321 025 23' as a NIR; its key is right, so it is a temporary number.
    it('refuses a temporary number by default', () => {
      expect(parseNir('8 84 05 88 321 025 23')).toEqual({ ok: false, error: 'nir-temporary' })
    })

    it('accepts it when allowed, flagged and warned', () => {
      const result = parseNir('8 84 05 88 321 025 23', { allowTemporary: true })
      expect(result).toMatchObject({ ok: true, warnings: ['nir-temporary'] })
      expect(result.ok && [result.value.isTemporary, result.value.sex]).toEqual([true, null])
    })

    it('still refuses a wrong key', () => {
      expect(parseNir('7 84 05 88 321 025 72', { allowTemporary: true })).toMatchObject({ error: 'nir-key' })
      expect(parseNir('7 84 05 88 321 025 73', { allowTemporary: true }).ok).toBe(true)
    })
  })

  describe('comparison with what is known of the patient', () => {
    const nir = '2 55 08 14 168 025 38'
    it.each([
      [{ sex: 'F', birthDate: '1955-08-14' }, []],
      [{ sex: 'M' }, ['nir-sex-mismatch']],
      [{ birthDate: '1955-09-14' }, ['nir-birth-month-mismatch']],
      [{ birthDate: '1956-08-14' }, ['nir-birth-year-mismatch']],
      [{ sex: 'M', birthDate: '2055-01-31' }, ['nir-sex-mismatch', 'nir-birth-month-mismatch']],
      [{ birthDate: 'not a date' }, []],
    ] as const)('with %j warns %j, never refuses', (expected, warnings) => {
      expect(parseNir(nir, { expected })).toMatchObject({ ok: true, warnings })
    })

    it('does not compare the month when the NIR has none', () => {
      expect(parseNir('2 53 30 2B 073 004 50', { expected: { birthDate: '1953-07-01' } })).toMatchObject({
        warnings: [],
      })
    })
  })

  it('accepts every body completed with its computed key', () => {
    fc.assert(
      fc.property(nirBody, (body) => {
        const key = computeNirKey(body) ?? ''
        expect(Number(key)).toBeGreaterThanOrEqual(1)
        expect(Number(key)).toBeLessThanOrEqual(97)
        const result = parseNir(body + key)
        expect(result.ok && result.value.value).toBe(body + key)
      }),
    )
  })

  it('refuses any single-digit substitution', () => {
    fc.assert(
      fc.property(
        nirBody,
        fc.integer({ min: 0, max: 14 }),
        fc.integer({ min: 1, max: 9 }),
        (body, i, delta) => {
          const valid = body + (computeNirKey(body) ?? '')
          fc.pre(/[0-9]/.test(valid.charAt(i)))
          expect(parseNir(substitute(valid, i, delta), { allowTemporary: true }).ok).toBe(false)
        },
      ),
    )
  })

  it('refuses a substitution in the commune, order or key with nir-key', () => {
    fc.assert(
      fc.property(
        nirBody,
        fc.integer({ min: 7, max: 14 }),
        fc.integer({ min: 1, max: 9 }),
        (body, i, delta) => {
          const valid = body + (computeNirKey(body) ?? '')
          expect(parseNir(substitute(valid, i, delta))).toMatchObject({ ok: false, error: 'nir-key' })
        },
      ),
    )
  })
})

describe('beneficiaryKey', () => {
  const holder = '2 55 08 14 168 025 38'

  it('identifies a beneficiary by the holder NIR body, birth date and rang', () => {
    expect(beneficiaryKey({ nirOuvrantDroit: holder, birthDate: '2015-03-02', rang: 1 })).toEqual({
      ok: true,
      value: 'OD:2550814168025:2015-03-02:1',
      warnings: [],
    })
  })

  it('gives the same key with or without the holder NIR key', () => {
    const withKey = beneficiaryKey({ nirOuvrantDroit: holder, birthDate: '2015-03-02', rang: 1 })
    const withoutKey = beneficiaryKey({ nirOuvrantDroit: '2550814168025', birthDate: '2015-03-02', rang: 1 })
    expect(withoutKey).toEqual(withKey)
  })

  it('tells twins apart by their rang', () => {
    const first = beneficiaryKey({ nirOuvrantDroit: holder, birthDate: '2015-03-02', rang: 1 })
    const second = beneficiaryKey({ nirOuvrantDroit: holder, birthDate: '2015-03-02', rang: 2 })
    expect(first.ok && second.ok && first.value !== second.value).toBe(true)
  })

  it.each([
    [{ nirOuvrantDroit: '2 55 08 14 168 025 39', birthDate: '2015-03-02', rang: 1 }, 'nir-key'],
    [{ nirOuvrantDroit: '2550814168', birthDate: '2015-03-02', rang: 1 }, 'nir-length'],
    [{ nirOuvrantDroit: '', birthDate: '2015-03-02', rang: 1 }, 'nir-empty'],
    [{ nirOuvrantDroit: '8 84 05 88 321 025 23', birthDate: '2015-03-02', rang: 1 }, 'nir-temporary'],
    [{ nirOuvrantDroit: holder, birthDate: '2015-02-29', rang: 1 }, 'birth-date-invalid'],
    [{ nirOuvrantDroit: holder, birthDate: '02/03/2015', rang: 1 }, 'birth-date-invalid'],
    [{ nirOuvrantDroit: holder, birthDate: '2015-03-02', rang: 0 }, 'rang-invalid'],
    [{ nirOuvrantDroit: holder, birthDate: '2015-03-02', rang: 10 }, 'rang-invalid'],
    [{ nirOuvrantDroit: holder, birthDate: '2015-03-02', rang: 1.5 }, 'rang-invalid'],
    [{ nirOuvrantDroit: holder, birthDate: '2015-03-02', rang: Number.NaN }, 'rang-invalid'],
  ])('refuses %j with %s', (input, error) => {
    expect(beneficiaryKey(input)).toMatchObject({ ok: false, error })
  })
})
