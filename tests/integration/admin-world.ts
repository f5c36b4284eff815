// The administration suites' world: the real app in-process on the demo organisations (sync-helpers.ts), people
// holding each role with a chosen validity in time, their access tokens, and fresh resources (a device, a
// rejection, an access request, a member with a grant) in either organisation.
import type { FastifyInstance } from 'fastify'
import { expect } from 'vitest'
import { issueToken } from '../../sync-server/src/auth/tokens'
import type { Role, User } from '../../sync-server/src/store'
import { AdminErrorResponseSchema } from '../../src/shared/admin-api'
import {
  mutation,
  newDeviceId,
  newId,
  NOW,
  startSyncServer,
  type StoreKind,
  type SyncHarness,
} from './sync-helpers'

export { NOW }

/** One day in milliseconds. */
export const DAY = 24 * 60 * 60_000

/** When a role holds relative to the server's now. */
export type Validity = 'valid' | 'expired' | 'future'

const iso = (ms: number) => new Date(ms).toISOString()

/** The grant period of each validity: valid since yesterday, ended yesterday, or starting tomorrow. */
export const PERIODS: Record<Validity, { startsAt: string; endsAt: string | null }> = {
  valid: { startsAt: iso(NOW - DAY), endsAt: null },
  expired: { startsAt: iso(NOW - 10 * DAY), endsAt: iso(NOW - DAY) },
  future: { startsAt: iso(NOW + DAY), endsAt: null },
}

export type Signed = { readonly user: User; readonly accessToken: string; readonly deviceId: string }

export type AdminWorld = {
  readonly h: SyncHarness
  readonly orgA: string
  readonly orgB: string
  /** The demo users by login. */
  readonly demo: ReadonlyMap<string, User>
  /** A new member of `org` holding `roles` (each with `validity`), signed in on a device of their own. */
  person(org: string, roles: readonly Role[], validity?: Validity): Promise<Signed>
  /** A demo user signed in (session opened directly, as a sign-in would). */
  signedIn(login: string): Promise<Signed>
  /** Fresh resources of `org` for one request. */
  resources(org: string): Promise<Resources>
  close(): Promise<void>
}

export type Resources = {
  readonly deviceId: string
  readonly rejectionId: string
  readonly requestId: string
  readonly userId: string
  readonly grantId: string
}

let counter = 0
const unique = (prefix: string) => `${prefix}.${process.pid}.${++counter}`

/** Starts the app on a new database of `kind` with the demo organisations. */
export async function startAdminWorld(kind: StoreKind): Promise<AdminWorld> {
  const h = await startSyncServer(kind)
  const organisations = await h.store.listOrganisations()
  const orgA = organisations.find((o) => o.finess === '010000016')?.id ?? ''
  const orgB = organisations.find((o) => o.finess === '130000003')?.id ?? ''
  const demo = new Map<string, User>()
  for (const org of [orgA, orgB]) for (const u of await h.store.listUsers(org)) demo.set(u.login, u)
  const medecinOf = (org: string) => (org === orgA ? demo.get('medecin.demo') : demo.get('medecin.ehpad'))

  async function openSession(user: User): Promise<Signed> {
    const token = issueToken()
    const deviceId = newDeviceId()
    const access = issueToken()
    await h.store.withTransaction(async (tx) => {
      const device = await tx.registerDevice({
        id: deviceId,
        organisationId: user.organisationId,
        userId: user.id,
        name: `Poste ${user.login}`,
        tokenHash: token.hash,
      })
      if (!device.ok) throw new Error(device.error)
      await tx.createSession({
        tokenHash: access.hash,
        userId: user.id,
        deviceId,
        expiresAt: iso(NOW + 8 * 60 * 60_000),
      })
    })
    return { user, accessToken: access.token, deviceId }
  }

  async function member(org: string, roles: readonly Role[], validity: Validity): Promise<User> {
    return h.store.withTransaction(async (tx) => {
      const created = await tx.createUser({
        organisationId: org,
        login: unique('membre'),
        displayName: `Membre ${counter}`,
        profession: 'infirmier',
        professionalId: null,
        passwordHash: null,
      })
      if (!created.ok) throw new Error(created.error)
      for (const role of roles) {
        await tx.grantRole({
          userId: created.value.id,
          organisationId: org,
          role,
          actsForUserId: role === 'delegate' ? (medecinOf(org)?.id ?? null) : null,
          ...PERIODS[validity],
        })
      }
      return created.value
    })
  }

  return {
    h,
    orgA,
    orgB,
    demo,
    async person(org, roles, validity = 'valid') {
      return openSession(await member(org, roles, validity))
    },
    async signedIn(login) {
      const user = demo.get(login)
      if (user === undefined) throw new Error(`no demo user ${login}`)
      return openSession(user)
    },
    async resources(org) {
      const target = await member(org, ['vaccinator'], 'valid')
      const [grant] = await h.store.listRoleGrants(target.id)
      const author = await openSession(target)
      const rejectionId = newId('rej')
      const session = {
        deviceId: author.deviceId,
        deviceToken: 'unused',
        deviceKey: Buffer.from('key').toString('base64'),
        userId: target.id,
        organisationId: org,
        nextSeq: 1,
      }
      const rejected = mutation(session, 'patient.update', {
        patientId: newId('p'),
        changes: { firstNames: 'Anne' },
      })
      await h.store.withTransaction(async (tx) => {
        const last = await tx.lockPositions(org)
        await tx.writePush({
          organisationId: org,
          deviceId: author.deviceId,
          lastSeq: 1,
          lastPosition: last,
          receivedAt: iso(NOW - 60_000),
          patients: [],
          steps: [],
          adverseEvents: [],
          lots: [],
          aliases: [],
          changes: [],
          results: [],
          rejections: [
            {
              mutationId: rejectionId,
              deviceId: author.deviceId,
              userId: target.id,
              seq: 1,
              mutation: { ...rejected, id: rejectionId },
              error: 'patient-not-found',
              detail: { patientId: 'p-unknown' },
              rejectedAt: iso(NOW - 60_000),
            },
          ],
          audit: [],
        })
      })
      const request = await h.store.createAccessRequest(org, {
        name: 'Dr Paul Durand',
        profession: 'medecin',
        professionalIdKind: 'rpps',
        professionalIdValue: '10024681354',
        email: 'paul.durand@example.org',
        phone: '06 00 00 00 00',
        message: null,
      })
      return {
        deviceId: author.deviceId,
        rejectionId,
        requestId: request.id,
        userId: target.id,
        grantId: grant?.id ?? '',
      }
    },
    close: () => h.close(),
  }
}

/** An admin request with the access token of `who`. */
export function call(
  app: FastifyInstance,
  who: Pick<Signed, 'accessToken'> | null,
  method: 'GET' | 'POST' | 'PATCH',
  url: string,
  payload?: unknown,
) {
  return app.inject({
    method,
    url,
    headers: who === null ? {} : { authorization: `Bearer ${who.accessToken}` },
    ...(payload === undefined ? {} : { payload: payload as Record<string, unknown> }),
  })
}

/** Expects an error answer of the administration API with `status` and `error`; answers its body. */
export function expectAdminError(
  res: { statusCode: number; body: string; json(): unknown },
  status: number,
  error: string,
) {
  expect(res.statusCode, res.body).toBe(status)
  const body = AdminErrorResponseSchema.parse(res.json())
  expect(body.error).toBe(error)
  return body
}

export { unique }
