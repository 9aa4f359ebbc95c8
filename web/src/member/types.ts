// Shapes from the generated schema, plus the fields docs/api.md documents that the OpenAPI
// document leaves untyped (lottery prizes, catalog availability, task progress).
import type { components } from '@common/schema'

type Schemas = components['schemas']
export type Member = Schemas['Member']
export type LedgerEntry = Schemas['LedgerEntry']
export type Order = Schemas['Order'] & { coupon?: { code: string; expires_on: string } | null }
export type Coupon = Schemas['Coupon']
export type Delivery = Schemas['Delivery']
/** What the delivery form edits: the API's shape with the address always a string. */
export type DeliveryDraft = Omit<Delivery, 'address'> & { address: string }
export type Tier = Schemas['Tier']
export type Task = Schemas['Task'] & { completed_in_period?: boolean }
export type CatalogItem = Schemas['CatalogItem'] & {
  unavailable_reason?: string | null
  description?: string | null
  per_member_limit: { per_day?: number; total?: number } | null
}

export interface Prize {
  prize_id: string
  name: string
  kind: 'points' | 'coupon' | 'gift' | 'cash'
  odds: string
  stock: number | null
  points?: number
  cash?: string
}

export interface Lottery {
  lottery_id: string
  name: string
  cost: number
  starts_at: string
  ends_at: string
  daily_limit?: number
  draws_left_today: number
  prizes: Prize[]
  no_prize_odds?: string
}

export interface DrawResult {
  draw_id: string
  cost: number
  prize: { prize_id: string; name: string; kind: string; points?: number; order_id?: string } | null
}

export const TIERS: Tier[] = ['bronze', 'silver', 'gold', 'platinum', 'diamond']
