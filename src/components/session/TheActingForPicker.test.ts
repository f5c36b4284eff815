import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { flushPromises } from '@vue/test-utils'
import App from '../../App.vue'
import { db } from '../../db/carnet-db'
import { useSessionStore } from '../../stores/session'
import { createTestApp, mountAt } from './mount-app'
import { grant, loginAnswer, resetDb, signInOnline } from './testing'

const SECRETARY = { id: 'u-secretary', name: 'Sophie Bernard', login: 'sbernard', profession: null }

describe('TheActingForPicker', () => {
  beforeEach(resetDb)
  afterEach(() => {
    vi.unstubAllGlobals()
    document.body.innerHTML = ''
  })

  it('makes a delegate pick the professional they act for before any screen, then names them in the header', async () => {
    await db.users.put({ id: 'u-doctor', name: 'Dr Jean Morel', profession: 'medecin' })
    const app = createTestApp()
    await signInOnline(
      loginAnswer({
        user: SECRETARY,
        roles: [grant({ userId: SECRETARY.id, role: 'delegate', actingFor: ['u-doctor', 'u-absent'] })],
      }),
    )
    const { wrapper } = await mountAt(App, '/', app)
    await flushPromises()

    expect(wrapper.text()).toContain('Pour le compte de qui saisissez-vous ?')
    expect(wrapper.find('#patient-search-input').exists()).toBe(false)
    expect(wrapper.text()).toContain('Professionnel u-absent (nom non encore synchronisé)')

    await wrapper.get('form').trigger('submit')
    expect(wrapper.text()).toContain('Choisissez un professionnel.')

    const doctor = wrapper.findAll('input[type="radio"]').find((r) => r.attributes('value') === 'u-doctor')
    await doctor?.setValue(true)
    await wrapper.get('form').trigger('submit')
    await flushPromises()

    expect(useSessionStore().actor).toEqual({ userId: 'u-secretary', onBehalfOf: 'u-doctor' })
    await vi.waitFor(() => expect(wrapper.find('#patient-search-input').exists()).toBe(true))
    expect(wrapper.get('header').text()).toContain('Sophie Bernard')
    expect(wrapper.get('header').text()).toContain('pour le compte de Dr Jean Morel')
    wrapper.unmount()
  })

  it('shows the professional, profession, role, sync state and a sign-out in the header', async () => {
    const app = createTestApp()
    await signInOnline()
    const { wrapper } = await mountAt(App, '/', app)
    await flushPromises()
    const header = wrapper.get('header').text()
    expect(header).toContain('Claire Martin')
    expect(header).toContain('Infirmier·e')
    expect(header).toContain('Vaccinateur')
    expect(header).toContain('Aucune modification en attente')
    expect(header).toContain('Dernière synchronisation : jamais')

    const signOut = wrapper.findAll('header button').find((b) => b.text() === 'Se déconnecter')
    await signOut?.trigger('click')
    await vi.waitFor(() => expect(app.router.currentRoute.value.name).toBe('sign-in'))
    expect(useSessionStore().isSignedIn).toBe(false)
    wrapper.unmount()
  })
})
