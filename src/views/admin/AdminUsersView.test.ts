import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { flushPromises, type VueWrapper } from '@vue/test-utils'
import { createTestApp, mountAt } from '../../components/session/mount-app'
import { resetDb } from '../../components/session/testing'
import {
  adminGrant,
  signInWithRoles,
  stubAdminFetch,
  user,
  userPage,
  valid,
} from '../../components/admin/testing'
import {
  AdminGrantSchema,
  CreateUserResponseSchema,
  GrantListResponseSchema,
  GrantRoleResponseSchema,
} from '../../shared/admin-api'
import type { Role } from '../../shared/vocabulary'
import AdminUsersView from './AdminUsersView.vue'

const DOCTOR = user({
  id: 'u-doctor',
  name: 'Dr Camille Martin',
  grants: [adminGrant({ userId: 'u-doctor' })],
})
const SECRETARY = user({
  id: 'u-secretary',
  name: 'Léa Petit',
  profession: 'secretaire-medical',
  professionalId: null,
})

async function mountUsers(routes: Parameters<typeof stubAdminFetch>[0], roles: Role[] = ['access-manager']) {
  const app = createTestApp()
  await signInWithRoles(roles)
  const stub = stubAdminFetch({ 'GET /api/admin/users': userPage([DOCTOR, SECRETARY]), ...routes })
  const mounted = await mountAt(AdminUsersView, '/administration/utilisateurs', app)
  await flushPromises()
  return { ...mounted, ...stub }
}

function card(wrapper: VueWrapper, name: string) {
  const found = wrapper.findAll('article').find((a) => a.get('h2').text().startsWith(name))
  if (found === undefined) throw new Error(`no card for ${name}`)
  return found
}

async function setDate(wrapper: VueWrapper, label: string, value: string) {
  const field = wrapper.findAll('label').find((l) => l.text().startsWith(label))
  const input = wrapper.get(`[id="${field?.attributes('for')}"]`)
  await input.setValue(value)
}

