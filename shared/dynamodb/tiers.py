"""Data access for membership tiers and birthdays.

**Promotion rides on the credit's own transaction.** Besides the monthly buckets
(``qualifying``), the member keeps ``qualifying_total`` — the sum of the window's buckets
for the month ``qualifying_month`` — so a credit's transaction can state, as plain number
comparisons DynamoDB evaluates atomically with the update, the totals the promotion was
decided for (:func:`credit_part`):

- *known total* (the member was read, or a cancellation returned its image): the profile
  condition pins ``tier`` and ``low <= qualifying_total < high`` (``credit_bounds``), the
  update adds the points and, when promoted, sets the new ``tier`` (and its index key);
- *blind* (a purchase's first attempt, no read): the condition says "this credit does not
  promote" (``qualifying_total < next threshold − points``); a member it would promote
  fails the condition, the cancellation returns the image and the caller retries with it;
- *stale total* (``qualifying_month`` is not this month, or absent): the total is recomputed
  from the image's buckets and set, guarded by the image's ``ver`` (every ledger write bumps
  it) and the stored month and total — once per member and month at most.

Concurrent credits that cross no threshold do not contend (each condition holds whatever
the others added); those that do cross it are serialised by the condition, so exactly one
promotes. A tier change also writes an audit item (``AUDIT#<at>#tier``) and moves the
member in the sparse ``by_tier`` index (keys only: written when the tier changes, never on
balance updates); the table stream announces ``TierChanged.v1``.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from datetime import date, datetime
from typing import Any

from msgspec import Struct

from shared.clock import utc_iso
from shared.domain.ledger import Credit
from shared.domain.members import Audit, can_earn
from shared.domain.rules import Rules, Tier
from shared.domain.tiers import (
    after_credit,
    credit_bounds,
    index_of,
    month_key,
    qualifying_total,
)
from shared.dynamodb import keys, ledger
from shared.dynamodb.ledger import ENTRY, PROFILE, add_credit
from shared.dynamodb.members import audit_row, find
from shared.dynamodb.models.base import as_plain
from shared.dynamodb.models.members import AuditItem, MemberItem
from shared.dynamodb.tx import Cancelled, Tx, image, run, updated

AUDIT = "tier:audit"
PROMOTION, DEMOTION = "promotion", "demotion"
SYSTEM = "system"


class Recompute(Struct, frozen=True):
    """The stored total is not this month's: what was stored, and the guard (``ver``)."""

    ver: int
    month: str | None
    total: int | None


class Standing(Struct, frozen=True):
    """The member's tier and qualifying total as a credit's transaction expects them.

    ``tier`` None: not known (no tier condition; a referral bonus's recipient). ``total``
    None: not read — the credit is written on the condition that it promotes nobody.
    """

    tier: str | None
    month: str  # "YYYY-MM" the stored total must be kept for
    total: int | None = None
    recompute: Recompute | None = None

    @classmethod
    def blind(cls, tier: str | None, today: date) -> Standing:
        return cls(tier, month_key(today))


def standing_of(member: MemberItem, today: date) -> Standing:
    """The standing of a member read (or returned by a cancellation) ``today``."""
    month = month_key(today)
    if member.qualifying_month == month and member.qualifying_total is not None:
        return Standing(member.tier, month, int(member.qualifying_total))
    stored = None if member.qualifying_total is None else int(member.qualifying_total)
    total = qualifying_total(as_plain(member.qualifying) or {}, today)
    return Standing(
        member.tier, month, total, Recompute(int(member.ver or 0), member.qualifying_month, stored)
    )


class TierPart(Struct, frozen=True):
    """What a credit adds to its member's profile update for tiers."""

    condition: Any = None  # None: nothing to guard
    actions: tuple = ()  # SET / REMOVE actions in the same update
    correction: int = 0  # added to ``qualifying_total`` with the credit's points
    audit: AuditItem | None = None  # the tier change's audit item
    promoted_to: str | None = None

    def add_audit(self, tx: Tx, label: str = "") -> None:
        if self.audit is not None:
            tx.put(label + AUDIT, self.audit)


NOTHING = TierPart()


def _equals_or_absent(attribute: Any, value: Any) -> Any:
    return attribute.does_not_exist() if value is None else attribute == value


def tier_is(tier: str, rules: Rules) -> Any:
    """The profile's tier is ``tier`` (the first tier also matches a profile without one)."""
    condition = MemberItem.tier == tier
    if index_of(tier, rules.tiers) == 0:
        condition = condition | MemberItem.tier.does_not_exist()
    return condition


def _ver_is(ver: int) -> Any:
    return MemberItem.ver == ver if ver else (MemberItem.ver == 0) | MemberItem.ver.does_not_exist()


