// vue-i18n for both apps: the common catalog (errors, shared words) merged with the app's own,
// zh-CN by default, en available, the choice kept in localStorage. A key that is missing is
// recorded in window.__i18nMissing (the browser tests assert it stays empty) instead of
// printing warnings.
import { createI18n } from 'vue-i18n'
import commonZh from './locales/zh-CN'
import commonEn from './locales/en'

export const LOCALES = ['zh-CN', 'en'] as const
export type Locale = (typeof LOCALES)[number]

const STORAGE_KEY = 'loyalty.locale'

declare global {
  interface Window {
    __i18nMissing?: string[]
  }
}

function stored(): Locale | null {
  try {
    const value = localStorage.getItem(STORAGE_KEY)
    return (LOCALES as readonly string[]).includes(value ?? '') ? (value as Locale) : null
  } catch {
    return null
  }
}

let locale: Locale = stored() ?? 'zh-CN'

/** Whether the person picked a language on this device (the switch's choice is kept). */
export function localeChosenHere(): boolean {
  return stored() !== null
}

/** The language in use (sent as Accept-Language). */
export function currentLocale(): Locale {
  return locale
}

type Tree = { [key: string]: string | Tree }

function merge(a: Tree, b: Tree): Tree {
  const out: Tree = { ...a }
  for (const [key, value] of Object.entries(b)) {
    const left = out[key]
    out[key] =
      typeof left === 'object' && typeof value === 'object' ? merge(left, value) : value
  }
  return out
}

export function createAppI18n(appMessages: Record<Locale, Tree>) {
  window.__i18nMissing ??= []
  document.documentElement.lang = locale
  return createI18n({
    legacy: false,
    locale,
    fallbackLocale: 'zh-CN',
    missingWarn: false,
    fallbackWarn: false,
    messages: {
      'zh-CN': merge(commonZh as unknown as Tree, appMessages['zh-CN']),
      en: merge(commonEn as unknown as Tree, appMessages.en),
    },
    missing: (missingLocale: string, key: string) => {
      window.__i18nMissing!.push(`${missingLocale}:${key}`)
      return key
    },
  })
}

export type AppI18n = ReturnType<typeof createAppI18n>

interface LocaleRef {
  locale: { value: string }
}

/** Switches the language, remembers it (unless `remember` is false: a language adopted from
 * the member's saved preference is not a choice made on this device), and updates
 * <html lang>. Takes the i18n instance or the composer useI18n() returns. */
export function setLocale(i18n: AppI18n | LocaleRef, next: Locale, remember = true): void {
  locale = next
  const target: LocaleRef = 'global' in i18n ? i18n.global : i18n
  target.locale.value = next
  document.documentElement.lang = next
  if (!remember) return
  try {
    localStorage.setItem(STORAGE_KEY, next)
  } catch {
    // private mode: the choice lasts for this page only
  }
}
