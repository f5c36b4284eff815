import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { verifyPassword } from '../auth/passwords'
import { fixedClock } from '../clock'
import type { Store } from '../store'
import { openPostgresStore } from '../store/postgres'
import { openSqliteStore } from '../store/sqlite'
import { EXIT, runAdminCommand, type AdminDeps } from './commands'

const clock = fixedClock('2026-03-04T09:15:00.000Z')

describe('admin commands', () => {
  let dataDir: string
  let store: Store
  let out: string[]
  let err: string[]
  let deps: AdminDeps

  beforeEach(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'carnet-admin-'))
    const file = join(dataDir, 'carnet.sqlite')
    store = openSqliteStore({ file, clock })
    await store.migrate()
    out = []
    err = []
    deps = {
      config: { dataDir, database: { kind: 'sqlite', file } },
      clock,
      store: async () => store,
      out: (line) => out.push(line),
      err: (line) => err.push(line),
    }
  })
  afterEach(async () => {
    await store.close()
    rmSync(dataDir, { recursive: true, force: true })
  })

  const run = (...argv: string[]) => runAdminCommand(argv, deps)
  const createTeam = () =>
    run('org:create', '--name', 'Équipe mobile', '--finess', '010 000 016', '--kind', 'mobile-team')
  const createDoctor = (...extra: string[]) =>
    run(
      'user:create',
      '--org',
      '010000016',
      '--login',
      'Medecin.Martin',
      '--name',
      'Dr Martin',
      '--profession',
      'medecin',
      '--role',
      'vaccinator',
      '--rpps',
      '10012345673',
      ...extra,
    )

  it('prints the usage for help and for no command', async () => {
    expect(await run('help')).toBe(EXIT.ok)
    expect(await run()).toBe(EXIT.ok)
    expect(out.join('\n')).toContain('user:create --org <id|finess>')
  })

  it('refuses an unknown command with exit code 2', async () => {
    expect(await run('drop-everything')).toBe(EXIT.usage)
    expect(await run('toString')).toBe(EXIT.usage)
    expect(err[0]).toContain('Unknown command: drop-everything')
  })

  it('creates an organisation and refuses a second one with the same FINESS', async () => {
    expect(await createTeam()).toBe(EXIT.ok)
    expect(out).toEqual([
      expect.stringMatching(/^Created organisation « Équipe mobile » \(FINESS 010000016\), id /),
    ])
    expect(await createTeam()).toBe(EXIT.refused)
    expect(err).toEqual(['Refused: an organisation with this identifier already exists.'])
    const [org] = await store.listOrganisations()
    expect(org).toMatchObject({ kind: 'mobile-team', country: 'FR', finess: '010000016' })
  })

  it('creates a Belgian organisation from its enterprise number', async () => {
    expect(await run('org:create', '--name', 'Maison médicale', '--enterprise', '0123.456.749')).toBe(EXIT.ok)
    expect(await store.listOrganisations()).toEqual([
      expect.objectContaining({ country: 'BE', enterpriseNumber: '0123456749', kind: 'other' }),
    ])
  })

  it.each([
    [['--name', 'X'], '--finess: give exactly one of --finess, --inami, --enterprise'],
    [['--name', 'X', '--finess', '010000016', '--inami', '12345625'], '--finess: give exactly one'],
    [
      ['--name', 'X', '--finess', '12345'],
      '--finess: FINESS 12345: 5 characters, but a FINESS number has 9 characters',
    ],
    [['--name', 'X', '--finess', '750712185'], '--finess: FINESS 750712185: wrong check digit'],
    [['--name', 'X', '--finess', '75A712184'], '--finess: FINESS 75A712184: not a well-formed number'],
    [['--name', 'X', '--inami', '12345678'], '--inami: INAMI 12345678: wrong check digits'],
    [['--finess', '010000016'], '--name:'],
    [['--name', 'X', '--finess', '010000016', '--colour', 'blue'], "Unknown option '--colour'"],
    [['--name', 'X', '--finess', '010000016', '--kind', 'castle'], '--kind:'],
  ])('refuses org:create %j with exit code 2', async (args, message) => {
    expect(await run('org:create', ...args)).toBe(EXIT.usage)
    expect(err).toHaveLength(1)
    expect(err[0]).toContain(message)
    expect(await store.isEmpty()).toBe(true)
  })

  it('creates a user with a generated password, printed once, and grants the role', async () => {
    await createTeam()
    out = []
    expect(await createDoctor('--email', 'martin@example.org')).toBe(EXIT.ok)
    expect(out[0]).toBe(
      'Created user medecin.martin (Dr Martin) in « Équipe mobile » (FINESS 010000016), role vaccinator.',
    )
    const password = /^Password: (\S+)/.exec(out[1] ?? '')?.[1] ?? ''
    const found = await store.findUserByLogin('medecin.martin')
    expect(found?.user).toMatchObject({
      profession: 'medecin',
      professionalId: { kind: 'rpps', value: '10012345673' },
      email: 'martin@example.org',
    })
    expect(await verifyPassword(password, found?.passwordHash ?? '')).toBe(true)
    expect(await store.listRoleGrants(found?.user.id ?? '')).toEqual([
      expect.objectContaining({ role: 'vaccinator', actsForUserId: null }),
    ])
  })

  it('finds the organisation by id too, and does not print a password that was given', async () => {
    await createTeam()
    const [org] = await store.listOrganisations()
    out = []
    expect(
      await run(
        'user:create',
        '--org',
        org?.id ?? '',
        '--login',
        'admin.x',
        '--name',
        'Admin',
        '--profession',
        'administratif',
        '--role',
        'sync-admin',
        '--password',
        'long enough',
      ),
    ).toBe(EXIT.ok)
    expect(out).toHaveLength(1)
    expect(
      await verifyPassword('long enough', (await store.findUserByLogin('admin.x'))?.passwordHash ?? ''),
    ).toBe(true)
  })

  it('links a delegate to the professional they act for', async () => {
    await createTeam()
    await createDoctor()
    const args = [
      '--org',
      '010000016',
      '--login',
      'secretaire',
      '--name',
      'S',
      '--profession',
      'secretaire-medical',
    ]
    expect(await run('user:create', ...args, '--role', 'delegate')).toBe(EXIT.usage)
    expect(err.pop()).toContain('--acts-for: is required for a delegate')
    expect(await run('user:create', ...args, '--role', 'delegate', '--acts-for', 'nobody')).toBe(EXIT.refused)
    expect(err.pop()).toContain('Refused: no user nobody in « Équipe mobile »')
    expect(await store.findUserByLogin('secretaire')).toBeNull()

    expect(await run('user:create', ...args, '--role', 'delegate', '--acts-for', 'medecin.martin')).toBe(
      EXIT.ok,
    )
    const doctor = await store.findUserByLogin('medecin.martin')
    const secretary = await store.findUserByLogin('secretaire')
    expect(await store.listRoleGrants(secretary?.user.id ?? '')).toEqual([
      expect.objectContaining({ role: 'delegate', actsForUserId: doctor?.user.id }),
    ])
  })

  it.each([
    [['--rpps', '123'], '--rpps: RPPS 123: 3 characters, but an RPPS number has 11 digits'],
    [['--rpps', '10012345674'], '--rpps: RPPS 10012345674: wrong check digit'],
    [['--adeli', '123456789'], '--adeli: give at most one professional number'],
    [['--email', 'not-an-email'], '--email:'],
    [['--password', 'short'], '--password: a password has at least 8 characters'],
    [['--acts-for', 'someone'], '--acts-for: is required for a delegate, and only for one'],
  ])('refuses user:create with %j', async (extra, message) => {
    await createTeam()
    expect(await createDoctor(...extra)).toBe(EXIT.usage)
    expect(err.at(-1)).toContain(message)
  })

  it.each([
    [['--adeli', '751234567'], '--adeli: ADELI 751234567: wrong check digit'],
    [['--inami', '12345678001'], '--inami: INAMI 12345678001: wrong check digits'],
    [['--niss', '85073003329'], '--niss: NISS 85073003329: wrong check digits'],
    [['--niss', '8507300332'], '--niss: NISS 8507300332: 10 characters, but a NISS number has 11 digits'],
    [['--adeli', ''], '--adeli: ADELI: the number is empty'],
  ])('refuses user:create with the professional number %j, naming the problem', async (id, message) => {
    await createTeam()
    const args = ['--org', '010000016', '--login', 'pro.x', '--name', 'X', '--profession', 'infirmier']
    expect(await run('user:create', ...args, '--role', 'vaccinator', ...id)).toBe(EXIT.usage)
    expect(err).toEqual([`Invalid input for user:create: ${message}`])
    expect(await store.findUserByLogin('pro.x')).toBeNull()
  })

  it.each([
    ['--adeli', '75 123 456 8', { kind: 'adeli', value: '751234568' }],
    ['--inami', '1-23456-25-001', { kind: 'inami', value: '12345625001' }],
    ['--niss', '85.07.30-033.28', { kind: 'niss', value: '85073003328' }],
    // Born in 2015: read in the 2000s because that year is not after the clock's today.
    ['--niss', '15073003342', { kind: 'niss', value: '15073003342' }],
  ])('stores a valid %s number normalised', async (flag, typed, professionalId) => {
    await createTeam()
    const args = ['--org', '010000016', '--login', 'pro.y', '--name', 'Y', '--profession', 'infirmier']
    expect(await run('user:create', ...args, '--role', 'vaccinator', flag, typed)).toBe(EXIT.ok)
    expect((await store.findUserByLogin('pro.y'))?.user.professionalId).toEqual(professionalId)
  })

  it('creates a Belgian organisation from its 8-digit INAMI number, key-checked', async () => {
    expect(await run('org:create', '--name', 'MR Les Saules', '--inami', '1234 5625')).toBe(EXIT.ok)
    expect(await store.listOrganisations()).toEqual([
      expect.objectContaining({ country: 'BE', inami: '12345625' }),
    ])
  })

  it('revokes a device, which then cannot sync, and says so when it is unknown or already revoked', async () => {
    await createTeam()
    const [org] = await store.listOrganisations()
    const registered = await store.registerDevice({
      id: 'tablet-1',
      organisationId: org?.id ?? '',
      userId: null,
      name: 'Tablette 1',
      tokenHash: 'h',
    })
    expect(registered.ok).toBe(true)
    out = []
    expect(await run('devices:revoke', '--device', 'tablet-1')).toBe(EXIT.ok)
    expect(out).toEqual([
      'Revoked device tablet-1 (Tablette 1): it can no longer sync; its unsent changes stay on it, exportable.',
    ])
    expect(await store.getDevice('tablet-1')).toMatchObject({ revokedAt: '2026-03-04T09:15:00.000Z' })

    expect(await run('devices:revoke', '--device', 'tablet-1')).toBe(EXIT.refused)
    expect(err.pop()).toBe(
      'Refused: device tablet-1 (Tablette 1) was already revoked on 2026-03-04T09:15:00.000Z.',
    )
    expect(await run('devices:revoke', '--device', 'nope')).toBe(EXIT.refused)
    expect(err.pop()).toBe('Refused: no device with id nope.')
    expect(await run('devices:revoke')).toBe(EXIT.usage)
  })

  it('refuses a taken login and an unknown organisation without side effects', async () => {
    await createTeam()
    await createDoctor()
    expect(await createDoctor()).toBe(EXIT.refused)
    expect(err.pop()).toBe('Refused: the login medecin.martin is already taken.')
    const doctor = await store.findUserByLogin('medecin.martin')
    expect(await store.listRoleGrants(doctor?.user.id ?? '')).toHaveLength(1)

    expect(
      await run(
        'user:create',
        '--org',
        '130000003',
        '--login',
        'x.y',
        '--name',
        'X',
        '--profession',
        'medecin',
        '--role',
        'vaccinator',
      ),
    ).toBe(EXIT.refused)
    expect(err.pop()).toBe('Refused: no organisation with id or FINESS 130000003.')
  })

  it('resets a password', async () => {
    await createTeam()
    await createDoctor('--password', 'first password')
    out = []
    expect(await run('user:reset-password', '--login', 'MEDECIN.MARTIN')).toBe(EXIT.ok)
    expect(out[0]).toBe('Password of medecin.martin reset.')
    const password = /^Password: (\S+)/.exec(out[1] ?? '')?.[1] ?? ''
    const hash = (await store.findUserByLogin('medecin.martin'))?.passwordHash ?? ''
    expect(await verifyPassword(password, hash)).toBe(true)
    expect(await verifyPassword('first password', hash)).toBe(false)

    expect(await run('user:reset-password', '--login', 'nobody')).toBe(EXIT.refused)
    expect(await run('user:reset-password')).toBe(EXIT.usage)
  })

  it('lists devices, for all organisations or one', async () => {
    expect(await run('devices:list')).toBe(EXIT.ok)
    expect(out).toEqual(['No devices registered.'])
    await createTeam()
    const [org] = await store.listOrganisations()
    await store.registerDevice({
      organisationId: org?.id ?? '',
      userId: null,
      name: 'Tablette 1',
      tokenHash: 'h',
    })
    out = []
    expect(await run('devices:list', '--org', '010000016')).toBe(EXIT.ok)
    expect(out[0]).toMatch(/Tablette 1 {2}org .* last seen never {2}pending \? {2}active$/)
    expect(out[1]).toBe('1 device(s).')
    expect(await run('devices:list', '--org', '130000003')).toBe(EXIT.refused)
  })

  it('backs up SQLite to a timestamped file under DATA_DIR/backups and never overwrites', async () => {
    await createTeam()
    expect(await run('backup')).toBe(EXIT.ok)
    const expected = join(dataDir, 'backups', 'carnet-2026-03-04T09-15-00-000Z.sqlite')
    expect(out.at(-1)).toMatch(new RegExp(`^Backup written to ${expected} \\(\\d+ bytes\\)\\.$`))
    const copy = openSqliteStore({ file: expected, clock })
    expect(await copy.listOrganisations()).toHaveLength(1)
    await copy.close()

    expect(await run('backup')).toBe(EXIT.refused)
    const custom = join(dataDir, 'mine.sqlite')
    writeFileSync(custom, '')
    expect(await run('backup', '--out', custom)).toBe(EXIT.refused)
    expect(err.at(-1)).toBe(`Refused: ${custom} already exists.`)
  })

  it('prints the pg_dump command on PostgreSQL, without the password', async () => {
    const url = 'postgres://carnet:s3cret@db.example:5432/carnet'
    const pgStore = openPostgresStore({ url, clock })
    try {
      const code = await runAdminCommand(['backup'], {
        ...deps,
        config: { dataDir, database: { kind: 'postgres', url } },
        store: async () => pgStore,
      })
      expect(code).toBe(EXIT.refused)
      expect(err.join('\n')).toContain("pg_dump --format=custom --file='")
      expect(err.join('\n')).toContain('postgres://carnet@db.example:5432/carnet')
      expect(err.join('\n')).not.toContain('s3cret')
      expect(existsSync(join(dataDir, 'backups'))).toBe(false)
    } finally {
      await pgStore.close()
    }
  })
})
