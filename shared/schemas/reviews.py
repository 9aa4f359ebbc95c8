"""Operations of the review queue (operators) and of verified tasks (trusted systems)."""

from __future__ import annotations

from shared.domain.risk import DAILY_PURCHASE_POINTS, SINGLE_PURCHASE_LIMIT, STATUSES
from shared.requests.reviews import DECIDE_REVIEW, REVIEW_QUEUE
from shared.schemas.base import INT, STRING, Operation, array, enum, obj, page, paged
from shared.validation import nullable, ref

REVIEW = obj(
    {
        "review_id": STRING,
        "kind": enum(("purchase",)),
        "status": enum(STATUSES),
        "member_id": STRING,
        "order_id": STRING,
        "points": INT,
        "amount": ref("Money"),
        "currency": STRING,
        "flags": array(enum((SINGLE_PURCHASE_LIMIT, DAILY_PURCHASE_POINTS))),
        "created_at": ref("Timestamp"),
        "decided_at": nullable(ref("Timestamp")),
        "decided_by": nullable(STRING),
        "reason": nullable(STRING),
    }
)

OPERATIONS: dict[str, Operation] = {
    "reviews.list_reviews": paged(
        "The review queue: purchases a risk rule held back (pending: oldest first; decided: "
        "newest decision first).",
        page(REVIEW),
        (422,),
        query=REVIEW_QUEUE.parameters(),
    ),
    "reviews.decide_review": Operation(
        "Approve (credit the purchase once) or reject (credit nothing) a held-back purchase; "
        "the same decision again answers the same body, the other one 409 review_decided.",
        {200: REVIEW},
        (400, 404, 409, 413, 422, 503),
        request=DECIDE_REVIEW.schema(),
        example={"decision": "approve", "reason": "customer verified by phone"},
    ),
    "earn.report_task_completion": Operation(
        "A trusted system reports a member's completion of a task (the only way to complete "
        "a verified task).",
        {201: obj({"points": INT})},
        (404, 409, 503),
        path={"task_id": {"type": "string", "minLength": 1}},
    ),
}
