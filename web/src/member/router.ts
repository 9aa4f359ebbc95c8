// Every page is its own lazily loaded chunk; only the shell (App, tab bar) is in the entry.
import { createRouter, createWebHistory, type RouteRecordRaw } from 'vue-router'
import { getIdentity } from '@common/auth'
import { UNAUTHORIZED_EVENT } from '@common/api'
import type { RuntimeConfig } from '@common/config'

const routes: RouteRecordRaw[] = [
  { path: '/signin', name: 'signin', component: () => import('./pages/SignIn.vue'), meta: { public: true } },
  { path: '/callback', name: 'callback', component: () => import('./pages/Callback.vue'), meta: { public: true } },
  { path: '/', name: 'home', component: () => import('./pages/Home.vue'), meta: { tab: true } },
  { path: '/checkin', name: 'checkin', component: () => import('./pages/Checkin.vue') },
  { path: '/tasks', name: 'tasks', component: () => import('./pages/Tasks.vue') },
  { path: '/mall', name: 'mall', component: () => import('./pages/Mall.vue'), meta: { tab: true } },
  { path: '/mall/:itemId', name: 'item', component: () => import('./pages/Item.vue'), props: true },
  { path: '/orders', name: 'orders', component: () => import('./pages/Orders.vue') },
  { path: '/coupons', name: 'coupons', component: () => import('./pages/Coupons.vue') },
  { path: '/lottery', name: 'lottery', component: () => import('./pages/Lottery.vue'), meta: { tab: true } },
  { path: '/transfer', name: 'transfer', component: () => import('./pages/Transfer.vue') },
  { path: '/ledger', name: 'ledger', component: () => import('./pages/Ledger.vue') },
  { path: '/rebates', name: 'rebates', component: () => import('./pages/Rebates.vue') },
  { path: '/rebates/:campaignId', name: 'rebate-statement', component: () => import('./pages/RebateStatement.vue'), props: true },
  { path: '/leaderboard', name: 'leaderboard', component: () => import('./pages/Leaderboard.vue') },
  { path: '/inbox', name: 'inbox', component: () => import('./pages/Inbox.vue') },
  { path: '/settings', name: 'settings', component: () => import('./pages/Settings.vue') },
  { path: '/me', name: 'me', component: () => import('./pages/Me.vue'), meta: { tab: true } },
  { path: '/:pathMatch(.*)*', redirect: '/' },
]

export function createMemberRouter(_config: RuntimeConfig) {
  const router = createRouter({
    history: createWebHistory('/'),
    routes,
    scrollBehavior: () => ({ top: 0 }),
  })
  router.beforeEach((to) => {
    if (!to.meta.public && !getIdentity()) {
      return { name: 'signin', query: to.fullPath === '/' ? {} : { redirect: to.fullPath } }
    }
    return true
  })
  window.addEventListener(UNAUTHORIZED_EVENT, () => {
    const current = router.currentRoute.value
    if (!current.meta.public) void router.push({ name: 'signin', query: { redirect: current.fullPath } })
  })
  return router
}
