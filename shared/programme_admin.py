"""Use cases of the programme's configuration: rules and campaigns (operators)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import msgspec

from shared import programme
from shared.clock import utc_iso
from shared.domain.campaigns import Campaign, definition_problems
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


def _view(campaign: Campaign, now: datetime) -> dict[str, Any]:
    return {**campaign.to_json(), "active": campaign.active_at(now, programme.current().zone)}


def campaign_of(campaign_id: str, fields: dict[str, Any]) -> Campaign:
    """The campaign a PUT body defines (``fields`` as its request parsed them): the name
    lists become sets, and 0 bonus points is no bonus."""
    bonus_points = fields.get("bonus_points") or None
    return msgspec.convert(
        {**fields, "campaign_id": campaign_id, "bonus_points": bonus_points}, Campaign
    )


def put_campaign(campaign: Campaign, actor: str, now: datetime) -> tuple[dict, bool]:
    """Create or replace a campaign. Returns (campaign, created)."""
    problems = definition_problems(campaign, [t.name for t in programme.current().tiers])
    if problems:
        raise Invalid(
            "invalid fields: " + ", ".join(sorted(problems)), details={"fields": problems}
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
