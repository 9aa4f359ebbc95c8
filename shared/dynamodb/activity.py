"""Data access for activity credits (check-ins and task completions).

One transaction per credit: the profile update (points, the day's activity total, the
check-in streak) guarded by the values the credit was computed from, the ledger entry keyed
by the business key (``LEDGER#checkin#<date>``, ``LEDGER#task#<task>#<period>``) and the
lot. Concurrent requests therefore cannot double count: the entry collides, or the guarded
values moved and the caller recomputes from the image the cancellation returns. The
credit may promote the member in the same update (``shared.dynamodb.tiers``).
"""

from __future__ import annotations

from datetime import date
from typing import Any

from msgspec import Struct

from shared.domain.ledger import Credit
from shared.domain.members import can_earn
from shared.domain.rules import Rules
from shared.dynamodb import keys, ledger
from shared.dynamodb import members as members_repo
from shared.dynamodb.connection import table
from shared.dynamodb.ledger import ENTRY, PROFILE
from shared.dynamodb.models.members import MemberItem
from shared.dynamodb.tiers import Standing, credit_part, standing_of
from shared.dynamodb.tx import Cancelled, Tx, image, run
from shared.errors import MemberFrozen


class AlreadyDone(Exception):
    """The business key is taken: this check-in / task period was already credited."""


class Seen(Struct, frozen=True):
    """The member values a credit is computed from (the transaction's guard)."""

    status: str
    activity_day: str | None
    activity_points: int
    checkin_last: str | None = None
    checkin_streak: int = 0
    standing: Standing | None = None  # tier and qualifying total (promotion)


class Stale(Exception):
    """The guarded member values moved; ``seen`` holds the current ones."""

    def __init__(self, seen: Seen):
        super().__init__(seen.activity_day)
        self.seen = seen


def _seen(member: MemberItem, today: date) -> Seen:
    return Seen(
        status=member.status,
        activity_day=member.activity_day,
        activity_points=int(member.activity_points or 0),
        checkin_last=member.checkin_last,
        checkin_streak=int(member.checkin_streak or 0),
        standing=standing_of(member, today),
    )


def read(member_id: str, today: date) -> Seen:
    """The member's activity values ``today`` (``MemberNotFound`` if not registered)."""
    return _seen(members_repo.profile_row(member_id), today)


def _equals_or_absent(attribute: Any, value: Any) -> Any:
    return attribute.does_not_exist() if value is None else attribute == value


def record(
    credit: Credit,
    rules: Rules,
    seen: Seen,
    *,
    day: str,
    day_total: int,
    streak: int | None = None,
) -> None:
    """Credit an activity once per business key; ``streak`` is set for check-ins."""
    condition = ledger.may_earn() & _equals_or_absent(MemberItem.activity_day, seen.activity_day)
    if seen.activity_day is not None:
        condition &= MemberItem.activity_points == seen.activity_points
    actions = [MemberItem.activity_day.set(day), MemberItem.activity_points.set(day_total)]
    if streak is not None:
        condition &= _equals_or_absent(MemberItem.checkin_last, seen.checkin_last)
        actions += [MemberItem.checkin_last.set(day), MemberItem.checkin_streak.set(streak)]

    def attempt() -> None:
        tx = Tx()
        tier = credit_part(credit.member_id, seen.standing, [credit], rules, credit.at)
        ledger.add_credit(
            tx, credit, rules, condition=condition, extra_actions=tuple(actions), tier=tier
        )
        try:
            tx.commit()
        except Cancelled as cancelled:
            if ENTRY in cancelled:
                raise AlreadyDone() from None
            member = image(cancelled.failed.get(PROFILE), MemberItem)
            if member is None:
                raise ledger.not_registered(credit.member_id) from None
            if not can_earn(member.status):
                raise MemberFrozen(f"member {credit.member_id!r} is frozen for earning") from None
            raise Stale(_seen(member, credit.earned_on)) from None

    return run(attempt)


def credited(member_id: str, source: str, refs: list[str]) -> set[str]:
    """Which of ``refs`` already have a ledger entry (one BatchGetItem per 100 refs).

    Through the table connection: pynamodb's ``Model.batch_get`` reads the response under
    the model's placeholder table name, not the configured one.
    """
    conn = table()
    pk = keys.member_pk(member_id)
    found: set[str] = set()
    for start in range(0, len(refs), 100):
        pending = [
            {"pk": {"S": pk}, "sk": {"S": keys.ledger_sk(source, ref)}}
            for ref in refs[start : start + 100]
        ]
        for _ in range(10):  # unprocessed keys (throttling) are asked again
            data = conn.batch_get_item(pending, consistent_read=True, attributes_to_get=["ref"])
            found.update(i["ref"]["S"] for i in data["Responses"].get(conn.table_name, []))
            pending = data.get("UnprocessedKeys", {}).get(conn.table_name, {}).get("Keys")
            if not pending:
                break
    return found
