"""Operations of the members import: a CSV of members with opening balances."""

from __future__ import annotations

from shared.schemas.base import INT, STRING, Operation, array, enum, integer, obj
from shared.validation import nullable, ref

STATUSES = ("queued", "running", "complete", "failed")
CREATED = obj({"import_id": STRING, "status": enum(STATUSES)})
UPLOAD = obj({"import_id": STRING, "upload_url": STRING, "expires_at": ref("Timestamp")})
IMPORT = obj(
    {
        "import_id": STRING,
        "status": enum(STATUSES),
        "rows": INT,
        "imported": INT,
        "skipped": INT,
        "rejected_count": INT,
        "rejected": array(obj({"row": INT, "error": STRING})),
        "updated_at": ref("Timestamp"),
    },
    {
        "next_cursor": nullable(STRING),
        "error": nullable(STRING),
        "created_at": ref("Timestamp"),
    },
)
CSV_EXAMPLE = (
    "member_id,phone,email,birthday,points,expires_on\n"
    "m-import-1,13812345678,li@example.com,05-17,1500,2099-12-31\n"
)

OPERATIONS: dict[str, Operation] = {
    "imports.create_import": Operation(
        "Import members with opening balances from a CSV body (text/csv, up to 5 MB; larger "
        "files: the upload flow). Header `member_id,phone,email,birthday,points,expires_on`; "
        "a job imports each row once (a re-posted file imports nothing twice) and reports "
        "bad rows with their line number and reason (audited import.create).",
        {202: CREATED},
        (400, 413, 422),
        body_media_type="text/csv",
        body_example=CSV_EXAMPLE,
    ),
    "imports.create_upload": Operation(
        "An import waiting for its file: PUT the CSV to `upload_url` (valid until "
        "`expires_at`), then start it (audited import.create).",
        {201: UPLOAD},
    ),
    "imports.start_import": Operation(
        "Start an uploaded import's job (audited import.start); starting one already "
        "started answers its status. 409 upload_missing before the file is there, 422 "
        "without the header.",
        {202: CREATED},
        (404, 409, 422),
    ),
    "imports.get_import": Operation(
        "An import's progress: counters, and its rejected rows in row order (`limit` per "
        "page, default and at most 1000, then `cursor`).",
        {200: IMPORT},
        (404, 422),
        query={"limit": integer(1, 1000), "cursor": {"type": "string", "minLength": 1}},
    ),
}
