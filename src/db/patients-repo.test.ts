import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { buildDoseStep, buildEligibilityStep, buildPatient, VALID } from '../domain/testing/builders'
import type { PatientRecord } from '../shared/records'
import type { CarnetDb } from './carnet-db'
import { createTestDb, STORAGE_FORMS } from './vault/testing'
import {
  findLikelyDuplicatesLocal,
  getPatientFile,
  knownLots,
  parseSearchQuery,
  putPatients,
  putRecords,
  putSteps,
  searchPatients,
} from './patients-repo'

// Account holder and two beneficiaries identified by the holder's NIR (birth date + rang).
const HOLDER_NIR = VALID.otherNir

function patients(): PatientRecord[] {
  return [
    buildPatient({ id: 'p-eloise', codeDeCiblage: '0123456789V', birthName: 'Dupré', firstNames: 'Éloïse' }),
    buildPatient({
      id: 'p-holder',
      codeDeCiblage: 'ABCDEFGH12',
      birthName: 'Lefèvre',
      firstNames: 'Jean-Pierre',
      sex: 'male',
      birthDate: '1989-12-03',
      nir: HOLDER_NIR,
    }),
    buildPatient({
      id: 'p-child-1',
      codeDeCiblage: 'CHILD00001',
      birthName: 'Lefèvre',
      firstNames: 'Zoé',
      birthDate: '2015-04-02',
      nir: undefined,
      nirOuvrantDroit: HOLDER_NIR,
    }),
    buildPatient({
      id: 'p-child-2',
      codeDeCiblage: 'CHILD00002',
      birthName: 'Lefèvre',
      firstNames: 'Léo',
      sex: 'male',
      birthDate: '2012-09-30',
      nir: undefined,
      nirOuvrantDroit: `${HOLDER_NIR.slice(0, 13)}`,
    }),
    buildPatient({
      id: 'p-martin',
      codeDeCiblage: 'MARTIN0001',
      birthName: 'Martin',
      usualName: 'Dupont',
      firstNames: 'Marie Thérèse',
      birthDate: '1940-01-15',
      nir: undefined,
      niss: VALID.niss,
    }),
    buildPatient({
      id: 'p-martinez',
      codeDeCiblage: 'MARTIN0002',
      birthName: 'Martinez',
      firstNames: 'Marc',
      sex: 'male',
      birthDate: '1955-08-20',
      nir: undefined,
      nirOuvrantDroit: VALID.nir,
    }),
  ]
}

