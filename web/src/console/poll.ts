// Polling a job the API runs in the background (a members import, an export): `watch(id)`
// reads it now and again every `everyMs` while its status is queued or running; it stops when
// the job is complete or failed, when another job is watched, or when the view unmounts.
import { onBeforeUnmount } from 'vue'
import { useLoad, type Load } from './util'

export interface Polled<T> extends Load<T> {
  watch: (id: string) => Promise<void>
}

export function useJobPoll<T extends { status: string }>(
  read: (id: string) => Promise<T>,
  everyMs = 1000,
): Polled<T> {
  let id = ''
  let timer: ReturnType<typeof setTimeout> | undefined
  const job = useLoad(() => read(id))
  async function tick(): Promise<void> {
    await job.load()
    const status = job.data.value?.status
    if (!job.error.value && (status === 'queued' || status === 'running')) {
      timer = setTimeout(() => void tick(), everyMs)
    }
  }
  function watch(next: string): Promise<void> {
    clearTimeout(timer)
    id = next
    job.data.value = null
    return tick()
  }
  onBeforeUnmount(() => clearTimeout(timer))
  return { ...job, watch }
}
