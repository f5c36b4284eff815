import Dexie from 'dexie'
import fc from 'fast-check'
import { fromFileRow } from './files'
import { describe, expect, it, vi } from 'vitest'
import { buildDoseStep, buildPatient, DEVICE_ID, VALID } from '../domain/testing/builders'
import { PATIENT_FIELDS } from '../shared/commands'
import type { Actor } from '../shared/primitives'
import { PatientRecordSchema, StepRecordSchema, type PatientRecord, type StepRecord } from '../shared/records'
import {
  INJECTION_SITE_CODES,
  MAIN_ACTIVITIES,
  PLACE_TYPES,
  PROFESSIONS,
  ROUTE_CODES,
  SEXES,
  TARGET_DISEASE_CODES,
} from '../shared/vocabulary'
import { createCarnetDb } from './carnet-db'
import { searchPatients } from './patients-repo'
import { packInstant } from './packed-values'
import { fromPatientRow, fromStepRow, searchKeysOf, toPatientRow, toStepRow } from './rows'

// A few instants, so that equal and different times (at, recordedAt, stamps, injectedAt) both come up often.
const INSTANTS = [
  '2026-02-01T09:00:00+01:00',
  '2026-02-01T09:00:00Z',
  '2026-02-01T23:30:00-02:00',
  '2026-03-04T10:15:00.250+01:00',
]
const instant = fc.oneof(
  fc.constantFrom(...INSTANTS),
  fc
    .date({
      min: new Date('2000-01-01T00:00:00Z'),
      max: new Date('2040-01-01T00:00:00Z'),
      noInvalidDate: true,
    })
    .map((d) => d.toISOString()),
)
const day = fc.oneof(
  fc.constantFrom('2026-02-01', '2026-03-04', '1955-08-20'),
  instant.map((t) => t.slice(0, 10)),
)
const id = fc.oneof(
  fc.uuid(),
  fc.constantFrom('u-medecin', 'u-secretaire', DEVICE_ID, 'dev-2'),
  fc.stringMatching(/^[A-Za-z0-9][A-Za-z0-9._:-]{0,20}$/),
)
const text = (max: number) =>
  fc.string({ minLength: 1, maxLength: max, unit: fc.constantFrom('a', 'É', 'z', ' ', '-', "'", 'œ', '0') })
const nir = fc.oneof(
  fc.constantFrom(VALID.nir, VALID.otherNir, '2 55 08 14 168 025', '1891275125012', '2A0123456789'),
  fc.stringMatching(/^[0-9A-Z ]{1,20}$/),
)
const actor: fc.Arbitrary<Actor> = fc.oneof(
  id.map((userId) => ({ userId })),
  fc.tuple(id, id).map(([userId, onBehalfOf]) => ({ userId, onBehalfOf })),
)

/** Records the schema accepts (parsed, so trimming and defaults are already applied). */
function valid<T>(arbitrary: fc.Arbitrary<unknown>, parse: (v: unknown) => { success: boolean; data?: T }) {
  return arbitrary
    .map((v) => parse(v))
    .filter((r) => r.success)
    .map((r) => r.data as T)
}

