import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { flushPromises } from '@vue/test-utils'
import { controlByLabel, createTestApp, mountAt } from '../../components/session/mount-app'
import { resetDb } from '../../components/session/testing'
import { signInWithRoles, stubAdminFetch, valid } from '../../components/admin/testing'
import {
  AdminOrganisationSchema,
  AdminSiteSchema,
  type AdminOrganisation,
  type AdminSite,
} from '../../shared/admin-api'
import type { Role } from '../../shared/vocabulary'
import AdminOrganisationView from './AdminOrganisationView.vue'

function site(overrides: Partial<AdminSite> = {}): AdminSite {
  return {
    id: 'site-1',
    name: 'Salle des fêtes de Guéret',
    postalCode: '23000',
    createdAt: '2026-01-10T09:00:00Z',
    ...overrides,
  }
}

function organisation(overrides: Partial<AdminOrganisation> = {}) {
  return valid(AdminOrganisationSchema, {
    id: 'org-1',
    name: 'Équipe mobile de la Creuse',
    kind: 'mobile-team',
    country: 'FR',
    finess: '010000016',
    inami: null,
    enterpriseNumber: null,
    idleLockMinutes: 10,
    sites: [site()],
    ...overrides,
  })
}

async function mountOrganisation(
  routes: Parameters<typeof stubAdminFetch>[0],
  roles: readonly Role[] = ['access-manager'],
) {
  const app = createTestApp()
  await signInWithRoles(roles)
  const stub = stubAdminFetch(routes)
  const mounted = await mountAt(AdminOrganisationView, '/administration/organisation', app)
  await flushPromises()
  return { ...mounted, ...stub }
}

