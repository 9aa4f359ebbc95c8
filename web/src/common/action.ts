// useAction: one user action = one Idempotency-Key. The key is reused when the SAME action
// (same arguments) is tried again after a network failure or a 5xx, so the server can answer
// the first result instead of doing the work twice; any other outcome starts a new key.
// While the call is pending, run() does nothing: bind a button's loading/disabled to `pending`.
import { ref, shallowRef, type Ref, type ShallowRef } from 'vue'
import { ApiError, newIdempotencyKey, toApiError } from './api'

export interface ActionOptions<R> {
  onSuccess?: (result: R) => void
  onError?: (error: ApiError) => void
}

export interface Action<A extends unknown[], R> {
  /** Resolves to the result, or undefined when refused, failed, or already pending. */
  run: (...args: A) => Promise<R | undefined>
  pending: Ref<boolean>
  error: ShallowRef<ApiError | null>
}

export function useAction<A extends unknown[], R>(
  fn: (idempotencyKey: string, ...args: A) => Promise<R>,
  options: ActionOptions<R> = {},
): Action<A, R> {
  const pending = ref(false)
  const error = shallowRef<ApiError | null>(null)
  let retry: { key: string; args: string } | null = null

  async function run(...args: A): Promise<R | undefined> {
    if (pending.value) return undefined
    const argsKey = JSON.stringify(args)
    const key = retry && retry.args === argsKey ? retry.key : newIdempotencyKey()
    pending.value = true
    error.value = null
    try {
      const result = await fn(key, ...args)
      retry = null
      options.onSuccess?.(result)
      return result
    } catch (thrown) {
      const failure = toApiError(thrown)
      retry = failure.retryable ? { key, args: argsKey } : null
      error.value = failure
      options.onError?.(failure)
      return undefined
    } finally {
      pending.value = false
    }
  }

  return { run, pending, error }
}
