"""Use cases of exports: an operator asks for one, a background job writes it, anyone with
the operator role reads how it went (and a fresh download URL once it is complete).

The job streams: rows come a page at a time from the store (``shared.exports.rows``) and go
straight through a CSV writer into the file store's writer (``shared.files``, a temporary
file handed to S3's multipart upload), so neither the rows nor the file are ever held in
memory. One invocation writes the whole file (up to Lambda's 15 minutes; the ledger and
members Scans run in parallel segments); a job that runs out of time fails with a message
asking for a narrower window rather than leaving half a file.
"""

from __future__ import annotations

import csv
import io
from datetime import datetime
from typing import Any

from shared import clock, files, programme
from shared.domain import audit
from shared.domain import exports as domain
from shared.domain.exports import Export
from shared.dynamodb import exports as repo
from shared.errors import IdempotencyKeyReused, NotFound
from shared.exports import views
from shared.jobs import background
from shared.jobs.runner import Budget, TimeLeft, forever
from shared.observability import logger
from shared.validation import invalid

PROGRESS_EVERY = 5_000  # rows between two progress updates of the export's item
TOO_LONG = "the export did not finish in the time one run may take; ask for a narrower window"


class OutOfTime(Exception):
    """The job's time budget is spent before the last row."""


def create_export(
    args: dict[str, Any], operator: str, now: datetime, idempotency_key: str | None = None
) -> dict[str, Any]:
    """Record the export (with its ``export.create`` audit entry) and start its job. A
    retry with the same ``Idempotency-Key`` answers the first request's export again."""
    zone = programme.current().zone
    start = domain.instant(args.get("from"), zone)
    end = domain.instant(args.get("to"), zone)
    kind, campaign_id = args["kind"], args.get("campaign_id")
    given_end = end
    if end is None and kind != domain.STATEMENTS:
        end = now  # "until now": the file is what was there when it was asked for
    problems = domain.window_problems(kind, start, end, campaign_id)
    if given_end is None and "to" in problems:
        problems = {"from": "must be before now (no to: until now)"}
    if problems:
        raise invalid(problems)
    if kind == domain.STATEMENTS:
        from shared.rebates.settlement import campaign_of

        campaign_of(campaign_id or "")  # 404 campaign_not_found before anything is written
    export = Export(
        export_id=domain.new_id(now, operator, idempotency_key),
        kind=kind,
        requested_by=operator,
        requested_at=now,
        updated_at=now,
        start=start,
        end=end,
        campaign_id=campaign_id,
    )
    entry = audit.entry(
        now,
        operator,
        "export.create",
        audit.target("export", export.export_id),
        after=views.request(export, zone),
    )
    created = repo.create(export, entry)
    if created is None:  # the same operator's Idempotency-Key: the export it made
        first = repo.get(export.export_id)
        assert first is not None
        first_end = first.end if first.end != first.requested_at else None  # "until now"
        if (first.kind, first.start, first_end, first.campaign_id) != (
            kind,
            start,
            given_end,
            campaign_id,
        ):
            raise IdempotencyKeyReused("this Idempotency-Key was used for another export")
        return views.view(first, now, zone)
    try:
        background.start({"export_id": export.export_id}, run_export)
    except Exception:
        repo.fail(export.export_id, "the export job could not be started; ask again", now)
        raise
    return views.view(export, now, zone)


def get_export(export_id: str, now: datetime) -> dict[str, Any]:
    export = repo.get(export_id)
    if export is None:
        raise NotFound(f"no export {export_id!r}", code="export_not_found")
    return views.view(export, now)


def run_export(payload: dict[str, Any], time_left: TimeLeft = forever) -> dict[str, Any]:
    """The background job: write the export's file, then mark it complete (or failed).
    An export already complete or failed is left as it is (a repeated invocation)."""
    export_id = str(payload.get("export_id", ""))
    export = repo.get(export_id)
    if export is None or not repo.start(export_id, clock.now()):
        return {"export_id": export_id, "skipped": True}
    budget = Budget(time_left)
    key = domain.file_key(export_id)
    try:
        rows = _write(export, key, budget)
    except OutOfTime:
        repo.fail(export_id, TOO_LONG, clock.now())
        logger.warning("export out of time", extra={"export_id": export_id})
        return {"export_id": export_id, "status": domain.FAILED}
    except Exception:
        repo.fail(export_id, "the export failed; ask for it again", clock.now())
        logger.exception("export failed", extra={"export_id": export_id})
        return {"export_id": export_id, "status": domain.FAILED}
    repo.complete(export_id, rows, key, clock.now())
    logger.info("export complete", extra={"export_id": export_id, "rows": rows})
    return {"export_id": export_id, "status": domain.COMPLETE, "rows": rows}


def _write(export: Export, key: str, budget: Budget) -> int:
    """Stream the header and every row into the file under ``key``; the row count. UTF-8
    with a byte-order mark (spreadsheets then read Chinese text right), CRLF line ends."""
    from shared.exports import rows as kinds

    zone = programme.current().zone
    written = reported = 0
    with files.open_writer(key) as raw:
        text = io.TextIOWrapper(raw, encoding="utf-8-sig", newline="")
        writer = csv.writer(text, lineterminator="\r\n")
        writer.writerow(kinds.header(export))
        for page in kinds.rows(export, zone):
            if budget.spent():
                raise OutOfTime
            writer.writerows(page)
            written += len(page)
            if written - reported >= PROGRESS_EVERY:
                repo.progress(export.export_id, written, clock.now())
                reported = written
        text.flush()
        text.detach()  # the store's writer closes the file, not the wrapper
    return written
