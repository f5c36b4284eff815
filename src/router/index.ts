import { createRouter, createWebHistory } from 'vue-router'
import type { RouteLocationNormalized, Router, RouteRecordRaw, RouterHistory } from 'vue-router'
import HomeView from '../views/HomeView.vue'
import SignInView from '../views/SignInView.vue'
import { getActivePinia } from 'pinia'
import type { Permission } from '../domain/access/permissions'
import {
  ADMIN_PAGES,
  allowedPages,
  currentPermissions,
  type AdminPageName,
} from '../components/admin/admin-pages'
import { useSessionStore } from '../stores/session'

declare module 'vue-router' {
  interface RouteMeta {
    /** i18n key of the page name shown in the document title (« Carnet — … »). */
    titleKey?: string
    /** Open to a signed-out visitor (sign-in, access request, the one-time password link). */
    isPublic?: boolean
    /** The administration permission a dashboard page needs (src/domain/access/permissions.ts). */
    permission?: Permission
  }
}

// Each dashboard page is its own chunk: none of them (nor Chart.js) weighs on the first page.
const ADMIN_VIEWS = {
  'admin-devices': () => import('../views/admin/AdminDevicesView.vue'),
  'admin-rejections': () => import('../views/admin/AdminRejectionsView.vue'),
  'admin-users': () => import('../views/admin/AdminUsersView.vue'),
  'admin-access-requests': () => import('../views/admin/AdminAccessRequestsView.vue'),
  'admin-audit': () => import('../views/admin/AdminAuditView.vue'),
  'admin-activity': () => import('../views/admin/AdminActivityView.vue'),
  'admin-organisation': () => import('../views/admin/AdminOrganisationView.vue'),
} satisfies Record<AdminPageName, RouteRecordRaw['component']>

export const routes: RouteRecordRaw[] = [
  {
    path: '/connexion',
    name: 'sign-in',
    component: SignInView,
    meta: { titleKey: 'patients.signIn.title', isPublic: true },
  },
  { path: '/', name: 'home', component: HomeView, meta: { titleKey: 'app.home.title' } },
  {
    path: '/nouveau-patient',
    name: 'register-patient',
    component: () => import('../views/RegisterPatientView.vue'),
    meta: { titleKey: 'patients.register.title' },
  },
  {
    path: '/patients/:id',
    name: 'patient',
    component: () => import('../views/PatientView.vue'),
    props: true,
    meta: { titleKey: 'steps.view.title' },
  },
  {
    path: '/a-traiter',
    name: 'inbox',
    component: () => import('../views/InboxView.vue'),
    meta: { titleKey: 'sync.inbox.title' },
  },
  {
    path: '/demander-un-acces',
    name: 'access-request',
    component: () => import('../views/AccessRequestView.vue'),
    meta: { titleKey: 'admin.request.title', isPublic: true },
  },
  {
    path: '/mot-de-passe/:token',
    name: 'set-password',
    component: () => import('../views/SetPasswordView.vue'),
    props: true,
    meta: { titleKey: 'admin.setPassword.title', isPublic: true },
  },
  {
    path: '/administration',
    component: () => import('../views/admin/AdminLayout.vue'),
    meta: { titleKey: 'admin.layout.title' },
    children: [
      // The guard sends /administration to the first page the person may open.
      { path: '', name: 'admin', component: () => import('../views/admin/AdminNotAllowedView.vue') },
      ...ADMIN_PAGES.map((page) => ({
        path: page.path,
        name: page.name,
        component: ADMIN_VIEWS[page.name],
        meta: { titleKey: page.titleKey, permission: page.permission },
      })),
      {
        path: 'non-autorise',
        name: 'admin-not-allowed',
        component: () => import('../views/admin/AdminNotAllowedView.vue'),
        meta: { titleKey: 'admin.notAllowed.title' },
      },
    ],
  },
  {
    path: '/:pathMatch(.*)*',
    name: 'not-found',
    component: () => import('../views/NotFoundView.vue'),
    meta: { titleKey: 'app.notFound.title' },
  },
]

/**
 * Sends a signed-out visitor to the sign-in page (keeping where they wanted to go) and a signed-in one away
 * from it. The session lives in memory only, so after a reload every page asks for the password again.
 */
export function installSessionGuard(router: Router): void {
  router.beforeEach((to) => {
    // The app installs Pinia before the router (main.ts), so a session always exists there; a router driven
    // without Pinia (tests of the shell alone) has no session store and nothing to guard.
    if (getActivePinia() === undefined) return true
    const session = useSessionStore()
    if (to.meta.isPublic === true) {
      if (to.name === 'sign-in' && session.isSignedIn) {
        const redirect = typeof to.query.redirect === 'string' ? to.query.redirect : '/'
        return redirect.startsWith('/') && !redirect.startsWith('//') ? redirect : '/'
      }
      return true
    }
    if (session.isSignedIn) return guardAdminPage(to, currentPermissions(session.grants, session.user?.id))
    return to.fullPath === '/' ? { name: 'sign-in' } : { name: 'sign-in', query: { redirect: to.fullPath } }
  })
}

/**
 * Opens a dashboard page only to someone whose roles, valid now, give its permission; anyone else gets the
 * « Accès non autorisé » page naming it. /administration itself leads to the first page they may open.
 */
function guardAdminPage(to: RouteLocationNormalized, permissions: readonly Permission[]) {
  if (to.name === 'admin') {
    const first = allowedPages(permissions)[0]
    return first === undefined ? { name: 'admin-not-allowed' } : { name: first.name }
  }
  const needed = to.meta.permission
  if (needed === undefined || permissions.includes(needed)) return true
  return { name: 'admin-not-allowed', query: { page: String(to.name) } }
}

export function createAppRouter(history: RouterHistory = createWebHistory(import.meta.env.BASE_URL)) {
  const router = createRouter({
    history,
    routes,
    scrollBehavior: (_to, _from, savedPosition) => savedPosition ?? { top: 0 },
  })
  installSessionGuard(router)
  return router
}
