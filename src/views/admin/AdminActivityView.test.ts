import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { flushPromises } from '@vue/test-utils'
import { createTestApp, mountAt } from '../../components/session/mount-app'
import { resetDb } from '../../components/session/testing'
import { activityAnswer, signInWithRoles, stubAdminFetch } from '../../components/admin/testing'
import { parseCsv } from '../../domain/exports/csv'
import AdminActivityView from './AdminActivityView.vue'

describe('AdminActivityView', () => {
  beforeEach(resetDb)
  afterEach(() => {
    vi.unstubAllGlobals()
    document.body.innerHTML = ''
  })

  it('draws each chart with a table of its figures and exports them as CSV', async () => {
    const app = createTestApp()
    await signInWithRoles(['sync-admin'])
    const { calls } = stubAdminFetch({ 'GET /api/admin/activity': activityAnswer() })
    const { wrapper } = await mountAt(AdminActivityView, '/administration/activite', app)
    await flushPromises()
    const figures = wrapper.findAll('figure')
    expect(figures.map((f) => f.get('figcaption').text())).toEqual([
      'Doses par jour',
      'Doses par lieu',
      'Doses par vaccin',
      'Doses saisies sur les appareils et reçues par le serveur, par jour',
    ])
    expect(figures[0]?.get('canvas').attributes('aria-label')).toContain('Les données sont dans le tableau')
    expect(figures[0]?.findAll('tbody tr').map((r) => r.text())).toEqual(['01/03/20264', '02/03/20267'])
    expect(figures[1]?.text()).toContain('Salle des fêtes de Guéret')
    expect(figures[2]?.text()).toContain('Comirnaty (Pfizer-BioNTech)')
    const comparison = figures[3]?.findAll('thead th').map((th) => th.text())
    expect(comparison).toEqual([
      'Jour',
      'Saisies sur les appareils (heure de l’acte)',
      'Reçues par le serveur',
    ])

    let saved: Blob | undefined
    vi.stubGlobal(
      'URL',
      Object.assign(URL, {
        createObjectURL: (blob: Blob) => {
          saved = blob
          return 'blob:csv'
        },
        revokeObjectURL: vi.fn(),
      }),
    )
    await figures[3]?.get('[data-action="chart-csv"]').trigger('click')
    expect(parseCsv(await (saved as Blob).text())).toEqual([
      ['Jour', 'Saisies sur les appareils (heure de l’acte)', 'Reçues par le serveur'],
      ['01/03/2026', '4', '1'],
      ['02/03/2026', '7', '10'],
    ])

    const dates = wrapper.findAll('form input[type="date"]')
    await dates[0]?.setValue('2026-03-10')
    await dates[1]?.setValue('2026-03-01')
    await wrapper.get('form').trigger('submit')
    expect(wrapper.text()).toContain('La date de fin de période doit suivre la date de début.')
    await dates[1]?.setValue('2026-03-20')
    await wrapper.get('form').trigger('submit')
    await flushPromises()
    expect(calls.at(-1)?.query.toString()).toBe('from=2026-03-10&to=2026-03-20')
  })
})
