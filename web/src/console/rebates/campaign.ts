// A rebate campaign as the console edits it: the API's shape (PUT /v1/admin/rebates/{id})
// and the form's rows (decimal strings stay strings: what the operator typed is what is sent,
// and the API's 422 names the field that is wrong).
import type { paths } from '@common/schema'
import type { Body } from '@common/rebates'
import { compact } from '../util'
import { joinList, splitList } from '../forms'

/** A campaign as listed and saved (GET /v1/admin/rebates, PUT .../{id}). */
export type CampaignDefinition = Body<paths['/v1/admin/rebates']['get']>['items'][number]
export type CampaignBody = paths['/v1/admin/rebates/{campaign_id}']['put']['requestBody']['content']['application/json']
export type Payout = CampaignDefinition['payout']
export const PAYOUTS: Payout[] = ['points', 'bank']

export interface SpendRow {
  min_amount: string
  rate: string
}
export interface QuantityRow {
  min_quantity: number | undefined
  rate: string
}
export interface BundleRow {
  bundle_id: string
  skus: string
  extra_rate: string
}

export interface CampaignForm {
  campaign_id: string
  name: string
  starts_at: string
  ends_at: string
  payout: Payout
  spend: SpendRow[]
  quantity: QuantityRow[]
  quantity_skus: string
  bundles: BundleRow[]
  referral_rate: string
  cap: string
  return_days: number | undefined
  /** Not edited here but kept: a PUT replaces the whole campaign, and these set through the
   * API must survive an edit in the console. */
  kept: Pick<CampaignBody, 'eligible_tiers' | 'points_per_unit'>
}

export const blankSpend = (): SpendRow => ({ min_amount: '', rate: '' })
export const blankQuantity = (): QuantityRow => ({ min_quantity: undefined, rate: '' })
export const blankBundle = (): BundleRow => ({ bundle_id: '', skus: '', extra_rate: '' })

export function blankForm(): CampaignForm {
  return {
    campaign_id: '',
    name: '',
    starts_at: '',
    ends_at: '',
    payout: 'points',
    spend: [blankSpend()],
    quantity: [],
    quantity_skus: '',
    bundles: [],
    referral_rate: '',
    cap: '',
    return_days: undefined,
    kept: {},
  }
}

export function formOf(c: CampaignDefinition): CampaignForm {
  return {
    campaign_id: c.campaign_id,
    name: c.name,
    starts_at: c.starts_at,
    ends_at: c.ends_at,
    payout: c.payout,
    spend: c.spend_ladder.map((r) => ({ ...r })),
    quantity: (c.quantity_ladder ?? []).map((r) => ({ ...r })),
    quantity_skus: joinList(c.quantity_skus),
    bundles: (c.bundles ?? []).map((b) => ({
      bundle_id: b.bundle_id,
      skus: joinList(b.skus),
      extra_rate: b.extra_rate,
    })),
    referral_rate: c.referral_rate ?? '',
    cap: c.cap ?? '',
    return_days: c.return_days,
    kept: { eligible_tiers: c.eligible_tiers, points_per_unit: c.points_per_unit },
  }
}

/** The PUT body: optional parts left out when empty (no quantity ladder, no bundles...). */
export function bodyOf(f: CampaignForm): CampaignBody {
  const quantity = f.quantity.map((r) => ({ min_quantity: r.min_quantity, rate: r.rate.trim() }))
  const bundles = f.bundles.map((b) => ({
    bundle_id: b.bundle_id.trim(),
    skus: splitList(b.skus) ?? [],
    extra_rate: b.extra_rate.trim(),
  }))
  return compact({
    name: f.name.trim(),
    starts_at: f.starts_at,
    ends_at: f.ends_at,
    payout: f.payout,
    spend_ladder: f.spend.map((r) => ({ min_amount: r.min_amount.trim(), rate: r.rate.trim() })),
    quantity_ladder: quantity.length ? quantity : undefined,
    quantity_skus: splitList(f.quantity_skus),
    bundles: bundles.length ? bundles : undefined,
    referral_rate: f.referral_rate.trim(),
    cap: f.cap.trim(),
    return_days: f.return_days,
    ...f.kept,
  }) as CampaignBody // what is missing or wrong the API names in its 422
}
