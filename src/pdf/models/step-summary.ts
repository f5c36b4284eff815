// The layout model of a step's summary (« synthèse », seed 004): what the teleservice printed after each step,
// to sign and hand to the patient. Titled « Rectificatif des données télétransmises à l'Assurance Maladie » once
// the step has been amended; always the step's current version.
import {
  authorLine,
  displayName,
  formatDate,
  isHighRisk,
  stepTitle,
  versionRows,
} from '../../components/step/step-format'
import { seriesVaccineId } from '../../domain/steps/chain'
import {
  currentVersion,
  isRectificatif,
  professionalOf,
  type DoseStep,
  type Step,
} from '../../domain/steps/step'
import { localDateOf } from '../../domain/time/calendar'
import { findVaccine, nextDoseFrom } from '../../domain/vaccines/schedule'
import { french } from '../french'
import type { DocumentSource } from '../types'
import {
  closingOf,
  headerOf,
  identityRows,
  membersOf,
  professionalRows,
  type DocumentClosing,
  type DocumentHeader,
  type DocumentSection,
} from './common'
import { TEXTS } from './texts'

/** Everything a step's summary prints, in reading order. */
export type StepSummaryModel = {
  header: DocumentHeader
  title: string
  isRectificatif: boolean
  /** « 1ère vaccination — COVID-19 », « Éligibilité vaccination ». */
  stepTitle: string
  code: { label: string; value: string; hint: string }
  /** Patient, the step's fields, the professional. */
  sections: DocumentSection[]
  /** Who validated (a delegate's « Saisi par … pour le compte de … ») and, for a Rectificatif, who amended. */
  validation: string[]
  nextDose?: { text: string; hint?: string }
  closing: DocumentClosing
}

function nextDoseOf(source: DocumentSource, step: DoseStep): StepSummaryModel['nextDose'] {
  const fields = currentVersion(step).fields
  const seriesId =
    step.doseNumber === 1
      ? fields.vaccineId
      : (seriesVaccineId(source, step.targetDisease) ?? fields.vaccineId)
  const seriesVaccine = findVaccine(source.catalogue, seriesId)
  const day = localDateOf(fields.injectedAt)
  const hint =
    seriesVaccine === undefined
      ? null
      : nextDoseFrom(
          seriesVaccine,
          { doseNumber: step.doseNumber, date: day, isBooster: step.isBooster },
          { highRisk: isHighRisk(source.patient.birthDate, day, fields.place.type) },
        )
  if (hint === null) return { text: french('steps.summary.complete') }
  const date = formatDate(hint.from)
  return {
    text: hint.isBooster
      ? french('steps.summary.nextDoseBooster', { date })
      : french('workflow.steps.nextDoseFrom', { date }),
    hint: french('steps.summary.bookHint'),
  }
}

/** Finds a step of the source, or fails: asking for a step the file does not hold is a programming error. */
export function requireStep(source: DocumentSource, stepId: string): Step {
  const step = source.steps.find((s) => s.id === stepId)
  if (step === undefined) throw new Error(`step ${stepId} is not in the patient's file`)
  return step
}

/** Builds the summary of one step of the source's file. */
export function buildStepSummaryModel(source: DocumentSource, stepId: string): StepSummaryModel {
  const step = requireStep(source, stepId)
  const members = membersOf(source)
  const ctx = { catalogue: source.catalogue, members, t: french }
  const amended = isRectificatif(step)
  const last = currentVersion(step)
  const professionalId = professionalOf(last.actor)
  const validation = [authorLine(members, step.author, step.at, french)]
  if (amended)
    validation.push(
      french('steps.summary.amendedBy', { line: authorLine(members, last.actor, last.at, french) }),
    )
  const sections: DocumentSection[] = [
    { title: TEXTS.sections.patient, rows: identityRows(source.patient) },
    {
      title: step.kind === 'eligibility' ? TEXTS.sections.eligibility : TEXTS.sections.dose,
      rows: versionRows(step, step.versions.length - 1, ctx),
    },
    {
      title: TEXTS.sections.professional,
      rows: [
        { key: 'name', label: TEXTS.professional.name, value: displayName(members, professionalId, french) },
        ...professionalRows(source.users.get(professionalId)),
      ],
    },
  ]
  const model: StepSummaryModel = {
    header: headerOf(source),
    title: amended
      ? french('workflow.steps.rectificatif')
      : french(step.kind === 'eligibility' ? 'steps.summary.eligibilityTitle' : 'steps.summary.doseTitle'),
    isRectificatif: amended,
    stepTitle: stepTitle(step, french),
    code: {
      label: french('steps.summary.code'),
      value: source.patient.codeDeCiblage,
      hint: french('steps.summary.codeHint'),
    },
    sections,
    validation,
    closing: closingOf(source),
  }
  if (step.kind === 'dose') model.nextDose = nextDoseOf(source, step)
  return model
}
