// Test helpers of the dashboard's screens: a signed-in person with given roles, and a stubbed server whose
// answers are parsed with the shared schemas first, so a fixture the real server could not send fails loudly.
// Imported by tests only.
import { vi } from 'vitest'
import type { z } from 'zod'
import {
  AccessRequestListResponseSchema,
  ActivityResponseSchema,
  AuditListResponseSchema,
  DeviceListResponseSchema,
  RejectionListResponseSchema,
  UserListResponseSchema,
  type AdminAccessRequest,
  type AdminAuditEvent,
  type AdminDevice,
  type AdminGrant,
  type AdminRejection,
  type AdminUser,
} from '../../shared/admin-api'
import type { Role } from '../../shared/vocabulary'
import { grant, loginAnswer, signInOnline } from '../session/testing'

/** The signed-in manager or administrator of the tests. */
export const MANAGER = { id: 'u-manager', name: 'Sophie Leroy', login: 'sleroy', profession: null }

/** Signs in online with the given roles (valid since 2020, no end). */
export async function signInWithRoles(roles: readonly Role[]) {
  return signInOnline(
    loginAnswer({ user: MANAGER, roles: roles.map((role) => grant({ userId: MANAGER.id, role })) }),
  )
}

/** A request the stub received: method, path, query and JSON body. */
export type StubCall = { method: string; path: string; query: URLSearchParams; body: unknown }

/** What a route answers: a body (status 200), or a status with a body. */
export type StubAnswer = { status: number; body: unknown } | { body: unknown }

/** Makes `fetch` answer `routes` ('GET /api/admin/devices' → answer or function of the call); 404 otherwise. */
export function stubAdminFetch(routes: Record<string, StubAnswer | ((call: StubCall) => StubAnswer)>) {
  const calls: StubCall[] = []
  const fetchMock = vi.fn(async (input: string, init: RequestInit = {}) => {
    const url = new URL(input, 'http://localhost')
    const method = init.method ?? 'GET'
    const call: StubCall = {
      method,
      path: url.pathname,
      query: url.searchParams,
      body: typeof init.body === 'string' ? JSON.parse(init.body) : undefined,
    }
    calls.push(call)
    const route = routes[`${method} ${url.pathname}`]
    const answer = typeof route === 'function' ? route(call) : route
    if (answer === undefined) return Response.json({ error: 'not-found' }, { status: 404 })
    const status = 'status' in answer && typeof answer.status === 'number' ? answer.status : 200
    return Response.json(answer.body, { status })
  })
  vi.stubGlobal('fetch', fetchMock)
  return { fetchMock, calls }
}

/** Parses a fixture with the schema the client will use: a test never feeds the page what the server cannot send. */
export function valid<S extends z.ZodType>(schema: S, value: z.input<S>): { body: z.output<S> } {
  return { body: schema.parse(value) }
}

/** A device row. */
export function device(overrides: Partial<AdminDevice> = {}): AdminDevice {
  return {
    id: 'd-1',
    name: 'Tablette bus 1',
    user: { id: 'u-nurse', name: 'Claire Martin' },
    registeredAt: '2026-01-05T09:00:00Z',
    lastSyncAt: '2026-03-04T10:15:00Z',
    lastSeq: 12,
    pending: 3,
    appVersion: '0.1.0',
    storageUsed: 50_000_000,
    storageQuota: 200_000_000,
    persisted: true,
    revokedAt: null,
    revokedBy: null,
    revokeMode: null,
    keysKeptUntil: null,
    keysDestroyedAt: null,
    exportImportedAt: null,
    alerts: [],
    ...overrides,
  }
}

/** A page of devices, parsed. */
export function devicePage(items: AdminDevice[], nextCursor: string | null = null) {
  return valid(DeviceListResponseSchema, { items, nextCursor })
}

/** A rejected step recorded by a delegate for a doctor. */
export function rejection(overrides: Partial<AdminRejection> = {}): AdminRejection {
  return {
    id: 'r-1',
    error: 'role-not-valid',
    mutationType: 'step.record',
    patient: { id: 'p-1', name: 'DUPRÉ Éloïse', codeDeCiblage: 'ABCD-1234' },
    step: { id: 's-1', kind: 'dose', doseNumber: 1 },
    actor: { id: 'u-secretary', name: 'Léa Petit' },
    onBehalfOf: { id: 'u-doctor', name: 'Dr Camille Martin' },
    device: { id: 'd-1', name: 'Tablette bus 1' },
    at: '2026-03-04T10:15:00+01:00',
    rejectedAt: '2026-03-04T11:00:00Z',
    resolution: null,
    ...overrides,
  }
}

