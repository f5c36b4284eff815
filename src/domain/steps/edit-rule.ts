// THE EDIT RULE (seed 004): « Le professionnel de santé connecté peut modifier la saisie uniquement dans le cas
// où c'est lui qui a validé l'onglet précédemment et que l'étape suivante n'a pas été enregistrée sur le dossier. »
// Roles are checked apart (src/domain/access): this rule is about authorship and the chain only.
import type { Actor } from '../../shared/primitives'
import { err, ok, type Result } from '../result'
import type { PatientFile } from '../patients/patient-file'
import { recordedNextStep } from './chain'
import { professionalOf, type Step } from './step'

/** The refusals of the edit rule. */
export type EditRuleError = 'step-not-found' | 'step-locked-by-author' | 'step-locked-by-next-step'

/** Describes a step for a refusal's detail (which step holds the lock). */
export function describeStep(step: Step): Record<string, unknown> {
  return step.kind === 'eligibility'
    ? { stepId: step.id, kind: 'eligibility' }
    : {
        stepId: step.id,
        kind: 'dose',
        targetDisease: step.targetDisease,
        doseNumber: step.doseNumber,
        isBooster: step.isBooster,
      }
}

/**
 * Enforces the edit rule: only the professional who validated the step (for a delegate's entry, the one it was
 * entered for) may modify it — else 'step-locked-by-author' with the author — and only while the next step of
 * the chain is not recorded — else 'step-locked-by-next-step' with that step.
 */
export function canEditStep(file: PatientFile, stepId: string, actor: Actor): Result<Step, EditRuleError> {
  const step = file.steps.find((s) => s.id === stepId)
  if (step === undefined) return err('step-not-found', { stepId })
  const authorProfessional = professionalOf(step.author)
  if (professionalOf(actor) !== authorProfessional) {
    return err('step-locked-by-author', {
      stepId,
      author: { userId: authorProfessional },
      enteredBy: step.author.userId,
    })
  }
  const next = recordedNextStep(file, step)
  if (next !== undefined) {
    return err('step-locked-by-next-step', { stepId, nextStep: describeStep(next) })
  }
  return ok(step)
}
