"""A campaign's statements as CSV for finance: a header row, then one row per statement
(every status) by member id; amounts are decimal strings with two places, times UTC
ISO-8601. Read from the campaign's participants shard by shard (``by_campaign``), so the
cost follows the participants, never the members."""

from __future__ import annotations

import csv
import io

from shared.domain.rebate_statements import Line
from shared.domain.rebates import from_cents
from shared.dynamodb import rebate_review as repo
from shared.dynamodb.rebate_statements import StatementRecord
from shared.rebates.settlement import campaign_of
from shared.rebates.views import payable_of

COLUMNS = (
    "campaign_id",
    "member_id",
    "status",
    "qualifying_amount",
    "lines",
    "total",
    "capped",
    "adjustment",
    "payable",
    "payout",
    "points",
    "payout_ref",
    "settled_at",
    "reviewed_by",
    "reviewed_at",
    "reason",
    "paid_at",
)
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")  # what a spreadsheet would evaluate


def _text(value: str | None) -> str:
    """Free text (an operator's reason or name) made inert for spreadsheets."""
    if not value:
        return ""
    return "'" + value if value.startswith(FORMULA_STARTS) else value


def _lines(lines: tuple[Line, ...]) -> str:
    """``rule basis × rate % = amount`` per line, ``; ``-separated."""
    return "; ".join(f"{x.rule} {x.basis} x {x.rate}% = {x.amount}" for x in lines)


def _row(record: StatementRecord, payout: str) -> list[str]:
    return [
        record.campaign_id,
        record.member_id,
        record.status,
        str(from_cents(record.qualifying)),
        _lines(record.lines),
        str(record.total),
        "true" if record.capped else "false",
        str(record.adjustment) if record.adjustment is not None else "",
        str(payable_of(record)),
        payout,
        str(record.points) if record.points is not None else "",
        record.payout_ref or "",
        record.settled_at,
        _text(record.reviewed_by),
        record.reviewed_at or "",
        _text(record.reason),
        record.paid_at or "",
    ]


def statements_csv(campaign_id: str) -> str:
    """Every statement of the campaign as CSV (RFC 4180, CRLF line ends)."""
    campaign = campaign_of(campaign_id)
    records = sorted(repo.statements(campaign_id), key=lambda r: r.member_id)
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(COLUMNS)
    writer.writerows(_row(record, campaign.payout) for record in records)
    return out.getvalue()