/** A page of rejections, parsed. */
export function rejectionPage(items: AdminRejection[], nextCursor: string | null = null) {
  return valid(RejectionListResponseSchema, { items, nextCursor })
}

/** A grant with its history fields. */
export function adminGrant(overrides: Partial<AdminGrant> & Pick<AdminGrant, 'userId'>): AdminGrant {
  return {
    id: `g-${overrides.userId}-${overrides.role ?? 'vaccinator'}`,
    role: 'vaccinator',
    startsAt: '2026-01-01T00:00:00Z',
    endsAt: null,
    actingFor: [],
    grantedBy: { id: MANAGER.id, name: MANAGER.name },
    grantedAt: '2026-01-01T08:00:00Z',
    revokedBy: null,
    revokedAt: null,
    status: 'active',
    ...overrides,
  }
}

/** A member of the organisation. */
export function user(overrides: Partial<AdminUser> & Pick<AdminUser, 'id' | 'name'>): AdminUser {
  return {
    login: overrides.id.replace(/^u-/, ''),
    profession: 'medecin',
    professionalId: { kind: 'rpps', value: '10003364297' },
    email: null,
    disabled: false,
    createdAt: '2026-01-01T08:00:00Z',
    grants: [],
    ...overrides,
  }
}

/** A page of users, parsed. */
export function userPage(items: AdminUser[], nextCursor: string | null = null) {
  return valid(UserListResponseSchema, { items, nextCursor })
}

/** A pending access request. */
export function accessRequest(overrides: Partial<AdminAccessRequest> = {}): AdminAccessRequest {
  return {
    id: 'ar-1',
    name: 'Camille Dubois',
    profession: 'infirmier',
    professionalId: { kind: 'rpps', value: '10003364297' },
    email: 'camille.dubois@example.fr',
    phone: '06 12 34 56 78',
    message: 'Je rejoins l’équipe mobile en mars.',
    createdAt: '2026-03-01T09:00:00Z',
    status: 'pending',
    decidedBy: null,
    decidedAt: null,
    refusalReason: null,
    userId: null,
    ...overrides,
  }
}

/** A page of access requests, parsed. */
export function accessRequestPage(items: AdminAccessRequest[], nextCursor: string | null = null) {
  return valid(AccessRequestListResponseSchema, { items, nextCursor })
}

/** An audit event. */
export function auditEvent(overrides: Partial<AdminAuditEvent> = {}): AdminAuditEvent {
  return {
    id: 'ev-1',
    user: { id: 'u-secretary', name: 'Léa Petit' },
    onBehalfOf: { id: 'u-doctor', name: 'Dr Camille Martin' },
    action: 'step.record',
    entity: 'step',
    entityId: 's-1',
    patientId: 'p-1',
    fields: ['vaccineId', 'lotNumber'],
    device: { id: 'd-1', name: 'Tablette bus 1' },
    deviceTime: '2026-03-04T10:15:00+01:00',
    serverTime: '2026-03-04T09:16:00Z',
    outcome: 'done',
    reason: null,
    ...overrides,
  }
}

/** A page of audit events, parsed. */
export function auditPage(items: AdminAuditEvent[], nextCursor: string | null = null) {
  return valid(AuditListResponseSchema, { items, nextCursor })
}

/** An activity answer over three days, parsed. */
export function activityAnswer() {
  return valid(ActivityResponseSchema, {
    from: '2026-03-01',
    to: '2026-03-03',
    dosesPerDay: [
      { key: '2026-03-01', count: 4 },
      { key: '2026-03-02', count: 7 },
    ],
    dosesPerSite: [{ key: 'Salle des fêtes de Guéret', count: 11 }],
    dosesPerVaccine: [{ key: 'comirnaty', count: 11 }],
    recordedVersusReceived: [
      { day: '2026-03-01', recorded: 4, received: 1 },
      { day: '2026-03-02', recorded: 7, received: 10 },
    ],
  })
}
