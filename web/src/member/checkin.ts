// The check-in action, shared by the home page and the calendar page.
import { useI18n } from 'vue-i18n'
import { showToast } from 'vant'
import { api, idem, unwrap } from '@common/api'
import { useMemberAction } from './ui'
import { useMe } from './store'

export function useCheckin(after?: () => void) {
  const { t } = useI18n()
  const store = useMe()
  return useMemberAction(
    (key: string) => unwrap(api().POST('/v1/me/checkins', { headers: idem(key) })),
    (result) => {
      const bonus = result.bonus ? t('checkin.bonus', { bonus: result.bonus }) : ''
      showToast(t('checkin.done', { points: result.points, streak: result.streak }) + bonus)
      void store.refresh()
      after?.()
    },
  )
}
