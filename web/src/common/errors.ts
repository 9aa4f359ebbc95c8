// Every error code the API can answer (shared/errors.py, docs/api.md), plus the client's own
// 'network' and 'unknown'. The catalogs are typed Record<ErrorCode, string>, so a code added
// here without a Chinese and an English message breaks the build.
import { ApiError, toApiError } from './api'

export const ERROR_CODES = [
  // categories
  'bad_request',
  'invalid_cursor',
  'unauthorized',
  'forbidden',
  'not_found',
  'method_not_allowed',
  'conflict',
  'validation_error',
  'payload_too_large',
  'rate_limited',
  'internal',
  'contention',
  // members and points
  'member_not_found',
  'member_exists',
  'member_frozen',
  'recipient_frozen',
  'insufficient_points',
  'idempotency_key_reused',
  'idempotency_key_required',
  'transfer_limit_reached',
  'nothing_to_extend',
  'too_many_lots',
  // purchases, refunds, checkout
  'order_not_found',
  'refund_exceeds_order',
  'refund_id_reused',
  'exceeds_max_share',
  'hold_not_found',
  'hold_not_active',
  'hold_exists',
  // earning
  'already_checked_in',
  'task_not_found',
  'task_limit_reached',
  // mall
  'item_not_found',
  'coupon_not_found',
  'sold_out',
  'limit_reached',
  'not_available',
  'invalid_transition',
  'coupon_used',
  'coupon_expired',
  'wrong_pickup_code',
  'pickup_locked',
  'insufficient_stock',
  // lottery
  'lottery_not_found',
  'draw_limit_reached',
  // operators
  'job_not_found',
  'campaign_not_ended',
  // rebates
  'campaign_not_found',
  'campaign_started',
  'statement_not_found',
  // operator tools, reviews, verified tasks, lottery draws
  'review_not_found',
  'review_decided',
  // second approval of large adjustments
  'adjustment_not_found',
  'second_approver_required',
  'import_not_found',
  'upload_missing',
  'export_not_found',
  'verification_required',
  'no_extra_draws',
  // the inbox
  'message_not_found',
  // client side
  'network',
  'unknown',
] as const

export type ErrorCode = (typeof ERROR_CODES)[number]
export type ErrorCatalog = Record<ErrorCode, string>

const known = new Set<string>(ERROR_CODES)

type Translate = (key: string) => string

/** The message to show for a failure: errors.<code>, or a generic one; never raw JSON. */
export function errorMessage(t: Translate, err: unknown): string {
  const error: ApiError = toApiError(err)
  if (known.has(error.code)) return t(`errors.${error.code}`)
  return t(error.status >= 500 ? 'errors.internal' : 'errors.unknown')
}

/** The fields a 422 names ({"details": {"fields": {name: problem}}}), for showing beside inputs. */
export function fieldErrors(err: unknown): Record<string, string> {
  const details = err instanceof ApiError ? err.details : null
  const fields = (details as { fields?: unknown } | null)?.fields
  if (!fields || typeof fields !== 'object') return {}
  return Object.fromEntries(Object.entries(fields).map(([k, v]) => [k, String(v)]))
}
