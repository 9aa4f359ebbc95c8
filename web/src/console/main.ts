// The operator console (desktop, 1440x900 first), served at /console/.
// The Element Plus parts every section shares are registered once, when the first route loads
// (el/onDemand.ts); the few a single section needs are imported by that view, so they stay in
// its on-demand route chunk.
import { createApp } from 'vue'
import 'element-plus/theme-chalk/base.css'
import './style.css'
import { loadConfig } from '@common/config'
import { initAuth } from '@common/auth'
import { createApi } from '@common/api'
import App from './App.vue'
import { createConsoleRouter } from './router'
import { i18n } from './i18n'
import { elementPartsOnDemand } from './el/onDemand'

async function start(): Promise<void> {
  const config = await loadConfig()
  initAuth('console')
  createApi(config)
  createApp(App).use(i18n).use(elementPartsOnDemand).use(createConsoleRouter()).mount('#app')
}

start().catch((error: unknown) => {
  const app = document.getElementById('app')
  if (app) {
    app.setAttribute('role', 'alert')
    app.textContent = `无法启动：${error instanceof Error ? error.message : String(error)}`
  }
})
