// useRead: one GET behind a page or a panel. `load()` fills `data` (from `initial`), or
// `error` with the refusal; `loading` while it runs (from the start with `loadingAtFirst`,
// for a page that reads as it opens). The console's useLoad and the member app's
// usePageData are this read.
import { ref, shallowRef, type Ref, type ShallowRef } from 'vue'
import { ApiError, toApiError } from './api'

export interface Read<T> {
  data: ShallowRef<T>
  loading: Ref<boolean>
  error: ShallowRef<ApiError | null>
  load: () => Promise<void>
}

export function useRead<T>(fetch: () => Promise<T>, initial: T, loadingAtFirst = false): Read<T> {
  const data = shallowRef(initial) as ShallowRef<T>
  const loading = ref(loadingAtFirst)
  const error = shallowRef<ApiError | null>(null)
  async function load(): Promise<void> {
    loading.value = true
    error.value = null
    try {
      data.value = await fetch()
    } catch (thrown) {
      error.value = toApiError(thrown)
    } finally {
      loading.value = false
    }
  }
  return { data, loading, error, load }
}