const patient: fc.Arbitrary<PatientRecord> = valid(
  fc
    .record(
      {
        id,
        version: fc.oneof(fc.constant(1), fc.integer({ min: 1, max: 50 })),
        codeDeCiblage: fc.oneof(
          fc.stringMatching(/^[0-9A-Z]{4,12}$/),
          fc.stringMatching(/^[0-9A-Za-z*~$=-]{4,32}$/),
        ),
        birthName: text(30),
        usualName: text(30),
        firstNames: text(40),
        sex: fc.constantFrom(...SEXES),
        birthDate: day,
        birthRank: fc.integer({ min: 1, max: 9 }),
        nir,
        niss: fc.constantFrom(VALID.niss, '85.07.30-033.28', 'BE 123'),
        nirOuvrantDroit: nir,
        address: text(60),
        postalCode: fc.stringMatching(/^\d{4,5}$/),
        commune: text(30),
        phone: fc.constantFrom('06 12 34 56 78', '+32 (0)2 123.45.67'),
        email: fc.constantFrom('a.b@exemple.fr', 'x@y.be'),
        createdAt: instant,
        updatedAt: instant,
        stampAt: fc.array(instant, { minLength: 1, maxLength: 3 }),
        stampDevices: fc.array(id, { minLength: 1, maxLength: 2 }),
        stampFields: fc.subarray([...PATIENT_FIELDS, 'someFutureField']),
        stampPick: fc.array(fc.nat(), { minLength: 16, maxLength: 16 }),
        allStamped: fc.boolean(),
      },
      {
        requiredKeys: [
          'id',
          'version',
          'codeDeCiblage',
          'birthName',
          'firstNames',
          'sex',
          'birthDate',
          'birthRank',
          'createdAt',
          'updatedAt',
          'stampAt',
          'stampDevices',
          'stampFields',
          'stampPick',
          'allStamped',
        ],
      },
    )
    .map(({ stampAt, stampDevices, stampFields, stampPick, allStamped, ...p }) => {
      const values = p as Record<string, unknown>
      // Either one stamp on every field held (a registration) or a mix, cleared fields included.
      const fields = allStamped ? PATIENT_FIELDS.filter((f) => values[f] !== undefined) : stampFields
      const stamps = Object.fromEntries(
        fields.map((f, i) => {
          const n = allStamped ? 0 : (stampPick[i] ?? 0)
          return [f, { at: stampAt[n % stampAt.length], deviceId: stampDevices[n % stampDevices.length] }]
        }),
      )
      return { ...p, stamps }
    }),
  (v) => PatientRecordSchema.safeParse(v),
)

type VersionSeed = { at: string; recordedAt: string; actor: Actor; deviceId: string; number?: number }

const versionSeed = (step: { at: string; recordedAt: string; author: Actor }): fc.Arbitrary<VersionSeed> =>
  fc.record(
    {
      at: fc.oneof(fc.constant(step.at), instant),
      recordedAt: fc.oneof(fc.constant(step.recordedAt), instant),
      actor: fc.oneof(fc.constant(step.author), actor),
      deviceId: fc.constantFrom(DEVICE_ID, 'dev-2', '0194a000-0000-7000-8000-00000000d001'),
      number: fc.integer({ min: 1, max: 9 }),
    },
    { requiredKeys: ['at', 'recordedAt', 'actor', 'deviceId'] },
  )

const eligibilityFields = (v: VersionSeed) =>
  fc
    .record(
      {
        declarantIsPrescriber: fc.boolean(),
        prescriber: fc.record(
          {
            name: text(40),
            profession: fc.constantFrom(...PROFESSIONS),
            rpps: fc.constantFrom(VALID.rpps, '10475604897'),
            adeli: fc.constantFrom('751234567'),
          },
          { requiredKeys: ['name', 'profession'] },
        ),
        prescriptionDate: fc.oneof(fc.constant(v.at.slice(0, 10)), day),
        patientIsHealthProfessional: fc.boolean(),
        patientMainActivity: fc.constantFrom(...MAIN_ACTIVITIES),
        patientProfession: fc.constantFrom(...PROFESSIONS),
        patientConsents: fc.constant(true),
        declarantAcceptsTransmission: fc.constant(true),
      },
      {
        requiredKeys: [
          'declarantIsPrescriber',
          'prescriber',
          'prescriptionDate',
          'patientIsHealthProfessional',
          'patientConsents',
          'declarantAcceptsTransmission',
        ],
      },
    )
    .map((f) =>
      f.prescriber.rpps === undefined ? { ...f, prescriber: { ...f.prescriber, adeli: '751234567' } } : f,
    )

