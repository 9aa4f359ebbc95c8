// The create-or-edit dialog of a section: one useAction whose success closes the dialog, says
// "已保存" and reloads the section's list, and `show()` that opens it with last time's refusal
// cleared. Campaigns, tasks, catalog items and lotteries all save this way.
import { ref } from 'vue'
import { useI18n } from 'vue-i18n'
import { useAction, type ActionOptions } from '@common/action'
import { ElMessage } from './el'

export interface EditorOptions<R> {
  /** Keep the dialog open after saving (the lottery editor goes on to its stats and draws). */
  stayOpen?: boolean
  /** Runs after a save, before the list reloads (e.g. refill the form from the answer). */
  onSaved?: (result: R) => void
  onError?: ActionOptions<R>['onError']
}

export function useEditor<A extends unknown[], R>(
  fn: (idempotencyKey: string, ...args: A) => Promise<R>,
  reload: () => unknown,
  options: EditorOptions<R> = {},
) {
  const { t } = useI18n()
  const open = ref(false)
  const creating = ref(true)
  const save = useAction(fn, {
    onSuccess: (result) => {
      if (!options.stayOpen) open.value = false
      ElMessage.success(t('common.saved'))
      options.onSaved?.(result)
      void reload()
    },
    onError: options.onError,
  })
  /** Opens the dialog for a new record (`isNew`) or for one being replaced. */
  function show(isNew: boolean): void {
    save.error.value = null
    creating.value = isNew
    open.value = true
  }
  return { open, creating, save, show }
}
