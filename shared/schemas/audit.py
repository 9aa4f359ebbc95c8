"""Operations of the audit log: ``GET /v1/admin/audit`` (every operator write's entry)."""

from __future__ import annotations

from shared.requests.audit import AUDIT_QUERY
from shared.schemas.base import STRING, obj, page, paged, ref

ANY_JSON: dict = {}  # before / after: the thing as the API shows it, or null
AUDIT_ENTRY = obj(
    {
        "audit_id": STRING,
        "at": ref("Timestamp"),
        "actor": STRING,
        "action": STRING,
        "target": STRING,
        "before": ANY_JSON,
        "after": ANY_JSON,
        "reason": STRING,
    }
)

OPERATIONS = {
    "admin.list_audit": paged(
        "The audit log, newest first: every operator write's entry (who, what, on what, "
        "before and after, why), by actor and/or target, at in [from, to).",
        page(AUDIT_ENTRY),
        (422,),
        query=AUDIT_QUERY.parameters(),
    ),
}
