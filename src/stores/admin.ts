// The administration dashboard's access to the server: one call per admin API route, each answer parsed with
// the shared schemas (src/shared/admin-api.ts). Nothing here is kept offline: the dashboard reads the server's
// state when it is reachable and says so when it is not. Public account pages (access request, password link)
// use the same client without a token.
import { computed } from 'vue'
import { defineStore } from 'pinia'
import {
  AccessRequestListResponseSchema,
  AdminAccessRequestSchema,
  AdminDeviceSchema,
  ActivityResponseSchema,
  AdminGrantSchema,
  AdminOrganisationSchema,
  AdminRejectionSchema,
  AdminSiteSchema,
  ApproveAccessRequestResponseSchema,
  AuditListResponseSchema,
  CreateAccessRequestResponseSchema,
  CreateUserResponseSchema,
  DeviceListResponseSchema,
  GrantListResponseSchema,
  GrantRoleResponseSchema,
  ImportOutboxResponseSchema,
  PasswordLinkInfoSchema,
  RejectionListResponseSchema,
  SetPasswordResponseSchema,
  UserListResponseSchema,
  type AccessRequestStatus,
  type ActivityQuery,
  type ApproveAccessRequest,
  type AuditFilter,
  type CreateAccessRequest,
  type CreateSiteRequest,
  type CreateUserRequest,
  type DeviceStatus,
  type GrantRoleRequest,
  type RejectionStatus,
  type UpdateOrganisationRequest,
} from '../shared/admin-api'
import type { RevokeMode } from '../shared/sync-api'
import type { RejectionResolution } from '../shared/records'
import { createAdminClient } from '../sync/admin-client'
import { useSessionStore } from './session'

export type { AdminFailure, AdminResult, CsvFile } from '../sync/admin-client'

/** Paging of every list: the cursor of the page to load (none for the first). */
export type PageRequest = { cursor?: string | null | undefined; limit?: number }

function segment(id: string): string {
  return encodeURIComponent(id)
}

/** The dashboard's server calls, authenticated with the signed-in user's access token. */
export const useAdminStore = defineStore('admin', () => {
  const session = useSessionStore()
  const client = createAdminClient({ accessToken: () => session.accessToken })

  /** Only an online sign-in carries an access token: an offline one cannot reach the admin API. */
  const hasServerSession = computed(() => session.accessToken !== null)

  return {
    hasServerSession,
    organisation: () => client.get('/api/admin/organisation', AdminOrganisationSchema),
    updateOrganisation: (body: UpdateOrganisationRequest) =>
      client.patch('/api/admin/organisation', body, AdminOrganisationSchema),
    createSite: (body: CreateSiteRequest) =>
      client.post('/api/admin/organisation/sites', body, AdminSiteSchema),

    devices: (query: PageRequest & { q?: string; status?: DeviceStatus | '' }) =>
      client.get('/api/admin/devices', DeviceListResponseSchema, { ...query }),
    revokeDevice: (id: string, mode: RevokeMode) =>
      client.post(`/api/admin/devices/${segment(id)}/revoke`, { mode }, AdminDeviceSchema),
    /** Imports the export file a device made (its text, as read from the file the person picked). */
    importDeviceExport: async (id: string, fileText: string) => {
      let body: unknown
      try {
        body = JSON.parse(fileText) as unknown
      } catch {
        return { ok: false as const, error: { code: 'invalid-file', status: 0 } }
      }
      return client.post(`/api/admin/devices/${segment(id)}/import`, body, ImportOutboxResponseSchema)
    },

    rejections: (query: PageRequest & { q?: string; status?: RejectionStatus | '' }) =>
      client.get('/api/admin/rejections', RejectionListResponseSchema, { ...query }),
    resolveRejection: (id: string, resolution: RejectionResolution, note?: string) =>
      client.post(
        `/api/admin/rejections/${segment(id)}/resolve`,
        note === undefined || note.trim() === '' ? { resolution } : { resolution, note: note.trim() },
        AdminRejectionSchema,
      ),

    users: (query: PageRequest & { q?: string }) =>
      client.get('/api/admin/users', UserListResponseSchema, { ...query }),
    createUser: (body: CreateUserRequest) => client.post('/api/admin/users', body, CreateUserResponseSchema),
    grantsOf: (userId: string) =>
      client.get(`/api/admin/users/${segment(userId)}/grants`, GrantListResponseSchema, { limit: 200 }),
    grantRole: (userId: string, body: GrantRoleRequest) =>
      client.post(`/api/admin/users/${segment(userId)}/grants`, body, GrantRoleResponseSchema),
    endGrant: (grantId: string, endsAt: string) =>
      client.post(`/api/admin/grants/${segment(grantId)}/end`, { endsAt }, AdminGrantSchema),
    revokeGrant: (grantId: string) =>
      client.post(`/api/admin/grants/${segment(grantId)}/revoke`, {}, AdminGrantSchema),

    accessRequests: (query: PageRequest & { status?: AccessRequestStatus; q?: string }) =>
      client.get('/api/admin/access-requests', AccessRequestListResponseSchema, { ...query }),
    approveAccessRequest: (id: string, body: ApproveAccessRequest) =>
      client.post(
        `/api/admin/access-requests/${segment(id)}/approve`,
        body,
        ApproveAccessRequestResponseSchema,
      ),
    refuseAccessRequest: (id: string, reason: string) =>
      client.post(`/api/admin/access-requests/${segment(id)}/refuse`, { reason }, AdminAccessRequestSchema),

    audit: (query: PageRequest & AuditFilter) =>
      client.get('/api/admin/audit', AuditListResponseSchema, { ...query }),
    auditCsv: (filter: AuditFilter) => client.csv('/api/admin/audit.csv', { ...filter }, 'journal-audit.csv'),

    activity: (query: ActivityQuery) =>
      client.get('/api/admin/activity', ActivityResponseSchema, { ...query }),
    activityCsv: (query: ActivityQuery) =>
      client.csv('/api/admin/activity.csv', { ...query }, 'activite.csv'),

    requestAccess: (body: CreateAccessRequest) =>
      client.postPublic('/api/access-requests', body, CreateAccessRequestResponseSchema),
    passwordLink: (token: string) =>
      client.getPublic(`/api/auth/password-links/${segment(token)}`, PasswordLinkInfoSchema),
    setPassword: (token: string, password: string) =>
      client.postPublic(
        `/api/auth/password-links/${segment(token)}`,
        { password },
        SetPasswordResponseSchema,
      ),
  }
})
