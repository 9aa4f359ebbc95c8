"""A job run's metrics (Powertools Metrics, CloudWatch embedded metric format: one JSON line
in the function's log, no API call): ``JobProcessed`` (its ``processed``), ``JobIncomplete``
(1 when it stopped for time) and, on a schedule's last try (``deadline``),
``JobMissedDeadline`` (1 when that try too ended incomplete: the alarm's metric). Dimensions
``service`` (the function, env ``POWERTOOLS_SERVICE_NAME``) and ``job``.

Each run writes its own line as it ends (an ``EphemeralMetrics`` of its own): an invocation
may run several jobs, each with its own ``job`` dimension, and Powertools' ``Metrics`` share
one set per process, which the business metrics (``shared.metrics``) flush at the handler's
end.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from aws_lambda_powertools.metrics import EphemeralMetrics, MetricUnit, SchemaValidationError

from shared.metrics import JOB_INCOMPLETE, JOB_MISSED_DEADLINE, JOB_PROCESSED
from shared.observability import logger


def record(job: str, result: Mapping[str, Any], deadline: bool = False, service: str = "") -> None:
    """Write the metrics of ``job``'s run that answered ``result``; a ``deadline`` run that
    ended incomplete is also logged as an error (the work left waits for tomorrow's window).

    A fanned-out run whose coordinator ``queued`` its shards' tasks did not stop for time
    (JobIncomplete 0) and processed nothing itself: each task writes its own
    ``processed``, under the coordinating function's ``service`` (one line per task)."""
    incomplete = result.get("complete") is False
    queued = bool(result.get("queued"))
    processed = 0 if queued else int(result.get("processed", 0))
    metrics = EphemeralMetrics(service=service or None)
    metrics.add_dimension("job", job)
    metrics.add_metric(JOB_PROCESSED, MetricUnit.Count, processed)
    metrics.add_metric(JOB_INCOMPLETE, MetricUnit.Count, int(incomplete and not queued))
    if deadline:
        metrics.add_metric(JOB_MISSED_DEADLINE, MetricUnit.Count, int(incomplete))
        if incomplete:
            logger.error("job missed its deadline", extra=dict(result))
    try:
        metrics.flush_metrics()
    except SchemaValidationError:  # no namespace (POWERTOOLS_METRICS_NAMESPACE) configured
        logger.warning("job metrics not written: no metrics namespace", extra={"job": job})
