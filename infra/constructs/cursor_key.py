"""The stage's key signing pagination cursors (shared/cursor_key.py): a generated Secrets
Manager secret of its own, read (``secretsmanager:GetSecretValue`` on it, nothing else) only
by the functions serving a paged list, named to them by env ``CURSOR_SECRET_ID``.

Its own secret rather than a key derived from the PII key: deriving would hand the PII key
to every paging function (``account``, ``redeem``, ``inbox``... which never hash a phone
number), and the two keys age differently — this one may be replaced at any time (cursors in
flight are refused with 400 ``invalid_cursor`` and the client reads its list again), the PII
key only with a re-keying of every contact lookup row.
"""

from __future__ import annotations

from functools import cache

from aws_cdk import aws_secretsmanager as secretsmanager
from constructs import Construct

from infra.config import StageConfig
from infra.constructs.pii_key import hmac_key
from shared.routes import ROUTES
from shared.schemas import operation_of


@cache
def paging_functions() -> frozenset[str]:
    """The functions serving a route that takes a ``cursor`` (the route table's schemas)."""
    return frozenset(
        route.function
        for route in ROUTES
        if (op := operation_of(route)) is not None and "cursor" in op.query
    )


def cursor_key(scope: Construct, config: StageConfig) -> secretsmanager.Secret:
    return hmac_key(
        scope,
        "CursorKey",
        config,
        name="cursor-hmac-key",
        description="HMAC key signing the API's pagination cursors",
        not_rotated="replacing the value is safe at any time (only cursors in flight are "
        "refused and their lists read again), so it is replaced by hand when needed rather "
        "than by a rotation function the stack would have to run.",
    )
