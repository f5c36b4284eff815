import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { effectScope, nextTick, ref } from 'vue'
import { buildPatient } from '../domain/testing/builders'
import { createCarnetDb, type CarnetDb } from '../db/carnet-db'
import { putPatients, searchPatients } from '../db/patients-repo'
import { useLiveQuery } from './useLiveQuery'

let db: CarnetDb

beforeEach(() => {
  db = createCarnetDb(`test-${crypto.randomUUID()}`)
})

afterEach(async () => {
  await db.delete()
})

async function settle(): Promise<void> {
  for (let i = 0; i < 5; i += 1) {
    await new Promise((resolve) => setTimeout(resolve, 10))
    await nextTick()
  }
}

describe('useLiveQuery', () => {
  it('follows the database and its deps, and stops when the scope ends', async () => {
    const scope = effectScope()
    const text = ref('dup')
    const state = scope.run(() =>
      useLiveQuery(async () => (await searchPatients(db, text.value)).map((h) => h.patient.id), {
        deps: [text],
        initialValue: [],
      }),
    )
    if (state === undefined) throw new Error('no scope')
    await settle()
    expect(state.isLoading.value).toBe(false)
    expect(state.data.value).toEqual([])

    await putPatients(db, [buildPatient({ id: 'p-1' })])
    await settle()
    expect(state.data.value).toEqual(['p-1'])

    await putPatients(db, [
      buildPatient({
        id: 'p-2',
        birthName: 'Martin',
        codeDeCiblage: 'ABCDEFGH12',
        nir: undefined,
        niss: '85073003328',
      }),
    ])
    text.value = 'mart'
    await settle()
    expect(state.data.value).toEqual(['p-2'])

    scope.stop()
    await putPatients(db, [
      buildPatient({
        id: 'p-3',
        birthName: 'Martineau',
        codeDeCiblage: 'ABCDEFGH13',
        nir: undefined,
        niss: '85073003328',
      }),
    ])
    await settle()
    expect(state.data.value).toEqual(['p-2'])
  })

  it('reports a failing query as an error', async () => {
    const scope = effectScope()
    const state = scope.run(() =>
      useLiveQuery(() => {
        throw new Error('boom')
      }),
    )
    await settle()
    expect(state?.error.value).toBeInstanceOf(Error)
    expect(state?.isLoading.value).toBe(false)
    scope.stop()
  })
})
