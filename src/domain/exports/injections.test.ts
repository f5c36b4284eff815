import { describe, expect, it } from 'vitest'
import { workflow } from '../../i18n/locales/fr/workflow'
import {
  AT,
  buildDoseStep,
  buildEligibilityFields,
  buildEligibilityStep,
  buildPatient,
  buildUsers,
  USERS,
} from '../testing/builders'
import { CATALOGUE } from '../vaccines/catalogue'
import { parseCsv } from './csv'
import {
  ELIGIBILITY_HEADERS,
  INJECTION_HEADERS,
  injectionRowsOf,
  injectionsToCsv,
  stepSummaryToCsv,
  type InjectionRow,
} from './injections'

const context = { catalogue: CATALOGUE, users: new Map(buildUsers().map((u) => [u.id, u])), labels: workflow }

function recordsOf(csv: string): Record<string, string>[] {
  const [header, ...rows] = parseCsv(csv)
  return rows.map((row) => Object.fromEntries(header!.map((h, i) => [h, row[i] ?? ''])))
}

describe('injection rows', () => {
  it('gives one row per dose in injection order, with ISO dates, French labels and who entered it', () => {
    const steps = [
      buildEligibilityStep(),
      buildDoseStep({
        id: 's-dose-2',
        doseNumber: 2,
        at: AT,
        author: { userId: USERS.secretaire, onBehalfOf: USERS.medecin },
        fields: { injectionSite: 'thigh-left', lotNumber: 'fk5678' },
      }),
      buildDoseStep({ id: 's-dose-1', at: '2026-02-10T16:05:00+01:00' }),
    ]
    const rows = injectionRowsOf({ patient: buildPatient(), steps }, context)
    expect(rows).toHaveLength(2)
    expect(rows[0]).toMatchObject({ date: '2026-02-10', time: '16:05', doseNumber: 1, delegate: '' })
    expect(rows[1]).toEqual({
      date: '2026-03-04',
      time: '10:15',
      placeType: 'EHPAD',
      placeName: 'EHPAD Les Tilleuls',
      placePostalCode: '75012',
      finess: '010000016',
      codeDeCiblage: '0123456789P',
      birthName: 'Dupré',
      usualName: '',
      firstNames: 'Éloïse',
      birthDate: '1955-08-20',
      disease: 'COVID-19',
      vaccine: 'Comirnaty (Pfizer-BioNTech)',
      lotNumber: 'FK5678',
      doseNumber: 2,
      isBooster: false,
      injectionSite: 'Cuisse gauche',
      route: 'Intramusculaire',
      professional: 'Dr Martin',
      professionalRpps: '10012345673',
      delegate: 'Sam Leroy',
    } satisfies InjectionRow)
  })

  it('writes French headers and one CSV row per injection', () => {
    const csv = injectionsToCsv(
      injectionRowsOf({ patient: buildPatient(), steps: [buildDoseStep()] }, context),
    )
    const [header, row] = parseCsv(csv)
    expect(header).toEqual([...INJECTION_HEADERS])
    expect(row).toHaveLength(INJECTION_HEADERS.length)
    expect(recordsOf(csv)[0]).toMatchObject({ Date: '2026-02-01', 'Rang vaccinal': '1', Rappel: 'Non' })
  })
})

describe('hostile names survive the CSV round trip', () => {
  const hostile = [
    ['Dupont; Jean', 'Dupont; Jean'],
    ['Le "Grand" Jean', 'Le "Grand" Jean'],
    ['Anne\r\nMarie', 'Anne\r\nMarie'],
    ['=HYPERLINK("http://x";"clic")', `'=HYPERLINK("http://x";"clic")`],
    ['+33 6 12 34 56 78', "'+33 6 12 34 56 78"],
    ['-Lou', "'-Lou"],
    ['@SOMME(A1)', "'@SOMME(A1)"],
  ] as const

  it.each(hostile)('keeps %j in its own cells (a formula start is neutralised)', (name, readBack) => {
    const patient = buildPatient({ birthName: name, firstNames: name, usualName: name })
    const csv = injectionsToCsv(
      injectionRowsOf(
        {
          patient,
          steps: [buildDoseStep({ fields: { place: { type: 'autre', postalCode: '75001', name } } })],
        },
        context,
      ),
    )
    const rows = parseCsv(csv)
    expect(rows).toHaveLength(2)
    expect(rows[1]).toHaveLength(INJECTION_HEADERS.length)
    const record = recordsOf(csv)[0]!
    expect(record['Nom de naissance']).toBe(readBack)
    expect(record['Prénoms']).toBe(readBack)
    expect(record["Nom d'usage"]).toBe(readBack)
    expect(record['Lieu de vaccination']).toBe(readBack)
    expect(record['Code de ciblage']).toBe('0123456789P')
  })
})

describe('step summary CSV', () => {
  it('writes the eligibility declaration as one row of its fields with the patient identity', () => {
    const step = buildEligibilityStep({
      author: { userId: USERS.secretaire, onBehalfOf: USERS.medecin },
      versions: [
        {
          ...buildEligibilityStep().versions[0]!,
          actor: { userId: USERS.secretaire, onBehalfOf: USERS.medecin },
          fields: buildEligibilityFields({
            patientIsHealthProfessional: true,
            patientMainActivity: 'ambulatoire',
            patientProfession: 'infirmier',
          }),
        },
      ],
    })
    const csv = stepSummaryToCsv({ patient: buildPatient(), steps: [step] }, step.id, context)!
    expect(parseCsv(csv)[0]).toEqual([...ELIGIBILITY_HEADERS])
    expect(recordsOf(csv)[0]).toMatchObject({
      'Code de ciblage': '0123456789P',
      'Nom de naissance': 'Dupré',
      Sexe: 'Féminin',
      'Date de naissance': '1955-08-20',
      NIR: '255081416802538',
      'Date de la déclaration': '2026-02-01',
      Déclarant: 'Dr Martin',
      'Saisi par (délégué)': 'Sam Leroy',
      Prescripteur: 'Dr Martin',
      'Profession du prescripteur': 'Médecin',
      "Date de l'ordonnance": '2026-03-01',
      'Le patient est un professionnel de santé': 'Oui',
      'Activité principale du patient': 'Professionnel de santé travaillant en ambulatoire',
      'Profession du patient': 'Infirmier·e',
      Rectificatif: 'Non',
    })
  })

  it('writes a dose as its injection row, and nothing for a step the file does not hold', () => {
    const file = { patient: buildPatient(), steps: [buildEligibilityStep(), buildDoseStep()] }
    expect(recordsOf(stepSummaryToCsv(file, 's-dose-1', context)!)).toHaveLength(1)
    expect(stepSummaryToCsv(file, 'nope', context)).toBeUndefined()
  })
})
