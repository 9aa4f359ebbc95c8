// The console's sections, in menu order: path, route name, i18n key of its title, view.
import type { Component } from 'vue'

export interface Section {
  path: string
  name: string
  component: () => Promise<Component | { default: Component }>
}

export const SECTIONS: Section[] = [
  { path: '', name: 'dashboard', component: () => import('./views/Dashboard.vue') },
  { path: 'members', name: 'members', component: () => import('./views/Members.vue') },
  { path: 'rules', name: 'rules', component: () => import('./views/Rules.vue') },
  { path: 'campaigns', name: 'campaigns', component: () => import('./views/Campaigns.vue') },
  { path: 'tasks', name: 'tasks', component: () => import('./views/Tasks.vue') },
  { path: 'catalog', name: 'catalog', component: () => import('./views/Catalog.vue') },
  { path: 'orders', name: 'orders', component: () => import('./views/Orders.vue') },
  { path: 'lotteries', name: 'lotteries', component: () => import('./views/Lotteries.vue') },
  { path: 'rebates', name: 'rebates', component: () => import('./views/Rebates.vue') },
  { path: 'reviews', name: 'reviews', component: () => import('./views/Reviews.vue') },
  { path: 'approvals', name: 'approvals', component: () => import('./views/Approvals.vue') },
  { path: 'audit', name: 'audit', component: () => import('./views/Audit.vue') },
  { path: 'transfers', name: 'transfers', component: () => import('./views/Transfers.vue') },
  { path: 'jobs', name: 'jobs', component: () => import('./views/Jobs.vue') },
]
