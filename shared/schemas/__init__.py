"""Request and response schemas of every route, next to the route table (``shared/routes.py``).

Plain JSON Schemas (draft 2020-12, the dialect of OpenAPI 3.1), keyed by the operation id
``"<function>.<operation>"`` of each route, one module per area. ``shared/openapi.py`` builds the
API's OpenAPI document from the route table and these; the security tests build their requests
from the ``example`` bodies. Adding a route = adding its :class:`Operation` to its area's module
(a unit test fails for a route without one). Responses list the documented fields as required
and allow the documented extensions (docs/api.md).

Pure data: imports only the domain's constants (enums), nothing with I/O.
"""

from __future__ import annotations

from shared.routes import Route
from shared.schemas import (
    audit,
    exports,
    imports,
    inbox,
    leaderboard,
    lottery,
    mall,
    members,
    operators,
    rebates,
    reviews,
)
from shared.schemas.base import IDEMPOTENCY_KEY, Operation
from shared.schemas.components import COMPONENTS

OPERATIONS: dict[str, Operation] = {
    **members.OPERATIONS,
    **operators.OPERATIONS,
    **mall.OPERATIONS,
    **lottery.OPERATIONS,
    **rebates.OPERATIONS,
    **exports.OPERATIONS,
    **imports.OPERATIONS,
    **leaderboard.OPERATIONS,
    **inbox.OPERATIONS,
    **reviews.OPERATIONS,
    **audit.OPERATIONS,
}

__all__ = [
    "COMPONENTS",
    "IDEMPOTENCY_KEY",
    "OPERATIONS",
    "Operation",
    "operation_id",
    "operation_of",
]


def operation_id(route: Route) -> str:
    return f"{route.function}.{route.operation}"


def operation_of(route: Route) -> Operation | None:
    return OPERATIONS.get(operation_id(route))
