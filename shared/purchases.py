"""Use cases the shop's order system drives: purchases earn points, refunds claw them back."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any

from msgspec import Struct

from shared import programme
from shared.domain import ledger as kinds
from shared.domain.calendar import local_date
from shared.domain.campaigns import Line, active
from shared.domain.earning import purchase_points
from shared.domain.ledger import Credit
from shared.domain.lots import expiry_date
from shared.domain.referrals import Referral, first_purchase_rewards
from shared.dynamodb import keys
from shared.dynamodb import purchases as purchase_repo
from shared.dynamodb import tiers as tiers_repo
from shared.dynamodb.models import as_plain
from shared.dynamodb.tiers import Standing
from shared.errors import Contention, Invalid


class Purchase(Struct, frozen=True):
    """A purchase the shop's order system reports."""

    order_id: str
    member_id: str
    amount: Decimal
    currency: str
    channel: str | None = None
    occurred_at: datetime | None = None
    items: tuple[Line, ...] = ()


def _purchase_result(entry) -> dict[str, Any]:
    return {
        "order_id": entry.ref,
        "member_id": entry.member_id,
        "points": int(entry.points),
        "breakdown": as_plain(entry.breakdown) or [],
    }


def record_purchase(cmd: Purchase, now: datetime) -> tuple[dict[str, Any], bool]:
    """Credit a reported purchase once per order id. Returns (result, created).

    Points follow the rules in force (``shared.domain.earning.purchase_points``): bonuses,
    the member's tier multiplier and the campaigns active when the purchase occurred
    (``occurred_at``, else now). A frozen member's purchase is recorded with 0 points (so
    refunds still find it). A referred member's first purchase also pays the referral
    bonuses, in the same transaction. Warm, with the member as expected (active, first
    tier, no bonuses pending, not promoted by this purchase), this is ONE DynamoDB round
    trip; otherwise the cancelled transaction returns the member's state and it is retried
    once more with it.

    The tier multiplier is the tier *before* the purchase; when the purchase's points take
    the member over a higher tier's threshold, the same transaction promotes them (the next
    purchase earns at the new tier's rate).
    """
    listed = sum((line.amount for line in cmd.items), Decimal(0))
    if listed > cmd.amount:
        raise Invalid(
            f"the items add up to {listed}, more than the amount paid {cmd.amount}",
            details={"fields": {"items": "item amounts must add up to at most amount"}},
        )
    rules = programme.current()
    occurred = min(cmd.occurred_at, now) if cmd.occurred_at else now  # never in the future
    campaigns = active(programme.campaigns(), occurred)
    today = local_date(now, rules.zone)
    expires_on = expiry_date(today, rules.validity)
    first_tier = rules.tiers[0].name
    expect = purchase_repo.Expect("active", Standing.blind(first_tier, today), pending=False)
    referral: Referral | None = None
    left_out: set[str] = set()
    recipients: dict[str, Standing] = {}
    for _ in range(6):
        frozen = expect.status != "active"
        tier = next((t for t in rules.tiers if t.name == expect.tier), None)
        earned = purchase_points(
            cmd.amount,
            rules,
            lines=cmd.items,
            channel=cmd.channel,
            tier=tier,
            campaigns=campaigns,
            frozen=frozen,
        )
        credit = Credit(
            member_id=cmd.member_id,
            type=kinds.EARN,
            source="purchase",
            ref=cmd.order_id,
            points=earned.points,
            at=now,
            earned_on=today,
            expires_on=expires_on,
            description=f"Purchase {cmd.order_id}" + (" (member frozen)" if frozen else ""),
        )
        rewards = []
        if referral is not None and expect.pending and not frozen:
            rewards = [
                Credit(
                    member_id=r.member_id,
                    type=kinds.EARN,
                    source="referral",
                    ref=cmd.member_id,
                    points=r.points,
                    at=now,
                    earned_on=today,
                    expires_on=expires_on,
                    description=REWARD_TEXT[r.role].format(member=cmd.member_id),
                )
                for r in first_purchase_rewards(cmd.member_id, referral, rules)
                if r.member_id not in left_out
            ]
        try:
            written = purchase_repo.record(
                credit,
                rules,
                expect,
                rewards,
                recipients,
                order_pk=keys.order_pk(cmd.order_id),
                amount=str(cmd.amount),
                currency=cmd.currency,
                breakdown=[{"rule": r.rule, "points": r.points} for r in earned.breakdown],
                refunded="0",
                clawed_back=0,
                refunds={},
            )
        except purchase_repo.Stale as stale:
            member = stale.member
            expect = purchase_repo.Expect(
                status=member.status,
                standing=tiers_repo.standing_of(member, today),
                pending=member.first_purchase_rewarded is False,
            )
            if expect.pending and member.referred_by:
                referral = Referral(member.referred_by, member.referrer_chain)
            continue
        except purchase_repo.RecipientsChanged as changed:
            left_out |= changed.refused
            for member_id, member in changed.stale.items():
                recipients[member_id] = tiers_repo.standing_of(member, today)
            continue
        return _purchase_result(written.entry), not written.replayed
    raise Contention("the member is changing quickly; retry the request")


REWARD_TEXT = {
    "referrer": "Referral bonus: {member} made a first purchase",
    "referee": "Referral welcome bonus on your first purchase",
    "second_level": "Second-level referral bonus: {member} made a first purchase",
}
