// The authorisation matrix: every administration endpoint × every role (and no role) × the role valid, expired or
// not yet valid × a resource of one's own or of another organisation, against the real app. The expectations come
// from the table below, written from product.md, not from src/domain/access/permissions.ts, so that a mistake
// there shows here.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Role } from '../../sync-server/src/store'
import {
  call,
  DAY,
  expectAdminError,
  NOW,
  startAdminWorld,
  unique,
  type AdminWorld,
  type Resources,
  type Signed,
  type Validity,
} from './admin-world'
import { STORE_KINDS } from './sync-helpers'

type Endpoint = {
  readonly method: 'GET' | 'POST' | 'PATCH'
  /** The URL, with the resources of the organisation the request targets. */
  readonly url: (r: Resources) => string
  readonly body?: (r: Resources) => unknown
  /** Who may call it, by role (product.md "Accounts and access", "Sync administration dashboard"). */
  readonly allowed: readonly Role[]
  /** Whether the URL names a resource (another organisation's answers 404); lists only show one's own. */
  readonly namesResource: boolean
}

const MANAGER: readonly Role[] = ['access-manager']
const SYNC_ADMIN: readonly Role[] = ['sync-admin']
const BOTH: readonly Role[] = ['access-manager', 'sync-admin']
const future = new Date(NOW + 30 * DAY).toISOString()

const ENDPOINTS: Record<string, Endpoint> = {
  'read the organisation': {
    method: 'GET',
    url: () => '/api/admin/organisation',
    allowed: BOTH,
    namesResource: false,
  },
  'add a site': {
    method: 'POST',
    url: () => '/api/admin/organisation/sites',
    body: () => ({ name: 'Gymnase municipal', postalCode: '75012' }),
    allowed: MANAGER,
    namesResource: false,
  },
  'set the idle lock of devices': {
    method: 'PATCH',
    url: () => '/api/admin/organisation',
    body: () => ({ idleLockMinutes: 5 }),
    allowed: SYNC_ADMIN,
    namesResource: false,
  },
  'list devices': {
    method: 'GET',
    url: () => '/api/admin/devices',
    allowed: SYNC_ADMIN,
    namesResource: false,
  },
  'revoke a device': {
    method: 'POST',
    url: (r) => `/api/admin/devices/${r.deviceId}/revoke`,
    allowed: SYNC_ADMIN,
    namesResource: true,
  },
  "import a device's export": {
    method: 'POST',
    url: (r) => `/api/admin/devices/${r.deviceId}/import`,
    body: (r) => ({ deviceId: r.deviceId, mutations: [] }),
    allowed: SYNC_ADMIN,
    namesResource: true,
  },
  'list rejections': {
    method: 'GET',
    url: () => '/api/admin/rejections',
    allowed: SYNC_ADMIN,
    namesResource: false,
  },
  'resolve a rejection': {
    method: 'POST',
    url: (r) => `/api/admin/rejections/${r.rejectionId}/resolve`,
    body: () => ({ resolution: 'discarded', note: 'doublon' }),
    allowed: SYNC_ADMIN,
    namesResource: true,
  },
  'list users': { method: 'GET', url: () => '/api/admin/users', allowed: MANAGER, namesResource: false },
  'create a user': {
    method: 'POST',
    url: () => '/api/admin/users',
    body: () => ({ login: unique('nouveau'), name: 'Marie Curie', profession: 'infirmier' }),
    allowed: MANAGER,
    namesResource: false,
  },
  "read a user's grants": {
    method: 'GET',
    url: (r) => `/api/admin/users/${r.userId}/grants`,
    allowed: MANAGER,
    namesResource: true,
  },
  'grant a role': {
    method: 'POST',
    url: (r) => `/api/admin/users/${r.userId}/grants`,
    body: () => ({ role: 'vaccinator', startsAt: new Date(NOW).toISOString() }),
    allowed: MANAGER,
    namesResource: true,
  },
  'end a grant': {
    method: 'POST',
    url: (r) => `/api/admin/grants/${r.grantId}/end`,
    body: () => ({ endsAt: future }),
    allowed: MANAGER,
    namesResource: true,
  },
  'revoke a grant': {
    method: 'POST',
    url: (r) => `/api/admin/grants/${r.grantId}/revoke`,
    allowed: MANAGER,
    namesResource: true,
  },
  'list access requests': {
    method: 'GET',
    url: () => '/api/admin/access-requests',
    allowed: MANAGER,
    namesResource: false,
  },
  'approve an access request': {
    method: 'POST',
    url: (r) => `/api/admin/access-requests/${r.requestId}/approve`,
    body: () => ({
      login: unique('approuve'),
      roles: [{ role: 'vaccinator', startsAt: new Date(NOW).toISOString() }],
    }),
    allowed: MANAGER,
    namesResource: true,
  },
  'refuse an access request': {
    method: 'POST',
    url: (r) => `/api/admin/access-requests/${r.requestId}/refuse`,
    body: () => ({ reason: 'Inconnu du service' }),
    allowed: MANAGER,
    namesResource: true,
  },
  'read the audit log': { method: 'GET', url: () => '/api/admin/audit', allowed: BOTH, namesResource: false },
  'export the audit log': {
    method: 'GET',
    url: () => '/api/admin/audit.csv',
    allowed: BOTH,
    namesResource: false,
  },
  'read the activity': {
    method: 'GET',
    url: () => '/api/admin/activity',
    allowed: SYNC_ADMIN,
    namesResource: false,
  },
  'export the activity': {
    method: 'GET',
    url: () => '/api/admin/activity.csv',
    allowed: SYNC_ADMIN,
    namesResource: false,
  },
}

