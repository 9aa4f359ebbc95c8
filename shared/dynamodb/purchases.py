"""Data access for a reported purchase: its credit and, on a referred member's first
purchase, the referral bonuses — all in ONE transaction.

The purchase is written against an *expectation* of the member's state (status, tier and
qualifying total, referral bonuses pending) put in the profile update's condition, so no
read is needed: when the member is as expected (the usual case) the purchase is one round
trip; when not, the cancellation returns the member's image (``ALL_OLD``) and the caller
recomputes.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from msgspec import Struct

from shared.domain.ledger import Credit
from shared.domain.members import CAN_EARN, can_earn
from shared.domain.referrals import Referral
from shared.domain.rules import Rules
from shared.dynamodb import extra_draws, keys, ledger
from shared.dynamodb import rebates as rebates_repo
from shared.dynamodb import tiers as tiers_repo
from shared.dynamodb.ledger import ENTRY, PROFILE
from shared.dynamodb.members import Written
from shared.dynamodb.models.members import MemberItem
from shared.dynamodb.tiers import Standing
from shared.dynamodb.tx import Cancelled, Tx, image, run

OWN_REWARD = "own"


class Expect(Struct, frozen=True):
    """The member state a purchase was computed for (checked by the profile condition)."""

    status: str  # "active" or "frozen"
    standing: Standing  # tier (its multiplier) and qualifying total (promotion), see tiers
    pending: bool  # referral bonuses wait for this member's first purchase
    registered_at: str | None = None  # UTC ISO-8601 once read (targeting); None: not read
    # Risk velocity: purchase points already credited on the purchase's programme day;
    # None = none that day (the usual case: a member's first purchase of the day).
    day_points: int | None = None

    @property
    def tier(self) -> str | None:
        return self.standing.tier


class Stale(Exception):
    """The member is not as expected: ``expect`` is its current state, ``referral`` who
    referred it (when its referral bonuses are pending)."""

    def __init__(self, member_id: str, expect: Expect, referral: Referral | None):
        super().__init__(member_id)
        self.expect = expect
        self.referral = referral


class UnderReview(Exception):
    """The purchase's order already waits in the review queue (a retried report)."""


class RecipientsChanged(Exception):
    """Referral bonus recipients to leave out (``refused``: not active, or already paid) or
    whose standing differs from the expected one (``stale``: their current standings)."""

    def __init__(self, refused: set[str], stale: dict[str, Standing]):
        super().__init__(sorted(refused | set(stale)))
        self.refused = refused
        self.stale = stale


def stale_of(member: MemberItem, today: date) -> Stale:
    """The member's current state (from a cancellation's old image), for the caller to
    recompute the purchase with."""
    pending = member.first_purchase_rewarded is False
    standing = tiers_repo.standing_of(member, today)
    day = today.isoformat()
    day_points = int(member.purchase_points or 0) if member.purchase_day == day else None
    expect = Expect(member.status, standing, pending, member.registered_at, day_points)
    referral = None
    if pending and member.referred_by:
        referral = Referral(member.referred_by, member.referrer_chain)
    return Stale(member.member_id, expect, referral)


def _condition(expect: Expect) -> Any:
    rewarded = MemberItem.first_purchase_rewarded
    if expect.pending:
        pending = rewarded == False  # noqa: E712 - a DynamoDB condition, not a Python test
    else:
        pending = rewarded.does_not_exist() | (rewarded == True)  # noqa: E712
    return MemberItem.pk.exists() & (MemberItem.status == expect.status) & pending


def assumed(expect: Expect, rules: Rules, registered_before: str | None) -> Any:
    """What a purchase's points assumed of the member (status, tier, not newly registered):
    the condition of a purchase held for review, which writes no credit but must hold the
    points the member's real state gives."""
    condition = MemberItem.pk.exists() & (MemberItem.status == expect.status)
    if expect.tier is not None:
        condition &= tiers_repo.tier_is(expect.tier, rules)
    if registered_before is not None:
        condition &= MemberItem.registered_at < registered_before
    return condition


def _velocity(credit: Credit, expect: Expect, limit: int | None) -> tuple[Any, list]:
    """Condition and actions keeping the day's purchase points (``purchase_day`` /
    ``purchase_points``) at most ``limit``, and the order not waiting in the review queue.

    A member's first purchase of the day sets the counter (condition: another day), a later
    one adds to it (condition: same day and room left); no read, and concurrent purchases
    can never take the day's total above the limit."""
    condition = ~MemberItem.pending_reviews.contains(credit.ref)
    if limit is None or credit.points <= 0:
        return condition, []
    day = credit.earned_on.isoformat()
    if expect.day_points is None:
        condition &= MemberItem.purchase_day.does_not_exist() | (MemberItem.purchase_day != day)
        actions = [
            MemberItem.purchase_day.set(day),
            MemberItem.purchase_points.set(credit.points),
        ]
        return condition, actions
    condition &= (MemberItem.purchase_day == day) & (
        MemberItem.purchase_points <= limit - credit.points
    )
    return condition, [MemberItem.purchase_points.add(credit.points)]


def entry_fields_of(
    order_id: str,
    amount: str,
    currency: str,
    breakdown: list[dict[str, Any]],
    occurred_at: str | None,
) -> dict[str, Any]:
    """What a purchase's ledger entry holds besides the credit (refunds find it by order)."""
    return {
        "order_pk": keys.order_pk(order_id),
        "amount": amount,
        "currency": currency,
        "breakdown": breakdown,
        "refunded": "0",
        "clawed_back": 0,
        "refunds": {},
        "occurred_at": occurred_at,
    }


