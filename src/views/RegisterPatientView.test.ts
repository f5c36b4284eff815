import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { flushPromises, type VueWrapper } from '@vue/test-utils'
import { nextTick } from 'vue'
import { db } from '../db/carnet-db'
import { putPatients } from '../db/patients-repo'
import { allPatients } from '../db/testing'
import { computeNirKey } from '../domain/identifiers'
import { isValidCodeDeCiblage } from '../domain/patients/code-de-ciblage'
import { buildPatient } from '../domain/testing/builders'
import { resetCommunesCache } from '../composables/useCommunes'
import { controlByLabel, createTestApp, mountAt } from '../components/session/mount-app'
import { resetDb, signInOnline } from '../components/session/testing'
import { listOutbox } from '../sync/outbox'
import RegisterPatientView from './RegisterPatientView.vue'

const BODY = '2550814168025'
const NIR = BODY + computeNirKey(BODY)
const WRONG_KEY_NIR = BODY + (computeNirKey(BODY) === '01' ? '02' : '01')

const COMMUNES_TSV = [
  '75001\tParis\t75101',
  '23000\tGuéret\t23096',
  '23000\tSainte-Feyre\t23193',
  '23200\tAubusson\t23008',
].join('\n')

async function type(wrapper: VueWrapper, label: string, value: string): Promise<void> {
  const input = controlByLabel(wrapper.element, label)
  input.value = value
  input.dispatchEvent(new Event('input'))
  await nextTick()
}

async function fillValid(wrapper: VueWrapper, nir = NIR): Promise<void> {
  await type(wrapper, 'NIR (15', nir)
  await type(wrapper, 'Nom de naissance', 'Dupré')
  await type(wrapper, 'Prénom(s)', 'Éloïse')
  await wrapper.get('input[type="radio"][value="female"]').setValue(true)
  await type(wrapper, 'Date de naissance', '12/08/1955')
}

async function submit(wrapper: VueWrapper): Promise<void> {
  await wrapper.get('form').trigger('submit')
  await flushPromises()
}

