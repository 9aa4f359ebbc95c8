// Rebate campaigns (返利) as both apps read them (docs/api.md, rebates): the member's progress,
// the statement, and the operator's campaign. Money stays a decimal string; where a page needs
// a proportion (the progress bar) it is worked out in integer cents, never in floats.
import type { paths } from './schema'

/** The JSON body a route answers with 200. */
export type Body<R> = R extends { responses: { 200: { content: { 'application/json': infer B } } } } ? B : never

/** A member's progress in one campaign (GET /v1/me/rebates). */
export type RebateProgress = Body<paths['/v1/me/rebates']['get']>['items'][number]
/** A statement: lines (rule, basis, rate, amount), total, adjustment, payable, status. */
export type Statement = Body<paths['/v1/me/rebates/{campaign_id}/statement']['get']>
export type StatementLine = Statement['lines'][number]
export type StatementStatus = Statement['status']
export const STATEMENT_STATUSES: StatementStatus[] = ['draft', 'approved', 'rejected', 'paid']

/** Purchases still count (the home page shows these campaigns). */
export function isRunning(progress: RebateProgress): boolean {
  return progress.status === 'running'
}

/** The campaign was settled: the member has a statement to read. */
export function isSettled(progress: RebateProgress): boolean {
  return (STATEMENT_STATUSES as string[]).includes(progress.status)
}

/** "4900.5" -> 490050n: a decimal string's whole cents (extra places are cut). */
export function cents(amount: string | null | undefined): bigint {
  const parts = /^([+-]?)(\d+)(?:\.(\d*))?$/.exec(amount ?? '')
  if (!parts) return 0n
  const value = BigInt(parts[2] ?? '0') * 100n + BigInt((parts[3] ?? '').padEnd(2, '0').slice(0, 2))
  return parts[1] === '-' ? -value : value
}

/** How far the qualifying amount has come towards the next rung, 0-100 (for a progress bar). */
export function rungPercent(progress: RebateProgress): number {
  const next = progress.next_rung
  if (!next) return 100
  const target = cents(next.min_amount)
  if (target <= 0n) return 100
  const done = (cents(progress.qualifying_amount) * 100n) / target
  return Number(done < 0n ? 0n : done > 100n ? 100n : done)
}

/** The rule of a statement line as an i18n key and its parameters ("bundle:b1" -> bundle b1). */
export function ruleLabel(rule: string): { key: string; params: Record<string, string> } {
  const [kind = rule, id = ''] = rule.split(':', 2)
  return { key: `rebate.rules.${kind}`, params: { id } }
}
