// The shapes the documents are made from and made into, shared by the public API (index.ts) and the renderers.
import type { FhirBundle } from '../domain/exports/fhir'
import type { InjectionRow } from '../domain/exports/injections'
import type { IsoDateTime } from '../domain/time/calendar'
import type { PatientRecord, StepRecord, UserRecord } from '../shared/records'
import type { Catalogue } from '../shared/vaccine'

export type { FhirBundle, InjectionRow }

/** Everything a patient's documents are made from, read on the device with no network. */
export type DocumentSource = {
  patient: PatientRecord
  /** The patient's steps in chain order. */
  steps: readonly StepRecord[]
  /** Authors, delegates and vaccinators (names, profession, RPPS…) by id. */
  users: ReadonlyMap<string, UserRecord>
  catalogue: Catalogue
  organisation: { name: string; finess?: string }
  /** Ids of the steps whose current version the server has acknowledged. */
  acknowledged: ReadonlySet<string>
  /** When the document is made (device clock). */
  generatedAt: IsoDateTime
  /** Who prints it. */
  generatedBy?: { name: string }
}

/** The documents Carnet makes, for file names. */
export type DocumentKind = 'summary' | 'certificate' | 'csv' | 'fhir' | 'injections'
