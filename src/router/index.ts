import { createRouter, createWebHistory } from 'vue-router'
import type { Router, RouteRecordRaw, RouterHistory } from 'vue-router'
import HomeView from '../views/HomeView.vue'
import SignInView from '../views/SignInView.vue'
import { getActivePinia } from 'pinia'
import { useSessionStore } from '../stores/session'

declare module 'vue-router' {
  interface RouteMeta {
    /** i18n key of the page name shown in the document title (« Carnet — … »). */
    titleKey?: string
    /** Open to a signed-out visitor (only the sign-in page). */
    isPublic?: boolean
  }
}

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
    if (session.isSignedIn) return true
    return to.fullPath === '/' ? { name: 'sign-in' } : { name: 'sign-in', query: { redirect: to.fullPath } }
  })
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
