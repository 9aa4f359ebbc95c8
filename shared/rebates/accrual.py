"""Accrual: what purchases, refunds and receipts add to members' rebate accruals, written in
their own transactions (no second write path that could drift).

- A purchase accrues into every campaign that accepts it (it occurred in the window, the
  campaign still takes writes) and for which the member is eligible (the purchase's
  ``Expect``: status and tier, checked by the purchase's own condition).
- A refund takes back its share of each contribution kept on the purchase's entry and,
  after receipt, of the referrer's referral accrual.
- A receipt (``POST /v1/purchases/{order_id}/receipt``) adds the amount not refunded to the
  buyer's referrer's referral accrual in each campaign with a referral rate that accepts the
  purchase, once per order.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from decimal import Decimal
from typing import Any

from shared import programme
from shared.clock import utc_iso
from shared.domain import rebates as rules
from shared.domain.rebates import Contribution, from_cents, to_cents
from shared.dynamodb import members as members_repo
from shared.dynamodb import rebates as rebates_repo
from shared.dynamodb import refunds as refunds_repo
from shared.dynamodb.purchases import Expect
from shared.dynamodb.rebates import AccrualWrite
from shared.errors import Contention, OrderNotFound

Pair = tuple[str, str]  # (member id, campaign id)


class Retries:
    """What cancelled accrual writes taught a retrying caller: settled accruals to leave out."""

    def __init__(self) -> None:
        self.settled: set[Pair] = set()

    def learn(self, refused: rebates_repo.Refused) -> None:
        self.settled |= refused.settled

    def write(
        self, member_id: str, campaign_id: str, change: Contribution, referral: int = 0
    ) -> AccrualWrite | None:
        """The write, or None when that accrual is settled or the change is nothing."""
        pair = (member_id, campaign_id)
        if pair in self.settled or (rules.is_empty(change) and not referral):
            return None
        return AccrualWrite(member_id, campaign_id, change, referral)


def _taking_writes(campaign_id: str, now: datetime) -> bool:
    """Whether the campaign still exists and has not closed (nothing but settlement after)."""
    campaign = next((c for c in programme.rebates() if c.campaign_id == campaign_id), None)
    return campaign is not None and now < campaign.closes_at


def for_purchase(
    member_id: str,
    amount: Decimal,
    lines: Iterable[Any],
    occurred: datetime,
    now: datetime,
    expect: Expect,
    retries: Retries,
) -> tuple[AccrualWrite, ...]:
    """The accrual writes of a purchase computed for the member state ``expect``."""
    writes = (
        retries.write(member_id, c.campaign_id, rules.contribution(c, amount, lines))
        for c in programme.rebates()
        if c.accepting(occurred, now) and c.eligible(expect.status, expect.tier)
    )
    return tuple(w for w in writes if w is not None)


def for_refund(
    purchase: refunds_repo.PurchaseEntry, refunded_after: Decimal, now: datetime, retries: Retries
) -> tuple[AccrualWrite, ...]:
    """The accrual writes of a refund taking the purchase's refunded amount to
    ``refunded_after``: the buyer's contributions and, after receipt, the referrer's
    referral, in the campaigns still taking writes."""
    amount, before, after = (
        to_cents(Decimal(purchase.amount)),
        to_cents(Decimal(purchase.refunded)),
        to_cents(refunded_after),
    )
    writes: list[AccrualWrite | None] = []
    for campaign_id, stored in purchase.rebates.items():
        if not _taking_writes(campaign_id, now):
            continue
        contributed = rebates_repo.contribution_of(stored)
        change = rules.refund_change(contributed, amount, before, after)
        writes.append(retries.write(purchase.member_id, campaign_id, change))
    if purchase.receipt_at is not None:
        for campaign_id, given in purchase.referral.items():
            if not _taking_writes(campaign_id, now):
                continue
            delta = rules.referral_change(int(given["r"]), amount, before, after)
            writes.append(retries.write(given["referrer"], campaign_id, Contribution(0), delta))
    return tuple(w for w in writes if w is not None)


def _receipt_view(order_id: str, receipt_at: str, referral: dict[str, Any]) -> dict[str, Any]:
    return {
        "order_id": order_id,
        "receipt_at": receipt_at,
        "referral": [
            {
                "campaign_id": campaign_id,
                "referrer": given["referrer"],
                "amount": str(from_cents(int(given["r"]))),
            }
            for campaign_id, given in sorted(referral.items())
        ],
    }


def _referral_writes(
    purchase: refunds_repo.PurchaseEntry, now: datetime, retries: Retries
) -> tuple[AccrualWrite, ...]:
    """The buyer's (level 1) referrer accrues the amount not refunded in every campaign with
    a referral rate that accepts the purchase and for which the referrer is eligible."""
    buyer = members_repo.find(purchase.member_id)
    if buyer is None or buyer.referred_by is None:
        return ()
    referrer = members_repo.find(buyer.referred_by)
    cents = to_cents(Decimal(purchase.amount) - Decimal(purchase.refunded))
    if referrer is None or cents <= 0:
        return ()
    occurred = datetime.fromisoformat(purchase.occurred_at or purchase.at)
    writes = (
        retries.write(referrer.member_id, c.campaign_id, Contribution(0), cents)
        for c in programme.rebates()
        if c.referral_rate
        and c.accepting(occurred, now)
        and c.eligible(referrer.status, referrer.tier)
    )
    return tuple(w for w in writes if w is not None)


def confirm_receipt(order_id: str, now: datetime) -> dict[str, Any]:
    """``POST /v1/purchases/{order_id}/receipt``: the customer confirmed receipt; once per
    order (a second call answers the first result)."""
    retries = Retries()
    for _ in range(6):
        purchase, _hold = refunds_repo.find_order(order_id)
        if purchase is None:
            raise OrderNotFound(f"no purchase was reported for order {order_id!r}")
        if purchase.receipt_at is not None:
            return _receipt_view(order_id, purchase.receipt_at, purchase.referral)
        writes = _referral_writes(purchase, now, retries)
        referral = {w.campaign_id: {"referrer": w.member_id, "r": w.referral} for w in writes}
        at = utc_iso(now)
        try:
            rebates_repo.confirm_receipt(
                purchase.member_id, order_id, purchase.refunded, at, referral, writes
            )
        except rebates_repo.Refused as refused:
            retries.learn(refused)
            continue
        except rebates_repo.EntryChanged:
            continue  # refunded or confirmed meanwhile: read again
        return _receipt_view(order_id, at, referral)
    raise Contention("the order is changing quickly; retry the request")
