"""Data access of the review queue: a purchase held back (one transaction with the member's
pending counters), an operator's decision (one transaction with the credit and the audit
entry), and the queue's pages.

Holding: the review row (once per order), the profile's ``pending_reviews`` (order ids) and
``pending_review`` (points), and a check that the order was not credited already. While the
order is in ``pending_reviews``, a retried report cannot credit it (the purchase's profile
condition, ``shared.dynamodb.purchases``). Deciding: the review moves from ``pending`` (its
condition: the first decision wins), the purchase's ledger entry is written under the key
the purchase would have had (``LEDGER#purchase#<order_id>``: approved with its points,
rejected with 0, so a refund finds the order either way), and the order leaves the
profile's pending set, all with the ``review.decide`` audit entry.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from msgspec import Struct

from shared.domain.audit import AuditEntry
from shared.domain.ledger import Credit, Entry
from shared.domain.risk import PENDING, Review
from shared.domain.rules import Rules
from shared.dynamodb import audit as audit_log
from shared.dynamodb import keys, ledger, pages
from shared.dynamodb import purchases as purchases_repo
from shared.dynamodb.ledger import ENTRY, PROFILE
from shared.dynamodb.models.members import LedgerItem, MemberItem
from shared.dynamodb.models.reviews import ReviewItem
from shared.dynamodb.tiers import Standing, credit_part
from shared.dynamodb.tx import Cancelled, Tx, image, run
from shared.dynamodb.values import row_at, row_of, value_of

REVIEW = "review"
SK = "REVIEW"


class Held(Struct, frozen=True):
    """What holding a purchase found: its review (new or the one already there), or the
    ledger entry when the order had been credited before."""

    review: Review | None = None
    entry: Entry | None = None
    replayed: bool = False


class Decided(Exception):
    """The review was decided already (``review``: as it is now)."""

    def __init__(self, review: Review):
        super().__init__(review.review_id)
        self.review = review


class StaleStanding(Exception):
    """The member's tier standing moved since it was read: read again and retry."""


def _status_key(review: Review) -> dict[str, str]:
    at = review.created_at if review.status == PENDING else review.decided_at
    return {
        "st_pk": keys.reviews_status_pk(review.status),
        "st_sk": keys.time_ordered_sk(at or review.created_at, review.review_id),
    }


def _row(review: Review) -> ReviewItem:
    return row_of(
        ReviewItem, review, pk=keys.review_pk(review.review_id), sk=SK, **_status_key(review)
    )


def review_of(item: ReviewItem) -> Review:
    return value_of(item, Review)


def get(review_id: str) -> Review | None:
    item = row_at(ReviewItem, keys.review_pk(review_id), SK)
    return None if item is None else review_of(item)


def _pending_actions(order_id: str, points: int) -> list:
    return [
        MemberItem.pending_reviews.add({order_id}),
        MemberItem.pending_review.set((MemberItem.pending_review | 0) + points),
    ]


def hold(review: Review, assumed: Any, today: date) -> Held:
    """Put ``review`` in the queue (once per order) with the member's pending counters, on
    the condition ``assumed`` (``shared.dynamodb.purchases.assumed``: the member state its
    points were computed for); :class:`shared.dynamodb.purchases.Stale` when the member is
    not so."""
    member_id, order_id = review.member_id, review.order_id

    def attempt() -> Held:
        tx = Tx()
        tx.put(REVIEW, _row(review), condition=ReviewItem.pk.does_not_exist())
        tx.update(
            PROFILE,
            ledger.profile(member_id),
            _pending_actions(order_id, review.points),
            condition=assumed & ~MemberItem.pending_reviews.contains(order_id),
        )
        tx.check(
            ENTRY,
            LedgerItem,
            keys.member_pk(member_id),
            keys.ledger_sk("purchase", order_id),
            LedgerItem.pk.does_not_exist(),
        )
        try:
            tx.commit()
        except Cancelled as cancelled:
            if ENTRY in cancelled:
                entry = row_at(
                    LedgerItem, keys.member_pk(member_id), keys.ledger_sk("purchase", order_id)
                )
                return Held(entry=ledger.entry_of(entry) if entry else None, replayed=True)
            if PROFILE in cancelled:
                member = image(cancelled.failed[PROFILE], MemberItem)
                if member is None:
                    raise ledger.not_registered(member_id) from None
                if order_id not in (member.pending_reviews or ()):
                    raise purchases_repo.stale_of(member, today) from None
            existing = get(review.review_id)
            if existing is None:  # pending on the profile, its row not there: cannot be
                raise
            return Held(review=existing, replayed=True)
        return Held(review=review)

    return run(attempt)


def decide(
    before: Review,
    after: Review,
    credit: Credit,
    rules: Rules,
    member_standing: Standing | None,
    logged: AuditEntry,
) -> None:
    """Move ``before`` (pending) to ``after`` and write the purchase's ledger entry
    (``credit``: its points when approved, 0 when rejected) with ``logged``.

    Raises :class:`Decided` when another decision came first, :class:`StaleStanding` when
    the member's tier standing moved (read it again)."""
    order_id = before.order_id
    fields = purchases_repo.entry_fields_of(
        order_id, before.amount, before.currency, list(before.breakdown), before.occurred_at
    )
    item = ReviewItem(pk=keys.review_pk(before.review_id), sk=SK)
    status_key = _status_key(after)
    actions = [
        ReviewItem.status.set(after.status),
        ReviewItem.decided_at.set(after.decided_at),
        ReviewItem.decided_by.set(after.decided_by),
        ReviewItem.reason.set(after.reason),
        ReviewItem.st_pk.set(status_key["st_pk"]),
        ReviewItem.st_sk.set(status_key["st_sk"]),
    ]
    released = (
        MemberItem.pending_reviews.delete({order_id}),
        MemberItem.pending_review.set((MemberItem.pending_review | 0) - before.points),
    )

    def attempt() -> None:
        tx = Tx()
        tx.update(REVIEW, item, actions, condition=ReviewItem.status == PENDING)
        tier = None
        if credit.points > 0 and member_standing is not None:
            tier = credit_part(credit.member_id, member_standing, [credit], rules, credit.at)
        ledger.add_credit(
            tx,
            credit,
            rules,
            condition=MemberItem.pk.exists() & MemberItem.pending_reviews.contains(order_id),
            extra_actions=released,
            tier=tier,
            **fields,
        )
        audit_log.add(tx, logged)
        try:
            tx.commit()
        except Cancelled as cancelled:
            if REVIEW in cancelled:
                now = image(cancelled.failed[REVIEW], ReviewItem)
                if now is None:
                    raise
                raise Decided(review_of(now)) from None
            if PROFILE in cancelled:
                member = image(cancelled.failed[PROFILE], MemberItem)
                if member is None:
                    raise ledger.not_registered(credit.member_id) from None
                if order_id in (member.pending_reviews or ()):
                    raise StaleStanding(credit.member_id) from None
            raise

    run(attempt)


def page(status: str, limit: int, cursor: str | None) -> tuple[list[Review], str | None]:
    """Reviews in ``status``: pending ones oldest first (the queue), decided ones newest
    decision first."""
    partition = keys.reviews_status_pk(status)
    rows, next_cursor = pages.status_page(
        ReviewItem.by_status, partition, limit, cursor, forward=status == PENDING
    )
    return [review_of(row) for row in rows], next_cursor
