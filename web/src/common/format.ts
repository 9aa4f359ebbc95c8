// Numbers and times as a person reads them, the same in both apps: points with thousands
// separators (1,200), a signed change (+50 / -800), and a timestamp to the minute.

const grouped = new Intl.NumberFormat('en-US', { maximumFractionDigits: 0 })

/** 1200 -> "1,200" (the grouping Chinese and English readers both use for integers). */
export function formatPoints(n: number | null | undefined): string {
  return n === null || n === undefined ? '—' : grouped.format(n)
}

/** A balance change with its sign: +50, -800, 0. */
export function signed(n: number): string {
  return n > 0 ? `+${grouped.format(n)}` : grouped.format(n)
}

/** "2026-11-30T04:07:51+08:00" -> "2026-11-30 04:07": the programme's local time as the API
 * sends it (not the browser's zone, so an operator abroad sees the programme's day). */
export function formatTime(iso: string | null | undefined, missing = ''): string {
  return iso ? iso.slice(0, 16).replace('T', ' ') : missing
}
