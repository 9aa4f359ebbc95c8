"""Operator reports: daily aggregates kept from the business events, so a report
costs O(days), never a scan of the ledger."""

from __future__ import annotations

from collections import defaultdict
from datetime import date, datetime, timedelta
from decimal import ROUND_HALF_EVEN, Decimal
from typing import Any

from msgspec import Struct

from shared import events, programme
from shared.domain import ledger as kinds
from shared.domain.calendar import local_date
from shared.dynamodb import reports as reports_repo
from shared.errors import Invalid

MAX_DAYS = 366

# How each ledger entry type moves the programme's totals: shared/domain/ledger.py.
ISSUED, REDEEMED = kinds.ISSUING, kinds.SPENDING


def _numbers(detail: dict[str, Any]) -> tuple[dict[str, int], list[tuple[str, str, int]]]:
    kind, p = detail.get("type"), int(detail.get("points") or 0)
    totals: dict[str, int] = {}
    parts: list[tuple[str, str, int]] = []
    if kind in ISSUED:
        totals["issued"] = p
        parts.append(("SOURCE", str(detail.get("source")), p))
    elif kind in REDEEMED:
        totals["redeemed"] = -p
        parts.append(("SOURCE", str(detail.get("source")), p))
    elif kind == "expire":
        totals["expired"] = -p
    elif kind == "clawback":
        totals["clawed_back"] = -p
    elif kind == "transfer_out":
        totals["transferred"] = -p
    return totals, parts


def _day(at: str | None, now: datetime) -> date:
    zone = programme.current().zone
    return local_date(datetime.fromisoformat(at) if at else now, zone)


def aggregate(found: list[events.Event], now: datetime) -> int:
    """Count business events into the daily aggregates (each event once). Returns how many
    were counted now."""
    counted = 0
    for event in found:
        d = event.detail
        if event.detail_type in events.LEDGER_EVENTS.values():
            day = _day(d.get("at"), now)
            totals, parts = _numbers(d)
            if reports_repo.count(event.event_id, day, totals, parts, now):
                counted += 1
                if d.get("member_id"):
                    reports_repo.mark_active(str(d["member_id"]), day, now)
        elif event.detail_type == events.MEMBER_REGISTERED:
            day = _day(d.get("registered_at"), now)
            counted += reports_repo.count(event.event_id, day, {"registered": 1}, [], now)
        elif event.detail_type == events.ORDER_PLACED and d.get("item_id"):
            counted += reports_repo.count(
                event.event_id,
                _day(None, now),
                {},
                [("ITEM", str(d["item_id"]), int(d.get("quantity") or 1))],
                now,
            )
        elif (
            event.detail_type == events.ORDER_STATUS_CHANGED
            and d.get("item_id")
            and d.get("status") in ("cancelled", "rejected")
        ):
            counted += reports_repo.count(
                event.event_id,
                _day(None, now),
                {},
                [("ITEM", str(d["item_id"]), -int(d.get("quantity") or 1))],
                now,
            )
    return counted


class Window(Struct, frozen=True):
    """A report's date range, both ends included."""

    start: date
    end: date


def window(start: date | None, end: date | None, now: datetime) -> Window:
    today = local_date(now, programme.current().zone)
    end = end or today
    start = start or end - timedelta(days=29)
    if start > end:
        raise Invalid("from must not be after to", details={"fields": {"from": "after to"}})
    if (end - start).days >= MAX_DAYS:
        raise Invalid(
            f"a report covers at most {MAX_DAYS} days",
            details={"fields": {"from": f"at most {MAX_DAYS} days before to"}},
        )
    return Window(start, end)


def _rate(part: int, whole: int) -> str | None:
    if whole <= 0:
        return None
    return str((Decimal(part) / Decimal(whole)).quantize(Decimal("0.0001"), ROUND_HALF_EVEN))


def summary(w: Window) -> dict[str, Any]:
    """``GET /v1/admin/reports/summary``: flows in the window, liability at its end."""
    fields = reports_repo.TOTALS
    window_totals = dict.fromkeys(fields, 0)
    all_time = dict.fromkeys(fields, 0)
    by_day: dict[str, dict[str, int]] = {}
    by_source: dict[str, int] = defaultdict(int)
    items: dict[str, int] = defaultdict(int)
    for row in reports_repo.days_through(w.end):
        inside = w.start <= row.day <= w.end
        if row.part is None:
            for f in fields:
                all_time[f] += row.totals[f]
                if inside:
                    window_totals[f] += row.totals[f]
            if inside:
                by_day[row.day.isoformat()] = row.totals
        elif inside and row.part == "SOURCE":
            by_source[row.name] += row.n
        elif inside and row.part == "ITEM":
            items[row.name] += row.n
    active: set[str] = set()
    day = w.start
    while day <= w.end:
        active.update(reports_repo.active_members(day))
        day += timedelta(days=1)
    outstanding = (
        all_time["issued"] - all_time["redeemed"] - all_time["expired"] - all_time["clawed_back"]
    )
    return {
        "from": w.start.isoformat(),
        "to": w.end.isoformat(),
        "issued": window_totals["issued"],
        "redeemed": window_totals["redeemed"],
        "expired": window_totals["expired"],
        "clawed_back": window_totals["clawed_back"],
        "transferred": window_totals["transferred"],
        "outstanding": outstanding,
        "members": all_time["registered"],
        "new_members": window_totals["registered"],
        "active_members": len(active),
        "redemption_rate": _rate(window_totals["redeemed"], window_totals["issued"]),
        "retention_rate": _rate(outstanding, all_time["issued"]),
        "by_source": dict(sorted(by_source.items())),
        "by_day": [
            {
                "date": d,
                **{k: v for k, v in values.items() if k != "registered"},
                "new_members": values["registered"],
            }
            for d, values in sorted(by_day.items())
        ],
        "top_items": [
            {"item_id": i, "quantity": q}
            for i, q in sorted(items.items(), key=lambda kv: (-kv[1], kv[0]))[:10]
            if q > 0
        ],
    }
