"""Business metrics from the table's stream: what committed transactions wrote, counted once
in the publisher (``functions/publisher``), never on the request path.

A record counts only what its item says happened (all integers):

* a new ledger entry (``MEMBER#…`` / ``LEDGER#…``, INSERT; ``points`` is signed), counted
  exactly as the operators' reports count it (``shared.domain.ledger.ISSUING`` /
  ``SPENDING``), so the dashboard and the reports agree:
  ``earn`` (purchases, check-ins, tasks, referrals, birthdays, rebates…), ``lottery_prize``
  and ``adjust`` → PointsIssued += points (an operator's debit is a negative issue);
  ``redeem`` (a mall order), ``lottery_cost``, ``checkout`` (a captured hold) and ``refund``
  → PointsRedeemed += −points: points given back (a cancelled order, a refunded checkout)
  are a negative redemption, never an issue; a ``redeem`` entry is also one Redemption (one
  per order; a cancel does not subtract); ``expire`` → PointsExpired += −points.
  Not counted: ``clawback`` (earned points taken back after a purchase refund: the reports'
  ``clawed_back``, no metric) and transfers (points move between members, none created or
  spent). A batch's values may thus be negative (e.g. only a refund in it).
* a new draw record (``DRAW#…``, INSERT) → Draws += 1.
* a hold (``HOLD#…`` / ``HOLD``, MODIFY) leaving ``active``: → ``captured`` HoldsCaptured += 1;
  → ``released`` (by the shop) or ``expired`` (by time) HoldsReleased += 1.

Retries: the publisher counts only the records before the first one it reports as failed
(the event source mapping retries from there, so those are counted by the retry), and
nothing when the invocation raises (the whole batch is retried). A record is thus counted
once, except when Lambda itself delivers a batch twice or an invocation dies after printing
its metrics: metrics are at least once and for trends; the ledger is the truth.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from typing import Any

from shared import metrics
from shared.domain import ledger as kinds
from shared.events import plain_image

# A hold's end (its status after ``active``) → the metric it counts in.
HOLD_ENDS = {
    "captured": metrics.HOLDS_CAPTURED,
    "released": metrics.HOLDS_RELEASED,  # by the shop
    "expired": metrics.HOLDS_RELEASED,  # by time (the sweep, or a spend that frees it)
}


def _ledger_facts(entry: dict[str, Any]) -> Counter[str]:
    kind, points = entry.get("type"), entry.get("points")
    found: Counter[str] = Counter()
    if not isinstance(points, int):
        return found
    if kind in kinds.ISSUING:
        found[metrics.POINTS_ISSUED] += points
    elif kind in kinds.SPENDING:
        found[metrics.POINTS_REDEEMED] += -points
        if kind == kinds.REDEEM:
            found[metrics.REDEMPTIONS] += 1
    elif kind == kinds.EXPIRE:
        found[metrics.POINTS_EXPIRED] += -points
    return found


def facts(record: dict[str, Any]) -> Counter[str]:
    """The business metrics one DynamoDB stream record adds (metric name → integer)."""
    name = record.get("eventName")
    data = record.get("dynamodb") or {}
    keys = data.get("Keys") or data.get("NewImage") or {}
    pk = str((keys.get("pk") or {}).get("S", ""))
    sk = str((keys.get("sk") or {}).get("S", ""))
    if name == "INSERT" and pk.startswith("MEMBER#"):
        if sk.startswith("LEDGER#"):
            return _ledger_facts(plain_image(data.get("NewImage") or {}))
        if sk.startswith("DRAW#"):
            return Counter({metrics.DRAWS: 1})
    elif name == "MODIFY" and pk.startswith("HOLD#") and sk == "HOLD":
        before = plain_image(data.get("OldImage") or {}).get("status")
        after = plain_image(data.get("NewImage") or {}).get("status")
        if before == "active" and after in HOLD_ENDS:
            return Counter({HOLD_ENDS[after]: 1})
    return Counter()


def tally(records: Sequence[dict[str, Any]]) -> Counter[str]:
    """The business metrics of ``records``, summed."""
    total: Counter[str] = Counter()
    for record in records:
        total.update(facts(record))
    return total


def count_settled(records: Sequence[dict[str, Any]], failed: set[str]) -> Counter[str]:
    """Count the metrics of the records before the first whose sequence number is in
    ``failed`` (the ones the mapping will not deliver again); return what was counted."""
    done = list(records)
    for index, record in enumerate(done):
        if (record.get("dynamodb") or {}).get("SequenceNumber") in failed:
            done = done[:index]
            break
    counted = tally(done)
    for name, value in sorted(counted.items()):
        metrics.count(name, value)
    return counted
