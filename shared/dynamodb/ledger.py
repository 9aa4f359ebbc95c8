"""Transaction parts for every balance change: the member update, the ledger entry, the lot.

Every balance change is ONE TransactWriteItems: the member update (conditional), the ledger
entry keyed by its business key (``attribute_not_exists``), and for credits the lot. The
repositories of each room add these parts to their own transactions; labels are
``<label>profile`` / ``<label>entry`` / ``<label>lot``.
"""

from __future__ import annotations

from datetime import date
from typing import Any, Protocol

from shared.clock import utc_iso
from shared.domain.ledger import Credit, Debit, Entry, Return
from shared.domain.members import CAN_EARN, CAN_SPEND, can_spend
from shared.domain.rules import Rules
from shared.dynamodb import keys
from shared.dynamodb.models.members import LedgerItem, LotItem, MemberItem
from shared.dynamodb.tx import Tx, image
from shared.dynamodb.values import value_of
from shared.errors import InsufficientPoints, MemberFrozen, MemberNotFound

PROFILE, ENTRY, LOT = "profile", "entry", "lot"


class TierGuard(Protocol):
    """What a credit adds to its profile update for tiers (``shared.dynamodb.tiers.TierPart``)."""

    condition: Any
    actions: tuple
    correction: int

    def add_audit(self, tx: Tx, label: str = "") -> None: ...


def entry_item(change: Credit | Debit | Return, points: int, **extra: Any) -> LedgerItem:
    if isinstance(change, Credit):
        extra.setdefault("expires_on", change.expires_on.isoformat())
    at = utc_iso(change.at)
    entry_id = keys.entry_id(change.source, change.ref)
    return LedgerItem(
        pk=keys.member_pk(change.member_id),
        sk=keys.ledger_sk(change.source, change.ref),
        lsi1sk=keys.ledger_time_key(at, entry_id),
        entry_id=entry_id,
        member_id=change.member_id,
        type=change.type,
        source=change.source,
        ref=change.ref,
        points=points,
        at=at,
        description=change.description,
        code=change.code or None,
        params=dict(change.params) or None,
        **extra,
    )


def entry_of(item: LedgerItem) -> Entry:
    """A stored ledger entry as a domain value."""
    return value_of(item, Entry)


def entry_image(raw: dict[str, Any] | None) -> Entry:
    """The ledger entry a cancelled transaction collided with (its old image)."""
    return entry_of(image(raw, LedgerItem))


def new_lot(
    member_id: str,
    expires_on: date,
    source: str,
    ref: str,
    points: int,
    earned_at_utc: str,
    shards: int,
) -> LotItem:
    """A lot's row: in its member's partition, keyed by its last day and its credit's business
    key, and in one of ``shards`` partitions of the ``by_expiry`` index."""
    sk = keys.lot_sk(expires_on, source, ref)
    return LotItem(
        pk=keys.member_pk(member_id),
        sk=sk,
        member_id=member_id,
        points=points,
        expires_on=expires_on.isoformat(),
        source=source,
        ref=ref,
        earned_at=earned_at_utc,
        exp_pk=keys.expiry_pk(keys.shard_of(member_id, shards)),
        exp_sk=keys.expiry_sk(expires_on, member_id, sk),
    )


def lot_item(credit: Credit, rules: Rules) -> LotItem:
    """The lot a credit opens."""
    return new_lot(
        credit.member_id,
        credit.expires_on,
        credit.source,
        credit.ref,
        credit.points,
        utc_iso(credit.at),
        rules.expiry_shards,
    )


def profile(member_id: str) -> MemberItem:
    """The key of a member's profile, for an update."""
    return MemberItem(pk=keys.member_pk(member_id), sk=keys.PROFILE)


def credit_actions(credits: list[Credit], *, total_correction: int = 0) -> list:
    """One profile update for one or more credits of the same member in one transaction
    (a transaction may touch an item only once, so several credits add up here)."""
    points = sum(c.points for c in credits)
    actions = [
        MemberItem.balance.add(points),
        MemberItem.spendable.add(points),
        MemberItem.credited.add(points),
        MemberItem.ver.add(len(credits)),
    ]
    return actions + qualifying_actions(credits, total_correction=total_correction)


