// The administration API (src/shared/admin-api.ts): organisation, devices, rejections, users and grants, access
// requests, audit and activity. Every route runs behind the user's access token; the permission is checked first
// (403 `forbidden` with `need`), then the resource's organisation (another organisation's id is `not-found`),
// with the rules of src/domain/access/permissions.ts.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import { z, type ZodType } from 'zod'
import { authorise, type AdminActor, type Permission } from '../../../src/domain/access/permissions'
import { toCsv } from '../../../src/domain/exports/csv'
import { addDays } from '../../../src/domain/time/calendar'
import {
  AccessRequestListQuerySchema,
  ActivityQuerySchema,
  AdminResolveRejectionRequestSchema,
  ApproveAccessRequestSchema,
  AuditFilterSchema,
  AuditQuerySchema,
  CreateSiteRequestSchema,
  CreateUserRequestSchema,
  DeviceListQuerySchema,
  EndGrantRequestSchema,
  GrantRoleRequestSchema,
  RefuseAccessRequestSchema,
  RejectionListQuerySchema,
  RevokeDeviceRequestSchema,
  UpdateOrganisationRequestSchema,
  UserListQuerySchema,
  type AccessRequestListResponse,
  type ActivityResponse,
  type AdminDevice,
  type AdminGrant,
  type AdminOrganisation,
  type AdminRejection,
  type AdminSite,
  type ApproveAccessRequestResponse,
  type AuditListResponse,
  type CreateUserResponse,
  type DeviceListResponse,
  type GrantListResponse,
  type GrantRoleResponse,
  type ImportOutboxResponse,
  type RejectionListResponse,
  type UserListResponse,
} from '../../../src/shared/admin-api'
import { IdSchema } from '../../../src/shared/primitives'
import { IDLE_LOCK_MINUTES } from '../../../src/shared/sync-api'
import { toOrganisationRecord } from '../auth/records'
import { authenticatedUser, requireUser } from '../auth/request-auth'
import type { Clock } from '../clock'
import { issuesOf } from '../http-errors'
import type { Store } from '../store'
import type { AuditFilter, RejectionListRow } from '../store/admin-queries'
import { toIso } from '../store/queries'
import {
  approveAccessRequest,
  createAccount,
  endGrant,
  grantRoles,
  passwordLinkPath,
  refuseAccessRequest,
  revokeGrant,
  RETURN_ONLY_SENDER,
  type Acting,
  type IssuedLink,
  type PasswordLinkSender,
} from '../rules/admin-accounts'
import { activityOf, DEFAULT_ACTIVITY_DAYS, MAX_ACTIVITY_DAYS } from '../rules/admin-activity'
import {
  adminRefusal,
  appendAdminAudit,
  decodeKeyset,
  loadActor,
  pageOf,
  type AdminRefusal,
} from '../rules/admin-context'
import {
  adminAccessRequestOf,
  adminAuditEventOf,
  adminDeviceOf,
  adminGrantOf,
  adminRejectionOf,
  adminUserOf,
  mutationFactsOf,
  patientNameOf,
  peopleOfGrants,
} from '../rules/admin-views'
import { deviceIdOfExport, importOutbox, MAX_IMPORT_BYTES } from '../rules/sync-import'
import { resolveRejection } from '../rules/sync-rejections'
import { deviceTopic, type SyncEvents } from '../rules/sync-events'

export type AdminRouteDeps = {
  readonly store: Store
  readonly clock: Clock
  readonly events?: SyncEvents
  /** Hands new users their set-password link; by default the link is only shown to the manager. */
  readonly passwordLinkSender?: PasswordLinkSender
  /** The app's public origin (https://carnet.example.org) for the links; the request's own origin when absent. */
  readonly publicUrl?: string | null
}

/** The most audit rows one CSV export holds (a narrower filter exports the rest). */
export const MAX_AUDIT_CSV_ROWS = 100_000

const IdParams = z.object({ id: IdSchema })

// The code of a refused write, kept for the audit row written once the answer is sent.
const refusedCodes = new WeakMap<FastifyRequest, string>()

const send = (reply: FastifyReply, refusal: AdminRefusal) => {
  if (refusal.status === 403) refusedCodes.set(reply.request, refusal.body.error)
  return reply.code(refusal.status).send(refusal.body)
}

