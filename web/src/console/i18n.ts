// The console's i18n instance (common catalog + the console's own), shared by the layout's
// language switch.
import { createAppI18n } from '@common/i18n'
import zh from './locales/zh-CN'
import en from './locales/en'

export const i18n = createAppI18n({ 'zh-CN': zh, en })