describe.each(STORAGE_FORMS)('with rows stored %s', (form) => {
  let db: CarnetDb

  beforeEach(async () => {
    db = await createTestDb(form)
    await putPatients(db, patients())
  })

  afterEach(async () => {
    await db.delete()
  })

  const ids = async (query: string) => (await searchPatients(db, query)).map((h) => h.patient.id)

  describe('parseSearchQuery', () => {
    it.each([
      ['', { kind: 'empty' }],
      ['2 55 08 14 168 025 38', { kind: 'nir', nir: VALID.nir, body: VALID.nir.slice(0, 13) }],
      ['2550814168025', { kind: 'nir', nir: VALID.nir, body: VALID.nir.slice(0, 13) }],
      ['85.07.30-033.28', { kind: 'niss', niss: VALID.niss }],
      ['dupré 20/08/1955', { kind: 'text', codes: [], words: ['DUPRE'], birthDate: '1955-08-20' }],
      ['dupre 1955-08-20', { kind: 'text', codes: [], words: ['DUPRE'], birthDate: '1955-08-20' }],
      ['abcd-efgh-12', { kind: 'text', codes: ['ABCDEFGH12'], words: [] }],
    ])('reads %j', (input, expected) => {
      expect(parseSearchQuery(input)).toEqual(expected)
    })
  })

  describe('searchPatients', () => {
    it('finds a patient by code de ciblage, whatever the case', async () => {
      expect(await ids('0123456789v')).toEqual(['p-eloise'])
      expect(await ids('abcdefgh12')).toEqual(['p-holder'])
      expect((await searchPatients(db, 'ABCDEFGH12'))[0]?.match).toBe('code')
    })

    it('reads a typed o as 0 in an issued code (Crockford)', async () => {
      expect(await ids('o123456789v')).toEqual(['p-eloise'])
    })

    it('finds a patient by NIR, with or without spaces and key', async () => {
      expect(await ids('2 55 08 14 168 025 38')).toEqual(['p-eloise', 'p-martinez'])
      expect(await ids('2550814168025')).toEqual(['p-eloise', 'p-martinez'])
    })

    it("lists every beneficiary of an account holder's NIR after the holder", async () => {
      const hits = await searchPatients(db, HOLDER_NIR)
      expect(hits.map((h) => [h.patient.id, h.match])).toEqual([
        ['p-holder', 'nir'],
        ['p-child-2', 'nir-ouvrant-droit'],
        ['p-child-1', 'nir-ouvrant-droit'],
      ])
    })

    it('finds a patient by NISS', async () => {
      expect(await ids('85073003328')).toEqual(['p-martin'])
    })

    it('finds by name prefix on any name word, accent- and case-insensitive', async () => {
      expect(await ids('dupre')).toEqual(['p-eloise'])
      expect(await ids('DUPRÉ')).toEqual(['p-eloise'])
      expect(await ids('elo')).toEqual(['p-eloise'])
      expect(await ids('lef')).toEqual(['p-holder', 'p-child-2', 'p-child-1'])
      expect(await ids('lefevre zo')).toEqual(['p-child-1'])
      expect(await ids('pierre')).toEqual(['p-holder'])
      expect(await ids('therese')).toEqual(['p-martin'])
    })

    it('finds a married woman by her usual name too', async () => {
      expect(await ids('dupont marie')).toEqual(['p-martin'])
    })

    it('sorts name hits by name and lists each patient once', async () => {
      expect(await ids('mar')).toEqual(['p-martin', 'p-martinez'])
      expect(await ids('mar mar')).toEqual(['p-martin', 'p-martinez'])
    })

    it('narrows by birth date, typed JJ/MM/AAAA or ISO', async () => {
      expect(await ids('m 20/08/1955')).toEqual(['p-martinez'])
      expect(await ids('d 1955-08-20')).toEqual(['p-eloise'])
      expect(await ids('20/08/1955')).toEqual(['p-eloise', 'p-martinez'])
      expect(await ids('dupre 21/08/1955')).toEqual([])
    })

    it('respects the limit and answers nothing for an empty query', async () => {
      expect(await searchPatients(db, 'lef', { limit: 2 })).toHaveLength(2)
      expect(await ids('   ')).toEqual([])
    })

    it('returns parsed records without the stored search keys', async () => {
      const [hit] = await searchPatients(db, 'dupre')
      expect(hit?.patient).toEqual(patients()[0])
    })
  })

  describe('getPatientFile', () => {
    it('gives the patient, the steps in chain order and the adverse events', async () => {
      await putSteps(db, [
        buildDoseStep({ id: 's-2', patientId: 'p-eloise', doseNumber: 2, at: '2026-02-22T10:00:00+01:00' }),
        buildDoseStep({ id: 's-1', patientId: 'p-eloise', doseNumber: 1 }),
        buildEligibilityStep({ id: 's-e', patientId: 'p-eloise' }),
      ])
      await putRecords(db, {
        adverseEvents: [
          {
            id: 'ae-1',
            patientId: 'p-eloise',
            stepId: 's-1',
            description: 'Malaise vagal',
            severity: 'non-serious',
            reportedBy: { userId: 'u-medecin' },
            at: '2026-02-01T10:20:00+01:00',
            recordedAt: '2026-02-01T10:20:00+01:00',
          },
        ],
      })
      const file = await getPatientFile(db, 'p-eloise')
      expect(file?.patient.id).toBe('p-eloise')
      expect(file?.steps.map((s) => s.id)).toEqual(['s-e', 's-1', 's-2'])
      expect(file?.steps[1]).toEqual(buildDoseStep({ id: 's-1', patientId: 'p-eloise', doseNumber: 1 }))
      expect(file?.adverseEvents?.map((e) => e.id)).toEqual(['ae-1'])
      expect(await getPatientFile(db, 'p-unknown')).toBeUndefined()
    })
  })

  describe('findLikelyDuplicatesLocal', () => {
    it('finds the same NIR, the same beneficiary key and the same names + birth date + rang', async () => {
      const sameNir = await findLikelyDuplicatesLocal(db, {
        birthName: 'Autre',
        firstNames: 'Nom',
        sex: 'female',
        birthDate: '1960-01-01',
        nir: VALID.nir.slice(0, 13),
      })
      expect(sameNir.map((d) => [d.patient.id, d.reason])).toEqual([['p-eloise', 'same-identifier']])

      const sameBeneficiary = await findLikelyDuplicatesLocal(db, {
        birthName: 'Lefevre',
        firstNames: 'Zoe',
        sex: 'female',
        birthDate: '2015-04-02',
        nirOuvrantDroit: HOLDER_NIR,
        birthRank: 1,
      })
      expect(sameBeneficiary.map((d) => [d.patient.id, d.reason])).toEqual([['p-child-1', 'same-identifier']])

      const sameNames = await findLikelyDuplicatesLocal(db, {
        birthName: 'DUPRE',
        firstNames: 'eloise',
        sex: 'female',
        birthDate: '1955-08-20',
        niss: VALID.niss,
      })
      expect(sameNames.map((d) => [d.patient.id, d.reason])).toEqual([
        ['p-eloise', 'same-names-birth-rang'],
        ['p-martin', 'same-identifier'],
      ])
    })

    it('does not report the patient being edited', async () => {
      const self = patients()[0]
      expect(self).toBeDefined()
      if (self === undefined) return
      expect(await findLikelyDuplicatesLocal(db, { ...self, id: self.id })).toEqual([])
    })
  })

  describe('knownLots', () => {
    it('lists the lots of a vaccine by case-insensitive prefix', async () => {
      await db.lots.bulkPut([
        { vaccineId: 'comirnaty', lotNumber: 'FK1234', updatedAt: '2026-02-01T09:00:00+01:00' },
        { vaccineId: 'comirnaty', lotNumber: 'FK9999', updatedAt: '2026-02-01T09:00:00+01:00' },
        { vaccineId: 'comirnaty', lotNumber: 'GH0001', updatedAt: '2026-02-01T09:00:00+01:00' },
        { vaccineId: 'spikevax', lotNumber: 'FK5555', updatedAt: '2026-02-01T09:00:00+01:00' },
      ])
      expect((await knownLots(db, 'comirnaty', 'fk')).map((l) => l.lotNumber)).toEqual(['FK1234', 'FK9999'])
      expect((await knownLots(db, 'comirnaty')).map((l) => l.lotNumber)).toEqual([
        'FK1234',
        'FK9999',
        'GH0001',
      ])
      expect(await knownLots(db, 'vaxzevria', 'F')).toEqual([])
    })
  })
})
