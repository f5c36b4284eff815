import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { permissionsAt } from '../../src/domain/access/permissions'
import { verifyPassword } from './auth/passwords'
import { fixedClock } from './clock'
import { DEMO_ORGANISATIONS, formatDemoBlock, seedDemo } from './demo'
import { openSqliteStore } from './store/sqlite'
import type { Store } from './store'

const NOW = '2026-03-04T09:15:00.000Z'

function luhnValid(digits: string): boolean {
  let sum = 0
  ;[...digits].reverse().forEach((char, i) => {
    let d = Number(char)
    if (i % 2 === 1) d = d * 2 > 9 ? d * 2 - 9 : d * 2
    sum += d
  })
  return sum % 10 === 0
}

describe('demo data', () => {
  let dir: string
  let store: Store

  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), 'carnet-demo-'))
    store = openSqliteStore({ file: join(dir, 'carnet.sqlite'), clock: fixedClock(NOW) })
    await store.migrate()
  })
  afterEach(async () => {
    await store.close()
    rmSync(dir, { recursive: true, force: true })
  })

  it('creates the organisations and accounts of the sync protocol on a new database', async () => {
    const seed = await seedDemo(store, { password: 'demo-pass' })
    expect(seed).toMatchObject({ created: true, password: 'demo-pass', passwordWasGenerated: false })

    const orgs = await store.listOrganisations()
    expect(orgs.map((o) => [o.name, o.finess])).toEqual([
      ['EHPAD Les Tilleuls (démo)', '130000003'],
      ['Équipe mobile de vaccination (démo)', '010000016'],
    ])
    const [ehpad, team] = orgs
    const logins = async (orgId: string | undefined) =>
      (await store.listUsers(orgId ?? '')).map((u) => u.login)
    expect(await logins(team?.id)).toEqual([
      'admin.demo',
      'gestionnaire.demo',
      'infirmier.demo',
      'medecin.demo',
      'secretaire.demo',
    ])
    expect(await logins(ehpad?.id)).toEqual(['medecin.ehpad'])

    const roleOf = async (login: string) => {
      const found = await store.findUserByLogin(login)
      if (found === null) throw new Error(`missing ${login}`)
      return { found, grants: await store.listRoleGrants(found.user.id) }
    }
    const doctor = await roleOf('medecin.demo')
    const expected = {
      'medecin.demo': ['vaccinator', 'medecin'],
      'infirmier.demo': ['vaccinator', 'infirmier'],
      'secretaire.demo': ['delegate', 'secretaire-medical'],
      'gestionnaire.demo': ['access-manager', 'administratif'],
      'admin.demo': ['sync-admin', 'administratif'],
      'medecin.ehpad': ['vaccinator', 'medecin'],
    } as const
    for (const [login, [role, profession]] of Object.entries(expected)) {
      const { found, grants } = await roleOf(login)
      expect(found.user.profession).toBe(profession)
      expect(grants).toEqual([
        expect.objectContaining({
          role,
          startsAt: NOW,
          endsAt: null,
          revokedAt: null,
          actsForUserId: login === 'secretaire.demo' ? doctor.found.user.id : null,
        }),
      ])
      expect(await verifyPassword('demo-pass', found.passwordHash ?? '')).toBe(true)
    }
  })

  it('lets gestionnaire.demo manage access and admin.demo run sync, with one request waiting', async () => {
    await seedDemo(store, { password: 'demo-pass' })
    const team = (await store.listOrganisations()).find((o) => o.finess === '010000016')
    const permissionsOf = async (login: string) => {
      const found = await store.findUserByLogin(login)
      const grants = await store.listRoleGrants(found?.user.id ?? '')
      return permissionsAt(grants, found?.user.id ?? '', NOW)
    }
    expect(await permissionsOf('gestionnaire.demo')).toContain('manage-access-requests')
    expect(await permissionsOf('admin.demo')).toContain('resolve-rejections')
    expect(await permissionsOf('medecin.demo')).toEqual([])
    const pending = await store.listAccessRequestPage(team?.id ?? '', {
      q: null,
      status: 'pending',
      after: null,
      limit: 10,
    })
    expect(pending).toEqual([
      expect.objectContaining({
        name: 'Dr Léa Moreau',
        professionalIdKind: 'rpps',
        professionalIdValue: '10024681354',
      }),
    ])
  })

  it('gives every professional a distinct, well-formed synthetic RPPS', () => {
    const rpps = DEMO_ORGANISATIONS.flatMap((o) => o.users).flatMap((u) =>
      u.professionalId === null ? [] : [u.professionalId.value],
    )
    expect(rpps).toHaveLength(3)
    expect(new Set(rpps).size).toBe(3)
    for (const value of rpps) {
      expect(value).toMatch(/^\d{11}$/)
      expect(luhnValid(value)).toBe(true)
    }
  })

  it('does nothing on a database that already has an organisation', async () => {
    await seedDemo(store, { password: 'demo-pass' })
    expect(await seedDemo(store, { password: 'demo-pass' })).toEqual({ created: false })
    expect(await store.listOrganisations()).toHaveLength(2)
  })

  it('generates a readable password when none is set and prints it in the block', async () => {
    const seed = await seedDemo(store, { password: null })
    if (!seed.created) throw new Error('not created')
    expect(seed.passwordWasGenerated).toBe(true)
    const block = formatDemoBlock(seed)
    expect(block).toContain(seed.password)
    expect(block).toContain('secretaire.demo')
    expect(block).toContain('delegate for medecin.demo')
    expect(block).toContain('EHPAD Les Tilleuls (démo)')
    const admin = await store.findUserByLogin('admin.demo')
    expect(await verifyPassword(seed.password, admin?.passwordHash ?? '')).toBe(true)
  })

  it('does not echo a password that came from CARNET_DEMO_PASSWORD', async () => {
    const seed = await seedDemo(store, { password: 'from-env-secret' })
    if (!seed.created) throw new Error('not created')
    expect(formatDemoBlock(seed)).not.toContain('from-env-secret')
  })
})
