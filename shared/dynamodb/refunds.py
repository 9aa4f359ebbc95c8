"""Data access for a refund of a shop order: one transaction over everything it touches.

A refund may claw back what the order *earned* (its purchase ledger entry) and give back
what the order *paid in points* at checkout (its captured hold). Both records keep the
refunded amount and a map of refund ids, and the member gets ONE update with the net
change (a transaction may touch an item once), plus one ledger entry per side.
"""

from __future__ import annotations

from msgspec import Struct

from shared.domain.ledger import Credit, Debit
from shared.dynamodb import keys
from shared.dynamodb.members import PROFILE, add_entry
from shared.dynamodb.models import HoldItem, LedgerItem, MemberItem
from shared.dynamodb.tx import Tx

PURCHASE, HOLD = "purchase", "hold"


class Side(Struct, frozen=True):
    """One refunded record: its new refunded total and what this refund does to points."""

    refunded_after: str
    amount: str
    points: int


def find_order(order_id: str) -> tuple[LedgerItem | None, HoldItem | None]:
    """The order's purchase entry and checkout hold: one query of the ``by_order`` index,
    then a consistent read of each record found (the index is eventually consistent)."""
    purchase = hold = None
    for hit in LedgerItem.by_order.query(keys.order_pk(order_id)):
        if hit.sk.startswith(keys.ledger_sk("purchase", "")) and purchase is None:
            purchase = LedgerItem.get(hit.pk, hit.sk, consistent_read=True)
        elif hit.sk == keys.HOLD_SK and hold is None:
            hold = HoldItem.get(hit.pk, hit.sk, consistent_read=True)
    return purchase, hold


def apply(
    refund_id: str,
    member_id: str,
    purchase: LedgerItem | None,
    clawback: Side | None,
    clawback_entry: Debit | None,
    hold: HoldItem | None,
    give_back: Side | None,
    give_back_entry: Credit | None,
    qualifying_month: str | None = None,
) -> None:
    """Write the refund; raises ``Cancelled`` (purchase/hold changed since read) to re-plan.

    ``qualifying_month``: the clawed-back points leave that month's qualifying bucket (and
    the qualifying total) too — a refunded purchase does not keep counting for tiers."""
    tx = Tx()
    net = 0
    if purchase is not None and clawback is not None:
        path = LedgerItem.refunds[refund_id]
        tx.update(
            PURCHASE,
            LedgerItem(pk=purchase.pk, sk=purchase.sk),
            [
                LedgerItem.refunded.set(clawback.refunded_after),
                LedgerItem.clawed_back.set((LedgerItem.clawed_back | 0) + clawback.points),
                path.set({"amount": clawback.amount, "points": clawback.points}),
            ],
            condition=path.does_not_exist() & (LedgerItem.refunded == (purchase.refunded or "0")),
        )
        net -= clawback.points
    if hold is not None and give_back is not None:
        path = HoldItem.refunds[refund_id]
        tx.update(
            HOLD,
            HoldItem(pk=hold.pk, sk=hold.sk),
            [
                HoldItem.refunded.set(give_back.refunded_after),
                HoldItem.returned.set((HoldItem.returned | 0) + give_back.points),
                path.set({"amount": give_back.amount, "points": give_back.points}),
            ],
            condition=path.does_not_exist()
            & (HoldItem.status == "captured")
            & (HoldItem.refunded == (hold.refunded or "0")),
        )
        net += give_back.points
    if clawback_entry is not None:
        add_entry(
            tx, clawback_entry, -clawback_entry.points, label="clawback:", order_id=purchase.ref
        )
    if give_back_entry is not None:
        add_entry(
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
            PROFILE,
            MemberItem(pk=keys.member_pk(member_id), sk=keys.PROFILE),
            actions,
            condition=MemberItem.pk.exists(),
        )
    tx.commit()
