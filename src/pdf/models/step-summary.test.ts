import { describe, expect, it } from 'vitest'
import {
  buildDoseStep,
  buildEligibilityFields,
  buildEligibilityStep,
  USERS,
} from '../../domain/testing/builders'
import { buildDocumentSource, fourDoseSteps } from '../testing'
import { buildStepSummaryModel } from './step-summary'

const RECTIFICATIF = "Rectificatif des données télétransmises à l'Assurance Maladie"

function allRows(model: ReturnType<typeof buildStepSummaryModel>) {
  return model.sections.flatMap((s) => s.rows)
}

function valueOf(model: ReturnType<typeof buildStepSummaryModel>, key: string): string | undefined {
  return allRows(model).find((r) => r.key === key)?.value
}

describe('step summary model', () => {
  it('titles a never-amended dose « Synthèse de la vaccination » with its step and the code de ciblage', () => {
    const model = buildStepSummaryModel(buildDocumentSource(), 's-dose-1')
    expect(model.title).toBe('Synthèse de la vaccination')
    expect(model.isRectificatif).toBe(false)
    expect(model.stepTitle).toBe('1ère vaccination — COVID-19')
    expect(model.code).toMatchObject({ label: 'Code de ciblage du patient', value: '0123456789P' })
  })

  it('titles an amended step « Rectificatif des données télétransmises à l’Assurance Maladie » and says who amended', () => {
    const step = buildEligibilityStep()
    const first = step.versions[0]!
    const amended = {
      ...step,
      versions: [
        first,
        {
          ...first,
          version: 2,
          at: '2026-02-02T11:00:00+01:00',
          fields: buildEligibilityFields({ prescriptionDate: '2026-01-28' }),
        },
      ],
    }
    const model = buildStepSummaryModel(buildDocumentSource({ steps: [amended] }), amended.id)
    expect(model.title).toBe(RECTIFICATIF)
    expect(model.isRectificatif).toBe(true)
    expect(valueOf(model, 'prescriptionDate')).toBe('28/01/2026')
    expect(model.validation).toEqual([
      'Validé par Dr Martin le 01/02/2026 à 09:30',
      'Dernière modification — Validé par Dr Martin le 02/02/2026 à 11:00',
    ])
  })

  it('prints every eligibility field with its French label and French value', () => {
    const step = buildEligibilityStep({
      versions: [
        {
          ...buildEligibilityStep().versions[0]!,
          fields: buildEligibilityFields({
            declarantIsPrescriber: false,
            prescriber: { name: 'Dr Claire Fontaine', profession: 'medecin', adeli: '751234567' },
            patientIsHealthProfessional: true,
            patientMainActivity: 'etablissement-medico-social',
            patientProfession: 'aide-soignant',
          }),
        },
      ],
    })
    const model = buildStepSummaryModel(buildDocumentSource({ steps: [step] }), step.id)
    const fields = model.sections[1]!
    expect(fields.title).toBe('Déclaration d’éligibilité')
    expect(fields.rows.map((r) => [r.label, r.value])).toEqual([
      ['Le déclarant est le prescripteur', 'Non'],
      ['Prescripteur', 'Dr Claire Fontaine'],
      ['Profession du prescripteur', 'Médecin'],
      ['N° ADELI du prescripteur', '751234567'],
      ['Date de l’ordonnance', '01/03/2026'],
      ['Le patient est un professionnel de santé', 'Oui'],
      [
        'Activité principale du patient',
        'Professionnel de santé travaillant au sein d’un établissement médico-social (EHPAD…)',
      ],
      ['Profession du patient', 'Aide-soignant·e'],
      ['Le patient accepte d’entrer dans le processus de vaccination', 'Oui'],
      ['Le déclarant accepte les conditions de transmission des données et a informé son patient', 'Oui'],
    ])
  })

  it('prints every dose field, the patient identity and the validating professional', () => {
    const step = buildDoseStep({ fields: { lotExpiry: '2026-06-30' } })
    const model = buildStepSummaryModel(
      buildDocumentSource({ steps: [buildEligibilityStep(), step] }),
      step.id,
    )
    expect(model.sections.map((s) => s.title)).toEqual(['Patient', 'Vaccination', 'Professionnel de santé'])
    expect(Object.fromEntries(model.sections[1]!.rows.map((r) => [r.label, r.value]))).toEqual({
      Vaccin: 'Comirnaty (Pfizer-BioNTech)',
      'Numéro de lot': 'FK1234',
      'Péremption du lot': '30/06/2026',
      'Rang vaccinal': 'Dose n° 1',
      "Zone d'injection": 'Deltoïde gauche',
      "Voie d'administration": 'Intramusculaire',
      "Date et heure de l'injection": '01/02/2026 à 10:00',
      Vaccinateur: 'Dr Martin',
      'Lieu de vaccination': 'EHPAD',
      'Code postal du lieu': '75012',
      'Nom du lieu': 'EHPAD Les Tilleuls',
      'N° FINESS': '010000016',
    })
    expect(model.sections[0]!.rows.map((r) => [r.label, r.value])).toEqual([
      ['Nom de naissance', 'DUPRÉ'],
      ['Prénom(s)', 'Éloïse'],
      ['Sexe', 'Féminin'],
      ['Date de naissance', '20/08/1955'],
      ['Rang de naissance', '1'],
      ['NIR', '2 55 08 14 168 025 38'],
    ])
    expect(model.sections[2]!.rows.map((r) => r.value)).toEqual(['Dr Martin', 'Médecin', '10012345673'])
  })

  it('says « Saisi par … pour le compte de … » for a delegate’s entry', () => {
    const step = buildDoseStep({ author: { userId: USERS.secretaire, onBehalfOf: USERS.medecin } })
    const model = buildStepSummaryModel(
      buildDocumentSource({ steps: [buildEligibilityStep(), step] }),
      step.id,
    )
    expect(model.validation).toEqual([
      'Saisi par Sam Leroy pour le compte de Dr Martin, le 01/02/2026 à 10:00',
    ])
    expect(valueOf(model, 'name')).toBe('Dr Martin')
  })

  it('gives the next-dose-from date after a primary dose, and « Schéma complet » after a single-dose vaccine', () => {
    const source = buildDocumentSource({ steps: fourDoseSteps() })
    expect(buildStepSummaryModel(source, 's-dose-1').nextDose?.text).toBe(
      'Prochaine dose possible à partir du 23/09/2025',
    )
    expect(buildStepSummaryModel(source, 's-dose-1').nextDose?.hint).toContain('prendre rendez-vous')
    const single = buildDoseStep({ fields: { vaccineId: 'jcovden' } })
    const none = { allowed: false } as const
    const catalogue = source.catalogue.map((v) => (v.id === 'jcovden' ? { ...v, booster: none } : v))
    const model = buildStepSummaryModel(
      buildDocumentSource({ steps: [buildEligibilityStep(), single], catalogue }),
      single.id,
    )
    expect(model.nextDose).toEqual({ text: 'Schéma complet' })
  })

  it('carries the adverse-effect portal, the signature sentence and the generation line', () => {
    const model = buildStepSummaryModel(buildDocumentSource(), 's-dose-1')
    expect(model.closing.adverseEffect.url).toBe('https://signalement.social-sante.gouv.fr')
    expect(model.closing.signature.sentence).toBe(
      'Il convient de signer ce document avant de le remettre à son patient',
    )
    expect(model.closing.generated).toBe('Document généré le 04/03/2026 à 12:00 par Dr Martin')
    expect(model.header).toEqual({
      brand: 'Carnet',
      tagline: 'Carnet de vaccination',
      organisation: 'Équipe mobile de vaccination du Val-de-Marne',
      organisationId: 'FINESS 010000016',
    })
  })

  it('refuses a step that is not in the file', () => {
    expect(() => buildStepSummaryModel(buildDocumentSource(), 'nope')).toThrow(/not in the patient's file/)
  })
})
