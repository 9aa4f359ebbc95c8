"""The review queue: operators list the purchases a risk rule held back and decide them."""

from __future__ import annotations

from typing import Any

from shared import clock, reviews
from shared.errors import ReviewNotFound
from shared.http import HttpApp, Request
from shared.observability import logger
from shared.requests.reviews import DECIDE_REVIEW, REVIEW_QUEUE

app = HttpApp("reviews")


@app.operation("list_reviews")
def list_reviews(req: Request) -> dict[str, Any]:
    status = REVIEW_QUEUE.parse({"status": req.query.get("status") or "pending"})["status"]
    return reviews.list_reviews(status, req.limit(), req.query.get("cursor"))


@app.operation("decide_review")
def decide_review(req: Request) -> dict[str, Any]:
    review_id = req.path_id("review_id", ReviewNotFound)
    args = DECIDE_REVIEW.parse(req.json())
    return reviews.decide(review_id, args["decision"], args["reason"], req.operator, clock.now())


@logger.inject_lambda_context(clear_state=True)
def lambda_handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    return app.resolve(event, context)
