// The language switch: vue-i18n (common/i18n) plus Vant's own texts (dialog buttons, list
// footers), whose English pack is loaded only when someone picks English.
import { Locale as VantLocale } from 'vant'
import zhCN from 'vant/es/locale/lang/zh-CN' // Vant's default: already in the entry
import { setLocale, type Locale } from '@common/i18n'

export async function applyVantLocale(locale: string): Promise<void> {
  if (locale === 'en') {
    const { default: enUS } = await import('vant/es/locale/lang/en-US')
    VantLocale.use('en-US', enUS)
  } else {
    VantLocale.use('zh-CN', zhCN)
  }
}

export async function switchLanguage(
  i18n: Parameters<typeof setLocale>[0],
  locale: Locale,
  remember = true,
): Promise<void> {
  await applyVantLocale(locale)
  setLocale(i18n, locale, remember)
}
