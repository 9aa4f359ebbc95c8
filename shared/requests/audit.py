"""Requests of the audit log's read (the query of ``GET /v1/admin/audit``)."""

from __future__ import annotations

from shared.requests import Body
from shared.validation import Text, Timestamp

AUDIT_QUERY = Body(
    {
        "actor": Text(required=False, max_length=128),  # an operator's id (token subject)
        "target": Text(required=False, max_length=300),  # "member:m-1", "rules" ...
        "from": Timestamp(required=False),
        "to": Timestamp(required=False),
    }
)
