"""The programme's audit log: one entry per operator write (SPEC §8, issue 19).

An entry names who (``actor``), what (``action``, e.g. ``catalog.put``), on what
(``target``, e.g. ``catalog:mug``), the state before and after (JSON values as the API
shows them, or None) and the reason given. Repositories write it in the same transaction
as the change it describes (``shared/dynamodb/audit.py``), so the log cannot miss a change
nor show one that did not happen.
"""

from __future__ import annotations

import secrets
from datetime import UTC, datetime
from typing import Any

from msgspec import Struct


class AuditEntry(Struct, frozen=True):
    at: datetime
    actor: str  # the operator's id (token subject), or "system:<job>" for scheduled runs
    action: str  # "<aggregate>.<verb>": rules.put, member.adjust, order.move ...
    target: str  # "<kind>:<id>" (e.g. "member:m-1", "rebate:cny/statement:m-1"), "rules"
    before: Any = None  # JSON value (the API's shape) or None (created / not applicable)
    after: Any = None
    reason: str = ""
    audit_id: str = ""  # filled by :func:`entry`; time-ordered and unguessable

    def to_json(self) -> dict[str, Any]:
        return {
            "audit_id": self.audit_id,
            "at": self.at.isoformat(),
            "actor": self.actor,
            "action": self.action,
            "target": self.target,
            "before": self.before,
            "after": self.after,
            "reason": self.reason,
        }


def entry(
    at: datetime,
    actor: str,
    action: str,
    target: str,
    *,
    before: Any = None,
    after: Any = None,
    reason: str | None = None,
) -> AuditEntry:
    """A new entry with its id (UTC time-ordered, so the log sorts by it)."""
    stamp = at.astimezone(UTC).strftime("%Y%m%d%H%M%S%f")
    return AuditEntry(
        at=at,
        actor=actor,
        action=action,
        target=target,
        before=before,
        after=after,
        reason=reason or "",
        audit_id=f"a{stamp}-{secrets.token_hex(4)}",
    )


def target(kind: str, *ids: str) -> str:
    """``kind:id`` (``target("rebate", "cny", "m-1")`` → ``rebate:cny/m-1``)."""
    return f"{kind}:{'/'.join(ids)}" if ids else kind
