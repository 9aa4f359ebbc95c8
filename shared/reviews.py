"""Use cases of the review queue (SPEC §9d): purchases a risk rule held back wait here until
an operator approves them (credited once) or rejects them (nothing credited)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from msgspec import structs

from shared import programme
from shared.clock import utc_iso
from shared.domain import audit
from shared.domain import ledger as kinds
from shared.domain.calendar import iso_local, local_date
from shared.domain.risk import APPROVE, OUTCOME, Review, same_decision
from shared.dynamodb import members as members_repo
from shared.dynamodb import reviews as reviews_repo
from shared.dynamodb.tiers import standing_of
from shared.errors import Contention, ReviewDecided, ReviewNotFound

ACTION = "review.decide"


def view(review: Review, zone: Any = None) -> dict[str, Any]:
    """A review as operators see it (times in the programme's zone)."""
    zone = zone or programme.current().zone

    def local(at: str | None) -> str | None:
        return iso_local(datetime.fromisoformat(at), zone) if at else None

    return {
        "review_id": review.review_id,
        "kind": review.kind,
        "status": review.status,
        "member_id": review.member_id,
        "order_id": review.order_id,
        "points": review.points,
        "amount": review.amount,
        "currency": review.currency,
        "flags": list(review.flags),
        "created_at": local(review.created_at),
        "decided_at": local(review.decided_at),
        "decided_by": review.decided_by,
        "reason": review.reason,
    }


def pending_result(review: Review) -> dict[str, Any]:
    """What the shop's system gets for a purchase held for review (202)."""
    return {
        "status": "pending_review",
        "review_id": review.review_id,
        "order_id": review.order_id,
        "member_id": review.member_id,
        "points": review.points,
    }


def hold(review: Review, assumed: Any, today: date) -> reviews_repo.Held:
    """Queue a held-back purchase (once per order); see ``shared.dynamodb.reviews.hold``."""
    return reviews_repo.hold(review, assumed, today)


def list_reviews(status: str, limit: int, cursor: str | None) -> dict[str, Any]:
    reviews, next_cursor = reviews_repo.page(status, limit, cursor)
    zone = programme.current().zone
    return {"items": [view(r, zone) for r in reviews], "next_cursor": next_cursor}


def get_review(review_id: str) -> Review:
    review = reviews_repo.get(review_id)
    if review is None:
        raise ReviewNotFound(f"no review {review_id!r}")
    return review


def _repeat_or_conflict(review: Review, decision: str) -> dict[str, Any]:
    """A decided review: the same decision again answers it as it is; the other → 409."""
    if same_decision(review, decision):
        return view(review)
    raise ReviewDecided(
        f"review {review.review_id!r} was already {review.status}",
        details={"status": review.status},
    )


def decide(review_id: str, decision: str, reason: str, actor: str, now: datetime) -> dict:
    """Approve (credit the purchase's points, once, under the purchase's own ledger key) or
    reject (record the purchase with 0 points). The first decision wins; repeating it
    answers the same body, the other decision → 409 ``review_decided``. One transaction
    with the ``review.decide`` audit entry (before/after: the review as shown)."""
    rules = programme.current()
    for _ in range(6):
        review = get_review(review_id)
        if review.status in OUTCOME.values():
            return _repeat_or_conflict(review, decision)
        after = structs.replace(
            review,
            status=OUTCOME[decision],
            decided_at=utc_iso(now),
            decided_by=actor,
            reason=reason,
        )
        approved = decision == APPROVE
        credit = kinds.credit(
            review.member_id,
            "purchase",
            review.order_id,
            review.points if approved else 0,
            "purchase" if approved else "purchase_rejected",
            {"order_id": review.order_id},
            at=now,
            rules=rules,
        )
        standing = None
        if approved:
            profile = members_repo.profile_row(review.member_id)
            standing = standing_of(profile, local_date(now, rules.zone))
        logged = audit.entry(
            now,
            actor,
            ACTION,
            audit.target("review", review_id),
            before=view(review, rules.zone),
            after=view(after, rules.zone),
            reason=reason,
        )
        try:
            reviews_repo.decide(review, after, credit, rules, standing, logged)
        except reviews_repo.Decided as decided:
            return _repeat_or_conflict(decided.review, decision)
        except reviews_repo.StaleStanding:
            continue
        return view(after, rules.zone)
    raise Contention("the member is changing quickly; retry the request")
