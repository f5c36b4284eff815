import { generateReadablePassword, hashPassword } from './auth/passwords'
import type { NewOrganisation, Profession, ProfessionalId, Role, Store } from './store'
import type { NewAccessRequest } from './store/admin-queries'

type DemoUser = {
  readonly login: string
  readonly displayName: string
  readonly profession: Profession
  readonly professionalId: ProfessionalId | null
  readonly role: Role
  readonly actsFor?: string
}

type DemoAccessRequest = Omit<NewAccessRequest, 'organisationId'>

type DemoOrganisation = NewOrganisation & {
  readonly users: readonly DemoUser[]
  readonly accessRequests?: readonly DemoAccessRequest[]
}

// Synthetic RPPS numbers: 11 digits with a valid Luhn key, in no real professional's range.
export const DEMO_ORGANISATIONS: readonly DemoOrganisation[] = [
  {
    name: 'Équipe mobile de vaccination (démo)',
    kind: 'mobile-team',
    country: 'FR',
    finess: '010000016',
    users: [
      {
        login: 'medecin.demo',
        displayName: 'Dr Camille Martin',
        profession: 'medecin',
        professionalId: { kind: 'rpps', value: '10012345673' },
        role: 'vaccinator',
      },
      {
        login: 'infirmier.demo',
        displayName: 'Julien Bernard',
        profession: 'infirmier',
        professionalId: { kind: 'rpps', value: '10098765430' },
        role: 'vaccinator',
      },
      {
        login: 'secretaire.demo',
        displayName: 'Sophie Petit',
        profession: 'secretaire-medical',
        professionalId: null,
        role: 'delegate',
        actsFor: 'medecin.demo',
      },
      {
        login: 'gestionnaire.demo',
        displayName: 'Nadia Roux',
        profession: 'administratif',
        professionalId: null,
        role: 'access-manager',
      },
      {
        login: 'admin.demo',
        displayName: 'Thomas Leroy',
        profession: 'administratif',
        professionalId: null,
        role: 'sync-admin',
      },
    ],
    // One pending request, so that the access manager's page shows what a request looks like.
    accessRequests: [
      {
        name: 'Dr Léa Moreau',
        profession: 'pharmacien',
        professionalIdKind: 'rpps',
        professionalIdValue: '10024681354',
        email: 'lea.moreau@example.org',
        phone: '06 12 34 56 78',
        message: 'Pharmacienne, je rejoins l’équipe mobile pour la campagne de vaccination.',
      },
    ],
  },
  {
    name: 'EHPAD Les Tilleuls (démo)',
    kind: 'nursing-home',
    country: 'FR',
    finess: '130000003',
    users: [
      {
        login: 'medecin.ehpad',
        displayName: 'Dr Hélène Garnier',
        profession: 'medecin',
        professionalId: { kind: 'rpps', value: '10000000017' },
        role: 'vaccinator',
      },
    ],
  },
]

export type DemoAccount = {
  readonly organisation: string
  readonly login: string
  readonly role: Role
  readonly actsFor: string | null
}

export type DemoSeed =
  | { readonly created: false }
  | {
      readonly created: true
      readonly accounts: readonly DemoAccount[]
      readonly password: string
      readonly passwordWasGenerated: boolean
    }

/** Creates the demo organisations and accounts of the sync protocol, only on a database with no organisation. */
export async function seedDemo(
  store: Store,
  options: { readonly password: string | null },
): Promise<DemoSeed> {
  if (!(await store.isEmpty())) return { created: false }
  const password = options.password ?? generateReadablePassword()
  const hashes = new Map<string, string>()
  for (const user of DEMO_ORGANISATIONS.flatMap((o) => o.users)) {
    hashes.set(user.login, await hashPassword(password))
  }

  const accounts = await store.withTransaction(async (tx) => {
    // Re-checked inside the transaction: two instances starting on one new database seed once.
    if (!(await tx.isEmpty())) return null
    const created: DemoAccount[] = []
    for (const { users, accessRequests = [], ...organisationInput } of DEMO_ORGANISATIONS) {
      const organisation = await tx.createOrganisation(organisationInput)
      if (!organisation.ok)
        throw new Error(`demo organisation ${organisationInput.name}: ${organisation.error}`)
      const ids = new Map<string, string>()
      for (const demo of users) {
        const user = await tx.createUser({
          organisationId: organisation.value.id,
          login: demo.login,
          displayName: demo.displayName,
          profession: demo.profession,
          professionalId: demo.professionalId,
          passwordHash: hashes.get(demo.login) ?? null,
        })
        if (!user.ok) throw new Error(`demo user ${demo.login}: ${user.error}`)
        ids.set(demo.login, user.value.id)
        const actsForUserId = demo.actsFor === undefined ? null : (ids.get(demo.actsFor) ?? null)
        await tx.grantRole({
          userId: user.value.id,
          organisationId: organisation.value.id,
          role: demo.role,
          actsForUserId,
        })
        created.push({
          organisation: organisation.value.name,
          login: demo.login,
          role: demo.role,
          actsFor: demo.actsFor ?? null,
        })
      }
      for (const request of accessRequests) await tx.createAccessRequest(organisation.value.id, request)
    }
    return created
  })
  if (accounts === null) return { created: false }
  return { created: true, accounts, password, passwordWasGenerated: options.password === null }
}

const ROLE_LABELS: Record<Role, string> = {
  vaccinator: 'vaccinator',
  delegate: 'delegate',
  'access-manager': 'access manager',
  'sync-admin': 'sync administrator',
}

/** The block printed once at first start, listing the demo accounts and their password. */
export function formatDemoBlock(seed: Extract<DemoSeed, { created: true }>): string {
  const width = Math.max(...seed.accounts.map((a) => a.login.length))
  const lines: string[] = []
  let organisation = ''
  for (const account of seed.accounts) {
    if (account.organisation !== organisation) {
      organisation = account.organisation
      lines.push(`  ${organisation}`)
    }
    const actsFor = account.actsFor === null ? '' : ` for ${account.actsFor}`
    lines.push(`    ${account.login.padEnd(width)}  ${ROLE_LABELS[account.role]}${actsFor}`)
  }
  const passwordLine = seed.passwordWasGenerated
    ? `  Password (all accounts): ${seed.password}   <- shown only this once; note it now`
    : '  Password (all accounts): the value of CARNET_DEMO_PASSWORD'
  const rule = '='.repeat(72)
  return [rule, '  Carnet demo data created', ...lines, passwordLine, rule, ''].join('\n')
}
