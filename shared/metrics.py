"""The business metrics the functions publish (Powertools Metrics, CloudWatch embedded metric
format: JSON lines in the function's log, no API call). Namespace ``LoyaltyPoints/<stage>``
(env ``POWERTOOLS_METRICS_NAMESPACE``, infra/config.py); every metric carries the dimension
``service`` (the function's name, env ``POWERTOOLS_SERVICE_NAME``), the job metrics also
``job``. The dashboard and alarms (infra/constructs/monitoring.py) read exactly these names.
"""

from __future__ import annotations

# Points (values are points, unit Count; summed over a period)
POINTS_ISSUED = "PointsIssued"  # credited to balances (earn, tasks, rebates, refunds of spend…)
POINTS_REDEEMED = "PointsRedeemed"  # spent in the mall, on draws, in checkout captures
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
