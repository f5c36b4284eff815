import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import type { VueWrapper } from '@vue/test-utils'
import { db } from '../db/carnet-db'
import { putPatients } from '../db/patients-repo'
import { buildPatient, VALID } from '../domain/testing/builders'
import { createTestApp, mountAt } from '../components/session/mount-app'
import { resetDb, signInOnline } from '../components/session/testing'
import HomeView from './HomeView.vue'

const HOLDER = VALID.otherNir

async function seed(): Promise<void> {
  await putPatients(db, [
    buildPatient({ id: 'p-eloise', codeDeCiblage: '7K3M9Q2X4B5', birthName: 'Dupré', firstNames: 'Éloïse' }),
    buildPatient({
      id: 'p-holder',
      codeDeCiblage: 'HOLDER0001',
      birthName: 'Lefèvre',
      firstNames: 'Jean-Pierre',
      sex: 'male',
      birthDate: '1989-12-03',
      nir: HOLDER,
    }),
    buildPatient({
      id: 'p-zoe',
      codeDeCiblage: 'CHILD00001',
      birthName: 'Lefèvre',
      firstNames: 'Zoé',
      birthDate: '2015-04-02',
      nir: undefined,
      nirOuvrantDroit: HOLDER,
    }),
    buildPatient({
      id: 'p-leo',
      codeDeCiblage: 'CHILD00002',
      birthName: 'Lefèvre',
      firstNames: 'Léo',
      sex: 'male',
      birthDate: '2012-09-30',
      birthRank: 1,
      nir: undefined,
      nirOuvrantDroit: HOLDER.slice(0, 13),
    }),
  ])
}

async function search(wrapper: VueWrapper, text: string): Promise<string[]> {
  await wrapper.get('#patient-search-input').setValue(text)
  await vi.waitFor(() => expect(wrapper.text()).not.toContain('Recherche…'), { timeout: 2000 })
  await vi.waitFor(() =>
    expect(
      wrapper.findAll('[role="option"]').length + wrapper.findAll('.patient-search__empty').length,
    ).toBeGreaterThan(0),
  )
  return wrapper.findAll('[role="option"]').map((o) => o.text())
}

describe('HomeView search', () => {
  beforeEach(async () => {
    await resetDb()
    await seed()
  })
  afterEach(() => {
    vi.unstubAllGlobals()
    document.body.innerHTML = ''
  })

  async function mountHome() {
    const app = createTestApp()
    await signInOnline()
    const mounted = await mountAt(HomeView, '/', app)
    // The search is loaded after the first paint (an async component).
    await vi.waitFor(() => expect(mounted.wrapper.find('#patient-search-input').exists()).toBe(true), {
      timeout: 10_000,
    })
    return mounted
  }

  it('finds a patient by code de ciblage and shows names, birth date, sex, masked NIR and code', async () => {
    const { wrapper } = await mountHome()
    const [hit, ...rest] = await search(wrapper, '7k3m9q2x4b5')
    expect(rest).toEqual([])
    expect(hit).toContain('DUPRÉ Éloïse')
    expect(hit).toContain('né·e le 20/08/1955')
    expect(hit).toContain('Féminin')
    expect(hit).toContain('NIR 2 55 08 •• ••• ••• 38')
    expect(hit).not.toContain(VALID.nir)
    expect(hit).toContain('7K3M9Q2X4B5')
    wrapper.unmount()
  })

  it('finds by NIR, and lists every beneficiary of an account holder’s NIR to pick', async () => {
    const { wrapper } = await mountHome()
    expect(await search(wrapper, VALID.nir.replace(/(.{5})/g, '$1 '))).toHaveLength(1)

    const hits = await search(wrapper, HOLDER)
    expect(hits).toHaveLength(3)
    expect(hits.filter((h) => h.includes('ayant droit du NIR saisi'))).toHaveLength(2)
    expect(hits.join(' ')).toContain('Zoé')
    expect(hits.join(' ')).toContain('Léo')
    expect(wrapper.text()).toContain('Bénéficiaires rattachés au NIR ouvrant droit')
    wrapper.unmount()
  })

  it('finds by name prefix without accents, narrowed by a birth date, and opens with the keyboard', async () => {
    const { wrapper, router } = await mountHome()
    const hits = await search(wrapper, 'lefev')
    expect(hits).toHaveLength(3)
    expect(await search(wrapper, 'eloi dupre')).toHaveLength(1)
    expect(await search(wrapper, 'lefevre 02/04/2015')).toHaveLength(1)

    const input = wrapper.get('#patient-search-input')
    await input.trigger('keydown', { key: 'ArrowDown' })
    await input.trigger('keydown', { key: 'ArrowUp' })
    expect(input.attributes('aria-activedescendant')).toBe('patient-search-results-0')
    await input.trigger('keydown', { key: 'Enter' })
    // The patient view is lazy-loaded: its first import can take a few seconds on a loaded machine.
    await vi.waitFor(() => expect(router.currentRoute.value.name).toBe('patient'), { timeout: 10_000 })
    expect(router.currentRoute.value.params.id).toBe('p-zoe')
    wrapper.unmount()
  })

  it('offers to register a new patient when nothing is found, carrying the NIR typed', async () => {
    const { wrapper } = await mountHome()
    const unknown = '1 84 12 75 108 052'
    expect(await search(wrapper, unknown)).toEqual([])
    const link = wrapper.get('.patient-search__empty a')
    expect(link.text()).toBe('Enregistrer un nouveau patient')
    expect(link.attributes('href')).toBe('/nouveau-patient?nir=1841275108052')
    wrapper.unmount()
  })

  it(
    'shows a patient that arrives by sync while the search is on screen, without retyping',
    { timeout: 20_000 },
    async () => {
      const { wrapper } = await mountHome()
      expect(await search(wrapper, 'martinez')).toEqual([])
      await putPatients(db, [
        buildPatient({
          id: 'p-pulled',
          codeDeCiblage: 'PULLED0001',
          birthName: 'Martinez',
          firstNames: 'Inès',
        }),
      ])
      await vi.waitFor(
        () =>
          expect(
            wrapper
              .findAll('[role="option"]')
              .map((o) => o.text())
              .join(' '),
          ).toContain('MARTINEZ Inès'),
        {
          timeout: 5000,
        },
      )
      wrapper.unmount()
    },
  )
})
