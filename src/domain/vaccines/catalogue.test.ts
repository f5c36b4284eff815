import { describe, expect, it } from 'vitest'
import { VaccineSchema } from '../../shared/vaccine'
import { CATALOGUE } from './catalogue'
import { findVaccine, nextDoseFrom } from './schedule'

function vaccine(id: string) {
  const v = findVaccine(CATALOGUE, id)
  if (v === undefined) throw new Error(id)
  return v
}

describe('catalogue', () => {
  it.each([
    ['comirnaty', 2, false, 'EU/1/20/1528'],
    ['spikevax', 2, false, 'EU/1/20/1507'],
    ['vaxzevria', 2, false, 'EU/1/21/1529'],
    ['jcovden', 1, false, 'EU/1/20/1525'],
    ['nuvaxovid', 2, false, 'EU/1/21/1618'],
    ['vidprevtyn-beta', 0, true, undefined],
    ['bimervax', 0, true, undefined],
    ['efluelda', 1, false, undefined],
    ['fluad', 1, false, undefined],
    ['vaxigrip', 1, false, undefined],
    ['influvac', 1, false, undefined],
    ['prevenar-20', 1, false, undefined],
    ['shingrix', 2, false, undefined],
    ['arexvy', 1, false, undefined],
    ['abrysvo', 1, false, undefined],
  ])('%s: %i primary doses, booster-only %s, %s', (id, doses, boosterOnly, eu) => {
    const v = vaccine(id)
    expect(v.dosesInPrimarySeries).toBe(doses)
    expect(v.isBoosterOnly).toBe(boosterOnly)
    expect(v.euAuthorisation).toBe(eu)
  })

  it('refuses an incoherent schedule', () => {
    const base = vaccine('comirnaty')
    expect(VaccineSchema.safeParse({ ...base, minIntervals: [] }).success).toBe(false)
    expect(VaccineSchema.safeParse({ ...base, isBoosterOnly: true }).success).toBe(false)
  })
})

describe('nextDoseFrom', () => {
  it.each([
    ['comirnaty', 1, false, '2026-01-10', { doseNumber: 2, isBooster: false, from: '2026-01-31' }],
    ['spikevax', 1, false, '2026-01-10', { doseNumber: 2, isBooster: false, from: '2026-02-07' }],
    ['shingrix', 1, false, '2025-12-31', { doseNumber: 2, isBooster: false, from: '2026-02-28' }],
    ['comirnaty', 2, false, '2026-01-31', { doseNumber: 3, isBooster: true, from: '2026-07-31' }],
    ['jcovden', 1, false, '2026-08-31', { doseNumber: 2, isBooster: true, from: '2027-02-28' }],
    ['comirnaty', 3, true, '2026-01-31', { doseNumber: 4, isBooster: true, from: '2026-07-31' }],
    ['shingrix', 2, false, '2026-03-01', null],
    ['prevenar-20', 1, false, '2026-03-01', null],
    ['arexvy', 1, false, '2026-03-01', null],
  ])('%s after dose %i (booster %s) on %s', (id, doseNumber, isBooster, date, expected) => {
    expect(nextDoseFrom(vaccine(id), { doseNumber, date, isBooster })).toEqual(expected)
  })

  it('uses the high-risk booster interval (3 months) when asked', () => {
    expect(
      nextDoseFrom(vaccine('comirnaty'), { doseNumber: 2, date: '2026-01-31' }, { highRisk: true })?.from,
    ).toBe('2026-04-30')
  })
})