describe('RegisterPatientView', () => {
  beforeEach(async () => {
    await resetDb()
    resetCommunesCache()
  })
  afterEach(() => {
    vi.unstubAllGlobals()
    document.body.innerHTML = ''
  })

  async function mountRegister(path = '/nouveau-patient') {
    const app = createTestApp()
    await signInOnline()
    return mountAt(RegisterPatientView, path, app)
  }

  it('carries the NIR typed in the search, warns to re-check it, defaults the rang to 1', async () => {
    const { wrapper } = await mountRegister(`/nouveau-patient?nir=${NIR}`)
    expect(controlByLabel(wrapper.element, 'NIR (15').value).toBe(NIR)
    expect(controlByLabel(wrapper.element, 'Rang de naissance').value).toBe('1')
    expect(wrapper.text()).toContain('Veuillez vérifier le NIR saisi avant d’enregistrer votre patient')
    expect(wrapper.text()).toContain('Pour des jumeaux ou triplés')
    wrapper.unmount()
  })

  it('refuses a wrong NIR key with the message next to the field, and saves nothing', async () => {
    const { wrapper } = await mountRegister()
    await fillValid(wrapper, WRONG_KEY_NIR)
    await submit(wrapper)

    const nir = controlByLabel(wrapper.element, 'NIR (15')
    expect(nir.getAttribute('aria-invalid')).toBe('true')
    const described = (nir.getAttribute('aria-describedby') ?? '')
      .split(' ')
      .map((id) => document.getElementById(id)?.textContent ?? '')
    expect(described.join(' ')).toContain('La clé du NIR est incorrecte : vérifiez le numéro saisi.')
    expect(wrapper.text()).toContain('Le formulaire contient 1 erreur')
    expect(await db.files.count()).toBe(0)
    expect(await db.outbox.count()).toBe(0)
    wrapper.unmount()
  })

  it('asks for the required fields in French', async () => {
    const { wrapper } = await mountRegister()
    await submit(wrapper)
    const text = wrapper.text()
    expect(text).toContain('Saisissez le numéro de sécurité sociale (NIR).')
    expect(text).toContain('Saisissez le nom de naissance.')
    expect(text).toContain('Saisissez le ou les prénoms.')
    expect(text).toContain('Indiquez le sexe du patient.')
    expect(text).toContain('Saisissez la date de naissance (JJ/MM/AAAA).')
    wrapper.unmount()
  })

  it('shows a NIR that disagrees with the sex as a warning that does not block', async () => {
    const { wrapper } = await mountRegister()
    await fillValid(wrapper)
    await wrapper.get('input[type="radio"][value="male"]').setValue(true)
    expect(wrapper.text()).toContain('Le premier chiffre du NIR ne correspond pas au sexe indiqué')
    await submit(wrapper)
    await vi.waitFor(() => expect(wrapper.text()).toContain('Patient enregistré'))
    wrapper.unmount()
  })

  it('shows likely duplicates before saving, and saves only on « Ce n’est pas la même personne »', async () => {
    await putPatients(db, [
      buildPatient({
        id: 'p-same',
        birthName: 'Dupre',
        firstNames: 'Eloise',
        birthDate: '1955-08-12',
        nir: undefined,
        niss: '55081200175',
      }),
    ])
    const { wrapper, router } = await mountRegister()
    await fillValid(wrapper)
    await submit(wrapper)

    await vi.waitFor(() => expect(wrapper.text()).toContain('Ce patient est peut-être déjà enregistré'))
    expect(wrapper.text()).toContain('mêmes noms, date et rang de naissance')
    const open = wrapper.get('.patient-duplicates a')
    expect(open.attributes('href')).toBe('/patients/p-same')
    expect(await db.files.count()).toBe(1)
    expect(await db.outbox.count()).toBe(0)

    const confirm = wrapper
      .findAll('button')
      .find((b) => b.text() === 'Ce n’est pas la même personne — enregistrer')
    await confirm?.trigger('click')
    await vi.waitFor(() => expect(wrapper.text()).toContain('Patient enregistré'))
    expect(await db.files.count()).toBe(2)
    expect(router.currentRoute.value.name).toBe('register-patient')
    wrapper.unmount()
  })

  it('registers a valid patient: the patient and one outbox entry written, the code de ciblage shown', async () => {
    const { wrapper, router } = await mountRegister()
    await fillValid(wrapper)
    await type(wrapper, 'Téléphone', '06 12 34 56 78')
    await submit(wrapper)

    await vi.waitFor(() => expect(wrapper.text()).toContain('Patient enregistré'))
    const code = wrapper.get('[data-testid="code-de-ciblage"]').text()
    expect(isValidCodeDeCiblage(code)).toBe(true)
    expect(wrapper.text()).toContain('Donnez ce code au patient')

    const patients = await allPatients(db)
    expect(patients).toHaveLength(1)
    expect(patients[0]).toMatchObject({
      birthName: 'Dupré',
      nir: NIR,
      codeDeCiblage: code,
      phone: '06 12 34 56 78',
    })
    const outbox = await listOutbox(db)
    expect(outbox).toHaveLength(1)
    expect(outbox[0]?.mutation.type).toBe('patient.register')

    const openFile = wrapper.findAll('button').find((b) => b.text() === 'Ouvrir le dossier du patient')
    await openFile?.trigger('click')
    await vi.waitFor(() => expect(router.currentRoute.value.name).toBe('patient'))
    expect(router.currentRoute.value.params.id).toBe(patients[0]?.id)
    wrapper.unmount()
  })

  it('suggests communes after 2 characters from the offline list and fills both fields', async () => {
    const { wrapper } = await mountRegister()
    const fetchMock = vi.fn(async () => new Response(COMMUNES_TSV, { status: 200 }))
    vi.stubGlobal('fetch', fetchMock)

    await type(wrapper, 'Code postal', '2')
    await flushPromises()
    expect(wrapper.findAll('[role="option"]')).toHaveLength(0)

    await type(wrapper, 'Code postal', '23')
    await vi.waitFor(() => expect(wrapper.findAll('[role="option"]').length).toBe(3))
    expect(fetchMock).toHaveBeenCalledWith('/data/communes-fr.tsv')
    const feyre = wrapper.findAll('[role="option"]').find((o) => o.text().includes('Sainte-Feyre'))
    await feyre?.trigger('click')
    await flushPromises()
    await vi.waitFor(() => expect(controlByLabel(wrapper.element, 'Commune').value).toBe('Sainte-Feyre'))
    expect(controlByLabel(wrapper.element, 'Code postal').value).toBe('23000')

    await type(wrapper, 'Commune', 'gu')
    await vi.waitFor(() =>
      expect(wrapper.findAll('[role="option"]').map((o) => o.text())).toEqual(['Guéret23000']),
    )
    expect(fetchMock).toHaveBeenCalledTimes(1)
    wrapper.unmount()
  })
})
