// Rows as database version 2 stored them (src/db/rows.ts before version 3), with the records they stand for:
// generated patients and steps (tests/fixtures/generator, seed 11) and a file with mixed stamps, a usual name, an
// e-mail and a dose amended by a delegate. Kept as data: the upgrade from version 2 must read exactly these.
import type { PatientRecord, StepRecord } from '../shared/records'

/** The records behind the rows below. */
export const RECORDS_V2: { patients: PatientRecord[]; steps: StepRecord[] } = {
  patients: [
    {
      id: '019b8d2c-03e7-73d8-a4d9-d1620613d77f',
      version: 1,
      codeDeCiblage: '9D650N0RKBF',
      birthName: 'Jacquet',
      firstNames: 'Michèle Aurélie',
      sex: 'female',
      birthDate: '1984-11-17',
      birthRank: 1,
      nir: '284118619668175',
      address: '102 route de la Forêt',
      postalCode: '68480',
      commune: 'Werentzhouse',
      phone: '04 31 62 25 05',
      stamps: {
        birthName: {
          at: '2026-01-05T09:00:30+01:00',
          deviceId: '0194a000-0000-7000-8000-00000000d001',
        },
        firstNames: {
          at: '2026-01-05T09:00:30+01:00',
          deviceId: '0194a000-0000-7000-8000-00000000d001',
        },
        sex: {
          at: '2026-01-05T09:00:30+01:00',
          deviceId: '0194a000-0000-7000-8000-00000000d001',
        },
        birthDate: {
          at: '2026-01-05T09:00:30+01:00',
          deviceId: '0194a000-0000-7000-8000-00000000d001',
        },
        birthRank: {
          at: '2026-01-05T09:00:30+01:00',
          deviceId: '0194a000-0000-7000-8000-00000000d001',
        },
        nir: {
          at: '2026-01-05T09:00:30+01:00',
          deviceId: '0194a000-0000-7000-8000-00000000d001',
        },
        codeDeCiblage: {
          at: '2026-01-05T09:00:30+01:00',
          deviceId: '0194a000-0000-7000-8000-00000000d001',
        },
        address: {
          at: '2026-01-05T09:00:30+01:00',
          deviceId: '0194a000-0000-7000-8000-00000000d001',
        },
        postalCode: {
          at: '2026-01-05T09:00:30+01:00',
          deviceId: '0194a000-0000-7000-8000-00000000d001',
        },
        commune: {
          at: '2026-01-05T09:00:30+01:00',
          deviceId: '0194a000-0000-7000-8000-00000000d001',
        },
        phone: {
          at: '2026-01-05T09:00:30+01:00',
          deviceId: '0194a000-0000-7000-8000-00000000d001',
        },
      },
      createdAt: '2026-01-05T09:00:30+01:00',
      updatedAt: '2026-01-05T09:00:30+01:00',
    },
    {
      id: '019b8d2c-f1ae-781f-94be-8b831a8f9fe2',
      version: 1,
      codeDeCiblage: '2CESQ9Y1Z03',
      birthName: 'Schröder',
      firstNames: 'Agnès Claire',
      sex: 'female',
      birthDate: '1951-02-19',
      birthRank: 1,
      nir: '251025435142060',
      address: '45 rue des Écoles',
      postalCode: '14230',
      commune: 'Osmanville',
      phone: '05 85 62 41 91',
      stamps: {
        birthName: {
          at: '2026-01-05T09:01:31+01:00',
          deviceId: '0194a000-0000-7000-8000-00000000d001',
        },
        firstNames: {
          at: '2026-01-05T09:01:31+01:00',
          deviceId: '0194a000-0000-7000-8000-00000000d001',
        },
        sex: {
          at: '2026-01-05T09:01:31+01:00',
          deviceId: '0194a000-0000-7000-8000-00000000d001',
        },
        birthDate: {
          at: '2026-01-05T09:01:31+01:00',
          deviceId: '0194a000-0000-7000-8000-00000000d001',
        },
        birthRank: {
          at: '2026-01-05T09:01:31+01:00',
          deviceId: '0194a000-0000-7000-8000-00000000d001',
        },
        nir: {
          at: '2026-01-05T09:01:31+01:00',
          deviceId: '0194a000-0000-7000-8000-00000000d001',
        },
        codeDeCiblage: {
          at: '2026-01-05T09:01:31+01:00',
          deviceId: '0194a000-0000-7000-8000-00000000d001',
        },
        address: {
          at: '2026-01-05T09:01:31+01:00',
          deviceId: '0194a000-0000-7000-8000-00000000d001',
        },
        postalCode: {
          at: '2026-01-05T09:01:31+01:00',
          deviceId: '0194a000-0000-7000-8000-00000000d001',
        },
        commune: {
          at: '2026-01-05T09:01:31+01:00',
          deviceId: '0194a000-0000-7000-8000-00000000d001',
        },
        phone: {
          at: '2026-01-05T09:01:31+01:00',
          deviceId: '0194a000-0000-7000-8000-00000000d001',
        },
      },
      createdAt: '2026-01-05T09:01:31+01:00',
      updatedAt: '2026-01-05T09:01:31+01:00',
    },
    {
      id: '019b8d2e-dac0-7f19-96be-371c5718e2a3',
      version: 1,
      codeDeCiblage: 'AS9PPZSBJY9',
      birthName: 'Louis',
      firstNames: 'Denis Timothée',
      sex: 'male',
      birthDate: '1997-12-02',
      birthRank: 1,
      nir: '197125934327116',
      nirOuvrantDroit: '251025435142060',
      address: '83 place de l’Église',
      postalCode: '59810',
      commune: 'Lesquin',
      phone: '02 64 00 13 16',
      stamps: {
        birthName: {
          at: '2026-01-05T09:03:36+01:00',
          deviceId: '0194a000-0000-7000-8000-00000000d001',
        },
        firstNames: {
          at: '2026-01-05T09:03:36+01:00',
          deviceId: '0194a000-0000-7000-8000-00000000d001',
        },
        sex: {
          at: '2026-01-05T09:03:36+01:00',
          deviceId: '0194a000-0000-7000-8000-00000000d001',
        },
        birthDate: {
          at: '2026-01-05T09:03:36+01:00',
          deviceId: '0194a000-0000-7000-8000-00000000d001',
        },
        birthRank: {
          at: '2026-01-05T09:03:36+01:00',
          deviceId: '0194a000-0000-7000-8000-00000000d001',
        },
        nir: {
          at: '2026-01-05T09:03:36+01:00',
          deviceId: '0194a000-0000-7000-8000-00000000d001',
        },
        nirOuvrantDroit: {
          at: '2026-01-05T09:03:36+01:00',
          deviceId: '0194a000-0000-7000-8000-00000000d001',
        },
        codeDeCiblage: {
          at: '2026-01-05T09:03:36+01:00',
          deviceId: '0194a000-0000-7000-8000-00000000d001',
        },
        address: {
          at: '2026-01-05T09:03:36+01:00',
          deviceId: '0194a000-0000-7000-8000-00000000d001',
        },
        postalCode: {
          at: '2026-01-05T09:03:36+01:00',
          deviceId: '0194a000-0000-7000-8000-00000000d001',
        },
        commune: {
          at: '2026-01-05T09:03:36+01:00',
          deviceId: '0194a000-0000-7000-8000-00000000d001',
        },
        phone: {
          at: '2026-01-05T09:03:36+01:00',
          deviceId: '0194a000-0000-7000-8000-00000000d001',
        },
      },
      createdAt: '2026-01-05T09:03:36+01:00',
      updatedAt: '2026-01-05T09:03:36+01:00',
    },
    {
      id: '019b0000-0000-7000-8000-0000000000aa',
      version: 3,
      codeDeCiblage: 'abcd1234',
      birthName: 'Dupré',
      firstNames: 'Éloïse',
      sex: 'female',
      birthDate: '1955-08-20',
      birthRank: 1,
      nir: '255081416802538',
      stamps: {
        birthName: {
          at: '2026-02-01T09:00:00+01:00',
          deviceId: 'dev-tablet-1',
        },
        firstNames: {
          at: '2026-03-01T10:00:00.500+01:00',
          deviceId: '0194a000-0000-7000-8000-00000000d002',
        },
        sex: {
          at: '2026-02-01T09:00:00+01:00',
          deviceId: 'dev-tablet-1',
        },
        birthDate: {
          at: '2026-02-01T09:00:00+01:00',
          deviceId: 'dev-tablet-1',
        },
        birthRank: {
          at: '2026-02-01T09:00:00+01:00',
          deviceId: 'dev-tablet-1',
        },
        nir: {
          at: '2026-02-01T09:00:00+01:00',
          deviceId: 'dev-tablet-1',
        },
        phone: {
          at: '2026-03-01T10:00:00.500+01:00',
          deviceId: '0194a000-0000-7000-8000-00000000d002',
        },
      },
      createdAt: '2026-01-01T09:00:00Z',
      updatedAt: '2026-03-01T10:00:00.500+01:00',
      usualName: 'Martin',
      email: 'a@b.fr',
      phone: '06 12 34 56 78',
    },
  ],
  steps: [
    {
      id: '019b8d5b-9cb0-7adb-8b12-20aa57ce66ad',
      patientId: '019b8d2c-03e7-73d8-a4d9-d1620613d77f',
      kind: 'eligibility',
      author: {
        userId: '019af2ac-c402-7e0e-b733-96fcb3e87299',
      },
      at: '2026-01-05T09:52:30+01:00',
      recordedAt: '2026-01-05T09:52:30+01:00',
      versions: [
        {
          version: 1,
          at: '2026-01-05T09:52:30+01:00',
          recordedAt: '2026-01-05T09:52:30+01:00',
          actor: {
            userId: '019af2ac-c402-7e0e-b733-96fcb3e87299',
          },
          deviceId: '0194a000-0000-7000-8000-00000000d001',
          mutationId: '019b8d5b-9cb0-770a-8639-9c07de89f4dd',
          fields: {
            declarantIsPrescriber: true,
            prescriber: {
              name: 'Dr Andrée Lefebvre',
              profession: 'medecin',
              rpps: '10473273281',
            },
            prescriptionDate: '2026-01-05',
            patientIsHealthProfessional: false,
            patientConsents: true,
            declarantAcceptsTransmission: true,
          },
        },
      ],
    },
    {
      id: '019b8d64-c470-7e72-8a80-e3ad8fc0e33e',
      patientId: '019b8d2c-03e7-73d8-a4d9-d1620613d77f',
      kind: 'dose',
      targetDisease: 'covid-19',
      doseNumber: 1,
      isBooster: false,
      author: {
        userId: '019af2ac-c402-7e0e-b733-96fcb3e87299',
      },
      at: '2026-01-05T10:02:30+01:00',
      recordedAt: '2026-01-05T10:02:30+01:00',
      versions: [
        {
          version: 1,
          at: '2026-01-05T10:02:30+01:00',
          recordedAt: '2026-01-05T10:02:30+01:00',
          actor: {
            userId: '019af2ac-c402-7e0e-b733-96fcb3e87299',
          },
          deviceId: '0194a000-0000-7000-8000-00000000d001',
          mutationId: '019b8d64-c470-72a5-9956-71e4dbbd68a2',
          fields: {
            vaccineId: 'comirnaty',
            lotNumber: 'FL4373',
            injectionSite: 'deltoid-left',
            route: 'intramuscular',
            injectedAt: '2026-01-05T10:02:30+01:00',
            vaccinatorUserId: '019af2ac-c402-7e0e-b733-96fcb3e87299',
            place: {
              type: 'domicile',
              postalCode: '68480',
              name: 'Domicile du patient',
            },
          },
        },
      ],
    },
    {
      id: '019b8d5d-7558-767a-a701-18c1499052f9',
      patientId: '019b8d2c-f1ae-781f-94be-8b831a8f9fe2',
      kind: 'eligibility',
      author: {
        userId: '019af2ac-c400-7610-8b17-56cd7cdadc04',
      },
      at: '2026-01-05T09:54:31+01:00',
      recordedAt: '2026-01-05T09:54:31+01:00',
      versions: [
        {
          version: 1,
          at: '2026-01-05T09:54:31+01:00',
          recordedAt: '2026-01-05T09:54:31+01:00',
          actor: {
            userId: '019af2ac-c400-7610-8b17-56cd7cdadc04',
          },
          deviceId: '0194a000-0000-7000-8000-00000000d001',
          mutationId: '019b8d5d-7558-768c-93f9-1081420ed4c1',
          fields: {
            declarantIsPrescriber: true,
            prescriber: {
              name: 'Dr Denise Bouvier',
              profession: 'medecin',
              rpps: '10027646792',
            },
            prescriptionDate: '2026-01-05',
            patientIsHealthProfessional: false,
            patientConsents: true,
            declarantAcceptsTransmission: true,
          },
        },
      ],
    },
    {
      id: '019b8d66-9d18-7606-ba2b-f76e2f036fc7',
      patientId: '019b8d2c-f1ae-781f-94be-8b831a8f9fe2',
      kind: 'dose',
      targetDisease: 'covid-19',
      doseNumber: 1,
      isBooster: false,
      author: {
        userId: '019af2ac-c400-7610-8b17-56cd7cdadc04',
      },
      at: '2026-01-05T10:04:31+01:00',
      recordedAt: '2026-01-05T10:04:31+01:00',
      versions: [
        {
          version: 1,
          at: '2026-01-05T10:04:31+01:00',
          recordedAt: '2026-01-05T10:04:31+01:00',
          actor: {
            userId: '019af2ac-c400-7610-8b17-56cd7cdadc04',
          },
          deviceId: '0194a000-0000-7000-8000-00000000d001',
          mutationId: '019b8d66-9d18-757c-a8bc-483ebb0b2538',
          fields: {
            vaccineId: 'spikevax',
            lotNumber: 'FK3658',
            injectionSite: 'deltoid-left',
            route: 'intramuscular',
            injectedAt: '2026-01-05T10:04:31+01:00',
            vaccinatorUserId: '019af2ac-c400-7610-8b17-56cd7cdadc04',
            place: {
              type: 'domicile',
              postalCode: '14230',
              name: 'Domicile du patient',
            },
          },
        },
      ],
    },
    {
      id: '019b8d5f-5da0-7276-ab03-890201bbf08f',
      patientId: '019b8d2e-dac0-7f19-96be-371c5718e2a3',
      kind: 'eligibility',
      author: {
        userId: '019af2ac-c407-7652-a1d1-5ffe8d11b9a3',
      },
      at: '2026-01-05T09:56:36+01:00',
      recordedAt: '2026-01-05T09:56:36+01:00',
      versions: [
        {
          version: 1,
          at: '2026-01-05T09:56:36+01:00',
          recordedAt: '2026-01-05T09:56:36+01:00',
          actor: {
            userId: '019af2ac-c407-7652-a1d1-5ffe8d11b9a3',
          },
          deviceId: '0194a000-0000-7000-8000-00000000d001',
          mutationId: '019b8d5f-5da0-7b86-b34c-f37e0676ebcd',
          fields: {
            declarantIsPrescriber: true,
            prescriber: {
              name: 'Sébastien Petit',
              profession: 'infirmier',
              rpps: '10295584238',
            },
            prescriptionDate: '2026-01-05',
            patientIsHealthProfessional: false,
            patientConsents: true,
            declarantAcceptsTransmission: true,
          },
        },
      ],
    },
    {
      id: '019b8d68-8560-7981-b5d9-bd1670830b16',
      patientId: '019b8d2e-dac0-7f19-96be-371c5718e2a3',
      kind: 'dose',
      targetDisease: 'covid-19',
      doseNumber: 1,
      isBooster: false,
      author: {
        userId: '019af2ac-c407-7652-a1d1-5ffe8d11b9a3',
      },
      at: '2026-01-05T10:06:36+01:00',
      recordedAt: '2026-01-05T10:06:36+01:00',
      versions: [
        {
          version: 1,
          at: '2026-01-05T10:06:36+01:00',
          recordedAt: '2026-01-05T10:06:36+01:00',
          actor: {
            userId: '019af2ac-c407-7652-a1d1-5ffe8d11b9a3',
          },
          deviceId: '0194a000-0000-7000-8000-00000000d001',
          mutationId: '019b8d68-8560-7bd8-bae6-f6544c9fd4ea',
          fields: {
            vaccineId: 'comirnaty',
            lotNumber: 'FK2347',
            injectionSite: 'deltoid-right',
            route: 'intramuscular',
            injectedAt: '2026-01-05T10:06:36+01:00',
            vaccinatorUserId: '019af2ac-c407-7652-a1d1-5ffe8d11b9a3',
            place: {
              type: 'domicile',
              postalCode: '59810',
              name: 'Domicile du patient',
            },
          },
        },
      ],
    },
    {
      id: '019b0000-0000-7000-8000-0000000000bb',
      patientId: '019b0000-0000-7000-8000-0000000000aa',
      kind: 'dose',
      targetDisease: 'covid-19',
      doseNumber: 1,
      isBooster: false,
      author: {
        userId: 'u-medecin',
      },
      at: '2026-02-01T10:00:00+01:00',
      recordedAt: '2026-02-01T10:00:00+01:00',
      versions: [
        {
          version: 1,
          at: '2026-02-01T10:00:00+01:00',
          recordedAt: '2026-02-01T10:00:00+01:00',
          actor: {
            userId: 'u-medecin',
          },
          deviceId: 'dev-tablet-1',
          mutationId: 'm-built-1',
          fields: {
            vaccineId: 'comirnaty',
            lotNumber: 'FK1234',
            injectionSite: 'deltoid-left',
            route: 'intramuscular',
            injectedAt: '2026-02-01T10:00:00+01:00',
            vaccinatorUserId: 'u-medecin',
            place: {
              type: 'ehpad',
              postalCode: '75012',
              name: 'EHPAD Les Tilleuls',
              finess: '010000016',
            },
          },
        },
        {
          version: 2,
          at: '2026-02-02T10:00:00+01:00',
          recordedAt: '2026-02-01T10:00:00+01:00',
          actor: {
            userId: 'u-secretaire',
            onBehalfOf: 'u-medecin',
          },
          deviceId: 'dev-tablet-1',
          mutationId: '019b0000-0000-7000-8000-0000000000cc',
          fields: {
            vaccineId: 'comirnaty',
            lotNumber: 'FK1234',
            injectionSite: 'deltoid-left',
            route: 'intramuscular',
            injectedAt: '2026-02-01T10:05:00+01:00',
            vaccinatorUserId: 'u-medecin',
            place: {
              type: 'ehpad',
              postalCode: '75012',
              name: 'EHPAD Les Tilleuls',
              finess: '010000016',
            },
          },
        },
      ],
    },
  ],
}

