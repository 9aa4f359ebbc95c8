// Small helpers the console's views share: loading a GET into refs, a 422's field errors,
// and the lottery odds exactly as the API publishes them.
import { ref, shallowRef, type Ref, type ShallowRef } from 'vue'
import type { ClientPathsWithMethod } from 'openapi-fetch'
import { ApiError, api, unwrap, type Api } from '@common/api'
import { useRead, type Read } from '@common/read'
import { fieldErrors } from '@common/errors'
import { formatPoints, formatTime, signed } from '@common/format'

export type Load<T> = Read<T | null>

/** A read: `load()` fills `data`, or `error` with the refusal (shown by <Refusal>). */
export function useLoad<T>(fn: () => Promise<T>): Load<T> {
  return useRead<T | null>(fn, null)
}

/** A section's records, read at once: the `items` of GET `path` (with `query`); `load()`
 * reads them again, e.g. after a save. */
export function useRecords<T>(path: ClientPathsWithMethod<Api, 'get'>, query?: Record<string, unknown>): Load<T[]> {
  const list = useLoad(async () => {
    const answer = await unwrap(api().GET(path, (query ? { params: { query } } : {}) as never))
    return (answer as { items: unknown[] }).items as T[]
  })
  void list.load()
  return list
}

/** A list read page by page (docs/api.md: limit + cursor): `reload()` from the start, `more()`
 * appends the next page while `cursor` says there is one. */
export interface Paged<T> {
  items: ShallowRef<T[]>
  cursor: Ref<string | null>
  loading: Ref<boolean>
  error: ShallowRef<ApiError | null>
  more: () => Promise<void>
  reload: () => Promise<void>
}

export function usePaged<T>(
  fetch: (page: { limit: number; cursor?: string }) => Promise<{ items: unknown[]; next_cursor?: string | null }>,
  limit = 50,
): Paged<T> {
  const items = shallowRef<T[]>([])
  const cursor = ref<string | null>(null)
  const page = useLoad(async () => {
    const after = cursor.value
    const answer = await fetch(after ? { limit, cursor: after } : { limit })
    items.value = after ? [...items.value, ...(answer.items as T[])] : (answer.items as T[])
    cursor.value = answer.next_cursor ?? null
  })
  function reload(): Promise<void> {
    cursor.value = null
    return page.load()
  }
  return { items, cursor, loading: page.loading, error: page.error, more: page.load, reload }
}

/** The problem a 422 names for `name` (or for a part of it, e.g. "prizes[0].weight"). */
export function fieldError(error: unknown, name: string): string {
  const fields = fieldErrors(error)
  if (fields[name]) return fields[name]
  const nested = Object.entries(fields).find(
    ([key]) => key.startsWith(`${name}.`) || key.startsWith(`${name}[`),
  )
  return nested ? `${nested[0]}: ${nested[1]}` : ''
}

const ODDS_SCALE = 1_000_000n

/** weight / total as a decimal string with 6 places, rounded half-even (domain odds_text). */
export function oddsText(weight: number, total: number): string {
  if (total <= 0 || weight < 0) return '0.000000'
  const w = BigInt(Math.trunc(weight)) * ODDS_SCALE
  const t = BigInt(Math.trunc(total))
  let q = w / t
  const r = w % t
  if (r * 2n > t || (r * 2n === t && q % 2n === 1n)) q += 1n
  const whole = q / ODDS_SCALE
  const frac = (q % ODDS_SCALE).toString().padStart(6, '0')
  return `${whole}.${frac}`
}

/** "0.012500" -> "1.25%" (for people; the exact string stays beside it). */
export function percent(odds: string | null | undefined): string {
  if (odds === null || odds === undefined || odds === '') return '—'
  return `${(Number(odds) * 100).toFixed(4).replace(/\.?0+$/, '')}%`
}

/** "2027-01-01T08:00:00+08:00" -> "2027-01-01 08:00" (the API's local time, as written). */
export function shortTime(iso: string | null | undefined): string {
  return formatTime(iso, '…')
}

/** Drops empty strings and nulls, so optional fields are left out of a request body. */
export function compact<T extends Record<string, unknown>>(body: T): Partial<T> {
  return Object.fromEntries(
    Object.entries(body).filter(([, v]) => v !== '' && v !== null && v !== undefined),
  ) as Partial<T>
}

/** ElTableColumn formatters: a points cell grouped by thousands, or signed for a ledger change. */
export const pointsCell = (_row: unknown, _column: unknown, value: number): string => formatPoints(value)
export const signedCell = (_row: unknown, _column: unknown, value: number): string => signed(value)
export const timeCell = (_row: unknown, _column: unknown, value: string): string => shortTime(value)

/** A table's text while it has no rows: "loading" until its read answers, then the
 * section's own line (`empty`, e.g. how to create the first one) or a plain "no data". */
export function emptyText(t: (key: string) => string, loading: boolean, empty = 'common.empty'): string {
  return loading ? t('common.loading') : t(empty)
}

/** A column of <DataTable>: its i18n label, and the cell as `prop`, `text`, `tag` or `slot`. */
export interface Column<Row> {
  label: string
  prop?: keyof Row & string
  text?: (row: Row) => string
  /** [ElTag type, text], e.g. (row) => onOff(row.active, t('x.active'), t('x.inactive')). */
  tag?: (row: Row) => [TagType, string]
  slot?: string
  width?: number
  minWidth?: number
  align?: 'right'
}
export type TagType = 'success' | 'info' | 'warning' | 'danger' | 'primary'

/** The tag of a yes / no state: green when on, grey when off. */
export function onOff(on: unknown, yes: string, no: string): [TagType, string] {
  return on ? ['success', yes] : ['info', no]
}

/** A form item of <FormFields>: the model key it edits, its i18n label and its control. */
export interface Field {
  name: string
  /** None for an item without a label (e.g. a checkbox that says what it is). */
  label?: string
  kind?: 'text' | 'textarea' | 'number' | 'date' | 'datetime' | 'select' | 'slot'
  /** Shown as written (already translated). */
  placeholder?: string
  disabled?: boolean
  show?: boolean
  min?: number
  max?: number
  step?: number
  options?: { value: string | number | boolean; label: string }[]
  /** Whose 422 problem the item shows: `name` unless told, none for `false` (a control of
   * the form, not a field of the request). */
  error?: string | false
}
