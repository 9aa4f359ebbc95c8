"""Use cases of the programme's configuration: rules and campaigns (operators)."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any

from msgspec import Struct

from shared import programme
from shared.clock import utc_iso
from shared.domain.campaigns import Campaign
from shared.dynamodb import config
from shared.errors import Invalid
from shared.rules_codec import decode, normalized, to_json


def get_rules() -> dict[str, Any]:
    """Every setting with the defaults filled in, as stored now (not as cached)."""
    programme.invalidate()
    return to_json(programme.current())


def put_rules(overrides: dict[str, Any], actor: str, now: datetime) -> dict[str, Any]:
    """Replace the stored overrides (settings left out return to their defaults)."""
    _, problems = decode(overrides)
    if problems:
        raise Invalid(
            "invalid settings: " + ", ".join(sorted(problems)), details={"fields": problems}
        )
    config.put_rules(normalized(overrides), utc_iso(now), actor)
    return get_rules()


class CampaignDefinition(Struct, frozen=True):
    """An operator's earning campaign: its window and what it adds."""

    campaign_id: str
    name: str
    starts_at: datetime
    ends_at: datetime
    multiplier: Decimal | None = None
    bonus_points: int | None = None
    categories: list[str] | None = None
    skus: list[str] | None = None
    channels: list[str] | None = None


def _view(campaign: Campaign, now: datetime) -> dict[str, Any]:
    return {**campaign.to_json(), "active": campaign.active_at(now)}


def put_campaign(cmd: CampaignDefinition, actor: str, now: datetime) -> tuple[dict, bool]:
    """Create or replace a campaign. Returns (campaign, created)."""
    problems = {}
    if cmd.ends_at <= cmd.starts_at:
        problems["ends_at"] = "must be after starts_at"
    if cmd.multiplier is None and not cmd.bonus_points:
        problems["multiplier"] = "a campaign needs a multiplier, bonus_points, or both"
    if problems:
        raise Invalid(
            "invalid fields: " + ", ".join(sorted(problems)), details={"fields": problems}
        )

    def names(values: list[str] | None) -> frozenset[str] | None:
        return frozenset(values) if values is not None else None

    campaign = Campaign(
        campaign_id=cmd.campaign_id,
        name=cmd.name,
        starts_at=cmd.starts_at,
        ends_at=cmd.ends_at,
        multiplier=cmd.multiplier,
        bonus_points=cmd.bonus_points or None,
        categories=names(cmd.categories),
        skus=names(cmd.skus),
        channels=names(cmd.channels),
    )
    created = config.put_campaign(campaign.to_json(), utc_iso(now), actor)
    programme.invalidate()
    return _view(campaign, now), created


def list_campaigns(now: datetime) -> dict[str, Any]:
    programme.invalidate()
    return {
        "items": [_view(c, now) for c in programme.campaigns()],
        "next_cursor": None,
    }