/** The rows version 2 stored for RECORDS_V2. */
export const ROWS_V2: { patients: Record<string, unknown>[]; steps: Record<string, unknown>[] } = {
  patients: [
    {
      id: '019b8d2c-03e7-73d8-a4d9-d1620613d77f',
      codeDeCiblage: '9D650N0RKBF',
      birthName: 'Jacquet',
      firstNames: 'Michèle Aurélie',
      sex: 'female',
      birthDate: '1984-11-17',
      birthRank: 1,
      u: '2026-01-05T09:00:30+01:00',
      s: [
        {
          d: '0194a000-0000-7000-8000-00000000d001',
        },
      ],
      codeKey: '9D650N0RKBF',
      nirKey: '284118619668175',
      nameKey: 'JACQUET MICHELE AURELIE',
      nameWords: ['JACQUET', 'MICHELE', 'AURELIE'],
      nir: '284118619668175',
      phone: '04 31 62 25 05',
      ad: '102 route de la Forêt',
      pc: '68480',
      cm: 'Werentzhouse',
    },
    {
      id: '019b8d2c-f1ae-781f-94be-8b831a8f9fe2',
      codeDeCiblage: '2CESQ9Y1Z03',
      birthName: 'Schröder',
      firstNames: 'Agnès Claire',
      sex: 'female',
      birthDate: '1951-02-19',
      birthRank: 1,
      u: '2026-01-05T09:01:31+01:00',
      s: [
        {
          d: '0194a000-0000-7000-8000-00000000d001',
        },
      ],
      codeKey: '2CESQ9Y1Z03',
      nirKey: '251025435142060',
      nameKey: 'SCHRODER AGNES CLAIRE',
      nameWords: ['SCHRODER', 'AGNES', 'CLAIRE'],
      nir: '251025435142060',
      phone: '05 85 62 41 91',
      ad: '45 rue des Écoles',
      pc: '14230',
      cm: 'Osmanville',
    },
    {
      id: '019b8d2e-dac0-7f19-96be-371c5718e2a3',
      codeDeCiblage: 'AS9PPZSBJY9',
      birthName: 'Louis',
      firstNames: 'Denis Timothée',
      sex: 'male',
      birthDate: '1997-12-02',
      birthRank: 1,
      u: '2026-01-05T09:03:36+01:00',
      s: [
        {
          d: '0194a000-0000-7000-8000-00000000d001',
        },
      ],
      codeKey: 'AS9PPZSBJY9',
      nirKey: '197125934327116',
      nirOdKey: '2510254351420',
      nameKey: 'LOUIS DENIS TIMOTHEE',
      nameWords: ['LOUIS', 'DENIS', 'TIMOTHEE'],
      nir: '197125934327116',
      nirOuvrantDroit: '251025435142060',
      phone: '02 64 00 13 16',
      ad: '83 place de l’Église',
      pc: '59810',
      cm: 'Lesquin',
    },
    {
      id: '019b0000-0000-7000-8000-0000000000aa',
      codeDeCiblage: 'abcd1234',
      birthName: 'Dupré',
      firstNames: 'Éloïse',
      sex: 'female',
      birthDate: '1955-08-20',
      birthRank: 1,
      u: '2026-03-01T10:00:00.500+01:00',
      s: [
        {
          d: 'dev-tablet-1',
          a: '2026-02-01T09:00:00+01:00',
          f: [0, 3, 4, 5, 6],
        },
        {
          d: '0194a000-0000-7000-8000-00000000d002',
          f: [2, 13],
        },
      ],
      codeKey: 'ABCD1234',
      nirKey: '255081416802538',
      nameKey: 'DUPRE ELOISE',
      nameWords: ['DUPRE', 'MARTIN', 'ELOISE'],
      nir: '255081416802538',
      phone: '06 12 34 56 78',
      v: 3,
      un: 'Martin',
      em: 'a@b.fr',
      ca: '2026-01-01T09:00:00Z',
    },
  ],
  steps: [
    {
      id: '019b8d5b-9cb0-7adb-8b12-20aa57ce66ad',
      patientId: '019b8d2c-03e7-73d8-a4d9-d1620613d77f',
      a: '019af2ac-c402-7e0e-b733-96fcb3e87299',
      at: '2026-01-05T09:52:30+01:00',
      kind: 'eligibility',
      versions: [
        {
          d: '0194a000-0000-7000-8000-00000000d001',
          mutationId: '019b8d5b-9cb0-770a-8639-9c07de89f4dd',
          f: {
            dp: true,
            pr: {
              n: 'Dr Andrée Lefebvre',
              p: 0,
              r: '10473273281',
            },
            hp: false,
          },
        },
      ],
    },
    {
      id: '019b8d64-c470-7e72-8a80-e3ad8fc0e33e',
      patientId: '019b8d2c-03e7-73d8-a4d9-d1620613d77f',
      a: '019af2ac-c402-7e0e-b733-96fcb3e87299',
      at: '2026-01-05T10:02:30+01:00',
      kind: 'dose',
      td: 0,
      dn: 1,
      versions: [
        {
          d: '0194a000-0000-7000-8000-00000000d001',
          mutationId: '019b8d64-c470-72a5-9956-71e4dbbd68a2',
          f: {
            vi: 'comirnaty',
            ln: 'FL4373',
            is: 0,
            ro: 0,
            pl: {
              t: 9,
              p: '68480',
              n: 'Domicile du patient',
            },
          },
        },
      ],
    },
    {
      id: '019b8d5d-7558-767a-a701-18c1499052f9',
      patientId: '019b8d2c-f1ae-781f-94be-8b831a8f9fe2',
      a: '019af2ac-c400-7610-8b17-56cd7cdadc04',
      at: '2026-01-05T09:54:31+01:00',
      kind: 'eligibility',
      versions: [
        {
          d: '0194a000-0000-7000-8000-00000000d001',
          mutationId: '019b8d5d-7558-768c-93f9-1081420ed4c1',
          f: {
            dp: true,
            pr: {
              n: 'Dr Denise Bouvier',
              p: 0,
              r: '10027646792',
            },
            hp: false,
          },
        },
      ],
    },
    {
      id: '019b8d66-9d18-7606-ba2b-f76e2f036fc7',
      patientId: '019b8d2c-f1ae-781f-94be-8b831a8f9fe2',
      a: '019af2ac-c400-7610-8b17-56cd7cdadc04',
      at: '2026-01-05T10:04:31+01:00',
      kind: 'dose',
      td: 0,
      dn: 1,
      versions: [
        {
          d: '0194a000-0000-7000-8000-00000000d001',
          mutationId: '019b8d66-9d18-757c-a8bc-483ebb0b2538',
          f: {
            vi: 'spikevax',
            ln: 'FK3658',
            is: 0,
            ro: 0,
            pl: {
              t: 9,
              p: '14230',
              n: 'Domicile du patient',
            },
          },
        },
      ],
    },
    {
      id: '019b8d5f-5da0-7276-ab03-890201bbf08f',
      patientId: '019b8d2e-dac0-7f19-96be-371c5718e2a3',
      a: '019af2ac-c407-7652-a1d1-5ffe8d11b9a3',
      at: '2026-01-05T09:56:36+01:00',
      kind: 'eligibility',
      versions: [
        {
          d: '0194a000-0000-7000-8000-00000000d001',
          mutationId: '019b8d5f-5da0-7b86-b34c-f37e0676ebcd',
          f: {
            dp: true,
            pr: {
              n: 'Sébastien Petit',
              p: 6,
              r: '10295584238',
            },
            hp: false,
          },
        },
      ],
    },
    {
      id: '019b8d68-8560-7981-b5d9-bd1670830b16',
      patientId: '019b8d2e-dac0-7f19-96be-371c5718e2a3',
      a: '019af2ac-c407-7652-a1d1-5ffe8d11b9a3',
      at: '2026-01-05T10:06:36+01:00',
      kind: 'dose',
      td: 0,
      dn: 1,
      versions: [
        {
          d: '0194a000-0000-7000-8000-00000000d001',
          mutationId: '019b8d68-8560-7bd8-bae6-f6544c9fd4ea',
          f: {
            vi: 'comirnaty',
            ln: 'FK2347',
            is: 1,
            ro: 0,
            pl: {
              t: 9,
              p: '59810',
              n: 'Domicile du patient',
            },
          },
        },
      ],
    },
    {
      id: '019b0000-0000-7000-8000-0000000000bb',
      patientId: '019b0000-0000-7000-8000-0000000000aa',
      a: 'u-medecin',
      at: '2026-02-01T10:00:00+01:00',
      kind: 'dose',
      td: 0,
      dn: 1,
      versions: [
        {
          d: 'dev-tablet-1',
          mutationId: 'm-built-1',
          f: {
            vi: 'comirnaty',
            ln: 'FK1234',
            is: 0,
            ro: 0,
            pl: {
              t: 0,
              p: '75012',
              n: 'EHPAD Les Tilleuls',
              f: '010000016',
            },
          },
        },
        {
          at: '2026-02-02T10:00:00+01:00',
          a: ['u-secretaire', 'u-medecin'],
          mutationId: '019b0000-0000-7000-8000-0000000000cc',
          f: {
            vi: 'comirnaty',
            ln: 'FK1234',
            is: 0,
            ro: 0,
            pl: {
              t: 0,
              p: '75012',
              n: 'EHPAD Les Tilleuls',
              f: '010000016',
            },
            ia: '2026-02-01T10:05:00+01:00',
          },
        },
      ],
    },
  ],
}
