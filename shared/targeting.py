"""What a purchase offers its member: the campaigns for them and the extra lottery draws
they earn (docs/product.md "Targeting").

A purchase reads nothing before its transaction, so it decides for the member it *expects*
(``shared.dynamodb.purchases.Expect``): the tier is pinned by the profile condition already;
the registration time is known once a cancellation returned the profile. Until then the
member is taken as "not new": campaigns and lotteries for members registered after a date
are left out and the profile condition says "registered before the earliest such cutoff" —
a new member fails it, and the retry with the returned profile includes them.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from decimal import Decimal

from msgspec import Struct

from shared.clock import utc_iso
from shared.domain.campaigns import Campaign, for_member
from shared.domain.lottery import DrawOffer
from shared.domain.rules import Rules
from shared.domain.targeting import Audience, cutoff
from shared.dynamodb.extra_draws import Grant


class Offers(Struct, frozen=True):
    """The campaigns that apply, the draws earned, and the guard they were decided under."""

    campaigns: tuple[Campaign, ...]
    grants: tuple[Grant, ...] = ()
    registered_before: str | None = None  # UTC ISO: the profile condition's guard, if any


def for_purchase(
    member_id: str,
    tier: str | None,
    registered_at: str | None,
    campaigns: Sequence[Campaign],
    draw_offers: Sequence[DrawOffer],
    amount: Decimal,
    at: datetime,
    rules: Rules,
    *,
    earns: bool = True,
) -> Offers:
    """The offers of a purchase of ``amount`` at ``at`` (``campaigns`` already active then)
    by a member of ``tier`` registered at ``registered_at`` (None: not read yet). A member
    who earns nothing (``earns`` False: frozen) gets no extra draws."""
    zone = rules.zone
    member = Audience(tier, datetime.fromisoformat(registered_at) if registered_at else None)
    draw_offers = [o for o in draw_offers if o.starts_at <= at < o.ends_at]
    cutoffs = [  # of the offers this member would get if new (the tier is pinned already)
        cutoff(t.registered_after, zone)
        for t in [c.target for c in campaigns] + [o.target for o in draw_offers]
        if t.registered_after is not None and (t.tiers is None or tier in t.tiers)
    ]
    guard = utc_iso(min(cutoffs)) if registered_at is None and cutoffs else None
    grants = tuple(
        Grant(member_id, o.lottery_id, n, o.ends_at)
        for o in draw_offers
        if earns and (n := o.draws_for(amount, at, member, zone)) > 0
    )
    return Offers(for_member(campaigns, member, zone), grants, guard)