def qualifying_points(credits: list[Credit]) -> int:
    return sum(c.points for c in credits if c.qualifying and c.points > 0)


def credit_part(
    member_id: str,
    standing: Standing | None,
    credits: list[Credit],
    rules: Rules,
    at: datetime,
    *,
    pin_tier: bool = False,
) -> TierPart:
    """Condition and actions for ``credits`` (of one member) given the expected standing.

    ``pin_tier``: the tier is part of the condition even when nothing qualifies (purchase
    points depend on it). See the module docstring for the three cases.
    """
    points = qualifying_points(credits)
    if standing is None:
        return NOTHING
    condition = None
    if standing.tier is not None and (pin_tier or points > 0):
        condition = tier_is(standing.tier, rules)
    if points <= 0:
        return TierPart(condition)
    tiers = rules.tiers
    actions: list = []
    correction = 0
    if standing.recompute is not None and standing.total is not None:
        old = standing.recompute
        after = after_credit(standing.tier, standing.total, points, tiers)
        guard = (
            _ver_is(old.ver)
            & _equals_or_absent(MemberItem.qualifying_month, old.month)
            & _equals_or_absent(MemberItem.qualifying_total, old.total)
        )
        actions.append(MemberItem.qualifying_month.set(standing.month))
        correction = standing.total - (old.total or 0)
    else:
        if standing.total is None:
            after = standing.tier  # blind: the condition says it stays so
        else:
            after = after_credit(standing.tier, standing.total, points, tiers)
        bounds = credit_bounds(standing.tier, after, points, tiers)
        guard = MemberItem.qualifying_month == standing.month
        if bounds.low is not None:
            guard &= MemberItem.qualifying_total >= bounds.low
        if bounds.high is not None:
            guard &= MemberItem.qualifying_total < bounds.high
    condition = guard if condition is None else condition & guard
    if after is None or standing.total is None or after == standing.tier:
        return TierPart(condition, tuple(actions), correction)
    total_after = standing.total + points
    threshold = tiers[index_of(after, tiers)].threshold
    actions += change_actions(member_id, after, PROMOTION, at, rules)
    audit = audit_item(
        member_id,
        standing.tier,
        after,
        PROMOTION,
        f"qualifying points {total_after} reached {after} ({threshold})",
        total_after,
        at,
    )
    return TierPart(condition, tuple(actions), correction, audit, after)


def change_actions(member_id: str, tier: str, change: str, at: datetime, rules: Rules) -> list:
    """Move the member to ``tier``: the attribute, the time, and the ``by_tier`` index key
    (removed for the first tier, so the index holds only members above it)."""
    actions = [
        MemberItem.tier.set(tier),
        MemberItem.tier_changed_at.set(utc_iso(at)),
        MemberItem.tier_change.set(change),
    ]
    if index_of(tier, rules.tiers) == 0:
        actions += [MemberItem.tier_pk.remove(), MemberItem.tier_sk.remove()]
    else:
        shard = keys.shard_of(member_id, keys.TIER_SHARDS)
        actions += [
            MemberItem.tier_pk.set(keys.tier_pk(tier, shard)),
            MemberItem.tier_sk.set(member_id),
        ]
    return actions


def audit_item(
    member_id: str,
    before: str | None,
    after: str,
    change: str,
    reason: str,
    total: int,
    at: datetime,
) -> AuditItem:
    """A tier change in the member's audit trail (``AUDIT#<at>#tier``)."""
    audit = Audit(member_id, change, SYSTEM, reason, at, total, f"{before}->{after}")
    return audit_row(audit, "tier")


# The monthly evaluation ---------------------------------------------------------------------


def tier_partitions(tiers: Sequence[Tier]) -> list[tuple[str, int]]:
    """The ``by_tier`` index partitions of ``tiers``: (tier, shard)."""
    return [(tier.name, shard) for tier in tiers for shard in range(keys.TIER_SHARDS)]


def members_in_tier(tier: str, shard: int, after: str | None = None) -> Iterator[tuple[str, str]]:
    """Members in one shard of a tier above the first (GSI ``by_tier``, keys only, paged
    lazily), with their index sort key; ``after``: past that key (a resume). The index is
    eventually consistent: the caller reads each member."""
    condition = MemberItem.tier_sk > after if after is not None else None
    for hit in MemberItem.by_tier.query(keys.tier_pk(tier, shard), condition):
        yield keys.member_id_of(hit.pk), hit.tier_sk


