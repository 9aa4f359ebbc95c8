// The create-or-edit dialog of a section: one useAction whose success closes the dialog, says
// "已保存" and reloads the section's list, and `show()` that opens it with last time's refusal
// cleared. Campaigns, tasks, catalog items and lotteries all save this way.
import { ref } from 'vue'
import { useI18n } from 'vue-i18n'
import type { ClientPathsWithMethod } from 'openapi-fetch'
import { useAction, type ActionOptions } from '@common/action'
import { api, unwrap, type Api } from '@common/api'
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

/** The save of a record the console replaces whole: PUT `path`, whose one path parameter
 * (e.g. {task_id}) is the record's id, with the form's body; for useEditor:
 *   useEditor(putRecord('/v1/admin/tasks/{task_id}'), list.load) */
export function putRecord<R = unknown>(path: ClientPathsWithMethod<Api, 'put'>) {
  const param = /\{(\w+)\}/.exec(path)?.[1] ?? 'id'
  return (_key: string, id: string, body: Record<string, unknown>): Promise<R> =>
    unwrap(api().PUT(path, { params: { path: { [param]: id } }, body } as never)) as Promise<R>
}
