"""Data access for the member aggregate: profile, ledger entries, lots.

Every balance change is ONE TransactWriteItems: the member update (conditional), the
ledger entry keyed by its business key (``attribute_not_exists``), and for credits the lot.
"""

from __future__ import annotations

import base64
import json
from typing import TYPE_CHECKING, Any

from msgspec import Struct
from pynamodb.exceptions import DoesNotExist

from shared.clock import utc_iso
from shared.domain.ledger import Credit, Debit, Return
from shared.domain.rules import Rules
from shared.dynamodb import keys
from shared.dynamodb.models import LedgerItem, LotItem, MemberItem, ReferralCodeItem
from shared.dynamodb.tx import Cancelled, Retry, Tx, image, run
from shared.errors import (
    Contention,
    InsufficientPoints,
    Invalid,
    MemberFrozen,
    MemberNotFound,
)

if TYPE_CHECKING:
    from shared.dynamodb.tiers import TierPart

PROFILE, ENTRY, LOT, PURCHASE = "profile", "entry", "lot", "purchase"
REFCODE = "refcode"


class Written(Struct, frozen=True):
    """Outcome of an idempotent write: ``entry`` is ours, or the first one (``replayed``)."""

    entry: LedgerItem
    replayed: bool


def get(member_id: str) -> MemberItem:
    try:
        return MemberItem.get(keys.member_pk(member_id), keys.PROFILE, consistent_read=True)
    except DoesNotExist:
        raise MemberNotFound(f"member {member_id!r} is not registered") from None


def find(member_id: str) -> MemberItem | None:
    try:
        return get(member_id)
    except MemberNotFound:
        return None


def _entry_item(change: Credit | Debit | Return, points: int, **extra: Any) -> LedgerItem:
    if isinstance(change, Credit):
        extra.setdefault("expires_on", change.expires_on.isoformat())
    pk = keys.member_pk(change.member_id)
    at = utc_iso(change.at)
    entry_id = keys.entry_id(change.source, change.ref)
    return LedgerItem(
        pk=pk,
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
        **extra,
    )


def _lot_item(credit: Credit, rules: Rules) -> LotItem:
    sk = keys.lot_sk(credit.expires_on, credit.source, credit.ref)
    return LotItem(
        pk=keys.member_pk(credit.member_id),
        sk=sk,
        member_id=credit.member_id,
        points=credit.points,
        expires_on=credit.expires_on.isoformat(),
        source=credit.source,
        ref=credit.ref,
        earned_at=utc_iso(credit.at),
        exp_pk=keys.expiry_pk(keys.shard_of(credit.member_id, rules.expiry_shards)),
        exp_sk=keys.expiry_sk(credit.expires_on, credit.member_id, sk),
    )


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
    return actions


def debit_actions(points: int) -> list:
    """A spend: consumes lots FIFO through ``consumed`` (see docs/data-model.md)."""
    return [
        MemberItem.balance.add(-points),
        MemberItem.spendable.add(-points),
        MemberItem.consumed.add(points),
        MemberItem.ver.add(1),
    ]


def active_with(points: int):
    """Condition for spending ``points``: registered, not frozen, enough spendable points."""
    return (
        MemberItem.pk.exists() & (MemberItem.status == "active") & (MemberItem.spendable >= points)
    )


def add_entry(
    tx: Tx, change: Credit | Debit, points: int, *, label: str = "", **entry_fields: Any
) -> LedgerItem:
    """Add only the ledger entry (once per business key) to ``tx``; for writes whose member
    update is special (checkout capture, expiry) and built by the caller."""
    entry = _entry_item(change, points, **entry_fields)
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
    tier: TierPart | None = None,
    **entry_fields: Any,
) -> LedgerItem:
    """Add to ``tx``: the member update, the ledger entry (once per business key), the lot.

    Labels are ``<label>profile`` / ``<label>entry`` / ``<label>lot``; ``condition`` replaces
    the default "member exists" condition on the profile update, ``extra_actions`` go into
    the same profile update. ``tier`` (``shared.dynamodb.tiers.credit_part``) adds the
    qualifying-total guard and a promotion to the same update, and its audit item.
    """
    condition = condition if condition is not None else MemberItem.pk.exists()
    actions = [*credit_actions([credit]), *extra_actions]
    if tier is not None:
        actions = [*credit_actions([credit], total_correction=tier.correction), *extra_actions]
        actions += tier.actions
        if tier.condition is not None:
            condition = condition & tier.condition
        tier.add_audit(tx, label)
    tx.update(
        label + PROFILE,
        MemberItem(pk=keys.member_pk(credit.member_id), sk=keys.PROFILE),
        actions,
        condition=condition,
    )
    return add_credit_entry(tx, credit, rules, label=label, **entry_fields)


