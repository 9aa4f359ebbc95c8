"""Data access for a refund of a shop order: one transaction over everything it touches.

A refund may claw back what the order *earned* (its purchase ledger entry) and give back
what the order *paid in points* at checkout (its captured hold). Both records keep the
refunded amount and a map of refund ids, and the member gets ONE update with the net
change (a transaction may touch an item once), plus one ledger entry per side.
"""

from __future__ import annotations

from typing import Any

from msgspec import Struct

from shared.domain.checkout import Hold
from shared.domain.ledger import Debit, Return
from shared.dynamodb import holds as holds_repo
from shared.dynamodb import keys, ledger
from shared.dynamodb import rebates as rebates_repo
from shared.dynamodb.models.checkout import HoldItem
from shared.dynamodb.models.members import LedgerItem, MemberItem
from shared.dynamodb.tx import Cancelled, Tx
from shared.dynamodb.values import value_of
from shared.errors import Conflict

PURCHASE, HOLD = "purchase", "hold"


class PurchaseEntry(Struct, frozen=True):
    """A reported purchase as a refund sees it: what it earned and what was refunded."""

    member_id: str
    order_id: str
    amount: str  # decimal string
    points: int
    at: str  # UTC ISO-8601
    refunded: str = "0"
    refunds: dict[str, Any] = {}  # refund id -> {"amount", "points"}
    occurred_at: str | None = None  # UTC ISO-8601 (None: entries written before rebates)
    rebates: dict[str, Any] = {}  # campaign id -> the contribution kept on the entry
    receipt_at: str | None = None
    referral: dict[str, Any] = {}  # campaign id -> {"referrer", "r"}


class Changed(Exception):
    """The purchase or the hold changed since they were read (a concurrent refund)."""


class Side(Struct, frozen=True):
    """One refunded record: its new refunded total and what this refund does to points."""

    refunded_after: str
    amount: str
    points: int


def find_order(order_id: str) -> tuple[PurchaseEntry | None, Hold | None]:
    """The order's purchase entry and checkout hold: one query of the ``by_order`` index,
    then a consistent read of each record found (the index is eventually consistent)."""
    purchase = hold = None
    for hit in LedgerItem.by_order.query(keys.order_pk(order_id)):
        if hit.sk.startswith(keys.ledger_sk("purchase", "")) and purchase is None:
            item = LedgerItem.get(hit.pk, hit.sk, consistent_read=True)
            purchase = value_of(item, PurchaseEntry, order_id=item.ref)
        elif hit.sk == keys.HOLD_SK and hold is None:
            hold = holds_repo.hold_of(HoldItem.get(hit.pk, hit.sk, consistent_read=True))
    return purchase, hold


def apply(
    refund_id: str,
    member_id: str,
    purchase: PurchaseEntry | None,
    clawback: Side | None,
    clawback_entry: Debit | None,
    hold: Hold | None,
    give_back: Side | None,
    give_back_entry: Return | None,
    qualifying_month: str | None = None,
    accruals: tuple[rebates_repo.AccrualWrite, ...] = (),
) -> None:
    """Write the refund; raises :class:`Changed` (purchase/hold changed since read) for the
    caller to re-plan, or ``refund_id_reused`` when the refund id answered another order.

    ``qualifying_month``: the clawed-back points leave that month's qualifying bucket (and
    the qualifying total) too — a refunded purchase does not keep counting for tiers.

    ``accruals``: what the refund takes back from rebate accruals, in the same transaction
    (the entry is written against the receipt state read, so a receipt confirmed meanwhile
    re-plans the refund); :class:`shared.dynamodb.rebates.Refused` when one is settled."""
    tx = Tx()
    net = 0
    if purchase is not None and clawback is not None:
        path = LedgerItem.refunds[refund_id]
        tx.update(
            PURCHASE,
            LedgerItem(
                pk=keys.member_pk(purchase.member_id),
                sk=keys.ledger_sk("purchase", purchase.order_id),
            ),
            [
                LedgerItem.refunded.set(clawback.refunded_after),
                LedgerItem.clawed_back.set((LedgerItem.clawed_back | 0) + clawback.points),
                path.set({"amount": clawback.amount, "points": clawback.points}),
            ],
            condition=path.does_not_exist()
            & (LedgerItem.refunded == purchase.refunded)
            & (
                LedgerItem.receipt_at.does_not_exist()
                if purchase.receipt_at is None
                else LedgerItem.receipt_at.exists()
            ),
        )
        net -= clawback.points
    if hold is not None and give_back is not None:
        path = HoldItem.refunds[refund_id]
        tx.update(
            HOLD,
            HoldItem(pk=keys.hold_pk(hold.hold_id), sk=keys.HOLD_SK),
            [
                HoldItem.refunded.set(give_back.refunded_after),
                HoldItem.returned.set((HoldItem.returned | 0) + give_back.points),
                path.set({"amount": give_back.amount, "points": give_back.points}),
            ],
            condition=path.does_not_exist()
            & (HoldItem.status == "captured")
            & (HoldItem.refunded == hold.refunded),
        )
        net += give_back.points
    if clawback_entry is not None:
        ledger.add_entry(
            tx,
            clawback_entry,
            -clawback_entry.points,
            label="clawback:",
            order_id=purchase.order_id,
        )
    if give_back_entry is not None:
        ledger.add_entry(
            tx,
            give_back_entry,
            give_back_entry.points,
            label="return:",
            order_id=hold.order_id,
            expires_on=None,
        )
    if net or clawback_entry is not None or give_back_entry is not None:
        # Clawed-back points are consumed; points given back return to the lots they came
        # from (consumed goes down), so no new lot is created for them.
        actions = [
            MemberItem.balance.add(net),
            MemberItem.spendable.add(net),
            MemberItem.consumed.add(-net),
            MemberItem.ver.add(1),
        ]
        if qualifying_month is not None and clawback is not None and clawback.points > 0:
            bucket, total = MemberItem.qualifying[qualifying_month], MemberItem.qualifying_total
            actions += [
                bucket.set((bucket | 0) - clawback.points),
                total.set((total | 0) - clawback.points),
            ]
        tx.update(
            ledger.PROFILE, ledger.profile(member_id), actions, condition=MemberItem.pk.exists()
        )
    for accrual in accruals:
        rebates_repo.add_accrual(tx, accrual)
    try:
        tx.commit()
    except Cancelled as cancelled:
        refusal = rebates_repo.refused(cancelled)
        if refusal is not None and PURCHASE not in cancelled:
            raise refusal from None
        if any(label.endswith(ledger.ENTRY) for label in cancelled.failed):
            raise Conflict(
                f"refund id {refund_id!r} was already used for another order",
                code="refund_id_reused",
            ) from None
        raise Changed() from None
