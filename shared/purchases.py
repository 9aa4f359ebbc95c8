"""Use cases the shop's order system drives: purchases earn points, refunds claw them back."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any

from msgspec import Struct

from shared import programme, reviews, targeting
from shared.clock import utc_iso
from shared.domain import ledger as kinds
from shared.domain.calendar import local_date
from shared.domain.campaigns import Line, active
from shared.domain.earning import purchase_points
from shared.domain.members import can_earn
from shared.domain.referrals import Referral, first_purchase_rewards
from shared.domain.risk import Review, purchase_flags, review_id
from shared.dynamodb import purchases as purchases_repo
from shared.dynamodb import rebates as rebates_repo
from shared.dynamodb.tiers import Standing
from shared.errors import Conflict, Contention, Invalid
from shared.rebates import accrual


class Purchase(Struct, frozen=True):
    """A purchase the shop's order system reports."""

    order_id: str
    member_id: str
    amount: Decimal
    currency: str
    channel: str | None = None
    occurred_at: datetime | None = None
    items: tuple[Line, ...] = ()


def _purchase_result(entry: kinds.Entry) -> dict[str, Any]:
    return {
        "order_id": entry.ref,
        "member_id": entry.member_id,
        "points": entry.points,
        "breakdown": entry.breakdown,
    }


def record_purchase(cmd: Purchase, now: datetime) -> tuple[int, dict[str, Any]]:
    """Credit a reported purchase once per order id. Returns (status, body): 201 credited,
    200 a repeat of an order already recorded, 202 held for review.

    Risk (``rules.risk``, ``shared.domain.risk``): a purchase above the single-purchase limit,
    or whose points would take the member's purchase points of the programme day above the
    daily velocity, is not credited: it waits in the review queue (``shared.reviews``) and
    the member's ``pending_review`` shows its points. The day's purchase points are kept in
    the purchase's own profile update, so the check needs no read: only a member's second
    purchase of a day costs a second round trip (the first attempt assumes the first).

    Points follow the rules in force (``shared.domain.earning.purchase_points``): bonuses,
    the member's tier multiplier and the campaigns active when the purchase occurred
    (``occurred_at``, else now). A frozen member's purchase is recorded with 0 points (so
    refunds still find it). A referred member's first purchase also pays the referral
    bonuses, in the same transaction. Warm, with the member as expected (active, first
    tier, no bonuses pending, not promoted by this purchase), this is ONE DynamoDB round
    trip; otherwise the cancelled transaction returns the member's state and it is retried
    once more with it.

    The purchase also accrues, in the same transaction, into every rebate campaign that
    accepts it (``shared.rebates.accrual``); a settled accrual is left out on a retry.

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
    campaigns = active(programme.campaigns(), occurred, rules.zone)
    today = local_date(now, rules.zone)
    first_tier = rules.tiers[0].name
    expect = purchases_repo.Expect("active", Standing.blind(first_tier, today), pending=False)
    referral: Referral | None = None
    left_out: set[str] = set()
    recipients: dict[str, Standing] = {}
    rebates = accrual.Retries()
    for _ in range(6):
        frozen = not can_earn(expect.status)
        tier = next((t for t in rules.tiers if t.name == expect.tier), None)
        offers = targeting.for_purchase(
            cmd.member_id,
            expect.tier,
            expect.registered_at,
            campaigns,
            programme.draw_offers(),
            cmd.amount,
            occurred,
            rules,
            earns=not frozen,
        )
        earned = purchase_points(
            cmd.amount,
            rules,
            lines=cmd.items,
            channel=cmd.channel,
            tier=tier,
            campaigns=offers.campaigns,
            frozen=frozen,
        )
        credit = kinds.credit(
            cmd.member_id,
            "purchase",
            cmd.order_id,
            earned.points,
            "purchase_frozen" if frozen else "purchase",
            {"order_id": cmd.order_id},
            at=now,
            rules=rules,
        )
        rewards = []
        if referral is not None and expect.pending and not frozen:
            rewards = [
                kinds.credit(
                    r.member_id,
                    "referral",
                    cmd.member_id,
                    r.points,
                    REWARD_CODES[r.role],
                    {"member": cmd.member_id},
                    at=now,
                    rules=rules,
                )
                for r in first_purchase_rewards(cmd.member_id, referral, rules)
                if r.member_id not in left_out
            ]
        flags = purchase_flags(cmd.amount, earned.points, expect.day_points or 0, rules.risk)
        if flags:
            assumed = purchases_repo.assumed(expect, rules, offers.registered_before)
            try:
                return _hold(cmd, credit, flags, earned.breakdown, occurred, assumed)
            except purchases_repo.Stale as stale:  # its points assumed another tier/status
                expect = stale.expect
                referral = stale.referral or referral
                continue
        try:
            written = purchases_repo.record(
                credit,
                rules,
                expect,
                rewards,
                recipients,
                amount=str(cmd.amount),
                currency=cmd.currency,
                breakdown=[{"rule": r.rule, "points": r.points} for r in earned.breakdown],
                occurred_at=utc_iso(occurred),
                accruals=accrual.for_purchase(
                    cmd.member_id, cmd.amount, cmd.items, occurred, now, expect, rebates
                ),
                registered_before=offers.registered_before,
                grants=offers.grants,
                velocity=rules.risk.daily_purchase_points,
            )
        except rebates_repo.Refused as refused:
            rebates.learn(refused)
            continue
        except purchases_repo.Stale as stale:
            expect = stale.expect
            referral = stale.referral or referral
            continue
        except purchases_repo.UnderReview:
            return _held_again(cmd)
        except purchases_repo.RecipientsChanged as changed:
            left_out |= changed.refused
            recipients.update(changed.stale)
            continue
        return (200 if written.replayed else 201), _purchase_result(written.entry)
    raise Contention("the member is changing quickly; retry the request")


def _hold(
    cmd: Purchase,
    credit: kinds.Credit,
    flags: tuple[str, ...],
    breakdown: Any,
    occurred: datetime,
    assumed: Any,
) -> tuple[int, dict[str, Any]]:
    """Queue the purchase for review instead of crediting it (202); a repeat of an order
    already queued answers the same 202, of one already recorded its 200."""
    review = Review(
        review_id=review_id(cmd.order_id),
        kind="purchase",
        member_id=cmd.member_id,
        order_id=cmd.order_id,
        points=credit.points,
        amount=str(cmd.amount),
        currency=cmd.currency,
        flags=flags,
        status="pending",
        created_at=utc_iso(credit.at),
        breakdown=tuple({"rule": r.rule, "points": r.points} for r in breakdown),
        channel=cmd.channel,
        occurred_at=utc_iso(occurred),
    )
    held = reviews.hold(review, assumed, credit.earned_on)
    if held.entry is not None:
        return 200, _purchase_result(held.entry)
    if held.review is None:
        raise Contention("the order is being recorded; retry the request")
    if held.review.member_id != cmd.member_id:
        raise Conflict(
            f"order {cmd.order_id!r} is held for review for another member",
            details={"order_id": cmd.order_id},
        )
    return 202, reviews.pending_result(held.review)


# Each referral reward's ledger text (shared/i18n/catalogs/ledger.py), by its role.
REWARD_CODES = {
    "referrer": "referral_referrer",
    "referee": "referral_referee",
    "second_level": "referral_second_level",
}


def _held_again(cmd: Purchase) -> tuple[int, dict[str, Any]]:
    """A retried report of an order waiting in the review queue: the same 202."""
    review = reviews.get_review(review_id(cmd.order_id))
    return 202, reviews.pending_result(review)