def add_credit_entry(
    tx: Tx, credit: Credit, rules: Rules, *, label: str = "", **entry_fields: Any
) -> LedgerItem:
    """Add to ``tx`` a credit's ledger entry and lot only; the caller updates the profile
    (with :func:`credit_actions` when several credits of one member share a transaction)."""
    entry = _entry_item(credit, credit.points, **entry_fields)
    tx.put(label + ENTRY, entry, condition=LedgerItem.pk.does_not_exist())
    if credit.points > 0:
        tx.put(label + LOT, _lot_item(credit, rules))
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
    entry = _entry_item(debit, -debit.points, **entry_fields)
    tx.update(
        label + PROFILE,
        MemberItem(pk=entry.pk, sk=keys.PROFILE),
        [*debit_actions(debit.points), *extra_actions],
        condition=condition
        if condition is not None
        else active_with(debit.points)
        if check_funds
        else MemberItem.pk.exists(),
    )
    tx.put(label + ENTRY, entry, condition=LedgerItem.pk.does_not_exist())
    return entry


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
    entry = _entry_item(debit, -debit.points)
    tx.update(
        label + PROFILE,
        MemberItem(pk=entry.pk, sk=keys.PROFILE),
        actions,
        condition=condition if condition is not None else active_with(debit.points),
    )
    tx.put(label + ENTRY, entry, condition=LedgerItem.pk.does_not_exist())
    return [entry] + [
        add_credit_entry(tx, c, rules, label=f"{label}credit{i}:") for i, c in enumerate(credits)
    ]


def add_return(tx: Tx, giveback: Return, *, label: str = "", **entry_fields: Any) -> LedgerItem:
    """Add to ``tx``: points given back (ledger type ``refund``) and the entry, once per
    business key. No new lot: ``consumed`` goes down by the points, so they return to the
    lots they were spent from (FIFO, see docs/data-model.md). Frozen members get them too.
    """
    entry = _entry_item(giveback, giveback.points, **entry_fields)
    tx.update(
        label + PROFILE,
        MemberItem(pk=entry.pk, sk=keys.PROFILE),
        [
            MemberItem.balance.add(giveback.points),
            MemberItem.spendable.add(giveback.points),
            MemberItem.consumed.add(-giveback.points),
            MemberItem.ver.add(1),
        ],
        condition=MemberItem.pk.exists(),
    )
    tx.put(label + ENTRY, entry, condition=LedgerItem.pk.does_not_exist())
    return entry


def _released_expired_holds(member: MemberItem, points: int) -> bool:
    """Holds past their time never count against spendable: if releasing them would cover
    ``points``, release them now (the sweep would, a little later)."""
    from shared import clock
    from shared.dynamodb import holds as holds_repo

    now = clock.now()
    ids = holds_repo.expired_holds_of(member, utc_iso(now))
    if not ids:
        return False
    released = False
    for hold_id in ids:
        hold = holds_repo.get(hold_id)
        if hold is not None and hold.status == "active":
            released |= holds_repo.release(hold, "expired", now) is None
    return released


def refusal(raw: dict[str, Any] | None, member_id: str, points: int) -> Exception:
    """Why a spend's profile condition failed, from the profile's old image.

    Returns the error to raise; or :class:`Retry` (raise it inside a ``run()`` attempt) when
    expired checkout holds were in the way and have just been released."""
    member = image(raw, MemberItem)
    if member is None:
        return MemberNotFound(f"member {member_id!r} is not registered")
    if member.status != "active":
        return MemberFrozen(f"member {member_id!r} is frozen")
    if _released_expired_holds(member, points):
        return Retry()  # the spend is tried again with the held points free
    return InsufficientPoints(
        f"{points} points needed, {int(member.spendable)} spendable",
        details={"needed": points, "spendable": int(member.spendable)},
    )


