// The dashboard's pages and the permission each needs (src/domain/access/permissions.ts): the router guards
// them with it, the side navigation and the header's « Administration » link show only what the signed-in
// person may open. Kept small and free of the pages themselves: the router and the header load it up front.
import { PERMISSIONS_BY_ROLE, permissionsAt, type Permission } from '../../domain/access/permissions'
import type { RoleGrantRecord } from '../../shared/records'
import type { Role } from '../../shared/vocabulary'

/** One page of the dashboard: its route name and path under /administration, its title, what it needs. */
export type AdminPage = {
  readonly name: string
  readonly path: string
  readonly titleKey: string
  readonly permission: Permission
}

/** The dashboard's pages, in the side navigation's order. */
export const ADMIN_PAGES = [
  { name: 'admin-devices', path: 'appareils', titleKey: 'admin.nav.devices', permission: 'read-devices' },
  {
    name: 'admin-rejections',
    path: 'rejets',
    titleKey: 'admin.nav.rejections',
    permission: 'read-rejections',
  },
  { name: 'admin-users', path: 'utilisateurs', titleKey: 'admin.nav.users', permission: 'manage-users' },
  {
    name: 'admin-access-requests',
    path: 'demandes-acces',
    titleKey: 'admin.nav.accessRequests',
    permission: 'manage-access-requests',
  },
  { name: 'admin-audit', path: 'journal', titleKey: 'admin.nav.audit', permission: 'read-audit' },
  { name: 'admin-activity', path: 'activite', titleKey: 'admin.nav.activity', permission: 'read-activity' },
  {
    name: 'admin-organisation',
    path: 'organisation',
    titleKey: 'admin.nav.organisation',
    permission: 'read-organisation',
  },
] as const satisfies readonly AdminPage[]

/** A dashboard page's route name. */
export type AdminPageName = (typeof ADMIN_PAGES)[number]['name']

/** The administration permissions `userId` holds now, from their grants (an expired or future role grants nothing). */
export function currentPermissions(
  grants: readonly RoleGrantRecord[],
  userId: string | undefined,
  now: Date = new Date(),
): Permission[] {
  return userId === undefined ? [] : permissionsAt(grants, userId, now.toISOString())
}

/** The pages someone holding `permissions` may open, in the navigation's order. */
export function allowedPages(permissions: readonly Permission[]): AdminPage[] {
  return ADMIN_PAGES.filter((page) => permissions.includes(page.permission))
}

/** The roles that give `permission`, to tell someone refused which role a page is for. */
export function rolesAllowing(permission: Permission): Role[] {
  // The roles are read off the permission table rather than the shared vocabulary, whose zod schemas would
  // otherwise join the first page's script with the router.
  const roles = Object.keys(PERMISSIONS_BY_ROLE) as Role[]
  return roles.filter((role) => (PERMISSIONS_BY_ROLE[role] as readonly Permission[]).includes(permission))
}

/** Finds a dashboard page by its route name. */
export function adminPageNamed(name: unknown): AdminPage | undefined {
  return ADMIN_PAGES.find((page) => page.name === name)
}
