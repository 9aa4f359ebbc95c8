// The member app (H5, 375x812 first), served at /.
import { createApp } from 'vue'
import { createPinia } from 'pinia'
import 'vant/lib/index.css'
import './style.css'
import { loadConfig } from '@common/config'
import { initAuth } from '@common/auth'
import { createApi } from '@common/api'
import { createAppI18n } from '@common/i18n'
import App from './App.vue'
import { createMemberRouter } from './router'
import zh from './locales/zh-CN'
import en from './locales/en'
import { applyVantLocale } from './language'

async function start(): Promise<void> {
  const config = await loadConfig()
  initAuth('member')
  createApi(config)
  const i18n = createAppI18n({ 'zh-CN': zh, en })
  await applyVantLocale(i18n.global.locale.value)
  createApp(App).use(createPinia()).use(i18n).use(createMemberRouter(config)).mount('#app')
}

start().catch((error: unknown) => {
  const app = document.getElementById('app')
  if (app) {
    app.setAttribute('role', 'alert')
    app.textContent = `无法启动：${error instanceof Error ? error.message : String(error)}`
  }
})
