// What a revoked device says on its sign-in page: who revoked it and when, the export of the changes it could not
// send when the administrator asked for it, then the wipe; and no sign-in form any more.
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { flushPromises } from '@vue/test-utils'
import { computeNirKey } from '../../domain/identifiers'
import { useSessionStore } from '../../stores/session'
import SignInView from '../../views/SignInView.vue'
import { db } from '../../db/carnet-db'
import { createTestApp, mountAt } from './mount-app'
import { resetDb, signInOnline } from './testing'

const REVOKED_AT = '2026-03-04T09:30:00.000Z'
const localTime = new Date(REVOKED_AT).toLocaleTimeString('fr-FR', { hour: '2-digit', minute: '2-digit' })

async function recordOnePatient() {
  const body = '2550814168025'
  const result = await useSessionStore().record('patient.register', {
    patientId: '01930000-0000-7000-8000-000000000001',
    codeDeCiblage: 'ABCDEFGH12',
    identity: {
      birthName: 'Dupré',
      firstNames: 'Éloïse',
      sex: 'female',
      birthDate: '1955-08-12',
      birthRank: 1,
      nir: body + computeNirKey(body),
    },
    contact: {},
  })
  expect(result.ok).toBe(true)
}

describe('TheRevocationNotice', () => {
  beforeEach(resetDb)
  afterEach(() => {
    vi.unstubAllGlobals()
    document.body.innerHTML = ''
  })

  it('« après export »: says who and when, exports the pending change, then wipes on request', async () => {
    const app = createTestApp()
    await signInOnline()
    await recordOnePatient()
    vi.stubGlobal('URL', Object.assign(URL, { createObjectURL: () => 'blob:export' }))
    await useSessionStore().learnRevoked({
      revokedAt: REVOKED_AT,
      revokedBy: { id: 'u-admin', name: 'Thomas Leroy' },
      mode: 'after-export',
      exportUntil: '2099-03-11T09:30:00.000Z',
    })
    const { wrapper } = await mountAt(SignInView, '/connexion', app)
    await vi.waitFor(() => expect(wrapper.text()).toContain('1 modification n’a pas pu être envoyée'))

    expect(wrapper.get('h1').text()).toBe('Appareil révoqué')
    expect(wrapper.text()).toContain(
      `Cet appareil a été révoqué par Thomas Leroy le 04/03/2026 à ${localTime}.`,
    )
    expect(wrapper.text()).toContain('avant le 11/03/2099')
    expect(wrapper.find('input[type="password"]').exists()).toBe(false)

    // Erasing first asks again: the change would be lost.
    await wrapper.get('[data-action="wipe"]').trigger('click')
    expect(wrapper.text()).toContain('elles seront perdues')
    await wrapper
      .findAll('button')
      .find((b) => b.text() === 'Annuler')
      ?.trigger('click')

    await wrapper.get('[data-action="export"]').trigger('click')
    await vi.waitFor(() => expect(wrapper.text()).toMatch(/Fichier enregistré : carnet-outbox-.+\.json/))
    expect(await db.outbox.count()).toBe(1)

    await wrapper.get('[data-action="wipe"]').trigger('click')
    await vi.waitFor(() => expect(wrapper.text()).toContain('ont été effacées de l’appareil'))
    await flushPromises()
    expect(await db.outbox.count()).toBe(0)
    expect(await db.files.count()).toBe(0)
    expect(wrapper.find('[data-action="export"]').exists()).toBe(false)
    wrapper.unmount()
  })

  it('« effacer maintenant »: the device is already wiped when it says so', async () => {
    const app = createTestApp()
    await signInOnline()
    await recordOnePatient()
    await useSessionStore().learnRevoked({
      revokedAt: REVOKED_AT,
      revokedBy: null,
      mode: 'wipe',
      exportUntil: null,
    })
    const { wrapper } = await mountAt(SignInView, '/connexion', app)
    await vi.waitFor(() => expect(wrapper.text()).toContain('ont été effacées de l’appareil'))
    expect(wrapper.text()).toContain(`révoqué par l’administrateur le 04/03/2026 à ${localTime}.`)
    expect(wrapper.text()).toContain('Plus aucune connexion n’est possible sur cet appareil.')
    expect(wrapper.find('button').exists()).toBe(false)
    wrapper.unmount()
  })
})