function parse<T>(reply: FastifyReply, schema: ZodType<T>, value: unknown): T | null {
  const parsed = schema.safeParse(value ?? {})
  if (parsed.success) return parsed.data
  void reply.code(400).send({ error: 'invalid-request', issues: issuesOf(parsed.error) })
  return null
}

const textOrNull = (q: string | undefined) => (q === undefined || q === '' ? null : q)

const auditFilterOf = (f: z.infer<typeof AuditFilterSchema>): AuditFilter => ({
  ...(f.userId === undefined ? {} : { userId: f.userId }),
  ...(f.patientId === undefined ? {} : { patientId: f.patientId }),
  ...(f.action === undefined ? {} : { action: f.action }),
  ...(f.from === undefined ? {} : { from: toIso(f.from) }),
  ...(f.to === undefined ? {} : { to: toIso(f.to) }),
})

/** Registers /api/admin/* (sync-protocol.md: admin requests carry the user's access token). */
export function registerAdminRoutes(app: FastifyInstance, deps: AdminRouteDeps): void {
  const userOnly = requireUser(deps)
  const sender = deps.passwordLinkSender ?? RETURN_ONLY_SENDER
  const now = () => deps.clock.now().toISOString()

  /** The acting person when they hold `permission` in their organisation now; otherwise the 403 is sent. */
  async function allowed(
    request: FastifyRequest,
    reply: FastifyReply,
    permission: Permission,
  ): Promise<Acting | null> {
    const user = authenticatedUser(request)
    const actor: AdminActor = await loadActor(deps.store, user)
    const outcome = authorise(actor, permission, now())
    if (!outcome.ok) {
      void send(reply, adminRefusal(outcome.error, outcome.detail))
      return null
    }
    return { actor, deviceId: user.deviceId }
  }

  function idOf(request: FastifyRequest, reply: FastifyReply): string | null {
    const params = IdParams.safeParse(request.params)
    if (params.success) return params.data.id
    void send(reply, adminRefusal('not-found'))
    return null
  }

  function cursorOf(reply: FastifyReply, cursor: string | undefined) {
    const keyset = decodeKeyset(cursor)
    if (keyset === undefined) void send(reply, adminRefusal('invalid-request', { field: 'cursor' }))
    return keyset
  }

  const linkUrl = (request: FastifyRequest, link: IssuedLink) =>
    `${deps.publicUrl ?? `${request.protocol}://${request.host}`}${passwordLinkPath(link.token)}`

  async function namesOf(ids: readonly (string | null)[]) {
    const known = ids.filter((id): id is string => id !== null)
    return new Map((await deps.store.userNames(known)).map((u) => [u.id, u.name]))
  }

  // A write refused for want of a permission (or sync administration granted by someone who is not one) is an
  // attempt the audit trail keeps: who, which route, on which id, and why.
  app.addHook('onResponse', async (request, reply) => {
    const code = refusedCodes.get(request)
    const user = request.user
    if (code === undefined || user === undefined || !['POST', 'PATCH'].includes(request.method)) return
    const params = IdParams.safeParse(request.params)
    const at = now()
    try {
      await deps.store.withTransaction(async (tx) => {
        await tx.lockPositions(user.organisationId)
        await appendAdminAudit(tx, [
          {
            organisationId: user.organisationId,
            userId: user.id,
            deviceId: user.deviceId,
            action: `${request.method} ${request.routeOptions.url ?? ''}`,
            entity: 'admin-request',
            entityId: params.success ? params.data.id : null,
            fields: null,
            at,
            outcome: 'refused',
            reason: code,
          },
        ])
      })
    } catch (error) {
      request.log.warn({ err: error, status: reply.statusCode }, 'refused admin write not audited')
    }
  })

  // ---- Organisation ----------------------------------------------------------------------------------------

  app.get('/api/admin/organisation', { preHandler: userOnly }, async (request, reply) => {
    const acting = await allowed(request, reply, 'read-organisation')
    if (acting === null) return reply
    const org = await deps.store.getOrganisation(acting.actor.organisationId)
    if (org === null) return send(reply, adminRefusal('not-found'))
    return adminOrganisation(org.id, reply)
  })

  async function adminOrganisation(id: string, reply: FastifyReply) {
    const org = await deps.store.getOrganisation(id)
    if (org === null) return send(reply, adminRefusal('not-found'))
    const [sites, idleLockMinutes] = await Promise.all([
      deps.store.listSites(org.id),
      deps.store.getIdleLockMinutes(org.id),
    ])
    return {
      id: org.id,
      name: org.name,
      kind: org.kind,
      country: org.country,
      finess: org.finess,
      inami: org.inami,
      enterpriseNumber: org.enterpriseNumber,
      idleLockMinutes: idleLockMinutes ?? IDLE_LOCK_MINUTES.default,
      sites,
    } satisfies AdminOrganisation
  }

  // The devices' settings travel to them in the organisation record: at sign-in, and by pull from now on.
  app.patch('/api/admin/organisation', { preHandler: userOnly }, async (request, reply) => {
    const acting = await allowed(request, reply, 'manage-device-security')
    if (acting === null) return reply
    const body = parse(reply, UpdateOrganisationRequestSchema, request.body)
    if (body === null) return reply
    const org = acting.actor.organisationId
    const updated = await deps.store.withTransaction(async (tx) => {
      await tx.lockPositions(org)
      const organisation = await tx.getOrganisation(org)
      if (organisation === null || !(await tx.setIdleLockMinutes(org, body.idleLockMinutes))) return false
      await tx.appendChanges(org, [
        {
          entity: 'organisation',
          entityId: org,
          version: null,
          data: toOrganisationRecord(organisation, { idleLockMinutes: body.idleLockMinutes }),
        },
      ])
      await appendAdminAudit(tx, [
        {
          organisationId: org,
          userId: acting.actor.userId,
          deviceId: acting.deviceId,
          action: 'organisation.update',
          entity: 'organisation',
          entityId: org,
          fields: ['idleLockMinutes'],
          at: now(),
        },
      ])
      return true
    })
    if (!updated) return send(reply, adminRefusal('not-found'))
    deps.events?.notify(org)
    return adminOrganisation(org, reply)
  })

  app.post('/api/admin/organisation/sites', { preHandler: userOnly }, async (request, reply) => {
    const acting = await allowed(request, reply, 'manage-sites')
    if (acting === null) return reply
    const body = parse(reply, CreateSiteRequestSchema, request.body)
    if (body === null) return reply
    const org = acting.actor.organisationId
    const site = await deps.store.withTransaction(async (tx) => {
      await tx.lockPositions(org)
      const created = await tx.createSite(org, body.name, body.postalCode ?? null)
      await appendAdminAudit(tx, [
        {
          organisationId: org,
          userId: acting.actor.userId,
          deviceId: acting.deviceId,
          action: 'site.create',
          entity: 'site',
          entityId: created.id,
          fields: ['name', ...(body.postalCode === undefined ? [] : ['postalCode'])],
          at: now(),
        },
      ])
      return created
    })
    return reply.code(201).send(site satisfies AdminSite)
  })

  // ---- Devices ---------------------------------------------------------------------------------------------

  app.get('/api/admin/devices', { preHandler: userOnly }, async (request, reply) => {
    const acting = await allowed(request, reply, 'read-devices')
    if (acting === null) return reply
    const query = parse(reply, DeviceListQuerySchema, request.query)
    if (query === null) return reply
    const after = cursorOf(reply, query.cursor)
    if (after === undefined) return reply
    const rows = await deps.store.listDevicePage(acting.actor.organisationId, {
      q: textOrNull(query.q),
      status: query.status ?? null,
      after,
      limit: query.limit + 1,
    })
    return pageOf(
      rows,
      query.limit,
      (r) => ({ key: r.registeredAt, id: r.id }),
      adminDeviceOf,
    ) satisfies DeviceListResponse
  })

  app.post('/api/admin/devices/:id/revoke', { preHandler: userOnly }, async (request, reply) => {
    const acting = await allowed(request, reply, 'revoke-devices')
    if (acting === null) return reply
    const id = idOf(request, reply)
    if (id === null) return reply
    const body = parse(reply, RevokeDeviceRequestSchema, request.body)
    if (body === null) return reply
    const org = acting.actor.organisationId
    const outcome = await deps.store.withTransaction(async (tx) => {
      const device = await tx.getDevice(id)
      if (device === null || device.organisationId !== org) return adminRefusal('not-found')
      await tx.lockPositions(org)
      const revoked = await tx.revokeDevice(id, acting.actor.userId, { mode: body.mode })
      if (!revoked.ok)
        return adminRefusal(revoked.error === 'device-not-found' ? 'not-found' : 'device-already-revoked')
      await appendAdminAudit(tx, [
        {
          organisationId: org,
          userId: acting.actor.userId,
          deviceId: acting.deviceId,
          action: 'device.revoke',
          entity: 'device',
          entityId: id,
          fields: ['revokedAt', 'revokeMode'],
          at: now(),
        },
      ])
      return null
    })
    if (outcome !== null) return send(reply, outcome)
    deps.events?.notify(org)
    // Its open event streams close at once, on every instance.
    deps.events?.notify(deviceTopic(id))
    const row = await deps.store.getDeviceRow(org, id)
    if (row === null) return send(reply, adminRefusal('not-found'))
    return adminDeviceOf(row) satisfies AdminDevice
  })

  // The export a device made of the changes it could not send (after a revocation « après export », or when it
  // cannot reach the server): opened with the device's keys and applied through the push path.
  app.post(
    '/api/admin/devices/:id/import',
    { preHandler: userOnly, bodyLimit: MAX_IMPORT_BYTES + 256 * 1024 },
    async (request, reply) => {
      const acting = await allowed(request, reply, 'revoke-devices')
      if (acting === null) return reply
      const id = idOf(request, reply)
      if (id === null) return reply
      const org = acting.actor.organisationId
      const source = await deps.store.getDevice(id)
      if (source === null || source.organisationId !== org) return send(reply, adminRefusal('not-found'))
      if (deviceIdOfExport(request.body) !== id) {
        return send(reply, adminRefusal('invalid-request', { field: 'deviceId' }))
      }
      const outcome = await importOutbox(deps, source, request.body)
      if (!outcome.ok) return reply.code(outcome.refusal.status).send(outcome.refusal.body)
      if (outcome.changed) deps.events?.notify(org)
      const results = outcome.response.results
      await deps.store.withTransaction(async (tx) => {
        await tx.lockPositions(org)
        await appendAdminAudit(tx, [
          {
            organisationId: org,
            userId: acting.actor.userId,
            deviceId: acting.deviceId,
            action: 'device.import',
            entity: 'device',
            entityId: id,
            fields: outcome.keysDestroyed ? ['lastSeq', 'keysDestroyedAt'] : ['lastSeq'],
            at: now(),
          },
        ])
      })
      const row = await deps.store.getDeviceRow(org, id)
      if (row === null) return send(reply, adminRefusal('not-found'))
      return {
        applied: results.filter((r) => r.status === 'applied' && r.replayed !== true).length,
        rejected: results.filter((r) => r.status === 'rejected' && r.replayed !== true).length,
        replayed: results.filter((r) => r.replayed === true).length,
        lastSeq: outcome.response.lastSeq,
        device: adminDeviceOf(row),
      } satisfies ImportOutboxResponse
    },
  )

  // ---- Rejections ------------------------------------------------------------------------------------------

  async function rejectionsView(
    org: string,
    rows: readonly RejectionListRow[],
  ): Promise<(row: RejectionListRow) => AdminRejection> {
    const facts = rows.map((r) => mutationFactsOf(r.mutation))
    const patientIds = [...new Set(facts.map((f) => f.patientId).filter((id) => id !== null))]
    const stepIds = [...new Set(facts.map((f) => f.stepId).filter((id) => id !== null))]
    const [patients, steps, names] = await Promise.all([
      deps.store.patientData(org, patientIds),
      deps.store.stepSummaries(org, stepIds),
      namesOf(facts.map((f) => f.onBehalfOf)),
    ])
    const patientMap = new Map(patients.map((p) => [p.id, patientNameOf(p.data)]))
    const stepMap = new Map(steps.map((s) => [s.id, s]))
    return (row) => adminRejectionOf(row, patientMap, stepMap, names)
  }

  app.get('/api/admin/rejections', { preHandler: userOnly }, async (request, reply) => {
    const acting = await allowed(request, reply, 'read-rejections')
    if (acting === null) return reply
    const query = parse(reply, RejectionListQuerySchema, request.query)
    if (query === null) return reply
    const after = cursorOf(reply, query.cursor)
    if (after === undefined) return reply
    const org = acting.actor.organisationId
    const rows = await deps.store.listRejectionPage(org, {
      q: textOrNull(query.q),
      status: query.status ?? null,
      after,
      limit: query.limit + 1,
    })
    const view = await rejectionsView(org, rows.slice(0, query.limit))
    return pageOf(
      rows,
      query.limit,
      (r) => ({ key: r.rejectedAt, id: r.mutationId }),
      view,
    ) satisfies RejectionListResponse
  })

  app.post('/api/admin/rejections/:id/resolve', { preHandler: userOnly }, async (request, reply) => {
    const acting = await allowed(request, reply, 'resolve-rejections')
    if (acting === null) return reply
    const id = idOf(request, reply)
    if (id === null) return reply
    const body = parse(reply, AdminResolveRejectionRequestSchema, request.body)
    if (body === null) return reply
    const org = acting.actor.organisationId
    const outcome = await resolveRejection(
      deps,
      { organisationId: org, userId: acting.actor.userId, deviceId: acting.deviceId },
      id,
      body,
    )
    if (!outcome.ok) return reply.code(outcome.refusal.status).send(outcome.refusal.body)
    deps.events?.notify(org)
    const row = await deps.store.getRejectionRow(org, id)
    if (row === null) return send(reply, adminRefusal('not-found'))
    return (await rejectionsView(org, [row]))(row) satisfies AdminRejection
  })

  // ---- Users and grants ------------------------------------------------------------------------------------

  app.get('/api/admin/users', { preHandler: userOnly }, async (request, reply) => {
    const acting = await allowed(request, reply, 'manage-users')
    if (acting === null) return reply
    const query = parse(reply, UserListQuerySchema, request.query)
    if (query === null) return reply
    const after = cursorOf(reply, query.cursor)
    if (after === undefined) return reply
    const users = await deps.store.listUserPage(acting.actor.organisationId, {
      q: textOrNull(query.q),
      after,
      limit: query.limit + 1,
    })
    const shown = users.slice(0, query.limit)
    const grants = await deps.store.grantsOfUsers(shown.map((u) => u.id))
    const names = await namesOf(peopleOfGrants(grants))
    const at = now()
    return pageOf(
      users,
      query.limit,
      (u) => ({ key: u.displayName, id: u.id }),
      (u) => adminUserOf(u, grants, names, at),
    ) satisfies UserListResponse
  })

  app.post('/api/admin/users', { preHandler: userOnly }, async (request, reply) => {
    const acting = await allowed(request, reply, 'manage-users')
    if (acting === null) return reply
    const body = parse(reply, CreateUserRequestSchema, request.body)
    if (body === null) return reply
    const outcome = await createAccount(deps, acting, body)
    if (!outcome.ok) return send(reply, outcome.refusal)
    const { user, link } = outcome.value
    const url = linkUrl(request, link)
    await sender.send({
      url,
      expiresAt: link.expiresAt,
      user: { name: user.displayName, login: user.login, email: user.email },
    })
    return reply.code(201).send({
      user: adminUserOf(user, [], new Map(), now()),
      setPasswordUrl: url,
      expiresAt: link.expiresAt,
    } satisfies CreateUserResponse)
  })

  app.get('/api/admin/users/:id/grants', { preHandler: userOnly }, async (request, reply) => {
    const acting = await allowed(request, reply, 'manage-users')
    if (acting === null) return reply
    const id = idOf(request, reply)
    if (id === null) return reply
    const user = await deps.store.getUser(id)
    if (user === null || user.organisationId !== acting.actor.organisationId)
      return send(reply, adminRefusal('not-found'))
    const grants = await deps.store.grantsOfUsers([user.id])
    const names = await namesOf(peopleOfGrants(grants))
    const at = now()
    return {
      items: grants.map((g) => adminGrantOf(g, names, at)),
      nextCursor: null,
    } satisfies GrantListResponse
  })

  app.post('/api/admin/users/:id/grants', { preHandler: userOnly }, async (request, reply) => {
    const acting = await allowed(request, reply, 'manage-users')
    if (acting === null) return reply
    const id = idOf(request, reply)
    if (id === null) return reply
    const body = parse(reply, GrantRoleRequestSchema, request.body)
    if (body === null) return reply
    const outcome = await grantRoles(deps, acting, id, [body])
    if (!outcome.ok) return send(reply, outcome.refusal)
    const names = await namesOf(peopleOfGrants(outcome.value))
    const at = now()
    return reply.code(201).send({
      grants: outcome.value.map((g) => adminGrantOf(g, names, at)),
    } satisfies GrantRoleResponse)
  })

  for (const action of ['end', 'revoke'] as const) {
    app.post(`/api/admin/grants/:id/${action}`, { preHandler: userOnly }, async (request, reply) => {
      const acting = await allowed(request, reply, 'manage-users')
      if (acting === null) return reply
      const id = idOf(request, reply)
      if (id === null) return reply
      let outcome
      if (action === 'end') {
        const body = parse(reply, EndGrantRequestSchema, request.body)
        if (body === null) return reply
        outcome = await endGrant(deps, acting, id, body.endsAt)
      } else {
        outcome = await revokeGrant(deps, acting, id)
      }
      if (!outcome.ok) return send(reply, outcome.refusal)
      const names = await namesOf(peopleOfGrants([outcome.value]))
      return adminGrantOf(outcome.value, names, now()) satisfies AdminGrant
    })
  }

  // ---- Access requests -------------------------------------------------------------------------------------

  app.get('/api/admin/access-requests', { preHandler: userOnly }, async (request, reply) => {
    const acting = await allowed(request, reply, 'manage-access-requests')
    if (acting === null) return reply
    const query = parse(reply, AccessRequestListQuerySchema, request.query)
    if (query === null) return reply
    const after = cursorOf(reply, query.cursor)
    if (after === undefined) return reply
    const rows = await deps.store.listAccessRequestPage(acting.actor.organisationId, {
      q: textOrNull(query.q),
      status: query.status,
      after,
      limit: query.limit + 1,
    })
    return pageOf(
      rows,
      query.limit,
      (r) => ({ key: r.createdAt, id: r.id }),
      adminAccessRequestOf,
    ) satisfies AccessRequestListResponse
  })

  app.post('/api/admin/access-requests/:id/approve', { preHandler: userOnly }, async (request, reply) => {
    const acting = await allowed(request, reply, 'manage-access-requests')
    if (acting === null) return reply
    const id = idOf(request, reply)
    if (id === null) return reply
    const body = parse(reply, ApproveAccessRequestSchema, request.body)
    if (body === null) return reply
    const outcome = await approveAccessRequest(deps, acting, id, body)
    if (!outcome.ok) return send(reply, outcome.refusal)
    const { request: decided, user, link } = outcome.value
    const url = linkUrl(request, link)
    await sender.send({
      url,
      expiresAt: link.expiresAt,
      user: { name: user.displayName, login: user.login, email: user.email },
    })
    const grants = await deps.store.grantsOfUsers([user.id])
    const names = await namesOf(peopleOfGrants(grants))
    return {
      request: adminAccessRequestOf(decided),
      user: adminUserOf(user, grants, names, now()),
      setPasswordUrl: url,
      expiresAt: link.expiresAt,
    } satisfies ApproveAccessRequestResponse
  })

  app.post('/api/admin/access-requests/:id/refuse', { preHandler: userOnly }, async (request, reply) => {
    const acting = await allowed(request, reply, 'manage-access-requests')
    if (acting === null) return reply
    const id = idOf(request, reply)
    if (id === null) return reply
    const body = parse(reply, RefuseAccessRequestSchema, request.body)
    if (body === null) return reply
    const outcome = await refuseAccessRequest(deps, acting, id, body.reason)
    if (!outcome.ok) return send(reply, outcome.refusal)
    return adminAccessRequestOf(outcome.value)
  })

  // ---- Audit -----------------------------------------------------------------------------------------------

  app.get('/api/admin/audit', { preHandler: userOnly }, async (request, reply) => {
    const acting = await allowed(request, reply, 'read-audit')
    if (acting === null) return reply
    const query = parse(reply, AuditQuerySchema, request.query)
    if (query === null) return reply
    const after = cursorOf(reply, query.cursor)
    if (after === undefined) return reply
    const rows = await deps.store.listAuditPage(acting.actor.organisationId, {
      filter: auditFilterOf(query),
      after,
      limit: query.limit + 1,
    })
    return pageOf(
      rows,
      query.limit,
      (r) => ({ key: r.serverTime, id: String(r.chainPosition) }),
      adminAuditEventOf,
    ) satisfies AuditListResponse
  })

  app.get('/api/admin/audit.csv', { preHandler: userOnly }, async (request, reply) => {
    const acting = await allowed(request, reply, 'read-audit')
    if (acting === null) return reply
    const query = parse(reply, AuditFilterSchema, request.query)
    if (query === null) return reply
    const filter = auditFilterOf(query)
    const rows: (string | null)[][] = []
    let after = null
    while (rows.length < MAX_AUDIT_CSV_ROWS) {
      const page = await deps.store.listAuditPage(acting.actor.organisationId, { filter, after, limit: 5000 })
      for (const event of page.map(adminAuditEventOf)) {
        rows.push([
          event.serverTime,
          event.deviceTime,
          event.user.name,
          event.onBehalfOf?.name ?? null,
          event.action,
          event.entity,
          event.entityId,
          event.patientId,
          event.fields.join(', '),
          event.device?.name ?? null,
          event.outcome,
          event.reason,
        ])
      }
      const last = page.at(-1)
      if (page.length < 5000 || last === undefined) break
      after = { key: last.serverTime, id: String(last.chainPosition) }
    }
    const header = [
      'Heure serveur',
      'Heure appareil',
      'Qui',
      'Pour le compte de',
      'Action',
      'Entité',
      'Identifiant',
      'Patient',
      'Champs',
      'Appareil',
      'Résultat',
      'Motif',
    ]
    return csvReply(reply, 'journal-audit.csv', toCsv(header, rows.slice(0, MAX_AUDIT_CSV_ROWS)))
  })

  // ---- Activity --------------------------------------------------------------------------------------------

  async function activity(request: FastifyRequest, reply: FastifyReply): Promise<ActivityResponse | null> {
    const acting = await allowed(request, reply, 'read-activity')
    if (acting === null) return null
    const query = parse(reply, ActivityQuerySchema, request.query)
    if (query === null) return null
    const to = query.to ?? now().slice(0, 10)
    const from = query.from ?? addDays(to, 1 - DEFAULT_ACTIVITY_DAYS)
    if (from > to) {
      void send(reply, adminRefusal('ends-before-start', { from, to }))
      return null
    }
    if (addDays(from, MAX_ACTIVITY_DAYS) <= to) {
      void send(reply, adminRefusal('invalid-request', { field: 'from', maxDays: MAX_ACTIVITY_DAYS }))
      return null
    }
    return activityOf(await deps.store.doseActivity(acting.actor.organisationId, from, to), from, to)
  }

  app.get('/api/admin/activity', { preHandler: userOnly }, async (request, reply) => {
    const answer = await activity(request, reply)
    return answer === null ? reply : (answer satisfies ActivityResponse)
  })

  app.get('/api/admin/activity.csv', { preHandler: userOnly }, async (request, reply) => {
    const answer = await activity(request, reply)
    if (answer === null) return reply
    const rows = [
      ...answer.recordedVersusReceived.map((d) => ['jour', d.day, d.recorded, d.received]),
      ...answer.dosesPerSite.map((c) => ['lieu', c.key, c.count, null]),
      ...answer.dosesPerVaccine.map((c) => ['vaccin', c.key, c.count, null]),
    ]
    return csvReply(
      reply,
      'activite.csv',
      toCsv(['Série', 'Clé', 'Doses (heure de l’acte)', 'Doses reçues (heure serveur)'], rows),
    )
  })
}

function csvReply(reply: FastifyReply, filename: string, body: string): FastifyReply {
  return reply
    .type('text/csv; charset=utf-8')
    .header('content-disposition', `attachment; filename="${filename}"`)
    .send(body)
}