const doseFields = (v: VersionSeed) =>
  fc.record(
    {
      vaccineId: fc.oneof(fc.constantFrom('comirnaty', 'spikevax'), id),
      lotNumber: fc.stringMatching(/^[A-Za-z0-9]{1,20}$/),
      lotExpiry: day,
      injectionSite: fc.constantFrom(...INJECTION_SITE_CODES),
      route: fc.constantFrom(...ROUTE_CODES),
      injectedAt: fc.oneof(fc.constant(v.at), instant),
      vaccinatorUserId: fc.oneof(
        fc.constant(v.actor.onBehalfOf ?? v.actor.userId),
        fc.constant(v.actor.userId),
        id,
      ),
      place: fc.record(
        {
          type: fc.constantFrom(...PLACE_TYPES),
          postalCode: fc.stringMatching(/^\d{4,5}$/),
          name: text(40),
          finess: fc.constantFrom(VALID.finess),
          nam: fc.constantFrom('123456789'),
        },
        { requiredKeys: ['type', 'postalCode', 'name'] },
      ),
    },
    {
      requiredKeys: [
        'vaccineId',
        'lotNumber',
        'injectionSite',
        'route',
        'injectedAt',
        'vaccinatorUserId',
        'place',
      ],
    },
  )

const step: fc.Arbitrary<StepRecord> = valid(
  fc
    .record({
      id,
      patientId: id,
      author: actor,
      at: instant,
      recordedAt: instant,
      kind: fc.constantFrom('eligibility' as const, 'dose' as const),
      targetDisease: fc.constantFrom(...TARGET_DISEASE_CODES),
      doseNumber: fc.integer({ min: 1, max: 30 }),
      isBooster: fc.boolean(),
      renumber: fc.boolean(),
    })
    .chain(({ kind, targetDisease, doseNumber, isBooster, renumber, ...base }) =>
      fc.array(versionSeed(base), { minLength: 1, maxLength: 4 }).chain((seeds) =>
        fc
          .tuple(...seeds.map((v) => (kind === 'eligibility' ? eligibilityFields(v) : doseFields(v))))
          .chain((fieldsList) =>
            fc.array(id, { minLength: seeds.length, maxLength: seeds.length }).map((mutationIds) => {
              // The first version is the recording: the step's own time and author, as the domain makes it.
              const versions = seeds.map((v, i) => ({
                version: renumber ? (v.number ?? i + 1) : i + 1,
                at: i === 0 ? base.at : v.at,
                recordedAt: i === 0 ? base.recordedAt : v.recordedAt,
                actor: i === 0 ? base.author : v.actor,
                deviceId: v.deviceId,
                mutationId: mutationIds[i],
                fields: fieldsList[i],
              }))
              return kind === 'eligibility'
                ? { ...base, kind, versions }
                : { ...base, kind, targetDisease, doseNumber, isBooster, versions }
            }),
          ),
      ),
    ),
  (v) => StepRecordSchema.safeParse(v),
)

/** What IndexedDB gives back: a structured clone of the row as written. */
function stored<T>(row: T): T {
  return structuredClone(row)
}

