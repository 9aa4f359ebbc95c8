"""The business metrics the functions publish (Powertools Metrics, CloudWatch embedded metric
format: JSON lines in the function's log, no API call). Namespace ``LoyaltyPoints/<stage>``
(env ``POWERTOOLS_METRICS_NAMESPACE``, infra/config.py); every metric carries the dimension
``service`` (the function's name, env ``POWERTOOLS_SERVICE_NAME``), the job metrics also
``job``. The dashboard and alarms (infra/constructs/monitoring.py) read exactly these names.

Emitting: :func:`count` adds to this invocation's set, the handler's :func:`flushed`
decorator prints it as ONE EMF line when the invocation ends (nothing at all when nothing
was counted). ``POWERTOOLS_METRICS_DISABLED=true`` (local mode) prints nothing. Namespace
and service are read from the environment when the line is printed. Importing this costs
nothing extra: ``aws_lambda_powertools`` loads its metrics package with the Logger.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any, TypeVar

from aws_lambda_powertools.metrics import Metrics, MetricUnit

from shared.observability import logger

# Points (values are points, unit Count; summed over a period). Counted as the operators'
# reports count them (shared/stream_metrics.py): net of points given back and of operators'
# debits; clawbacks and transfers in none of them.
POINTS_ISSUED = "PointsIssued"  # credited: earn (every source), lottery prizes, adjustments
POINTS_REDEEMED = "PointsRedeemed"  # spent in the mall, on draws, at checkout; − given back
POINTS_EXPIRED = "PointsExpired"  # taken by the expiry job
# Events (unit Count)
REDEMPTIONS = "Redemptions"  # mall orders placed
SOLD_OUTS = "SoldOuts"  # redemptions refused because the item's stock ran out
DRAWS = "Draws"  # lottery draws
HOLDS_CAPTURED = "HoldsCaptured"  # checkout holds captured
HOLDS_RELEASED = "HoldsReleased"  # checkout holds released (by the shop or by time)
# Jobs (dimension ``job`` beside ``service``)
JOB_PROCESSED = "JobProcessed"  # items a job run processed
JOB_INCOMPLETE = "JobIncomplete"  # 1 when a run stopped for time (resumed by the next), else 0
JOB_MISSED_DEADLINE = "JobMissedDeadline"  # 1 when a schedule's last try ended incomplete

BUSINESS = (
    POINTS_ISSUED,
    POINTS_REDEEMED,
    POINTS_EXPIRED,
    REDEMPTIONS,
    SOLD_OUTS,
    DRAWS,
    HOLDS_CAPTURED,
    HOLDS_RELEASED,
)


F = TypeVar("F", bound=Callable[..., Any])


def count(name: str, value: int = 1) -> None:
    """Add ``value`` (an integer: points or events) to metric ``name`` in this invocation's
    set; printed when the handler's :func:`flushed` ends. Zero adds nothing."""
    if value:
        Metrics().add_metric(name=name, unit=MetricUnit.Count, value=value)


def flush() -> None:
    """Print what this invocation counted as one EMF line and start afresh. Nothing counted:
    nothing printed (no "no metrics" warning). A metric never fails the work it counts: a
    flush that cannot serialize (e.g. no namespace configured) is logged and dropped."""
    recorder = Metrics()  # instances share one set; this one reads namespace/service now
    if not recorder.metric_set:
        return
    try:
        recorder.flush_metrics()  # prints unless POWERTOOLS_METRICS_DISABLED
    except Exception:  # the business write it counts has committed: log, never raise
        logger.warning("metrics not published", exc_info=True)
    finally:
        recorder.clear_metrics()  # also when disabled (Powertools keeps the set then)


def flushed(handler: F) -> F:
    """Handler decorator: publish the invocation's metrics when it ends (also on error)."""

    @functools.wraps(handler)
    def run(*args: Any, **kwargs: Any) -> Any:
        try:
            return handler(*args, **kwargs)
        finally:
            flush()

    return run  # type: ignore[return-value]


def counts_refusal(error: type[Exception], name: str) -> Callable[[F], F]:
    """Use-case decorator: count ``name`` once each time the call ends raising ``error``."""

    def decorate(func: F) -> F:
        @functools.wraps(func)
        def run(*args: Any, **kwargs: Any) -> Any:
            try:
                return func(*args, **kwargs)
            except error:
                count(name)
                raise

        return run  # type: ignore[return-value]

    return decorate
