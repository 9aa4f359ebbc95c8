"""Operators define rebate campaigns (``PUT``/``GET /v1/admin/rebates/{campaign_id}``) and
list them (``GET /v1/admin/rebates``).

A definition is stored in the programme partition, loaded with the rules (one Query) by
every purchase. Once a campaign has started, its terms (window, ladders, listed SKUs,
bundles, referral rate) can change only while nothing has accrued: what members accrued was
counted under the terms in force (409 ``campaign_started``).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from msgspec.structs import replace

from shared import programme
from shared.clock import utc_iso
from shared.domain import audit
from shared.domain import rebates as rules
from shared.domain.rebates import Bundle, QuantityRung, RebateCampaign, SpendRung
from shared.dynamodb import rebates as repo
from shared.errors import CampaignNotFound, CampaignStarted
from shared.replan import until_done
from shared.validation import invalid


def campaign_of(campaign_id: str, body: dict[str, Any], now: datetime) -> RebateCampaign:
    """The campaign a parsed ``PUT`` body (``shared.requests.rebates``) defines."""
    optional = {
        name: body[name]
        for name in ("referral_rate", "cap", "return_days", "points_per_unit")
        if body.get(name) is not None
    }
    tiers = body.get("eligible_tiers")
    return RebateCampaign(
        campaign_id=campaign_id,
        name=body["name"],
        starts_at=body["starts_at"],
        ends_at=body["ends_at"],
        payout=body["payout"],
        spend_ladder=tuple(SpendRung(r["min_amount"], r["rate"]) for r in body["spend_ladder"]),
        quantity_ladder=tuple(
            QuantityRung(r["min_quantity"], r["rate"]) for r in body.get("quantity_ladder") or ()
        ),
        quantity_skus=frozenset(body.get("quantity_skus") or ()),
        bundles=tuple(
            Bundle(b["bundle_id"], frozenset(b["skus"]), b["extra_rate"])
            for b in body.get("bundles") or ()
        ),
        eligible_tiers=frozenset(tiers) if tiers is not None else None,
        created_at=now,
        updated_at=now,
        **optional,
    )


def view(campaign: RebateCampaign) -> dict[str, Any]:
    """The campaign as operators see it (``closes_at``: when accrual stops)."""
    return {**campaign.to_json(), "closes_at": campaign.closes_at.isoformat()}


def put_campaign(
    campaign: RebateCampaign, now: datetime, actor: str
) -> tuple[dict[str, Any], bool]:
    """Create or replace; returns (view, created). 422 for an inconsistent definition, 409
    ``campaign_started`` for new terms of a started campaign that has accruals. Audited
    (``rebate.put``) in the write's transaction, which is conditional on the definition
    read: a campaign changed meanwhile is read and decided again."""
    tiers = frozenset(t.name for t in programme.current().tiers)
    problems = rules.definition_problems(campaign, tiers)
    if problems:
        raise invalid(problems)

    def attempt() -> tuple[dict[str, Any], bool] | None:
        stored = repo.read_campaign(campaign.campaign_id)
        existing = stored.campaign if stored is not None else None
        new = campaign
        if existing is not None:
            started = now >= existing.starts_at
            if (
                started
                and rules.terms_changed(existing, campaign)
                and repo.has_accrual(campaign.campaign_id)
            ):
                raise CampaignStarted(
                    f"campaign {campaign.campaign_id!r} has started and purchases have "
                    "accrued: its window and ladders can no longer change"
                )
            new = _keep_created(campaign, existing)
        after = view(new)
        before = view(existing) if existing is not None else None
        change = audit.entry(
            now,
            actor,
            "rebate.put",
            audit.target("rebate", campaign.campaign_id),
            before=before,
            after=after,
        )
        if not repo.put_campaign(new, utc_iso(now), actor, change, stored):
            return None
        return after, existing is None

    answer = until_done(attempt, "campaign")
    programme.invalidate()
    return answer


def _keep_created(campaign: RebateCampaign, existing: RebateCampaign) -> RebateCampaign:
    return replace(campaign, created_at=existing.created_at or campaign.created_at)


def get_campaign(campaign_id: str) -> RebateCampaign:
    campaign = repo.get_campaign(campaign_id)
    if campaign is None:
        raise CampaignNotFound(f"no rebate campaign {campaign_id!r}")
    return campaign


def list_campaigns() -> dict[str, Any]:
    """``GET /v1/admin/rebates``: every campaign, latest start first."""
    found = sorted(repo.campaigns(), key=lambda c: (c.starts_at, c.campaign_id), reverse=True)
    return {"items": [view(c) for c in found]}
