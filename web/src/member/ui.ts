// Member-app helpers: actions that show refusals in Chinese (errors.<code>), a page's read,
// paging by cursor, and small formatters.
import { onMounted, ref, shallowRef } from 'vue'
import { useI18n } from 'vue-i18n'
import { notify } from './notice'
import { useAction, type ActionOptions } from '@common/action'
import { errorMessage } from '@common/errors'
import { ApiError, idem, toApiError } from '@common/api'
import { useRead } from '@common/read'
import { useMe } from './store'

/** useAction whose refusals appear in a dialog with the catalogued message. */
export function useMemberAction<A extends unknown[], R>(
  fn: (idempotencyKey: string, ...args: A) => Promise<R>,
  onSuccess?: (result: R) => void,
) {
  const { t } = useI18n()
  const options: ActionOptions<R> = {
    onSuccess,
    onError: (error) => {
      void notify(t('common.refused'), errorMessage(t, error))
    },
  }
  return useAction(fn, options)
}

/** A page's read (common/read.ts), loading from the start: <LoadState> shows `loading`
 * and `error` (with `load` as its retry). */
export function usePageData<T>(fetch: () => Promise<T>, initial: T) {
  return useRead(fetch, initial, true)
}

/** On mount: the member's account when no page has read it yet, and the page's own `load`. */
export function onPageMounted(load?: () => unknown): void {
  const store = useMe()
  onMounted(() => {
    if (!store.me) void store.refresh()
    void load?.()
  })
}

/** The request parts of a write on one record: its path parameters and the action's
 * Idempotency-Key, e.g. api().POST('/v1/me/tasks/{task_id}/completions', keyed(key, { task_id })). */
export function keyed<P extends Record<string, string>>(key: string, path: P) {
  return { params: { path }, headers: idem(key) }
}

/** The query of one page of a member list: 20 rows after `cursor`. */
export function pageQuery(cursor: string | undefined) {
  return { params: { query: { limit: 20, cursor } } }
}

export interface Page<T> {
  items: T[]
  next_cursor?: string | null
}

/** Cursor paging for van-list: `load()` fetches the next page until next_cursor is null. */
export function usePaged<T>(fetchPage: (cursor: string | undefined) => Promise<Page<T>>) {
  const items = shallowRef<T[]>([])
  const loading = ref(false)
  const finished = ref(false)
  const failed = ref(false)
  const error = shallowRef<ApiError | null>(null)
  let cursor: string | undefined

  async function load(): Promise<void> {
    loading.value = true
    try {
      const page = await fetchPage(cursor)
      items.value = [...items.value, ...page.items]
      cursor = page.next_cursor ?? undefined
      finished.value = !cursor
      failed.value = false
    } catch (e) {
      error.value = toApiError(e)
      failed.value = true
    } finally {
      loading.value = false
    }
  }

  function reset(): void {
    items.value = []
    cursor = undefined
    finished.value = false
    failed.value = false
  }

  return { items, loading, finished, failed, error, load, reset }
}

export { formatTime, signed } from '@common/format'

/** "0.001000" -> "0.1%": the published odds times 100, done on the decimal string. */
export function formatOdds(odds: string): string {
  const [whole = '0', frac = ''] = odds.split('.')
  const padded = frac.padEnd(2, '0')
  const intPart = String(Number(whole + padded.slice(0, 2)))
  const rest = padded.slice(2).replace(/0+$/, '')
  return `${intPart}${rest ? `.${rest}` : ''}%`
}