class TierState(Struct, frozen=True):
    """What the evaluation reads of a member: tier, qualifying buckets, stored total."""

    member_id: str
    ver: int
    tier: str | None
    tier_evaluated: str | None  # "YYYY-MM" of the last demotion by the evaluation
    qualifying: dict[str, int]  # "YYYY-MM" -> qualifying points earned that month
    qualifying_month: str | None
    qualifying_total: int | None


def tier_state(member_id: str) -> TierState | None:
    """The member's tier state (consistent read); None if not registered."""
    member = find(member_id)
    if member is None:
        return None
    return TierState(
        member_id,
        member.ver,
        member.tier,
        member.tier_evaluated,
        member.qualifying,
        member.qualifying_month,
        member.qualifying_total,
    )


class Evaluation(Struct, frozen=True):
    """What the monthly evaluation writes for one member."""

    total: int  # qualifying points on the evaluation day
    month: str  # "YYYY-MM"
    prune: tuple[str, ...] = ()  # buckets that no longer count
    demote_to: str | None = None
    reason: str = ""


def evaluate(member: TierState, evaluation: Evaluation, rules: Rules, at: datetime) -> bool:
    """Write one member's evaluation: refresh the stored total, drop old buckets and, when
    demoted, the new tier, the month's marker and an audit item — one transaction guarded by
    the ``ver`` and ``tier`` read, and by the marker (one demotion per month, whoever runs
    the job). False when the member changed meanwhile (read again)."""
    actions = [
        MemberItem.qualifying_total.set(evaluation.total),
        MemberItem.qualifying_month.set(evaluation.month),
        *(MemberItem.qualifying[month].remove() for month in evaluation.prune),
    ]
    condition = _ver_is(member.ver) & tier_is(member.tier, rules)
    tx = Tx()
    if evaluation.demote_to is not None:
        actions += change_actions(member.member_id, evaluation.demote_to, DEMOTION, at, rules)
        actions.append(MemberItem.tier_evaluated.set(evaluation.month))
        condition &= MemberItem.tier_evaluated.does_not_exist() | (
            MemberItem.tier_evaluated != evaluation.month
        )
        tx.put(
            AUDIT,
            audit_item(
                member.member_id,
                member.tier,
                evaluation.demote_to,
                DEMOTION,
                evaluation.reason,
                evaluation.total,
                at,
            ),
        )
    profile = MemberItem(pk=keys.member_pk(member.member_id), sk=keys.PROFILE)
    if evaluation.demote_to is None:  # one item: a plain conditional update (half the WCU)
        return updated(profile, actions, condition)
    tx.update(PROFILE, profile, actions, condition=condition)
    return run(tx.committed)  # met another transaction on the member: the same one again


# Birthdays ----------------------------------------------------------------------------------


def birthday_partitions(month_days: Iterable[str]) -> list[tuple[str, int]]:
    """The ``by_birthday`` index partitions of these days ("MM-DD"): (day, shard)."""
    return [(day, shard) for day in month_days for shard in range(keys.BIRTHDAY_SHARDS)]


def members_born_on(
    month_day: str, shard: int, after: str | None = None
) -> Iterator[tuple[str, str]]:
    """Members whose birthday is ``MM-DD``, one shard of GSI ``by_birthday`` (keys only),
    with their index sort key; ``after``: past that key (a resume)."""
    condition = MemberItem.bday_sk > after if after is not None else None
    for hit in MemberItem.by_birthday.query(keys.birthday_pk(month_day, shard), condition):
        yield keys.member_id_of(hit.pk), hit.bday_sk


class BirthdayOutcome(Struct, frozen=True):
    """Whether a member's birthday gift was credited, and why not if it was not."""

    credited: bool
    reason: str = ""  # "already" | "not_registered" | "frozen" | "tier" (not credited)
    tier: str | None = None  # the member's actual tier when the expected one was wrong


def credit_birthday(credit: Credit, tier: str, rules: Rules) -> BirthdayOutcome:
    """Credit a birthday (ledger key ``LEDGER#birthday#<year>``: once per member and year)
    on the condition that the member is active and in ``tier`` (whose points it carries)."""
    condition = ledger.may_earn() & tier_is(tier, rules)

    def attempt() -> BirthdayOutcome:
        tx = Tx()
        add_credit(tx, credit, rules, condition=condition)
        try:
            tx.commit()
        except Cancelled as cancelled:
            if ENTRY in cancelled:
                return BirthdayOutcome(False, "already")
            member = image(cancelled.failed.get(PROFILE), MemberItem)
            if member is None:
                return BirthdayOutcome(False, "not_registered")
            if not can_earn(member.status):
                return BirthdayOutcome(False, "frozen")
            return BirthdayOutcome(False, "tier", member.tier)
        return BirthdayOutcome(True)

    return run(attempt)
