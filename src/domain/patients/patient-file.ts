// A patient file: the patient record and the chain of steps (with their versions) that hangs from it.
import type { AdverseEventRecord, PatientRecord, StepRecord } from '../../shared/records'

/** One patient = one file: the unit the rules read and the server loads by patient id. */
export type PatientFile = {
  readonly patient: PatientRecord
  readonly steps: readonly StepRecord[]
  readonly adverseEvents?: readonly AdverseEventRecord[]
}
