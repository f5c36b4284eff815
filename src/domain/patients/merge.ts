// Field-level last-writer-wins for `patient.update` (sync-protocol.md): each field keeps the stamp (`at`,
// `deviceId`) of its last write; a change wins a field when its stamp is not older (ties on `at` broken by device id).
import { CLEARABLE_PATIENT_FIELDS, type PatientChanges, type PatientField } from '../../shared/commands'
import type { Stamp } from '../../shared/primitives'
import type { PatientRecord } from '../../shared/records'
import { compareInstants, type IsoDateTime } from '../time/calendar'
import { normalizeName } from './names'

/** Orders two field stamps by (`at` as an instant, then `deviceId`), the total order of last-writer-wins. */
export function compareStamps(a: Stamp, b: Stamp): number {
  return compareInstants(a.at, b.at) || (a.deviceId < b.deviceId ? -1 : a.deviceId > b.deviceId ? 1 : 0)
}

/** What a merge did: the new record (version bumped only when a field changed) and which fields won or lost. */
export type PatientMerge = { patient: PatientRecord; applied: PatientField[]; ignored: PatientField[] }

const NAME_FIELDS: readonly PatientField[] = ['birthName', 'usualName', 'firstNames']

/** Applies a `patient.update` field by field under last-writer-wins; null clears an optional field. */
export function mergePatientUpdate(
  current: PatientRecord,
  update: { changes: PatientChanges; stamp: Stamp },
  now: IsoDateTime,
): PatientMerge {
  const next: Record<string, unknown> = { ...current }
  const stamps: Record<string, Stamp> = { ...current.stamps }
  const applied: PatientField[] = []
  const ignored: PatientField[] = []
  for (const [field, value] of Object.entries(update.changes) as [PatientField, unknown][]) {
    if (value === undefined) continue
    const previous = current.stamps[field]
    if (previous !== undefined && compareStamps(update.stamp, previous) < 0) {
      ignored.push(field)
      continue
    }
    if (value === null) {
      if ((CLEARABLE_PATIENT_FIELDS as readonly string[]).includes(field)) delete next[field]
    } else {
      next[field] = typeof value === 'string' && NAME_FIELDS.includes(field) ? normalizeName(value) : value
    }
    stamps[field] = update.stamp
    applied.push(field)
  }
  if (applied.length === 0) return { patient: current, applied, ignored }
  return {
    patient: { ...(next as PatientRecord), stamps, version: current.version + 1, updatedAt: now },
    applied,
    ignored,
  }
}
