"""The members import job: streams the file in chunks of rows, one transaction per row,
a checkpoint after each chunk, so a run stopped anywhere resumes where it stopped.

A chunk's rows are parsed (bad ones rejected with their line number and reason), the table
is asked in two BatchGetItem reads what it already holds for the chunk's members (a re-post
then costs reads, not failed transactions), and the remaining rows are imported by a few
threads, each row ONE TransactWriteItems (``shared.dynamodb.imports.import_row``). Then the
chunk's rejected rows are stored and the checkpoint (byte offset, line number, counters) is
written, conditional on the version this run last wrote: a second run of the same import
(the resume schedule catching a slow run) stops at its next checkpoint.

A crash between a row's transaction and the chunk's checkpoint repeats the chunk on resume:
each row's entry is keyed ``import:<member_id>`` and names its import and row, so the row is
found done and counted once (``imported``), never written twice.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime, timedelta
from itertools import islice
from typing import Any

import msgspec

from shared import clock, files, programme
from shared.clock import utc_iso
from shared.domain import imports as rules_of
from shared.domain.calendar import local_date
from shared.domain.imports import COMPLETE, FAILED, RUNNING, UNFINISHED, ImportJob, Progress
from shared.domain.ledger import EARN, Credit, wording
from shared.domain.lots import expiry_date
from shared.domain.rules import Rules
from shared.dynamodb import imports as repo
from shared.jobs.runner import Budget, TimeLeft, forever
from shared.observability import logger

CHUNK_ROWS = 200  # lines per checkpoint
WORKERS = 8  # rows of a chunk in flight at once (each its own transaction)
STALE_AFTER = timedelta(minutes=5)  # an unfinished import without a checkpoint for so long

Continue = Callable[[str], None]


def run(import_id: str, time_left: TimeLeft = forever, then: Continue | None = None) -> dict:
    """Run (or resume) the import until its file ends or the time budget is spent; then
    ``then(import_id)`` starts the next invocation. Answers the import's counters."""
    budget = Budget(time_left)
    job = repo.load(import_id)
    if job is None or job.status not in UNFINISHED:
        return _summary(job)
    try:
        lines = files.read_lines(job.file_key, job.offset)
        if job.columns is None:
            job = _read_header(job, lines)
            if job.status == FAILED:
                return _summary(job)
        columns = tuple(job.columns.split(",")) if job.columns else ()
        with ThreadPoolExecutor(WORKERS, thread_name_prefix=f"import-{import_id}") as pool:
            while chunk := list(islice(lines, CHUNK_ROWS)):
                progress = _chunk(job, chunk, columns, clock.now(), programme.current(), pool)
                saved = _checkpoint(job, progress)
                if saved is None:
                    logger.info("import taken over by another run", extra={"import": import_id})
                    return _summary(repo.load(import_id))
                job = saved
                if budget.spent():
                    if then is not None:
                        then(import_id)
                    return _summary(job)
    except files.FileMissing:
        return _summary(_finish(job, FAILED, "the file was not uploaded"))
    return _summary(_finish(job, COMPLETE))


def _read_header(job: ImportJob, lines: Iterator[tuple[int, bytes]]) -> ImportJob:
    first = next(lines, None)
    if first is None:
        return _finish(job, FAILED, "the file is empty")
    try:
        names = rules_of.header(first[1])
    except rules_of.BadHeader as bad:
        return _finish(job, FAILED, str(bad))
    return msgspec.structs.replace(job, columns=",".join(names), offset=first[0], row=1)


def credit_of(row: rules_of.ImportRow, import_id: str, now: datetime, rules: Rules) -> Credit:
    """The opening balance of ``row``: earned today (programme zone), valid until the row's
    ``expires_on`` or, without one, as the programme's validity says."""
    today = local_date(now, rules.zone)
    expires_on = row.expires_on or expiry_date(today, rules.validity)
    return Credit(
        row.member_id, EARN, repo.SOURCE, row.member_id, row.points, now, today, expires_on,
        **wording("import_opening", {"import_id": import_id}),
    )  # fmt: skip


def _chunk(
    job: ImportJob,
    lines: list[tuple[int, bytes]],
    columns: tuple[str, ...],
    now: datetime,
    rules: Rules,
    pool: ThreadPoolExecutor,
) -> Progress:
    today = local_date(now, rules.zone)
    rejected: list[tuple[int, str]] = []
    valid: list[rules_of.ImportRow] = []
    first_row: dict[str, int] = {}
    rows = 0
    for number, (_, line) in enumerate(lines, start=job.row + 1):
        if not line.strip():
            continue
        rows += 1
        try:
            row = rules_of.parse_row(number, line, columns, today)
        except rules_of.Rejected as why:
            rejected.append((number, str(why)))
            continue
        if row.member_id in first_row:
            rejected.append((number, str(rules_of.duplicate(first_row[row.member_id]))))
            continue
        first_row[row.member_id] = number
        valid.append(row)
    known = repo.Known([row.member_id for row in valid])

    def one(row: rules_of.ImportRow) -> tuple[str, int | None]:
        done = known.entries.get(row.member_id)
        if done is not None:
            return repo.outcome_of(done, job.import_id, row.row)
        credit = credit_of(row, job.import_id, now, rules)
        exists = row.member_id in known.members
        return repo.import_row(row, job.import_id, credit, rules, member_exists=exists)

    counts = {repo.IMPORTED: 0, repo.SKIPPED: 0}
    for row, (outcome, earlier) in zip(valid, pool.map(one, valid), strict=True):
        if outcome == repo.DUPLICATE:
            rejected.append((row.row, str(rules_of.duplicate(earlier or 0))))
        else:
            counts[outcome] += 1
    rejected.sort()
    return Progress(
        offset=lines[-1][0],
        row=job.row + len(lines),
        rows=rows,
        imported=counts[repo.IMPORTED],
        skipped=counts[repo.SKIPPED],
        rejected=rejected,
    )


def _checkpoint(job: ImportJob, progress: Progress) -> ImportJob | None:
    """Store the chunk's rejected rows, then move the checkpoint past the chunk (None: another
    run moved it first)."""
    repo.add_rejected(job.import_id, progress.rejected)
    saved = msgspec.structs.replace(
        job,
        status=RUNNING,
        offset=progress.offset,
        row=progress.row,
        rows=job.rows + progress.rows,
        imported=job.imported + progress.imported,
        skipped=job.skipped + progress.skipped,
        rejected_count=job.rejected_count + len(progress.rejected),
        updated_at=utc_iso(clock.now()),
        ver=job.ver + 1,
    )
    return saved if repo.save(saved, job.ver) else None


def _finish(job: ImportJob, status: str, error: str | None = None) -> ImportJob:
    done = msgspec.structs.replace(
        job, status=status, error=error, updated_at=utc_iso(clock.now()), ver=job.ver + 1
    )
    if not repo.save(done, job.ver):
        return repo.load(job.import_id) or done
    logger.info("import finished", extra={"import": job.import_id, "status": status})
    return done


def _summary(job: ImportJob | None) -> dict[str, Any]:
    if job is None:
        return {"status": None}
    return {
        "import_id": job.import_id,
        "status": job.status,
        "rows": job.rows,
        "imported": job.imported,
        "skipped": job.skipped,
        "rejected_count": job.rejected_count,
    }


def stalled(now: datetime) -> list[str]:
    """Unfinished imports without a checkpoint for :data:`STALE_AFTER` (to start again)."""
    return repo.stalled(utc_iso(now - STALE_AFTER))
