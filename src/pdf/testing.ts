// Document sources for tests and the bench: the builders' organisation and patient, an eligibility declaration
// and doses, everything acknowledged unless said otherwise.
import {
  AT,
  buildDoseStep,
  buildEligibilityStep,
  buildPatient,
  buildUsers,
  USERS,
} from '../domain/testing/builders'
import { CATALOGUE } from '../domain/vaccines/catalogue'
import type { StepRecord } from '../shared/records'
import type { DocumentSource } from './types'

/** The moment the test documents are made. */
export const GENERATED_AT = '2026-03-04T12:00:00+01:00'

/** Builds a source from steps (eligibility + dose 1 by default), all acknowledged, and overrides. */
export function buildDocumentSource(overrides: Partial<DocumentSource> = {}): DocumentSource {
  const steps: readonly StepRecord[] = overrides.steps ?? [
    buildEligibilityStep(),
    buildDoseStep({ at: AT, fields: { injectedAt: AT } }),
  ]
  return {
    patient: buildPatient(),
    users: new Map(buildUsers().map((u) => [u.id, u])),
    catalogue: CATALOGUE,
    organisation: { name: 'Équipe mobile de vaccination du Val-de-Marne', finess: '010000016' },
    acknowledged: new Set(steps.map((s) => s.id)),
    generatedAt: GENERATED_AT,
    generatedBy: { name: 'Dr Martin' },
    ...overrides,
    steps,
  }
}

/** Builds the steps of a four-dose file: eligibility, Comirnaty 1 and 2, a COVID booster, an influenza dose. */
export function fourDoseSteps(): StepRecord[] {
  return [
    buildEligibilityStep(),
    buildDoseStep({ id: 's-dose-1', doseNumber: 1, at: '2025-09-02T09:10:00+02:00' }),
    buildDoseStep({
      id: 's-dose-2',
      doseNumber: 2,
      at: '2025-09-24T09:40:00+02:00',
      fields: { lotNumber: 'FK5678', injectionSite: 'deltoid-right', vaccinatorUserId: USERS.infirmier },
    }),
    buildDoseStep({
      id: 's-dose-3',
      doseNumber: 3,
      isBooster: true,
      at: '2026-03-04T10:15:00+01:00',
      fields: { vaccineId: 'spikevax', lotNumber: 'SPK001' },
    }),
    buildDoseStep({
      id: 's-flu-1',
      doseNumber: 1,
      targetDisease: 'influenza',
      at: '2026-03-04T10:20:00+01:00',
      fields: {
        vaccineId: 'efluelda',
        lotNumber: 'EFL42',
        injectionSite: 'deltoid-right',
        lotExpiry: '2026-06-30',
      },
    }),
  ]
}
