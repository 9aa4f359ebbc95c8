// Why a catalog item cannot be redeemed now, worked out from what the listing says, so the
// member sees it BEFORE trying (the server still decides: the same reasons come back as
// errors.<code> if the listing was stale).
import type { CatalogItem, Member, Tier } from './types'
import { TIERS } from './types'

export type ItemState = 'ok' | 'sold_out' | 'tier' | 'not_started' | 'ended' | 'unavailable'

function rank(tier: Tier | null | undefined): number {
  return tier ? TIERS.indexOf(tier) : -1
}

export function itemState(item: CatalogItem, me: Member | null, now = new Date()): ItemState {
  if ((item.stock !== null && item.stock <= 0) || item.unavailable_reason === 'sold_out') {
    return 'sold_out'
  }
  if (item.available) return 'ok' // the server judged it for this member's tier, at its clock
  if (item.min_tier && me && rank(me.tier) < rank(item.min_tier)) return 'tier'
  if (item.starts_at && new Date(item.starts_at) > now) return 'not_started'
  if (item.ends_at && new Date(item.ends_at) <= now) return 'ended'
  return 'unavailable'
}