def qualifying_actions(credits: list[Credit], *, total_correction: int = 0) -> list:
    """The profile's ``qualifying[month]`` increments for the credits that count for tiers,
    and the same points added to ``qualifying_total`` (plus ``total_correction`` when the
    stored total is being recomputed: see shared/dynamodb/tiers.py)."""
    actions = []
    months: dict[str, int] = {}
    for c in credits:
        if c.qualifying and c.points > 0:
            key = c.earned_on.strftime("%Y-%m")
            months[key] = months.get(key, 0) + c.points
    for key, earned in months.items():
        month = MemberItem.qualifying[key]
        actions.append(month.set((month | 0) + earned))
    if months:
        total = MemberItem.qualifying_total
        actions.append(total.set((total | 0) + (sum(months.values()) + total_correction)))
        counted = (c for c in credits if c.qualifying and c.points > 0)
        actions += board_actions(max(counted, key=lambda c: c.at))
    return actions


def board_actions(last: Credit) -> list:
    """The leaderboard's part of a qualifying credit's profile update (its points are the
    ``qualifying`` buckets): when the member last earned (ties), and the ``by_board`` keys
    of that month, through which the snapshot job finds them (shared/leaderboard.py)."""
    index = keys.board_index(last.member_id, last.earned_on.strftime("%Y-%m"))
    return [
        MemberItem.earned_at.set(utc_iso(last.at)),
        MemberItem.board_pk.set(index["board_pk"]),
        MemberItem.board_sk.set(index["board_sk"]),
    ]


def debit_actions(points: int) -> list:
    """A spend: consumes lots FIFO through ``consumed`` (see docs/data-model.md)."""
    return [
        MemberItem.balance.add(-points),
        MemberItem.spendable.add(-points),
        MemberItem.consumed.add(points),
        MemberItem.ver.add(1),
    ]


def may_earn() -> Any:
    """Condition for crediting earned points: registered and earning not frozen."""
    return MemberItem.pk.exists() & MemberItem.status.is_in(*CAN_EARN)


def active_with(points: int):
    """Condition for spending ``points``: registered, redeeming not frozen, enough spendable
    points."""
    return (
        MemberItem.pk.exists()
        & MemberItem.status.is_in(*CAN_SPEND)
        & (MemberItem.spendable >= points)
    )


def add_entry(
    tx: Tx, change: Credit | Debit | Return, points: int, *, label: str = "", **entry_fields: Any
) -> LedgerItem:
    """Add only the ledger entry (once per business key) to ``tx``; for writes whose member
    update is special (checkout capture, expiry, refunds) and built by the caller."""
    entry = entry_item(change, points, **entry_fields)
    tx.put(label + ENTRY, entry, condition=LedgerItem.pk.does_not_exist())
    return entry


def add_credit(
    tx: Tx,
    credit: Credit,
    rules: Rules,
    *,
    label: str = "",
    condition=None,
    extra_actions: tuple = (),
    tier: TierGuard | None = None,
    **entry_fields: Any,
) -> LedgerItem:
    """Add to ``tx``: the member update, the ledger entry (once per business key), the lot.

    ``condition`` replaces the default "member exists" condition on the profile update,
    ``extra_actions`` go into the same profile update. ``tier``
    (``shared.dynamodb.tiers.credit_part``) adds the qualifying-total guard and a promotion
    to the same update, and its audit item.
    """
    condition = condition if condition is not None else MemberItem.pk.exists()
    actions = [*credit_actions([credit]), *extra_actions]
    if tier is not None:
        actions = [*credit_actions([credit], total_correction=tier.correction), *extra_actions]
        actions += tier.actions
        if tier.condition is not None:
            condition = condition & tier.condition
        tier.add_audit(tx, label)
    tx.update(label + PROFILE, profile(credit.member_id), actions, condition=condition)
    return add_credit_entry(tx, credit, rules, label=label, **entry_fields)


