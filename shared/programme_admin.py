"""Use cases of the programme's configuration: rules and campaigns (operators).

Each write reads what it replaces, writes pinned to that read with its audit log entry
(``before`` = what was read, ``after`` = what was written, as the API shows them) and, when
another operator wrote in between, reads and writes again.
"""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

import msgspec

from shared import programme
from shared.clock import utc_iso
from shared.domain import audit as audit_log
from shared.domain.campaigns import Campaign, definition_problems
from shared.dynamodb import config
from shared.dynamodb.config import until_written
from shared.errors import Invalid
from shared.rules_codec import apply, decode, normalized, to_json


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
    stored = normalized(overrides)

    def attempt() -> bool | None:
        read = config.rules_data()
        logged = audit_log.entry(
            now,
            actor,
            "rules.put",
            audit_log.target("rules"),
            before=_rules_view(json.loads(read) if read is not None else {}),
            after=_rules_view(stored),
        )
        return config.put_rules(stored, read, logged, utc_iso(now), actor) or None

    until_written(attempt)
    return get_rules()


def _rules_view(overrides: dict[str, Any]) -> dict[str, Any]:
    """What ``GET /v1/admin/rules`` shows for these stored overrides."""
    return to_json(apply(overrides)[0])


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
    data = campaign.to_json()

    def attempt() -> bool | None:
        read = config.campaign_data(campaign.campaign_id)
        before = json.loads(read) if read is not None else None
        target = audit_log.target("campaign", campaign.campaign_id)
        logged = audit_log.entry(now, actor, "campaign.put", target, before=before, after=data)
        written = config.put_campaign(data, read, logged, utc_iso(now), actor)
        return (read is None) if written else None

    created = until_written(attempt)
    programme.invalidate()
    return _view(campaign, now), created


def list_campaigns(now: datetime) -> dict[str, Any]:
    programme.invalidate()
    return {
        "items": [_view(c, now) for c in programme.campaigns()],
        "next_cursor": None,
    }
