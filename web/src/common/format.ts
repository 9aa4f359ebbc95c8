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

/** A money decimal string as a person reads it, done on the string (never a float):
 * "3200" / "3200.5" -> "3,200.00" / "3,200.50"; a sign ("-12.3", "+5") is kept; null -> "—". */
export function formatMoney(amount: string | null | undefined): string {
  if (amount === null || amount === undefined || amount === '') return '—'
  const parts = /^([+-]?)(\d+)(?:\.(\d*))?$/.exec(amount)
  if (!parts) return amount
  const [, sign, whole = '0', frac = ''] = parts
  const grouped = whole.replace(/\B(?=(\d{3})+(?!\d))/g, ',')
  return `${sign}${grouped}.${frac.padEnd(2, '0')}`
}

/** A percent rate as the API writes it ("2.50", "5") -> "2.5%", "5%"; null -> "—". */
export function formatRate(rate: string | null | undefined): string {
  if (rate === null || rate === undefined || rate === '') return '—'
  const trimmed = rate.includes('.') ? rate.replace(/0+$/, '').replace(/\.$/, '') : rate
  return `${trimmed}%`
}
