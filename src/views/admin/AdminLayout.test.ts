import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { flushPromises } from '@vue/test-utils'
import { createTestApp, mountAt } from '../../components/session/mount-app'
import { grant, loginAnswer, resetDb, signInOnline } from '../../components/session/testing'
import { MANAGER, signInWithRoles, stubAdminFetch, userPage } from '../../components/admin/testing'
import TheAppHeader from '../../components/layout/TheAppHeader.vue'
import { RouterView } from 'vue-router'

// Mounted through the app's outer RouterView, as App.vue does: the layout's own RouterView then draws the page.
function navLinks(root: Element): string[] {
  return [...root.querySelectorAll('nav a')].map((a) => a.textContent?.trim() ?? '')
}

describe('the administration pages and their guard', () => {
  beforeEach(resetDb)
  afterEach(() => {
    vi.unstubAllGlobals()
    document.body.innerHTML = ''
  })

  it('shows an access manager only the pages their role opens, starting with the first', async () => {
    const app = createTestApp()
    await signInWithRoles(['access-manager'])
    stubAdminFetch({ 'GET /api/admin/users': userPage([]) })
    await app.router.push('/administration')
    expect(app.router.currentRoute.value.name).toBe('admin-users')
    const { wrapper } = await mountAt(RouterView, '/administration/utilisateurs', app)
    await flushPromises()
    expect(navLinks(wrapper.element)).toEqual([
      'Utilisateurs et rôles',
      'Demandes d’accès',
      'Journal d’audit',
      'Organisation',
    ])
    expect(wrapper.get('nav').attributes('aria-label')).toBe('Pages d’administration')
    expect(wrapper.get('nav a[aria-current="page"]').text()).toBe('Utilisateurs et rôles')
  })

  it('shows a sync administrator the devices, rejections, audit, activity and the organisation', async () => {
    const app = createTestApp()
    await signInWithRoles(['sync-admin'])
    stubAdminFetch({})
    const { wrapper } = await mountAt(RouterView, '/administration', app)
    await flushPromises()
    expect(app.router.currentRoute.value.name).toBe('admin-devices')
    expect(navLinks(wrapper.element)).toEqual([
      'Appareils',
      'Rejets et conflits',
      'Journal d’audit',
      'Activité',
      'Organisation',
    ])
  })

  it('answers a page the role does not open with a French page naming the roles it is for', async () => {
    const app = createTestApp()
    await signInWithRoles(['access-manager'])
    stubAdminFetch({})
    const { wrapper } = await mountAt(RouterView, '/administration/appareils', app)
    await flushPromises()
    expect(app.router.currentRoute.value.name).toBe('admin-not-allowed')
    expect(wrapper.get('h1').text()).toBe('Accès non autorisé')
    expect(wrapper.text()).toContain('Votre rôle ne permet pas d’ouvrir la page « Appareils ».')
    expect(wrapper.text()).toContain('Elle est réservée aux rôles : Administrateur de la synchronisation.')
  })

  it('keeps a vaccinator, and a manager whose role has ended, out, without the header link', async () => {
    const app = createTestApp()
    await signInOnline(
      loginAnswer({
        user: MANAGER,
        roles: [
          grant({ userId: MANAGER.id, role: 'vaccinator' }),
          grant({ userId: MANAGER.id, role: 'access-manager', endsAt: '2021-01-01T00:00:00Z' }),
        ],
      }),
    )
    await app.router.push('/administration/utilisateurs')
    expect(app.router.currentRoute.value.name).toBe('admin-not-allowed')
    const { wrapper } = await mountAt(TheAppHeader, '/', app)
    expect(wrapper.text()).not.toContain('Administration')
  })

  it('puts the « Administration » link in the header for a sync administrator', async () => {
    const app = createTestApp()
    await signInWithRoles(['sync-admin'])
    const { wrapper } = await mountAt(TheAppHeader, '/', app)
    expect(wrapper.get('a[href="/administration"]').text()).toBe('Administration')
  })

  it('says the server is needed while offline', async () => {
    const app = createTestApp()
    await signInWithRoles(['sync-admin'])
    stubAdminFetch({})
    const { wrapper } = await mountAt(RouterView, '/administration/appareils', app)
    vi.spyOn(navigator, 'onLine', 'get').mockReturnValue(false)
    window.dispatchEvent(new Event('offline'))
    await flushPromises()
    expect(wrapper.get('h1').text()).toBe('Connexion au serveur requise')
    expect(wrapper.find('table').exists()).toBe(false)
  })
})