class CodeTaken(Exception):
    """The new member's referral code already belongs to someone (draw another)."""


def register(
    member: MemberItem,
    welcome: Credit | None,
    rules: Rules,
    code: ReferralCodeItem | None = None,
) -> MemberItem | None:
    """Create the member (with its welcome credit and its referral code's lookup item).

    Returns the existing member if any; raises :class:`CodeTaken` if ``code`` is in use.
    """

    def attempt() -> MemberItem | None:
        tx = Tx()
        if welcome is not None and welcome.points > 0:
            member.balance = member.spendable = member.credited = welcome.points
            member.ver = 1
            tx.put(ENTRY, _entry_item(welcome, welcome.points))
            tx.put(LOT, _lot_item(welcome, rules))
        tx.put(PROFILE, member, condition=MemberItem.pk.does_not_exist())
        if code is not None:
            tx.put(REFCODE, code, condition=ReferralCodeItem.pk.does_not_exist())
        try:
            tx.commit()
        except Cancelled as cancelled:
            if PROFILE not in cancelled and REFCODE in cancelled:
                raise CodeTaken() from None
            return image(cancelled.failed.get(PROFILE), MemberItem) or get(member.member_id)
        return None

    return run(attempt)


def credit(credit: Credit, rules: Rules, **entry_fields: Any) -> Written:
    """Add ``credit`` as a ledger entry and a lot, once per business key."""

    def attempt() -> Written:
        tx = Tx()
        entry = add_credit(tx, credit, rules, **entry_fields)
        try:
            tx.commit()
        except Cancelled as cancelled:
            if ENTRY in cancelled:
                return Written(image(cancelled.failed[ENTRY], LedgerItem), replayed=True)
            raise MemberNotFound(f"member {credit.member_id!r} is not registered") from None
        return Written(entry, replayed=False)

    return run(attempt)


def lots(member_id: str) -> list[LotItem]:
    """The member's open lots, soonest expiry first."""
    return list(
        LotItem.query(
            keys.member_pk(member_id),
            LotItem.sk.startswith(keys.LOT),
            consistent_read=True,
        )
    )


def encode_cursor(payload: dict[str, Any]) -> str:
    return base64.urlsafe_b64encode(json.dumps(payload, separators=(",", ":")).encode()).decode()


def decode_cursor(cursor: str, member_pk: str) -> dict[str, Any]:
    try:
        payload = json.loads(base64.urlsafe_b64decode(cursor.encode()))
        key = payload["k"]
        if key["pk"]["S"] != member_pk or not isinstance(payload["b"], int):
            raise ValueError
    except (ValueError, KeyError, TypeError):
        raise Invalid("invalid cursor", details={"fields": {"cursor": "is not valid"}}) from None
    return payload


def ledger_page(
    member_id: str, limit: int, cursor: str | None
) -> tuple[list[LedgerItem], int, str | None]:
    """A newest-first page of the ledger, the balance after its newest entry, next cursor.

    The first page reads the member before and after the query and retries if its version
    moved, so the running balances are a consistent snapshot without touching the writes.
    """
    pk = keys.member_pk(member_id)
    start = decode_cursor(cursor, pk) if cursor else None
    for _ in range(5):
        before = get(member_id) if start is None else None
        result = LedgerItem.by_time.query(
            pk,
            scan_index_forward=False,
            limit=limit,
            consistent_read=True,
            last_evaluated_key=start["k"] if start else None,
        )
        items = list(result)
        if before is not None and get(member_id).ver != before.ver:
            continue
        balance = before.balance if before is not None else start["b"]
        next_key = result.last_evaluated_key
        after_last = balance - sum(i.points for i in items)
        nxt = encode_cursor({"k": next_key, "b": after_last}) if next_key else None
        return items, balance, nxt
    raise Contention("the ledger is changing quickly; retry the request")
