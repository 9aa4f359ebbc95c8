// Sections are lazy routes: each view (and the Element Plus / ECharts parts it uses) is its
// own chunk; the Element Plus parts they share load with the first route (el/onDemand.ts).
// Every section needs an operator session; /sign-in and /callback do not.
import { createRouter, createWebHistory, type RouteRecordRaw } from 'vue-router'
import { getIdentity } from '@common/auth'
import { UNAUTHORIZED_EVENT } from '@common/api'
import { SECTIONS } from './sections'
import { withElementParts } from './el/onDemand'

export const OPERATOR_GROUP = 'operators'

export function isOperator(): boolean {
  return getIdentity()?.groups.includes(OPERATOR_GROUP) ?? false
}

export function createConsoleRouter() {
  const sections: RouteRecordRaw[] = SECTIONS.map((s) => ({
    path: s.path,
    name: s.name,
    component: withElementParts(s.component),
  }))
  const router = createRouter({
    history: createWebHistory('/console/'),
    routes: [
      {
        path: '/sign-in',
        name: 'sign-in',
        component: withElementParts(() => import('./views/SignIn.vue')),
      },
      {
        path: '/callback',
        name: 'callback',
        component: withElementParts(() => import('./views/Callback.vue')),
      },
      {
        path: '/',
        component: withElementParts(() => import('./components/Layout.vue')),
        children: sections,
      },
      { path: '/:rest(.*)*', redirect: '/' },
    ],
  })
  router.beforeEach((to) => {
    if (to.name === 'sign-in' || to.name === 'callback') return true
    if (!isOperator()) return { name: 'sign-in', query: { next: to.fullPath } }
    return true
  })
  window.addEventListener(UNAUTHORIZED_EVENT, () => {
    void router.push({ name: 'sign-in', query: { next: router.currentRoute.value.fullPath } })
  })
  return router
}