const ROLES: readonly (Role | null)[] = ['vaccinator', 'delegate', 'access-manager', 'sync-admin', null]
const VALIDITIES: readonly Validity[] = ['valid', 'expired', 'future']
const ORGS = ['own', 'other'] as const

type Case = { endpoint: string; role: Role | null; validity: Validity; org: (typeof ORGS)[number] }

const CASES: Case[] = Object.keys(ENDPOINTS).flatMap((endpoint) =>
  ROLES.flatMap((role) =>
    (role === null ? (['valid'] as const) : VALIDITIES).flatMap((validity) =>
      ORGS.map((org) => ({ endpoint, role, validity, org })),
    ),
  ),
)

/** The expected status class, from the table: a permission first, then the resource's organisation. */
function expected(c: Case): 'allowed' | 'forbidden' | 'not-found' {
  const endpoint = ENDPOINTS[c.endpoint]!
  const holds = c.role !== null && c.validity === 'valid' && endpoint.allowed.includes(c.role)
  if (!holds) return 'forbidden'
  return c.org === 'other' && endpoint.namesResource ? 'not-found' : 'allowed'
}

describe.each(STORE_KINDS)('administration authorisation (%s)', (kind) => {
  let world: AdminWorld
  const people = new Map<string, Signed>()

  beforeAll(async () => {
    world = await startAdminWorld(kind)
    for (const role of ROLES) {
      for (const validity of role === null ? (['valid'] as const) : VALIDITIES) {
        people.set(
          `${role}/${validity}`,
          await world.person(world.orgA, role === null ? [] : [role], validity),
        )
      }
    }
  })
  afterAll(async () => {
    await world.close()
  })

  it('covers every endpoint, role, validity and organisation', () => {
    expect(CASES).toHaveLength(21 * (4 * 3 + 1) * 2)
  })

  it('refuses every endpoint without an access token', async () => {
    const resources = await world.resources(world.orgA)
    for (const endpoint of Object.values(ENDPOINTS)) {
      const res = await call(
        world.h.app,
        null,
        endpoint.method,
        endpoint.url(resources),
        endpoint.body?.(resources),
      )
      expectAdminError(res, 401, 'unauthenticated')
    }
  })

  it.each(CASES)('$endpoint as $role ($validity) on $org organisation', async (c) => {
    const endpoint = ENDPOINTS[c.endpoint]!
    const who = people.get(`${c.role}/${c.validity}`)!
    const own = await world.resources(world.orgA)
    const other = await world.resources(world.orgB)
    const target = c.org === 'own' ? own : other
    const res = await call(world.h.app, who, endpoint.method, endpoint.url(target), endpoint.body?.(target))
    switch (expected(c)) {
      case 'allowed':
        expect(res.statusCode, res.body).toBeGreaterThanOrEqual(200)
        expect(res.statusCode, res.body).toBeLessThan(300)
        // A list shows only the actor's organisation: nothing of the other one's resources.
        for (const id of Object.values(other)) expect(res.body).not.toContain(id)
        break
      case 'forbidden': {
        const body = expectAdminError(res, 403, 'forbidden')
        expect(body.detail?.need).toEqual(expect.any(String))
        break
      }
      case 'not-found':
        expectAdminError(res, 404, 'not-found')
        break
    }
  })
})
