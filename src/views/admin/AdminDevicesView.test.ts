import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { flushPromises } from '@vue/test-utils'
import { controlByLabel, createTestApp, mountAt } from '../../components/session/mount-app'
import { resetDb } from '../../components/session/testing'
import { device, devicePage, signInWithRoles, stubAdminFetch, valid } from '../../components/admin/testing'
import { AdminDeviceSchema, ImportOutboxResponseSchema } from '../../shared/admin-api'
import AdminDevicesView from './AdminDevicesView.vue'

async function mountDevices(routes: Parameters<typeof stubAdminFetch>[0]) {
  const app = createTestApp()
  await signInWithRoles(['sync-admin'])
  const stub = stubAdminFetch(routes)
  const mounted = await mountAt(AdminDevicesView, '/administration/appareils', app)
  await flushPromises()
  return { ...mounted, ...stub }
}

describe('AdminDevicesView', () => {
  beforeEach(resetDb)
  afterEach(() => {
    vi.unstubAllGlobals()
    document.body.innerHTML = ''
  })

  it('lists each device with its user, pending changes, version, storage and the reappeared-empty alert', async () => {
    const { wrapper, calls } = await mountDevices({
      'GET /api/admin/devices': devicePage([
        device(),
        device({
          id: 'd-2',
          name: 'Tablette EHPAD',
          pending: 0,
          persisted: false,
          alerts: [{ code: 'reappeared-empty', at: '2026-03-04T11:00:00Z', detail: { lastSeq: 42 } }],
        }),
      ]),
    })
    const rows = wrapper.findAll('tbody tr')
    expect(rows).toHaveLength(2)
    expect(rows[0]?.text()).toContain('Tablette bus 1')
    expect(rows[0]?.text()).toContain('Claire Martin')
    expect(rows[0]?.text()).toContain('50 Mo sur 200 Mo')
    expect(rows[0]?.get('meter').attributes('aria-label')).toBe('Stockage utilisé : 25 %')
    expect(rows[0]?.text()).toContain('Persistant')
    expect(rows[1]?.text()).toContain('Appareil réapparu vide')
    expect(rows[1]?.text()).toContain('Non persistant')
    expect(calls[0]?.query.get('status')).toBe('active')
    expect(wrapper.text()).toContain('2 affiché(s)')
  })

  it('searches with the typed text and the chosen status, and loads more on demand', async () => {
    const { wrapper, calls } = await mountDevices({
      'GET /api/admin/devices': (call) =>
        call.query.get('cursor') === 'page-2'
          ? devicePage([device({ id: 'd-3', name: 'Tablette bus 3' })])
          : devicePage([device()], 'page-2'),
    })
    controlByLabel(wrapper.element, 'Appareil ou utilisateur').value = 'bus'
    controlByLabel(wrapper.element, 'Appareil ou utilisateur').dispatchEvent(new Event('input'))
    const status = controlByLabel(wrapper.element, 'Statut') as unknown as HTMLSelectElement
    status.value = 'revoked'
    status.dispatchEvent(new Event('change'))
    await flushPromises()
    await wrapper.get('form[role="search"]').trigger('submit')
    await flushPromises()
    const last = calls.at(-1)
    expect(last?.query.get('q')).toBe('bus')
    expect(last?.query.get('status')).toBe('revoked')

    await wrapper.get('[data-action="load-more"]').trigger('click')
    await flushPromises()
    expect(calls.at(-1)?.query.get('cursor')).toBe('page-2')
    expect(wrapper.text()).toContain('Tablette bus 3')
    expect(wrapper.find('[data-action="load-more"]').exists()).toBe(false)
  })

  it('asks for confirmation before revoking, and revokes only once confirmed', async () => {
    let isRevoked = false
    const { wrapper, calls } = await mountDevices({
      'GET /api/admin/devices': () =>
        devicePage([device(isRevoked ? { revokedAt: '2026-03-05T08:00:00Z' } : {})]),
      'POST /api/admin/devices/d-1/revoke': () => {
        isRevoked = true
        return valid(AdminDeviceSchema, device({ revokedAt: '2026-03-05T08:00:00Z' }))
      },
    })
    await wrapper.get('[data-action="revoke"]').trigger('click')
    const dialog = wrapper.get('[role="alertdialog"]')
    expect(dialog.text()).toContain('Révoquer l’appareil « Tablette bus 1 » ?')
    expect(document.activeElement?.getAttribute('data-action')).toBe('cancel')
    await dialog.get('[data-action="cancel"]').trigger('click')
    expect(wrapper.find('[role="alertdialog"]').exists()).toBe(false)
    expect(calls.some((c) => c.method === 'POST')).toBe(false)

    await wrapper.get('[data-action="revoke"]').trigger('click')
    await wrapper.get('[data-action="confirm"]').trigger('click')
    await flushPromises()
    expect(calls.filter((c) => c.method === 'POST').map((c) => c.path)).toEqual([
      '/api/admin/devices/d-1/revoke',
    ])
    expect(wrapper.text()).toContain('Appareil « Tablette bus 1 » révoqué.')
    expect(wrapper.text()).toContain('Révoqué le 05/03/2026')
    expect(wrapper.find('[data-action="revoke"]').exists()).toBe(false)
  })

  it('lets the administrator choose « effacer maintenant » or « après export », after export by default', async () => {
    const { wrapper, calls } = await mountDevices({
      'GET /api/admin/devices': devicePage([device()]),
      'POST /api/admin/devices/d-1/revoke': () =>
        valid(AdminDeviceSchema, device({ revokedAt: '2026-03-05T08:00:00Z', revokeMode: 'wipe' })),
    })
    await wrapper.get('[data-action="revoke"]').trigger('click')
    const dialog = wrapper.get('[role="alertdialog"]')
    const choices = dialog.findAll('input[type="radio"]')
    expect(choices.map((c) => c.element.closest('label')?.textContent?.trim())).toEqual([
      expect.stringContaining('Révoquer après export des modifications en attente'),
      expect.stringContaining('Révoquer et effacer maintenant'),
    ])
    expect(dialog.text()).toContain('au plus 7 jours')
    expect(dialog.text()).toContain('Appareil perdu ou volé')
    expect((choices[0]?.element as HTMLInputElement).checked).toBe(true)
    await choices[1]?.setValue(true)
    await dialog.get('[data-action="confirm"]').trigger('click')
    await flushPromises()
    expect(calls.find((c) => c.method === 'POST')?.body).toEqual({ mode: 'wipe' })
  })

  it('shows how a revoked device was revoked and its keys, and imports its export while they are kept', async () => {
    let imported = false
    const revokedAfterExport = () =>
      device({
        revokedAt: '2026-03-05T08:00:00Z',
        revokedBy: { id: 'u-admin', name: 'Thomas Leroy' },
        revokeMode: 'after-export',
        ...(imported
          ? { keysDestroyedAt: '2026-03-06T09:00:00Z', exportImportedAt: '2026-03-06T09:00:00Z' }
          : { keysKeptUntil: '2026-03-12T08:00:00Z' }),
      })
    const { wrapper, calls } = await mountDevices({
      'GET /api/admin/devices': () => devicePage([revokedAfterExport()]),
      'POST /api/admin/devices/d-1/import': () => {
        imported = true
        return valid(ImportOutboxResponseSchema, {
          applied: 3,
          rejected: 1,
          replayed: 0,
          lastSeq: 16,
          device: revokedAfterExport(),
        })
      },
    })
    expect(wrapper.text()).toContain('Révoqué le 05/03/2026 (après export)')
    expect(wrapper.text()).toContain('Clés gardées jusqu’au 12/03/2026 pour l’import de son export.')
    const file = new File([JSON.stringify({ kind: 'carnet-outbox', v: 2, deviceId: 'd-1' })], 'export.json')
    const input = wrapper.get('input[type="file"]')
    Object.defineProperty(input.element, 'files', { value: [file] })
    await input.trigger('change')
    await vi.waitFor(() => expect(wrapper.text()).toContain('3 appliquée(s), 1 refusée(s), 0 déjà reçue(s)'))
    expect(calls.find((c) => c.method === 'POST')?.body).toMatchObject({
      kind: 'carnet-outbox',
      deviceId: 'd-1',
    })
    expect(wrapper.text()).toContain('Export importé le 06/03/2026.')
    expect(wrapper.text()).toContain('Clés détruites le 06/03/2026.')
    expect(wrapper.find('input[type="file"]').exists()).toBe(false)
  })

  it('says what the alerts of broken rows and set-aside changes mean', async () => {
    const { wrapper } = await mountDevices({
      'GET /api/admin/devices': devicePage([
        device({
          alerts: [
            {
              code: 'broken-rows',
              at: '2026-03-04T11:00:00Z',
              detail: { count: 2, tables: ['patients', 'steps'] },
            },
            { code: 'signature-mismatch', at: '2026-03-04T11:00:00Z', detail: { count: 1 } },
          ],
        }),
      ]),
    })
    const row = wrapper.get('tbody tr').text()
    expect(row).toContain('Données illisibles sur l’appareil')
    expect(row).toContain('2 enregistrement(s) chiffré(s) qui ne s’ouvrent pas (patients, steps)')
    expect(row).toContain('Modifications mises de côté (signature invalide)')
    expect(row).toContain('1 modification(s) refusée(s) sans être appliquées')
  })

  it('says in French when the role does not allow the action', async () => {
    const { wrapper } = await mountDevices({
      'GET /api/admin/devices': devicePage([device()]),
      'POST /api/admin/devices/d-1/revoke': {
        status: 403,
        body: { error: 'forbidden', detail: { need: 'revoke-devices' } },
      },
    })
    await wrapper.get('[data-action="revoke"]').trigger('click')
    await wrapper.get('[data-action="confirm"]').trigger('click')
    await flushPromises()
    expect(wrapper.get('.admin-page__error').text()).toBe(
      'Votre rôle ne permet pas cette action (il faut : révoquer un appareil).',
    )
  })

  it('shows the server being out of reach in French, with a retry', async () => {
    const app = createTestApp()
    await signInWithRoles(['sync-admin'])
    vi.stubGlobal(
      'fetch',
      vi.fn(async () => Promise.reject(new TypeError('Failed to fetch'))),
    )
    const { wrapper } = await mountAt(AdminDevicesView, '/administration/appareils', app)
    await flushPromises()
    expect(wrapper.get('[role="alert"]').text()).toContain('Connexion au serveur requise')
    expect(wrapper.find('[data-action="retry"]').exists()).toBe(true)
  })
})
