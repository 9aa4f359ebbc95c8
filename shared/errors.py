"""Errors, typed once.

Domain and data-access code raise these; ``shared/http.py`` maps each *category*
(the base class) to an HTTP status in one place. The ``code`` is the binding API error code.
"""

from __future__ import annotations

from typing import Any


class AppError(Exception):
    """``message`` is the English text for people (the ``en`` answer); other locales render
    the code's template from ``shared/i18n/catalogs/errors.py`` with ``params`` (and the
    scalar ``details``) filling its fields. ``details`` is machine-readable and never
    translated."""

    code = "internal"

    def __init__(
        self,
        message: str,
        *,
        code: str | None = None,
        details: Any = None,
        params: dict[str, Any] | None = None,
    ):
        super().__init__(message)
        self.message = message
        if code is not None:
            self.code = code
        self.details = details
        self.params = params


# Categories (one HTTP status each, see shared/http.py).
class BadRequest(AppError):
    code = "bad_request"


class Unauthorized(AppError):
    code = "unauthorized"


class Forbidden(AppError):
    code = "forbidden"


class NotFound(AppError):
    code = "not_found"


class Conflict(AppError):
    code = "conflict"


class Invalid(AppError):
    """Field problems: 422 ``validation_error`` with ``details`` naming the fields."""

    code = "validation_error"


class PayloadTooLarge(AppError):
    code = "payload_too_large"


class RateLimited(AppError):
    code = "rate_limited"


# Specific business errors.
class MemberNotFound(NotFound):
    code = "member_not_found"


class OrderNotFound(NotFound):
    code = "order_not_found"


class MemberExists(Conflict):
    code = "member_exists"


class MemberFrozen(Forbidden):
    code = "member_frozen"


class InsufficientPoints(Conflict):
    code = "insufficient_points"


class RefundExceedsOrder(Invalid):
    code = "refund_exceeds_order"


class IdempotencyKeyReused(Conflict):
    code = "idempotency_key_reused"


class IdempotencyKeyRequired(BadRequest):
    """A route that moves points on a person's say (adjustments, transfers) needs the
    header: without it a retried request could not be told from a second one (HTTP 400)."""

    code = "idempotency_key_required"


class InvalidCursor(BadRequest):
    """A ``cursor`` this service did not issue for this list, or one edited since (HTTP
    400, not 422: no field value to correct; the client reads the list from its start)."""

    code = "invalid_cursor"


class Contention(AppError):
    """Retries on a hot item ran out; safe for the client to retry (HTTP 503)."""

    code = "contention"


# Points mall.
class ItemNotFound(NotFound):
    code = "item_not_found"


class CouponNotFound(NotFound):
    code = "coupon_not_found"


class SoldOut(Conflict):
    code = "sold_out"


class LimitReached(Conflict):
    code = "limit_reached"


class NotAvailable(Conflict):
    code = "not_available"


class InvalidTransition(Conflict):
    code = "invalid_transition"


class CouponUsed(Conflict):
    code = "coupon_used"


class CouponExpired(Conflict):
    code = "coupon_expired"


class WrongPickupCode(Conflict):
    code = "wrong_pickup_code"


class PickupLocked(Conflict):
    code = "pickup_locked"


class InsufficientStock(Conflict):
    code = "insufficient_stock"


# Earning rules.
class AlreadyCheckedIn(Conflict):
    code = "already_checked_in"


class TaskNotFound(NotFound):
    code = "task_not_found"


class TaskLimitReached(Conflict):
    code = "task_limit_reached"


# Points at checkout.
class ExceedsMaxShare(Invalid):
    code = "exceeds_max_share"


class HoldNotActive(Conflict):
    code = "hold_not_active"


class HoldExists(Conflict):
    code = "hold_exists"


# Transfers.
class TransferLimitReached(Conflict):
    code = "transfer_limit_reached"


class RecipientFrozen(Conflict):
    code = "recipient_frozen"


# Points lottery.
class LotteryNotFound(NotFound):
    code = "lottery_not_found"


class DrawLimitReached(Conflict):
    code = "draw_limit_reached"


class NoExtraDraws(Conflict):
    """A draw asked to use an extra draw (earned by spend) and the member has none left."""

    code = "no_extra_draws"


# Year-end rebates.
class CampaignNotFound(NotFound):
    code = "campaign_not_found"


class CampaignNotEnded(Conflict):
    code = "campaign_not_ended"


class CampaignStarted(Conflict):
    code = "campaign_started"


class StatementNotFound(NotFound):
    code = "statement_not_found"


# Risk: the review queue and verified tasks.
class ReviewNotFound(NotFound):
    code = "review_not_found"


class ReviewDecided(Conflict):
    code = "review_decided"


class VerificationRequired(Forbidden):
    code = "verification_required"


# Second approval of large operator adjustments.
class AdjustmentNotFound(NotFound):
    code = "adjustment_not_found"


class SecondApproverRequired(Forbidden):
    """The operator who asked for an adjustment may not decide it (HTTP 403)."""

    code = "second_approver_required"


# Reaching members: the inbox.
class MessageNotFound(NotFound):
    code = "message_not_found"
