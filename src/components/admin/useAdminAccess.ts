import { computed } from 'vue'
import { rolesAt, type Permission } from '../../domain/access/permissions'
import { useSessionStore } from '../../stores/session'
import { allowedPages, currentPermissions } from './admin-pages'

/** What the signed-in person may do in the dashboard now: their permissions, pages, and sync-admin grants. */
export function useAdminAccess() {
  const session = useSessionStore()
  const permissions = computed(() => currentPermissions(session.grants, session.user?.id))
  const pages = computed(() => allowedPages(permissions.value))
  // An access manager grants sync administration only when they are a sync administrator themselves.
  const canGrantSyncAdmin = computed(() => {
    const userId = session.user?.id
    return userId !== undefined && rolesAt(session.grants, userId, new Date().toISOString()).has('sync-admin')
  })
  function can(permission: Permission): boolean {
    return permissions.value.includes(permission)
  }
  return { permissions, pages, canGrantSyncAdmin, can }
}
