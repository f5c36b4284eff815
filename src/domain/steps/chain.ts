// The step chain of a patient file: eligibility, then per target disease dose 1 → dose 2 … → boosters.
// One eligibility declaration opens the file for every series; a dose N+1 follows dose N of the same disease.
import type { TargetDisease } from '../../shared/vocabulary'
import type { Catalogue } from '../../shared/vaccine'
import type { PatientFile } from '../patients/patient-file'
import { compareInstants, localDateOf, type IsoDate } from '../time/calendar'
import { findVaccine, nextDoseFrom } from '../vaccines/schedule'
import { currentDoseFields, isRectificatif, type DoseStep, type EligibilityStep, type Step } from './step'

/** The step the chain expects next; for a dose, `vaccineId` is fixed from dose 2 of a primary series on. */
export type ExpectedStep =
  | { kind: 'eligibility' }
  | {
      kind: 'dose'
      targetDisease: TargetDisease | null
      doseNumber: number
      isBooster: boolean
      vaccineId: string | null
      from: IsoDate | null
    }

/** Gives the file's eligibility step, if recorded. */
export function eligibilityStep(file: PatientFile): EligibilityStep | undefined {
  return file.steps.find((s): s is EligibilityStep => s.kind === 'eligibility')
}

/** Gives the dose steps of one target disease by dose number: a series. */
export function doseSeries(file: PatientFile, disease: TargetDisease): DoseStep[] {
  return file.steps
    .filter((s): s is DoseStep => s.kind === 'dose' && s.targetDisease === disease)
    .sort((a, b) => a.doseNumber - b.doseNumber)
}

/** Gives the dose step in a slot (disease, dose number), if recorded. */
export function doseStepAt(
  file: PatientFile,
  disease: TargetDisease,
  doseNumber: number,
): DoseStep | undefined {
  return file.steps.find(
    (s): s is DoseStep => s.kind === 'dose' && s.targetDisease === disease && s.doseNumber === doseNumber,
  )
}

/** Gives the recorded step that follows a step in the chain (the one whose existence locks it), if any. */
export function recordedNextStep(file: PatientFile, step: Step): Step | undefined {
  if (step.kind === 'eligibility') {
    return file.steps
      .filter((s): s is DoseStep => s.kind === 'dose')
      .sort((a, b) => compareInstants(a.recordedAt, b.recordedAt) || a.doseNumber - b.doseNumber)[0]
  }
  return doseStepAt(file, step.targetDisease, step.doseNumber + 1)
}

/** Gives the dose 1 vaccine of a series (the product of its primary series), if known. */
export function seriesVaccineId(file: PatientFile, disease: TargetDisease): string | undefined {
  const first = doseStepAt(file, disease, 1)
  return first === undefined ? undefined : currentDoseFields(first).vaccineId
}

function expectedInSeries(
  file: PatientFile,
  catalogue: Catalogue,
  disease: TargetDisease,
  options: { highRisk?: boolean },
): ExpectedStep | null {
  const series = doseSeries(file, disease)
  const last = series[series.length - 1]
  if (last === undefined) {
    return {
      kind: 'dose',
      targetDisease: disease,
      doseNumber: 1,
      isBooster: false,
      vaccineId: null,
      from: null,
    }
  }
  const firstVaccineId = seriesVaccineId(file, disease)
  const seriesVaccine = firstVaccineId === undefined ? undefined : findVaccine(catalogue, firstVaccineId)
  if (seriesVaccine === undefined) return null
  const hint = nextDoseFrom(
    seriesVaccine,
    {
      doseNumber: last.doseNumber,
      date: localDateOf(currentDoseFields(last).injectedAt),
      isBooster: last.isBooster,
    },
    options,
  )
  if (hint === null) return null
  return {
    kind: 'dose',
    targetDisease: disease,
    doseNumber: hint.doseNumber,
    isBooster: hint.isBooster,
    vaccineId: hint.isBooster ? null : seriesVaccine.id,
    from: hint.from,
  }
}

/**
 * Gives the step the chain expects next: eligibility first; then, in the series of `targetDisease` (or of the
 * latest dose when none is given), the next primary dose (same vaccine as dose 1), then boosters when the
 * schedule has them; null when nothing follows (a single-dose vaccine shows no dose 2).
 */
export function expectedNextStep(
  file: PatientFile,
  catalogue: Catalogue,
  targetDisease?: TargetDisease,
  options: { highRisk?: boolean } = {},
): ExpectedStep | null {
  if (eligibilityStep(file) === undefined) return { kind: 'eligibility' }
  if (targetDisease !== undefined) return expectedInSeries(file, catalogue, targetDisease, options)
  const latest = file.steps
    .filter((s): s is DoseStep => s.kind === 'dose')
    .sort((a, b) => compareInstants(currentDoseFields(b).injectedAt, currentDoseFields(a).injectedAt))[0]
  if (latest === undefined) {
    return { kind: 'dose', targetDisease: null, doseNumber: 1, isBooster: false, vaccineId: null, from: null }
  }
  return expectedInSeries(file, catalogue, latest.targetDisease, options)
}

/** A tab of the patient screen: a recorded step (read-only or editable) or the open next step. */
export type StepTab =
  | { key: string; state: 'recorded'; step: Step; isRectificatif: boolean }
  | { key: string; state: 'open'; expected: ExpectedStep }

/** Gives the patient screen's tabs in chain order: the recorded steps, then the one open next step (none after a completed single-dose series). */
export function stepTabs(
  file: PatientFile,
  catalogue: Catalogue,
  options: { highRisk?: boolean } = {},
): StepTab[] {
  const tabs: StepTab[] = []
  const eligibility = eligibilityStep(file)
  if (eligibility !== undefined) {
    tabs.push({
      key: eligibility.id,
      state: 'recorded',
      step: eligibility,
      isRectificatif: isRectificatif(eligibility),
    })
  }
  const doses = file.steps.filter((s): s is DoseStep => s.kind === 'dose')
  const firstSeen = new Map<TargetDisease, string>()
  for (const d of doses) {
    const at = currentDoseFields(d).injectedAt
    const seen = firstSeen.get(d.targetDisease)
    if (seen === undefined || compareInstants(at, seen) < 0) firstSeen.set(d.targetDisease, at)
  }
  const diseases = [...firstSeen.entries()]
    .sort((a, b) => compareInstants(a[1], b[1]))
    .map(([disease]) => disease)
  for (const disease of diseases) {
    for (const step of doseSeries(file, disease)) {
      tabs.push({ key: step.id, state: 'recorded', step, isRectificatif: isRectificatif(step) })
    }
  }
  const expected = expectedNextStep(file, catalogue, undefined, options)
  if (expected !== null) {
    const key =
      expected.kind === 'eligibility'
        ? 'next:eligibility'
        : `next:${expected.targetDisease ?? 'any'}:${expected.doseNumber}`
    tabs.push({ key, state: 'open', expected })
  }
  return tabs
}
