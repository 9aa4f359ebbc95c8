// The operator console (desktop, 1440x900 first), served at /console/.
// Element Plus components are imported per view (with their own styles), so each section is
// a route chunk loaded on demand; only the layout's components are in the initial bundle.
import { createApp } from 'vue'
import 'element-plus/theme-chalk/base.css'
import './style.css'
import { loadConfig } from '@common/config'
import { initAuth } from '@common/auth'
import { createApi } from '@common/api'
import App from './App.vue'
import { createConsoleRouter } from './router'
import { i18n } from './i18n'

async function start(): Promise<void> {
  const config = await loadConfig()
  initAuth('console')
  createApi(config)
  createApp(App).use(i18n).use(createConsoleRouter()).mount('#app')
}

start().catch((error: unknown) => {
  const app = document.getElementById('app')
  if (app) {
    app.setAttribute('role', 'alert')
    app.textContent = `无法启动：${error instanceof Error ? error.message : String(error)}`
  }
})
