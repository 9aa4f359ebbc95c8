"""A campaign's statements as CSV for finance: a header row, then one row per statement
(every status) by member id; amounts are decimal strings with two places, times UTC
ISO-8601. Read from the campaign's participants shard by shard (``by_campaign``), so the
cost follows the participants, never the members."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator

from shared.domain.rebate_statements import Line
from shared.domain.rebates import from_cents
from shared.dynamodb import rebate_review as repo
from shared.dynamodb.rebate_statements import StatementRecord
from shared.exports.cells import inert
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
        inert(record.reviewed_by),
        record.reviewed_at or "",
        inert(record.reason),
        record.paid_at or "",
    ]


def rows(campaign_id: str) -> Iterator[list[str]]:
    """Every statement of the campaign as a CSV row, shard by shard (member ids in order
    within a shard), streamed: the export job writes them without holding the campaign."""
    campaign = campaign_of(campaign_id)
    return (_row(record, campaign.payout) for record in repo.statements(campaign_id))


def statements_csv(campaign_id: str) -> str:
    """Every statement of the campaign as CSV (RFC 4180, CRLF line ends), by member id."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(COLUMNS)
    writer.writerows(sorted(rows(campaign_id), key=lambda row: row[COLUMNS.index("member_id")]))
    return out.getvalue()
