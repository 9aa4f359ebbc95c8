// The member's saved preferences (GET/PUT /v1/me/preferences): the language the server writes
// messages, SMS and e-mail in, and the channels besides the inbox. Signed in on a device where
// nobody picked a language, the app takes the saved one (without remembering it as this
// device's choice, so a change made elsewhere is followed next time); picking a language
// while signed in saves it, so what the server writes follows the app.
import { api, unwrap } from '@common/api'
import { getIdentity } from '@common/auth'
import { currentLocale, localeChosenHere, type Locale } from '@common/i18n'
import { switchLanguage } from './language'

type Target = Parameters<typeof switchLanguage>[0]

export function readPreferences() {
  return unwrap(api().GET('/v1/me/preferences'))
}

export type Preferences = Awaited<ReturnType<typeof readPreferences>>

let adoptedFor: string | null = null

/** Once per signed-in member: their saved language, unless this device has a choice. */
export async function adoptSavedLocale(i18n: Target): Promise<void> {
  const sub = getIdentity()?.sub ?? null
  if (!sub || adoptedFor === sub) return
  adoptedFor = sub
  if (localeChosenHere()) return
  try {
    const saved = (await readPreferences()).locale
    if (saved !== currentLocale()) await switchLanguage(i18n, saved, false)
  } catch {
    adoptedFor = null // not read: try again on the next page
  }
}

/** Switches the app's language and, signed in, saves it as the member's preference. */
export async function chooseLanguage(i18n: Target, locale: Locale): Promise<Preferences | null> {
  await switchLanguage(i18n, locale)
  if (!getIdentity()) return null
  return unwrap(api().PUT('/v1/me/preferences', { body: { locale } }))
}
