import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import {
  buildDoseStep,
  buildEligibilityStep,
  buildMutation,
  buildPatient,
  buildUsers,
  USERS,
} from '../domain/testing/builders'
import { CATALOGUE } from '../domain/vaccines/catalogue'
import type { StepRecord } from '../shared/records'
import { createCarnetDb, type CarnetDb, type OutboxStatus } from './carnet-db'
import {
  certificateStatus,
  loadDocumentSource,
  loadInjectionsOfDay,
  loadPlacesOfDay,
  placeKeyOf,
} from './documents-repo'
import { putPatients, putSteps } from './patients-repo'

const CONTEXT = {
  organisation: { name: 'Équipe mobile de la Creuse', finess: '230000016' },
  generatedAt: '2026-02-01T18:00:00.000+01:00',
  generatedBy: { name: 'Dr Martin' },
}

const TILLEULS = { type: 'ehpad', postalCode: '75012', name: 'EHPAD Les Tilleuls' } as const
const SALLE = { type: 'centre-de-vaccination', postalCode: '45000', name: 'Salle des fêtes' } as const

/** A step whose every version was queued by mutation `id` (the builders give them all the same id). */
function byMutation<S extends StepRecord>(step: S, id: string): S {
  return { ...step, versions: step.versions.map((v) => ({ ...v, mutationId: id })) } as S
}

async function queue(db: CarnetDb, mutationId: string, status: OutboxStatus): Promise<void> {
  const mutation = buildMutation(
    'lot.upsert',
    { vaccineId: 'comirnaty', lotNumber: 'FK1234' },
    { id: mutationId },
  )
  await db.outbox.add({ ...mutation, status })
}

let db: CarnetDb
let name = 0

beforeEach(async () => {
  db = createCarnetDb(`documents-repo-${(name += 1)}`)
  await db.users.bulkPut(buildUsers())
})

afterEach(async () => {
  await db.delete()
})

describe('loadDocumentSource', () => {
  it('gives the patient, the steps in chain order, the members, the built-in catalogue and the context', async () => {
    await putPatients(db, [buildPatient()])
    await putSteps(db, [
      byMutation(buildDoseStep({ doseNumber: 2, id: 's-dose-2', at: '2026-03-01T10:00:00+01:00' }), 'm-3'),
      byMutation(buildDoseStep(), 'm-2'),
      byMutation(buildEligibilityStep(), 'm-1'),
    ])

    const source = await loadDocumentSource(db, 'p-1', CONTEXT)

    expect(source?.patient.codeDeCiblage).toBe('0123456789P')
    expect(source?.steps.map((s) => s.id)).toEqual(['s-elig', 's-dose-1', 's-dose-2'])
    expect(source?.users.get(USERS.medecin)?.name).toBe('Dr Martin')
    expect(source?.catalogue).toBe(CATALOGUE)
    expect(source?.organisation).toEqual(CONTEXT.organisation)
    expect(source?.generatedAt).toBe(CONTEXT.generatedAt)
    expect(source?.generatedBy).toEqual({ name: 'Dr Martin' })
  })

  it('counts a step as acknowledged unless its current version still waits in the outbox or was refused', async () => {
    await putPatients(db, [buildPatient()])
    await putSteps(db, [
      byMutation(buildEligibilityStep(), 'm-applied'),
      byMutation(buildDoseStep(), 'm-pending'),
      byMutation(buildDoseStep({ id: 's-dose-2', doseNumber: 2 }), 'm-sending'),
      byMutation(buildDoseStep({ id: 's-dose-3', doseNumber: 3 }), 'm-rejected'),
      byMutation(buildDoseStep({ id: 's-dose-4', doseNumber: 4 }), 'm-pulled'),
    ])
    await queue(db, 'm-applied', 'applied')
    await queue(db, 'm-pending', 'pending')
    await queue(db, 'm-sending', 'sending')
    await queue(db, 'm-rejected', 'rejected')

    const source = await loadDocumentSource(db, 'p-1', CONTEXT)

    expect([...(source?.acknowledged ?? [])].sort()).toEqual(['s-dose-4', 's-elig'])
    expect(await certificateStatus(db, 'p-1')).toBe('provisional')
  })

  it('calls the certificate final once every dose is acknowledged, whatever the eligibility', async () => {
    await putPatients(db, [buildPatient()])
    await putSteps(db, [
      byMutation(buildEligibilityStep(), 'm-pending'),
      byMutation(buildDoseStep(), 'm-applied'),
    ])
    await queue(db, 'm-pending', 'pending')
    await queue(db, 'm-applied', 'applied')

    expect(await certificateStatus(db, 'p-1')).toBe('final')
  })

  it('reads the pulled catalogue when there is one, and nothing for an unknown patient', async () => {
    await putPatients(db, [buildPatient()])
    const comirnaty = CATALOGUE.find((v) => v.id === 'comirnaty')
    if (comirnaty === undefined) throw new Error('no comirnaty')
    await db.vaccines.put(comirnaty)

    expect((await loadDocumentSource(db, 'p-1', CONTEXT))?.catalogue).toEqual([comirnaty])
    expect(await loadDocumentSource(db, 'p-unknown', CONTEXT)).toBeUndefined()
    expect(await certificateStatus(db, 'p-1')).toBe('no-dose')
  })
})

describe('the injections of a day', () => {
  beforeEach(async () => {
    await putPatients(db, [
      buildPatient(),
      buildPatient({
        id: 'p-2',
        codeDeCiblage: 'ABCDEFGH12',
        birthName: 'Lefèvre',
        nir: undefined,
        niss: '85073003328',
      }),
    ])
    await putSteps(db, [
      buildEligibilityStep(),
      buildDoseStep({ fields: { place: TILLEULS, injectedAt: '2026-02-01T11:00:00+01:00' } }),
      buildDoseStep({
        id: 's-dose-2',
        doseNumber: 2,
        at: '2026-03-01T10:00:00+01:00',
        fields: { place: TILLEULS },
      }),
      buildEligibilityStep({ id: 's-elig-2', patientId: 'p-2' }),
      buildDoseStep({
        id: 's-p2-dose-1',
        patientId: 'p-2',
        fields: { place: SALLE, injectedAt: '2026-02-01T09:15:00+01:00' },
      }),
    ])
  })

  it('lists the places of the day with how many injections each', async () => {
    expect(await loadPlacesOfDay(db, '2026-02-01')).toEqual([
      { key: placeKeyOf(TILLEULS), ...TILLEULS, count: 1 },
      { key: placeKeyOf(SALLE), ...SALLE, count: 1 },
    ])
    expect(await loadPlacesOfDay(db, '2026-01-31')).toEqual([])
  })

  it('gives one source per patient vaccinated that day, with its eligibility and only that day’s doses', async () => {
    const sources = await loadInjectionsOfDay(db, '2026-02-01', CONTEXT)

    expect(sources.map((s) => [s.patient.id, s.steps.map((step) => step.id)])).toEqual([
      ['p-2', ['s-elig-2', 's-p2-dose-1']],
      ['p-1', ['s-elig', 's-dose-1']],
    ])
    expect(sources[0]?.organisation).toEqual(CONTEXT.organisation)
  })

  it('keeps only the chosen place', async () => {
    const sources = await loadInjectionsOfDay(db, '2026-02-01', CONTEXT, { placeKey: placeKeyOf(TILLEULS) })

    expect(sources.map((s) => s.patient.id)).toEqual(['p-1'])
    expect(await loadInjectionsOfDay(db, '2026-02-02', CONTEXT)).toEqual([])
  })
})