describe('AdminUsersView', () => {
  beforeEach(resetDb)
  afterEach(() => {
    vi.unstubAllGlobals()
    document.body.innerHTML = ''
  })

  it('lists the members with their profession, number and current roles, and searches', async () => {
    const { wrapper, calls } = await mountUsers({})
    const doctor = card(wrapper, 'Dr Camille Martin')
    expect(doctor.text()).toContain('Médecin')
    expect(doctor.text()).toContain('RPPS 10003364297')
    expect(doctor.text()).toContain('Vaccinateur depuis le 01/01/2026')
    expect(card(wrapper, 'Léa Petit').text()).toContain('Secrétaire médical·e')
    expect(card(wrapper, 'Léa Petit').text()).toContain('Aucun rôle en cours')

    await wrapper.get('input[type="search"]').setValue('petit')
    await wrapper.get('form[role="search"]').trigger('submit')
    await flushPromises()
    expect(
      calls
        .filter((c) => c.path === '/api/admin/users')
        .at(-1)
        ?.query.get('q'),
    ).toBe('petit')
  })

  it('checks the grant form next to each field: end before start, a delegate without a professional', async () => {
    const { wrapper, calls } = await mountUsers({})
    const secretary = card(wrapper, 'Léa Petit')
    await secretary.get('[data-action="open-grant"]').trigger('click')
    await secretary.get('form.admin-grant-form').trigger('submit')
    await flushPromises()
    expect(secretary.text()).toContain('Choisissez un rôle.')

    await secretary.get('select').setValue('delegate')
    await setDate(wrapper, 'Date de début', '2026-03-10')
    await setDate(wrapper, 'Date de fin', '2026-03-01')
    await secretary.get('form.admin-grant-form').trigger('submit')
    await flushPromises()
    expect(secretary.text()).toContain('La date de fin doit être postérieure à la date de début.')
    expect(secretary.text()).toContain(
      'Choisissez au moins un professionnel pour le compte duquel la personne saisit.',
    )
    expect(calls.some((c) => c.method === 'POST')).toBe(false)
    // Sync administration is not offered to an access manager who does not hold it.
    expect(secretary.findAll('option').map((o) => o.attributes('value'))).not.toContain('sync-admin')
  })

  it('grants a delegate role acting for the chosen doctor, from the start to the end day', async () => {
    const { wrapper, calls } = await mountUsers({
      'POST /api/admin/users/u-secretary/grants': {
        status: 201,
        body: valid(GrantRoleResponseSchema, {
          grants: [adminGrant({ userId: 'u-secretary', role: 'delegate', status: 'scheduled' })],
        }).body,
      },
    })
    const secretary = card(wrapper, 'Léa Petit')
    await secretary.get('[data-action="open-grant"]').trigger('click')
    await secretary.get('select').setValue('delegate')
    await setDate(wrapper, 'Date de début', '2026-03-10')
    await setDate(wrapper, 'Date de fin', '2026-03-11')
    const doctorBox = secretary.findAll('label').find((l) => l.text() === 'Dr Camille Martin')
    await doctorBox?.get('input').setValue(true)
    await secretary.get('form.admin-grant-form').trigger('submit')
    await flushPromises()
    const post = calls.find((c) => c.method === 'POST')
    expect(post?.body).toEqual({
      role: 'delegate',
      startsAt: new Date(2026, 2, 10).toISOString(),
      endsAt: new Date(2026, 2, 11).toISOString(),
      actingFor: ['u-doctor'],
    })
    expect(wrapper.text()).toContain('Rôle « Délégué·e » attribué à Léa Petit.')
  })

  it('shows the server refusing sync administration next to the role, in French', async () => {
    const { wrapper } = await mountUsers(
      {
        'POST /api/admin/users/u-secretary/grants': {
          status: 403,
          body: { error: 'cannot-grant-sync-admin', detail: { self: false } },
        },
      },
      ['access-manager', 'sync-admin'],
    )
    const secretary = card(wrapper, 'Léa Petit')
    await secretary.get('[data-action="open-grant"]').trigger('click')
    await secretary.get('select').setValue('sync-admin')
    await secretary.get('form.admin-grant-form').trigger('submit')
    await flushPromises()
    const role = secretary.get('select')
    expect(role.attributes('aria-invalid')).toBe('true')
    expect(secretary.get(`#${role.attributes('aria-describedby')}`).text()).toContain(
      'Seul un administrateur de la synchronisation peut attribuer le rôle d’administrateur de la synchronisation.',
    )
  })

  it('shows the history of grants and revokes one only after confirmation', async () => {
    let isRevoked = false
    const history = () =>
      valid(GrantListResponseSchema, {
        items: [
          adminGrant({
            id: 'g-2',
            userId: 'u-secretary',
            role: 'delegate',
            actingFor: [{ id: 'u-doctor', name: 'Dr Camille Martin' }],
            ...(isRevoked
              ? {
                  status: 'revoked',
                  revokedAt: '2026-03-05T10:00:00Z',
                  revokedBy: { id: 'u-manager', name: 'Sophie Leroy' },
                }
              : {}),
          }),
          adminGrant({ id: 'g-1', userId: 'u-secretary', endsAt: '2026-02-01T00:00:00Z', status: 'ended' }),
        ],
        nextCursor: null,
      })
    const { wrapper, calls } = await mountUsers({
      'GET /api/admin/users/u-secretary/grants': () => history(),
      'POST /api/admin/grants/g-2/revoke': () => {
        isRevoked = true
        return valid(AdminGrantSchema, adminGrant({ id: 'g-2', userId: 'u-secretary', status: 'revoked' }))
      },
    })
    const secretary = card(wrapper, 'Léa Petit')
    await secretary.get('[data-action="toggle-history"]').trigger('click')
    await flushPromises()
    const rows = secretary.findAll('tbody tr')
    expect(rows[0]?.text()).toContain('pour le compte de Dr Camille Martin')
    expect(rows[0]?.text()).toContain('En cours')
    expect(rows[1]?.text()).toContain('du 01/01/2026 au 01/02/2026')
    expect(rows[1]?.text()).toContain('Terminé')
    expect(rows[1]?.find('[data-action="revoke-grant"]').exists()).toBe(false)

    await rows[0]?.get('[data-action="revoke-grant"]').trigger('click')
    expect(secretary.get('[role="alertdialog"]').text()).toContain(
      'Révoquer le rôle « Délégué·e » de Léa Petit ?',
    )
    await secretary.get('[data-action="cancel"]').trigger('click')
    expect(calls.some((c) => c.method === 'POST')).toBe(false)

    await secretary.get('[data-action="revoke-grant"]').trigger('click')
    await secretary.get('[data-action="confirm"]').trigger('click')
    await flushPromises()
    expect(calls.filter((c) => c.method === 'POST').map((c) => c.path)).toEqual([
      '/api/admin/grants/g-2/revoke',
    ])
    expect(secretary.text()).toContain('Révoqué par Sophie Leroy le 05/03/2026')
  })

  it('creates a user, checking the RPPS number, and shows the one-time link to hand over', async () => {
    const created = user({ id: 'u-new', name: 'Inès Garnier', profession: 'infirmier' })
    const { wrapper, calls } = await mountUsers({
      'POST /api/admin/users': {
        status: 201,
        body: valid(CreateUserResponseSchema, {
          user: created,
          setPasswordUrl: '/mot-de-passe/jeton-1',
          expiresAt: '2026-03-08T09:00:00Z',
        }).body,
      },
    })
    await wrapper.get('[data-action="open-create-user"]').trigger('click')
    const form = wrapper.get('form.admin-page__form')
    const inputs = form.findAll('input')
    await inputs[0]?.setValue('Inès Garnier')
    await inputs[1]?.setValue('ines.garnier')
    await form.findAll('select')[0]?.setValue('infirmier')
    await inputs[2]?.setValue('10012345670')
    await inputs[3]?.setValue('ines@exemple')
    await form.trigger('submit')
    await flushPromises()
    expect(form.text()).toContain('La clé du numéro RPPS est incorrecte')
    expect(form.text()).toContain('Saisissez une adresse e-mail valide')
    expect(calls.some((c) => c.method === 'POST')).toBe(false)

    await inputs[2]?.setValue('10012345673')
    await inputs[3]?.setValue('ines@exemple.fr')
    await form.trigger('submit')
    await flushPromises()
    expect(calls.find((c) => c.method === 'POST')?.body).toEqual({
      login: 'ines.garnier',
      name: 'Inès Garnier',
      profession: 'infirmier',
      professionalId: { kind: 'rpps', value: '10012345673' },
      email: 'ines@exemple.fr',
    })
    const link = wrapper.get('[data-testid="password-link"]')
    expect(link.text()).toContain('Lien à transmettre à Inès Garnier')
    expect(link.get('input').element.value).toBe(`${window.location.origin}/mot-de-passe/jeton-1`)
  })
})