def add_credit_entry(
    tx: Tx, credit: Credit, rules: Rules, *, label: str = "", **entry_fields: Any
) -> LedgerItem:
    """Add to ``tx`` a credit's ledger entry and lot only; the caller updates the profile
    (with :func:`credit_actions` when several credits of one member share a transaction)."""
    entry = add_entry(tx, credit, credit.points, label=label, **entry_fields)
    if credit.points > 0:
        tx.put(label + LOT, lot_item(credit, rules))
    return entry


def add_debit(
    tx: Tx,
    debit: Debit,
    *,
    label: str = "",
    check_funds: bool = True,
    condition: Any = None,
    extra_actions: tuple = (),
    **entry_fields: Any,
) -> LedgerItem:
    """Add to ``tx``: the member update (guarded by :func:`active_with`) and the entry.

    With ``check_funds=False`` (clawbacks) the balance may go below zero; ``condition``
    replaces the guard altogether, ``extra_actions`` go into the same profile update.
    """
    if condition is None:
        condition = active_with(debit.points) if check_funds else MemberItem.pk.exists()
    actions = [*debit_actions(debit.points), *extra_actions]
    tx.update(label + PROFILE, profile(debit.member_id), actions, condition=condition)
    return add_entry(tx, debit, -debit.points, label=label, **entry_fields)


def add_debit_and_credits(
    tx: Tx,
    debit: Debit,
    credits: list[Credit],
    rules: Rules,
    *,
    label: str = "",
    condition: Any = None,
) -> list[LedgerItem]:
    """Add to ``tx`` a spend and credits of the same member (e.g. a lottery draw's cost and
    its points prize): ONE profile update with the net change (a transaction may touch an
    item only once), the debit's entry, and each credit's entry and lot.

    Guarded like :func:`add_debit` (``active_with(debit.points)``: the member must afford the
    spend whatever the credits bring) unless ``condition`` replaces it. Labels: the debit's
    ``<label>profile`` / ``<label>entry``; credit *i*'s ``<label>credit<i>:entry`` / ``…lot``.
    """
    gained = sum(c.points for c in credits)
    net = gained - debit.points
    actions = [
        MemberItem.balance.add(net),
        MemberItem.spendable.add(net),
        MemberItem.consumed.add(debit.points),
        MemberItem.credited.add(gained),
        MemberItem.ver.add(1 + len(credits)),
        *qualifying_actions(credits),
    ]
    condition = condition if condition is not None else active_with(debit.points)
    tx.update(label + PROFILE, profile(debit.member_id), actions, condition=condition)
    entry = add_entry(tx, debit, -debit.points, label=label)
    return [entry] + [
        add_credit_entry(tx, c, rules, label=f"{label}credit{i}:") for i, c in enumerate(credits)
    ]


def add_return(
    tx: Tx,
    giveback: Return,
    *,
    label: str = "",
    extra_actions: tuple = (),
    **entry_fields: Any,
) -> LedgerItem:
    """Add to ``tx``: points given back (ledger type ``refund``) and the entry, once per
    business key. No new lot: ``consumed`` goes down by the points, so they return to the
    lots they were spent from (FIFO, see docs/data-model.md). Frozen members get them too.
    ``extra_actions`` go into the same profile update.
    """
    tx.update(
        label + PROFILE,
        profile(giveback.member_id),
        [
            MemberItem.balance.add(giveback.points),
            MemberItem.spendable.add(giveback.points),
            MemberItem.consumed.add(-giveback.points),
            MemberItem.ver.add(1),
            *extra_actions,
        ],
        condition=MemberItem.pk.exists(),
    )
    return add_entry(tx, giveback, giveback.points, label=label, **entry_fields)


def not_registered(member_id: str) -> MemberNotFound:
    return MemberNotFound(f"member {member_id!r} is not registered")


def spend_refusal(raw: dict[str, Any] | None, member_id: str, points: int) -> Exception:
    """Why a spend's profile condition (:func:`active_with`) failed, from the profile's old
    image: not registered, frozen, or not enough spendable points. Classifies only."""
    member = image(raw, MemberItem)
    if member is None:
        return not_registered(member_id)
    if not can_spend(member.status):
        return MemberFrozen(f"member {member_id!r} is frozen for redeeming")
    return InsufficientPoints(
        f"{points} points needed, {int(member.spendable)} spendable",
        details={"needed": points, "spendable": int(member.spendable)},
    )