describe('stored rows', () => {
  it('derives the search keys of a patient', () => {
    const patient = buildPatient({
      birthName: 'de La Fontaine-Dupré',
      usualName: 'Œuvrard',
      firstNames: 'Marie Éloïse',
      nir: '2 55 08 14 168 025',
      nirOuvrantDroit: '189127512501282',
      codeDeCiblage: 'abcd1234',
    })
    expect(searchKeysOf(patient)).toEqual({
      codeKey: 'ABCD1234',
      nirKey: '255081416802538',
      nirOdKey: '1891275125012',
      nameKey: 'DE LA FONTAINE DUPRE MARIE ELOISE',
      nameWords: ['DE', 'LA', 'FONTAINE', 'DUPRE', 'OEUVRARD', 'MARIE', 'ELOISE'],
    })
  })

  it('reads back every patient record the schema allows, unchanged', () => {
    fc.assert(
      fc.property(patient, (p) => {
        expect(fromPatientRow(stored(toPatientRow(p)))).toStrictEqual(p)
      }),
      { numRuns: 500 },
    )
  }, 30_000)

  it('reads back every step the schema allows (amendments, delegates, optional fields), unchanged', () => {
    fc.assert(
      fc.property(step, (s) => {
        expect(fromStepRow(stored(toStepRow(s)))).toStrictEqual(s)
      }),
      { numRuns: 500 },
    )
  }, 30_000)

  it('stores one stamp for a new file and reads every field stamp back', () => {
    const base = buildPatient()
    const stamp = { at: '2026-02-01T09:00:00+01:00', deviceId: DEVICE_ID }
    const patient = buildPatient({ stamps: { ...base.stamps, codeDeCiblage: stamp } })
    expect(toPatientRow(base).s).toEqual([{ d: DEVICE_ID, f: [0, 2, 3, 4, 5, 6] }])
    const row = toPatientRow(patient)
    expect(row.s).toEqual([{ d: DEVICE_ID }])
    expect(row).not.toHaveProperty('ca')
    expect(fromPatientRow(row)).toStrictEqual(patient)
  })

  it('stores the code, NIR and NISS once when typed as their search key, and as typed otherwise', () => {
    const typedAsKey = buildPatient({ codeDeCiblage: 'ABCD1234', nir: VALID.nir, niss: VALID.niss })
    const row = toPatientRow(typedAsKey)
    expect(row).not.toHaveProperty('codeDeCiblage')
    expect(row).not.toHaveProperty('nir')
    expect(row).not.toHaveProperty('niss')
    expect(row).toMatchObject({ codeKey: 'ABCD1234', nirKey: VALID.nir, nissKey: VALID.niss })
    expect(fromPatientRow(stored(row))).toStrictEqual(typedAsKey)

    const typedOtherwise = buildPatient({ codeDeCiblage: 'abcd1234', nir: '2 55 08 14 168 025' })
    const other = toPatientRow(typedOtherwise)
    expect(other).toMatchObject({ codeDeCiblage: 'abcd1234', nir: '2 55 08 14 168 025' })
    expect(fromPatientRow(stored(other))).toStrictEqual(typedOtherwise)
  })

  it('packs UUIDs and instants that are not keys, and reads them back as written', () => {
    const device = '019b8d2b-8ebe-7a2c-9b6c-0516c45e6d77'
    const user = '019af2ac-c407-7e1f-9ce0-63d6b1c2dfaf'
    const patient = buildPatient({
      stamps: { birthName: { at: '2026-02-01T09:00:00+01:00', deviceId: device } },
      updatedAt: '2026-02-01T09:00:00+01:00',
      createdAt: '2026-02-01T09:00:00.125+01:00',
    })
    const row = toPatientRow(patient)
    expect(row.s[0]?.d).toHaveLength(23)
    expect(typeof row.u).toBe('number')
    expect(typeof row.ca).toBe('number')
    expect(fromPatientRow(stored(row))).toStrictEqual(patient)

    const step = buildDoseStep({ author: { userId: user }, fields: { vaccinatorUserId: user } })
    const stepRow = toStepRow(step)
    expect(stepRow.a).toHaveLength(23)
    expect(typeof stepRow.at).toBe('number')
    expect(fromStepRow(stored(stepRow))).toStrictEqual(step)
  })

  it('keeps mixed stamps, the stamp of a cleared field and a lower-case code', () => {
    const later = { at: '2026-03-01T10:00:00+01:00', deviceId: 'dev-2' }
    const base = buildPatient({ codeDeCiblage: 'abcd1234' })
    const patient = { ...base, stamps: { ...base.stamps, phone: later, firstNames: later } }
    const row = toPatientRow(patient)
    expect(row.s).toHaveLength(2)
    expect(row.codeKey).toBe('ABCD1234')
    expect(fromPatientRow(row)).toStrictEqual(patient)
  })

  it('drops from a version only what it shares with its step', () => {
    const step = buildDoseStep()
    const first = step.versions[0]
    if (first === undefined) throw new Error('no version')
    const amended = {
      ...step,
      versions: [
        first,
        {
          ...first,
          version: 2,
          at: '2026-02-02T10:00:00+01:00',
          actor: { userId: 'u-secretaire', onBehalfOf: 'u-medecin' },
          fields: { ...first.fields, injectedAt: '2026-02-01T10:05:00+01:00' },
        },
      ],
    }
    const row = toStepRow(amended)
    expect(row.versions[0]).not.toHaveProperty('at')
    expect(row.versions[0]?.f).not.toHaveProperty('ia')
    expect(row.versions[0]?.f).not.toHaveProperty('vu')
    expect(row.versions[1]).toMatchObject({
      at: packInstant('2026-02-02T10:00:00+01:00'),
      a: ['u-secretaire', 'u-medecin'],
    })
    expect(row.versions[1]?.f).toMatchObject({ ia: packInstant('2026-02-01T10:05:00+01:00') })
    expect(row.versions[1]).not.toHaveProperty('ra')
    expect(row.versions[1]).not.toHaveProperty('d')
    expect(row.versions[1]?.mutationId).toBe(first.mutationId)
    expect(fromStepRow(row)).toStrictEqual(amended)
  })
})

