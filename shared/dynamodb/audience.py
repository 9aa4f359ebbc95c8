"""A target (``shared.domain.targeting``) as a condition on the member's profile, so a write
for targeted members (a draw in a tier-only lottery) checks it atomically without a read."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from shared.clock import utc_iso
from shared.domain.rules import Rules
from shared.domain.targeting import Audience, Target, cutoff
from shared.dynamodb.models.members import MemberItem
from shared.dynamodb.tiers import tier_is
from shared.dynamodb.tx import image


def condition(target: Target, rules: Rules) -> Any:
    """The profile condition "``target`` admits this member" (None: it admits everyone)."""
    parts = []
    if target.tiers is not None:
        tiers = [tier_is(t, rules) for t in sorted(target.tiers)]
        either = tiers[0]
        for other in tiers[1:]:
            either |= other
        parts.append(either)
    if target.registered_after is not None:
        since = utc_iso(cutoff(target.registered_after, rules.zone))
        parts.append(MemberItem.registered_at >= since)
    if not parts:
        return None
    result = parts[0]
    for part in parts[1:]:
        result &= part
    return result


def of_image(raw: dict[str, Any] | None) -> Audience | None:
    """The member as targeting sees it, from a cancelled write's profile image."""
    member = image(raw, MemberItem)
    if member is None:
        return None
    registered = member.registered_at
    return Audience(member.tier, datetime.fromisoformat(registered) if registered else None)