def record(
    credit: Credit,
    rules: Rules,
    expect: Expect,
    rewards: list[Credit],
    recipients: dict[str, Standing] | None = None,
    *,
    amount: str,
    currency: str,
    breakdown: list[dict[str, Any]],
    occurred_at: str | None = None,
    accruals: tuple[rebates_repo.AccrualWrite, ...] = (),
    registered_before: str | None = None,
    grants: tuple[extra_draws.Grant, ...] = (),
    velocity: int | None = None,
) -> Written:
    """Write the purchase credit (once per order) and ``rewards`` (referral bonuses).

    Paying the bonuses flips ``first_purchase_rewarded`` to true in the same transaction,
    guarded by its being false, and each bonus entry is keyed
    ``LEDGER#referral#<new member>`` under its recipient: each bonus is paid once, even
    when first purchases race or are retried. Qualifying points may promote the member
    (and a bonus its recipient) in the same transaction (``shared.dynamodb.tiers``);
    ``recipients`` holds the recipients' known standings (blind otherwise). Raises
    :class:`Stale` or :class:`RecipientsChanged` for the caller to recompute.

    ``accruals``: the member's rebate accruals this purchase adds to, one update each in the
    same transaction, the contributions kept on the entry (``rebates``);
    :class:`shared.dynamodb.rebates.Refused` when one is settled.

    Targeting (``shared.targeting``): ``registered_before`` (UTC ISO) adds "registered
    before then" to the profile condition when the points assumed the member is not new;
    ``grants`` add extra lottery draws, one counter update each in the same transaction.

    Risk (``shared.dynamodb.reviews``): ``velocity`` (the daily purchase-points limit, None
    = off) keeps the day's purchase points in the same profile update; :class:`UnderReview`
    when the order already waits in the review queue.
    """
    own = [r for r in rewards if r.member_id == credit.member_id]
    others = [r for r in rewards if r.member_id != credit.member_id]
    pay_bonuses = expect.pending and can_earn(expect.status)
    known = recipients or {}
    entry_fields = entry_fields_of(credit.ref, amount, currency, breakdown, occurred_at)
    if accruals:
        entry_fields["rebates"] = {
            w.campaign_id: rebates_repo.contribution_map(w.change) for w in accruals
        }

    def attempt() -> Written:
        tx = Tx()
        tier = tiers_repo.credit_part(
            credit.member_id, expect.standing, [credit, *own], rules, credit.at, pin_tier=True
        )
        actions = ledger.credit_actions([credit, *own], total_correction=tier.correction)
        actions += tier.actions
        if pay_bonuses:
            actions.append(MemberItem.first_purchase_rewarded.set(True))
        risk_condition, risk_actions = _velocity(credit, expect, velocity)
        actions += risk_actions
        condition = _condition(expect) & risk_condition
        if tier.condition is not None:
            condition &= tier.condition
        if registered_before is not None:
            condition &= MemberItem.registered_at < registered_before
        tx.update(PROFILE, ledger.profile(credit.member_id), actions, condition=condition)
        tier.add_audit(tx)
        entry = ledger.add_credit_entry(tx, credit, rules, **entry_fields)
        for reward in own:
            ledger.add_credit_entry(tx, reward, rules, label=OWN_REWARD)
        for accrual in accruals:
            rebates_repo.add_accrual(tx, accrual)
        for grant in grants:
            extra_draws.add_grant(tx, grant)
        for i, reward in enumerate(others):
            standing = known.get(reward.member_id) or Standing.blind(None, reward.earned_on)
            ledger.add_credit(
                tx,
                reward,
                rules,
                label=f"r{i}",
                condition=MemberItem.pk.exists() & MemberItem.status.is_in(*CAN_EARN),
                tier=tiers_repo.credit_part(reward.member_id, standing, [reward], rules, reward.at),
            )
        try:
            tx.commit()
        except Cancelled as cancelled:
            if ENTRY in cancelled:
                return Written(ledger.entry_image(cancelled.failed[ENTRY]), replayed=True)
            if PROFILE in cancelled:
                member = image(cancelled.failed[PROFILE], MemberItem)
                if member is None:
                    raise ledger.not_registered(credit.member_id) from None
                if credit.ref in (member.pending_reviews or ()):
                    raise UnderReview(credit.ref) from None
                raise stale_of(member, credit.earned_on) from None
            accruals_refused = rebates_repo.refused(cancelled)
            if accruals_refused is not None:
                raise accruals_refused from None
            refused: set[str] = set()
            stale: dict[str, Standing] = {}
            for i, reward in enumerate(others):
                if f"r{i}{ENTRY}" in cancelled:
                    refused.add(reward.member_id)
                elif f"r{i}{PROFILE}" in cancelled:
                    member = image(cancelled.failed[f"r{i}{PROFILE}"], MemberItem)
                    if member is None or not can_earn(member.status):
                        refused.add(reward.member_id)
                    else:  # active: its tier standing was not as expected
                        stale[reward.member_id] = tiers_repo.standing_of(member, reward.earned_on)
            if refused or stale:
                raise RecipientsChanged(refused, stale) from None
            raise
        return Written(ledger.entry_of(entry), replayed=False)

    return run(attempt)