describe('database upgrade to the compact rows', () => {
  it('rewrites the rows of version 1 and keeps them searchable', async () => {
    const name = `upgrade-${Date.now()}`
    const patient = buildPatient({ id: 'p-old', usualName: 'Martin', phone: '06 12 34 56 78' })
    const step = buildDoseStep({ patientId: 'p-old' })
    // The version-1 form: the record whole, stamps grouped, versions without what they share with the step.
    const { stamps: _stamps, ...rest } = patient
    const legacyPatient = {
      ...rest,
      stamps: [{ at: '2026-02-01T09:00:00+01:00', deviceId: DEVICE_ID, fields: Object.keys(patient.stamps) }],
      ...searchKeysOf(patient),
    }
    const legacyStep = {
      ...step,
      versions: step.versions.map(({ at: _at, recordedAt: _r, actor: _a, ...v }) => v),
    }
    const v1 = new Dexie(name)
    v1.version(1).stores({
      patients: 'id, codeKey, nirKey, nirOdKey, nissKey, [birthDate+nameKey], *nameWords, updatedAt',
      steps: 'id, patientId, [patientId+kind]',
    })
    await v1.table('patients').put(legacyPatient)
    await v1.table('steps').put(legacyStep)
    await v1.table('patients').put({ id: 'p-broken', nameWords: ['X'] })
    v1.close()

    const warn = vi.spyOn(console, 'warn').mockImplementation(() => undefined)
    const db = createCarnetDb(name)
    try {
      const row = await db.files.get('p-old')
      expect(row?.p).toHaveProperty('s')
      expect(row?.p).not.toHaveProperty('stamps')
      expect(row?.s[0]).not.toHaveProperty('author')
      const file = row === undefined ? undefined : fromFileRow(row)
      expect(file?.patient).toStrictEqual(patient)
      expect(file?.steps).toStrictEqual([step])
      expect((await db.files.get('p-broken'))?.u).toEqual([{ id: 'p-broken', nameWords: ['X'] }])
      expect(warn).toHaveBeenCalled()
      expect((await searchPatients(db, 'dupr')).map((h) => h.patient)).toStrictEqual([patient])
    } finally {
      warn.mockRestore()
      db.close()
      await Dexie.delete(name)
    }
  })

  it('still reads a row left in the version-1 form', () => {
    const patient = buildPatient()
    const { stamps: _stamps, ...rest } = patient
    const legacy = {
      ...rest,
      stamps: [{ at: '2026-02-01T09:00:00+01:00', deviceId: DEVICE_ID }],
      ...searchKeysOf(patient),
    }
    patient.stamps.codeDeCiblage = { at: '2026-02-01T09:00:00+01:00', deviceId: DEVICE_ID }
    expect(fromPatientRow(legacy as never)).toStrictEqual(patient)
  })
})