describe('AdminOrganisationView', () => {
  beforeEach(resetDb)
  afterEach(() => {
    vi.unstubAllGlobals()
    document.body.innerHTML = ''
  })

  it('shows the organisation with its kind, country, formatted FINESS and its sites', async () => {
    const { wrapper } = await mountOrganisation({ 'GET /api/admin/organisation': organisation() })
    const card = wrapper.get('.admin-page__card')
    expect(card.text()).toContain('Équipe mobile de la Creuse')
    expect(card.text()).toContain('Équipe mobile de vaccination')
    expect(card.text()).toContain('France')
    expect(card.text()).toContain('N° FINESS')
    expect(card.get('[data-organisation-number]').text()).toBe('01 0000016')
    const row = wrapper.get('[data-site="site-1"]')
    expect(row.text()).toContain('Salle des fêtes de Guéret')
    expect(row.text()).toContain('23000')
    expect(row.text()).toContain('10/01/2026')
  })

  it('writes a Belgian organisation’s INAMI and enterprise numbers as on official documents', async () => {
    const { wrapper } = await mountOrganisation({
      'GET /api/admin/organisation': organisation({
        kind: 'nursing-home',
        country: 'BE',
        finess: null,
        inami: '12345678901',
        enterpriseNumber: '0123456789',
        sites: [],
      }),
    })
    expect(wrapper.text()).toContain('Belgique')
    expect(wrapper.findAll('[data-organisation-number]').map((n) => n.text())).toEqual([
      '1-23456-78-901',
      '0123.456.789',
    ])
    expect(wrapper.text()).toContain('Aucun site pour l’instant.')
  })

  it('adds a site once its name is given and its postal code is a French one', async () => {
    const added = site({ id: 'site-2', name: 'Mairie d’Aubusson', postalCode: '23200' })
    const { wrapper, calls } = await mountOrganisation({
      'GET /api/admin/organisation': organisation(),
      'POST /api/admin/organisation/sites': { status: 201, body: valid(AdminSiteSchema, added).body },
    })
    await wrapper.get('[data-action="add-site"]').trigger('click')
    const form = wrapper.get('form.admin-page__form')
    const [name, postalCode] = form.findAll('input')
    await postalCode?.setValue('2320')
    await form.trigger('submit')
    await flushPromises()
    expect(form.text()).toContain('Indiquez le nom du site.')
    expect(form.text()).toContain(
      'Le code postal compte 5 chiffres et commence par un numéro de département (ex. : 23000).',
    )
    expect(document.activeElement).toBe(name?.element)
    expect(calls.some((c) => c.method === 'POST')).toBe(false)

    await name?.setValue('  Mairie d’Aubusson ')
    await postalCode?.setValue('23200')
    await form.trigger('submit')
    await flushPromises()
    expect(calls.find((c) => c.method === 'POST')?.body).toEqual({
      name: 'Mairie d’Aubusson',
      postalCode: '23200',
    })
    expect(wrapper.find('form.admin-page__form').exists()).toBe(false)
    expect(wrapper.get('[role="status"].admin-page__announcement').text()).toBe(
      'Site « Mairie d’Aubusson » ajouté.',
    )
    expect(wrapper.get('[data-site="site-2"]').text()).toContain('23200')
  })

  it('lets a sync administrator set the idle lock of devices, within 1 to 60 minutes', async () => {
    const { wrapper, calls } = await mountOrganisation(
      {
        'GET /api/admin/organisation': organisation(),
        'PATCH /api/admin/organisation': (call) =>
          organisation({ idleLockMinutes: (call.body as { idleLockMinutes: number }).idleLockMinutes }),
      },
      ['sync-admin'],
    )
    const field = controlByLabel(wrapper.element, 'Verrouillage après inactivité (minutes)')
    expect(field.value).toBe('10')
    const form = wrapper.get('.admin-organisation__idle')
    for (const wrong of ['0', '61', '2,5', '']) {
      field.value = wrong
      field.dispatchEvent(new Event('input'))
      await form.trigger('submit')
      await flushPromises()
      expect(form.text()).toContain('Saisissez un nombre entier de minutes entre 1 et 60.')
    }
    expect(calls.some((c) => c.method === 'PATCH')).toBe(false)

    field.value = '3'
    field.dispatchEvent(new Event('input'))
    await form.trigger('submit')
    await flushPromises()
    expect(calls.find((c) => c.method === 'PATCH')?.body).toEqual({ idleLockMinutes: 3 })
    expect(wrapper.get('.admin-organisation__announcement').text()).toBe(
      'Verrouillage après 3 minutes d’inactivité enregistré : les appareils l’appliquent à leur prochaine synchronisation.',
    )
  })

  it('shows the idle lock to an access manager without letting them change it', async () => {
    const { wrapper } = await mountOrganisation({
      'GET /api/admin/organisation': organisation({ idleLockMinutes: 5 }),
    })
    expect(wrapper.text()).toContain('Les appareils se verrouillent après 5 minutes sans activité.')
    expect(wrapper.find('.admin-organisation__idle').exists()).toBe(false)
  })

  it('sends a site without postal code, and says in French why the server refused it', async () => {
    const { wrapper, calls } = await mountOrganisation({
      'GET /api/admin/organisation': organisation(),
      'POST /api/admin/organisation/sites': {
        status: 403,
        body: { error: 'forbidden', detail: { need: 'manage-sites' } },
      },
    })
    await wrapper.get('[data-action="add-site"]').trigger('click')
    const form = wrapper.get('form.admin-page__form')
    await form.findAll('input')[0]?.setValue('Salle polyvalente')
    await form.trigger('submit')
    await flushPromises()
    expect(calls.find((c) => c.method === 'POST')?.body).toEqual({ name: 'Salle polyvalente' })
    expect(form.get('[role="alert"]').text()).toBe(
      'Votre rôle ne permet pas cette action (il faut : gérer les sites).',
    )
  })

  it('lets a sync administrator read the organisation without offering to add a site', async () => {
    const { wrapper } = await mountOrganisation({ 'GET /api/admin/organisation': organisation() }, [
      'sync-admin',
    ])
    expect(wrapper.text()).toContain('Équipe mobile de la Creuse')
    expect(wrapper.find('[data-action="add-site"]').exists()).toBe(false)
  })

  it('says when the server cannot be read, and tries again on demand', async () => {
    let isUp = false
    const { wrapper } = await mountOrganisation({
      'GET /api/admin/organisation': () =>
        isUp ? organisation() : { status: 503, body: { error: 'unavailable' } },
    })
    expect(wrapper.get('[role="alert"]').text()).toContain('Réessayer')
    isUp = true
    await wrapper.get('[data-action="retry"]').trigger('click')
    await flushPromises()
    expect(wrapper.find('[role="alert"]').exists()).toBe(false)
    expect(wrapper.text()).toContain('Équipe mobile de la Creuse')
  })
})
