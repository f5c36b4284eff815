import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { flushPromises } from '@vue/test-utils'
import { createTestApp, mountAt } from '../../components/session/mount-app'
import { resetDb } from '../../components/session/testing'
import { auditEvent, auditPage, signInWithRoles, stubAdminFetch } from '../../components/admin/testing'
import AdminAuditView from './AdminAuditView.vue'

async function mountAudit(routes: Parameters<typeof stubAdminFetch>[0]) {
  const app = createTestApp()
  await signInWithRoles(['sync-admin'])
  const stub = stubAdminFetch(routes)
  const mounted = await mountAt(AdminAuditView, '/administration/journal', app)
  await flushPromises()
  return { ...mounted, ...stub }
}

describe('AdminAuditView', () => {
  beforeEach(resetDb)
  afterEach(() => {
    vi.unstubAllGlobals()
    document.body.innerHTML = ''
  })

  it('lists who did what on whose behalf, and filters by user, patient, action and days', async () => {
    const { wrapper, calls } = await mountAudit({ 'GET /api/admin/audit': auditPage([auditEvent()]) })
    const row = wrapper.get('tbody tr')
    expect(row.text()).toContain('Léa Petit')
    expect(row.text()).toContain('pour le compte de Dr Camille Martin')
    expect(row.text()).toContain('Enregistrement d’une étape')
    expect(row.text()).toContain('vaccineId, lotNumber')
    expect(row.text()).toContain('Effectuée')

    const inputs = wrapper.findAll('form[role="search"] input')
    await inputs[0]?.setValue('u-secretary')
    await inputs[1]?.setValue('p-1')
    await wrapper.get('form[role="search"] select').setValue('print')
    await inputs[2]?.setValue('2026-03-01')
    await inputs[3]?.setValue('2026-03-04')
    await wrapper.get('form[role="search"]').trigger('submit')
    await flushPromises()
    const query = calls.at(-1)?.query
    expect(query?.get('userId')).toBe('u-secretary')
    expect(query?.get('patientId')).toBe('p-1')
    expect(query?.get('action')).toBe('print')
    expect(query?.get('from')).toBe(new Date(2026, 2, 1).toISOString())
    // The last day is included: the server's `to` is the start of the next day.
    expect(query?.get('to')).toBe(new Date(2026, 2, 5).toISOString())
  })

  it('refuses a period that ends before it starts, next to the field', async () => {
    const { wrapper, calls } = await mountAudit({ 'GET /api/admin/audit': auditPage([]) })
    const inputs = wrapper.findAll('form[role="search"] input')
    await inputs[2]?.setValue('2026-03-04')
    await inputs[3]?.setValue('2026-03-01')
    const before = calls.length
    await wrapper.get('form[role="search"]').trigger('submit')
    await flushPromises()
    expect(wrapper.text()).toContain('La date de fin de période doit suivre la date de début.')
    expect(calls).toHaveLength(before)
  })

  it('exports the filtered log as CSV with the access token', async () => {
    const { wrapper, calls, fetchMock } = await mountAudit({
      'GET /api/admin/audit': auditPage([auditEvent()]),
      'GET /api/admin/audit.csv': { body: 'x' },
    })
    const created = vi.fn(() => 'blob:csv')
    vi.stubGlobal('URL', Object.assign(URL, { createObjectURL: created, revokeObjectURL: vi.fn() }))
    await wrapper.get('[data-action="export-csv"]').trigger('click')
    await flushPromises()
    expect(calls.at(-1)?.path).toBe('/api/admin/audit.csv')
    const init = fetchMock.mock.calls.at(-1)?.[1] as RequestInit
    expect(new Headers(init.headers).get('authorization')).toBe('Bearer access-token-1')
    expect(created).toHaveBeenCalled()
  })
})
