"""Operations of operators' exports for finance."""

from __future__ import annotations

from shared.domain.exports import KINDS, STATUSES
from shared.requests.exports import CREATE_EXPORT
from shared.schemas.base import INT, STRING, Operation, enum, obj
from shared.validation import nullable, ref

TIME = nullable(ref("Timestamp"))
EXPORT = obj(
    {
        "export_id": STRING,
        "kind": enum(KINDS),
        "status": enum(STATUSES),
        "rows": INT,
        "url": nullable(STRING),
        "expires_at": TIME,
    },
    {
        "from": TIME,
        "to": TIME,
        "campaign_id": nullable(STRING),
        "requested_by": STRING,
        "requested_at": ref("Timestamp"),
        "completed_at": TIME,
        "file_expires_at": TIME,
        "error": nullable(STRING),
    },
)

OPERATIONS: dict[str, Operation] = {
    "exports.create_export": Operation(
        "Ask for a CSV export (ledger, orders, members with contact details masked, or a "
        "rebate campaign's statements) of a window [from, to); a job writes it (audited).",
        {202: EXPORT},
        (400, 404, 409, 413, 422, 503),
        request=CREATE_EXPORT.schema(),
        example={"kind": "ledger", "from": "2026-11-01", "to": "2026-12-01"},
        idempotency_key=True,
    ),
    "exports.get_export": Operation(
        "An export's status and rows so far; once complete a download URL valid 15 minutes "
        "(the file is kept 7 days).",
        {200: EXPORT},
        (404,),
    ),
}
