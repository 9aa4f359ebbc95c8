"""Data access for member-to-member transfers: both sides in ONE transaction."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any

from msgspec import Struct

from shared.domain.ledger import Credit, Debit
from shared.domain.rules import Rules
from shared.dynamodb import holds as holds_repo
from shared.dynamodb import idempotency, keys, ledger
from shared.dynamodb.ledger import PROFILE
from shared.dynamodb.models.members import MemberItem
from shared.dynamodb.models.transfers import TransferDayItem
from shared.dynamodb.tx import Cancelled, Tx, image, run
from shared.errors import RecipientFrozen, TransferLimitReached

TO = "to:"
DAY = "transfers-day"


class Plan(Struct, frozen=True):
    """A transfer's two ledger entries and the sender's daily limits, written as one."""

    out: Debit
    into: Credit
    day: date
    max_count: int
    max_points: int
    request: idempotency.Key | None
    response: dict[str, Any]
    at: datetime


def send(plan: Plan, rules: Rules) -> idempotency.Replay | None:
    """Debit the sender (active, enough spendable), credit the recipient (registered,
    active) with a new lot, count the sender's day, record the Idempotency-Key's response.
    Returns None when done, or the first response to a repeated key."""
    points = plan.out.points

    def attempt() -> idempotency.Replay | None:
        tx = Tx()
        ledger.add_debit(tx, plan.out)
        recipient_ok = ledger.may_earn()  # a transfer in is a credit: earning not frozen
        ledger.add_credit(tx, plan.into, rules, label=TO, condition=recipient_ok)
        expires = datetime.combine(plan.day + timedelta(days=2), datetime.min.time())
        room = (TransferDayItem.count < plan.max_count) & (
            TransferDayItem.points <= plan.max_points - points
        )
        tx.update(
            DAY,
            TransferDayItem(
                pk=keys.member_pk(plan.out.member_id), sk=keys.transfers_day_sk(plan.day)
            ),
            [
                TransferDayItem.count.add(1),
                TransferDayItem.points.add(points),
                TransferDayItem.ttl.set(int(expires.timestamp())),
            ],
            condition=TransferDayItem.pk.does_not_exist() | room,
        )
        try:
            return idempotency.commit(tx, plan.request, 201, plan.response, plan.at)
        except Cancelled as cancelled:
            failed = cancelled.failed
            if PROFILE in failed:
                raise holds_repo.free_or_refuse(
                    failed[PROFILE], plan.out.member_id, points
                ) from None
            if TO + PROFILE in failed:
                recipient = image(failed[TO + PROFILE], MemberItem)
                if recipient is None:
                    raise ledger.not_registered(plan.into.member_id) from None
                raise RecipientFrozen(
                    f"member {plan.into.member_id!r} cannot receive points"
                ) from None
            if DAY in failed:
                raise TransferLimitReached(
                    f"at most {plan.max_count} transfers and {plan.max_points} points a day"
                ) from None
            raise  # a ledger key collision: transfer ids are random, so this is a bug

    return run(attempt)
