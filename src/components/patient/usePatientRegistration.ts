// The registration's data side: the local duplicate check shown before saving, the new file's id and its code de
// ciblage (crypto-random, issued on the device so it can be handed over offline), and the day the rules use.
import { db } from '../../db/carnet-db'
import { findLikelyDuplicatesLocal } from '../../db/patients-repo'
import { issueCodeDeCiblage } from '../../domain/patients/code-de-ciblage'
import type { DuplicateReason } from '../../domain/patients/identity'
import type { PatientIdentity } from '../../shared/commands'
import type { PatientRecord } from '../../shared/records'
import { todayLocal } from '../../sync/clock'
import { uuidv7 } from '../../sync/ids'

/** A patient already on the device who may be the one being registered. */
export type LikelyDuplicate = { patient: PatientRecord; reason: DuplicateReason }

/** The helpers of the registration screen. */
export function usePatientRegistration() {
  return {
    today: (): string => todayLocal(),
    findDuplicates: (identity: PatientIdentity): Promise<LikelyDuplicate[]> =>
      findLikelyDuplicatesLocal(db, identity),
    newPatientId: (): string => uuidv7(),
    newCodeDeCiblage: (): string => issueCodeDeCiblage(crypto.getRandomValues(new Uint8Array(10))),
  }
}
