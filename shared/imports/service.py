"""Use cases of members imports: post a CSV (inline, or through an upload URL and a start),
read an import's progress and rejected rows, and run or resume its job in the background.

The file goes to the file store first (``imports/<id>.csv``, shared/files.py), then the
import's item and its audit entry (one transaction), then the job starts
(shared/jobs/background.py: Lambda invokes its own function asynchronously; locally a
thread). Nothing of the file is held in a request's memory beyond the inline body itself.
"""

from __future__ import annotations

import secrets
from datetime import datetime, timedelta
from typing import Any

from shared import files
from shared.clock import utc_iso
from shared.domain import audit as audit_log
from shared.domain import imports as rules_of
from shared.domain.calendar import iso_local
from shared.domain.imports import QUEUED, UPLOADING, ImportJob
from shared.dynamodb import imports as repo
from shared.errors import Conflict, Invalid, NotFound, PayloadTooLarge
from shared.imports import job as import_job
from shared.jobs import background
from shared.jobs.runner import Budget, TimeLeft, forever

INLINE_LIMIT = 5 * 1024 * 1024  # Lambda takes 6 MB of payload; larger files use an upload URL
UPLOAD_TTL_S = 900
JOB = "import"


class ImportNotFound(NotFound):
    code = "import_not_found"


class UploadMissing(Conflict):
    code = "upload_missing"


def _new_id(now: datetime) -> str:
    return f"imp-{now:%Y%m%d%H%M%S}-{secrets.token_hex(4)}"


def _file_key(import_id: str) -> str:
    return f"imports/{import_id}.csv"


def _check_header(first_line: bytes | None) -> None:
    try:
        rules_of.header(first_line or b"")
    except rules_of.BadHeader as bad:
        raise Invalid(str(bad), details={"fields": {"body": "has no valid header"}}) from None


def _new_job(import_id: str, status: str, actor: str, now: datetime) -> ImportJob:
    at = utc_iso(now)
    return ImportJob(import_id, status, _file_key(import_id), actor, at, at)


def _entry(
    action: str, job: ImportJob, actor: str, now: datetime, before: Any = None
) -> audit_log.AuditEntry:
    after = {"import_id": job.import_id, "status": job.status}
    target = audit_log.target("import", job.import_id)
    return audit_log.entry(now, actor, action, target, before=before, after=after)


def create(body: bytes, actor: str, now: datetime) -> dict[str, Any]:
    """``POST /v1/admin/imports``: store the CSV, record the import, start its job."""
    if len(body) > INLINE_LIMIT:
        raise PayloadTooLarge(
            f"a CSV body may hold {INLINE_LIMIT} bytes; upload larger files through "
            "POST /v1/admin/imports/uploads"
        )
    _check_header(body.split(b"\n", 1)[0])
    job = _new_job(_new_id(now), QUEUED, actor, now)
    files.put_bytes(job.file_key, body)
    repo.create(job, _entry("import.create", job, actor, now))
    start_job(job.import_id)
    return {"import_id": job.import_id, "status": job.status}


def create_upload(actor: str, now: datetime, zone: Any) -> dict[str, Any]:
    """``POST /v1/admin/imports/uploads``: an import waiting for its file at a URL."""
    job = _new_job(_new_id(now), UPLOADING, actor, now)
    url = files.upload_url(job.file_key, UPLOAD_TTL_S)
    repo.create(job, _entry("import.create", job, actor, now))
    expires_at = iso_local(now + timedelta(seconds=UPLOAD_TTL_S), zone)
    return {"import_id": job.import_id, "upload_url": url, "expires_at": expires_at}


def start(import_id: str, actor: str, now: datetime) -> dict[str, Any]:
    """``POST /v1/admin/imports/{id}/start``: the upload is there, start the job. Starting
    one already started answers its status (and logs nothing)."""
    job = _load(import_id)
    if job.status != UPLOADING:
        return {"import_id": job.import_id, "status": job.status}
    first = next(files.read_lines(job.file_key), None) if files.size(job.file_key) else None
    if first is None:
        raise UploadMissing("the file has not been uploaded to the import's upload_url yet")
    _check_header(first[1])
    queued = ImportJob(import_id, QUEUED, job.file_key, job.actor, job.created_at, utc_iso(now))
    before = {"import_id": import_id, "status": job.status}
    entry = _entry("import.start", queued, actor, now, before)
    if not repo.start(queued, entry):
        return {"import_id": import_id, "status": _load(import_id).status}
    start_job(import_id)
    return {"import_id": import_id, "status": QUEUED}


def _load(import_id: str) -> ImportJob:
    job = repo.load(import_id)
    if job is None:
        raise ImportNotFound(f"no import {import_id!r}")
    return job


def status(import_id: str, limit: int, cursor: str | None, zone: Any) -> dict[str, Any]:
    """``GET /v1/admin/imports/{id}``: progress, counters and a page of rejected rows."""
    job = _load(import_id)
    rejected, next_cursor = repo.rejected_page(import_id, limit, cursor)
    shown = "queued" if job.status == UPLOADING else job.status
    return {
        "import_id": job.import_id,
        "status": shown,
        "rows": job.rows,
        "imported": job.imported,
        "skipped": job.skipped,
        "rejected_count": job.rejected_count,
        "rejected": rejected,
        "next_cursor": next_cursor,
        "error": job.error,
        "created_at": iso_local(datetime.fromisoformat(job.created_at), zone),
        "updated_at": iso_local(datetime.fromisoformat(job.updated_at), zone),
    }


# -- the job in the background -------------------------------------------------------------


def payload(import_id: str) -> dict[str, str]:
    return {"job": JOB, "import_id": import_id}


def run_background(job_payload: dict[str, Any], time_left: TimeLeft = forever) -> dict:
    """The job's entry point for a background event (and local threads)."""
    return import_job.run(str(job_payload["import_id"]), time_left, then=start_job)


def start_job(import_id: str) -> None:
    background.start(payload(import_id), run_background)


def resume_stalled(now: datetime, time_left: TimeLeft = forever) -> dict[str, Any]:
    """The schedule's job (``resume-imports``, every 5 minutes; operators may run it too):
    runs on, in this invocation, every import left without a checkpoint for a while (its
    invocation crashed or timed out before it could continue itself), until the budget is
    spent; what is left waits for the next run. Each run is conditional on its checkpoint,
    so one still alive somewhere else stops at its next chunk."""
    budget = Budget(time_left)
    ids = import_job.stalled(now)
    resumed = 0
    for import_id in ids:
        if budget.spent():
            break
        import_job.run(import_id, time_left)
        resumed += 1
    return {"processed": resumed, "stalled": len(ids), "complete": resumed == len(ids)}
