// Steps of a patient's chain and their versions: a step is never rewritten, every amendment appends a version.
import type { Actor } from '../../shared/primitives'
import type { StepRecord } from '../../shared/records'

/** A step (eligibility or dose) with all its versions, oldest first. */
export type Step = StepRecord
/** The kind of a step. */
export type StepKind = Step['kind']
/** An eligibility step. */
export type EligibilityStep = Extract<Step, { kind: 'eligibility' }>
/** A dose step. */
export type DoseStep = Extract<Step, { kind: 'dose' }>
/** One version of a step. */
export type StepVersion = Step['versions'][number]

/** Gives the professional a step or action counts for: the one a delegate acts for, else the actor (the edit rule's "author"). */
export function professionalOf(actor: Actor): string {
  return actor.onBehalfOf ?? actor.userId
}

/** Gives a step's current version (the last appended): what the forms and summaries show. */
export function currentVersion<S extends Step>(step: S): S['versions'][number] {
  const last = step.versions[step.versions.length - 1]
  if (last === undefined) throw new Error(`step ${step.id} has no version`)
  return last
}

/** Gives a dose step's current fields. */
export function currentDoseFields(step: DoseStep): DoseStep['versions'][number]['fields'] {
  return currentVersion(step).fields
}

/** Tells whether a step was amended, so its summary is titled « Rectificatif des données télétransmises à l'Assurance Maladie ». */
export function isRectificatif(step: Step): boolean {
  return step.versions.length > 1
}

/** Gives the slot a step fills in the chain ('eligibility' or 'dose:<disease>:<n>'): one step per slot. */
export function slotKey(
  step: Pick<DoseStep, 'kind' | 'targetDisease' | 'doseNumber'> | { kind: 'eligibility' },
): string {
  return step.kind === 'eligibility' ? 'eligibility' : `dose:${step.targetDisease}:${step.doseNumber}`
}
