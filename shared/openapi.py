"""The API's OpenAPI 3.1 document, generated from the route table and ``shared/schemas/``.

Every route of ``shared/routes.py`` becomes an operation: its method and path, the path
parameters, bearer-JWT security unless the route is public, the roles allowed (extension
``x-roles``), the request body and every documented response, errors in the API's
``{"error": {"code", "message", "details"?}}`` shape. Served at ``GET /v1/openapi.json``
and written to ``docs/openapi.json`` by ``make openapi`` (``python -m shared.openapi``).
"""

from __future__ import annotations

import json
import re
import sys
from functools import cache
from typing import Any

from shared.routes import ROUTES, Route
from shared.schemas import COMPONENTS, IDEMPOTENCY_KEY, Operation, operation_id, operation_of

VERSION = "1.0.0"
ERROR_REF = {"$ref": "#/components/schemas/Error"}

# What each documented error status means (docs/api.md "Errors" and docs/decisions.md).
ERROR_DESCRIPTIONS: dict[int, str] = {
    400: "bad_request: the body is not a JSON object",
    401: "unauthorized: a valid bearer token is required",
    403: "forbidden (wrong role) or member_frozen",
    404: "not found (the code names what)",
    409: "a business conflict (the code names it)",
    413: "payload_too_large: the body is larger than 64 KiB",
    422: "validation_error (details name the fields) or a business rule on the input",
    429: "rate_limited",
    500: "internal: an unexpected error (no details leaked)",
    503: "contention: too many concurrent changes to the same record; safe to retry",
}


def _path_parameters(route: Route, op: Operation | None) -> list[dict[str, Any]]:
    names = re.findall(r"\{(\w+)\}", route.path)
    if route.path.endswith("/jobs/{job}/runs"):
        from shared.jobs.registry import JOBS

        job_schema: dict[str, Any] = {"type": "string", "enum": sorted(JOBS)}
    else:
        job_schema = {"type": "string", "minLength": 1}
    params = []
    for name in names:
        default = job_schema if name == "job" else {"type": "string", "minLength": 1}
        schema = (op.path.get(name) if op else None) or default
        params.append({"name": name, "in": "path", "required": True, "schema": schema})
    return params


def _error_statuses(route: Route, op: Operation | None) -> list[int]:
    statuses = set(op.errors if op else ())
    if not route.public:
        statuses |= {401, 403}
    if op is not None and op.request is not None:
        statuses |= {400, 413, 422}
    if op is not None and op.query:
        statuses.add(422)
    if op is not None and "cursor" in op.query:
        statuses.add(400)  # invalid_cursor
    statuses.add(500)
    return sorted(statuses)


def _operation(route: Route) -> dict[str, Any]:
    op = operation_of(route)
    doc: dict[str, Any] = {
        "operationId": operation_id(route),
        "tags": [route.function],
        "summary": op.summary if op else f"{route.operation} (not documented yet)",
        "security": [] if route.public else [{"bearer": []}],
        "x-roles": sorted(str(r) for r in route.roles),
    }
    if route.scopes:  # a trusted system's token must carry one of them (docs/security.md)
        doc["x-scopes"] = list(route.scopes)
    if op is None:
        doc["x-undocumented"] = True
    params = _path_parameters(route, op)
    for name, schema in (op.query if op else {}).items():
        params.append({"name": name, "in": "query", "required": False, "schema": schema})
    if op is not None and op.idempotency_key:
        required = op.idempotency_key_required
        params.append(
            {
                "name": "Idempotency-Key",
                "in": "header",
                "required": required,
                "description": "The same key from the same caller within 24 h returns the "
                "first response; with another body, 409 idempotency_key_reused."
                + (" Required: without it, 400 idempotency_key_required." if required else ""),
                "schema": {"type": "string", "pattern": IDEMPOTENCY_KEY},
            }
        )
    if params:
        doc["parameters"] = params
    if op is not None and op.request is not None:
        content: dict[str, Any] = {"schema": op.request}
        if op.example is not None:
            content["example"] = op.example
        doc["requestBody"] = {
            "required": op.body_required,
            "content": {"application/json": content},
        }
    if op is not None and op.request is None and op.body_media_type is not None:
        raw: dict[str, Any] = {"schema": {"type": "string"}}
        if op.body_example is not None:
            raw["example"] = op.body_example
        doc["requestBody"] = {"required": True, "content": {op.body_media_type: raw}}
    responses: dict[str, Any] = {}
    for status, schema in sorted((op.responses if op else {200: {}}).items()):
        responses[str(status)] = {
            "description": "created" if status == 201 else "OK",
            "content": {op.media_type if op else "application/json": {"schema": schema}},
        }
    for status in _error_statuses(route, op):
        description = ERROR_DESCRIPTIONS.get(status, "error")
        if status == 400 and op is not None and op.idempotency_key_required:
            description += "; idempotency_key_required: the Idempotency-Key header is missing"
        if status == 400 and op is not None and "cursor" in op.query:
            description += "; invalid_cursor: a cursor not issued for this list, or edited"
        responses[str(status)] = {
            "description": description,
            "content": {"application/json": {"schema": ERROR_REF}},
        }
    doc["responses"] = responses
    return doc


@cache
def document() -> dict[str, Any]:
    """The OpenAPI 3.1 document of every route in the table (built once per process)."""
    paths: dict[str, dict[str, Any]] = {}
    for route in ROUTES:
        paths.setdefault(route.path, {})[route.method.lower()] = _operation(route)
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "Loyalty points API",
            "version": VERSION,
            "description": "Generated from the route table (shared/routes.py) and the schemas "
            "(shared/schemas/). Roles: member (a member-pool token), operator (a staff-pool "
            "token in the operators group), system (a staff-pool client-credentials token "
            "with the operation's x-scopes); x-roles lists who may call each operation.",
        },
        "jsonSchemaDialect": "https://spec.openapis.org/oas/3.1/dialect/base",
        "paths": paths,
        "components": {
            "schemas": COMPONENTS,
            "securitySchemes": {
                "bearer": {"type": "http", "scheme": "bearer", "bearerFormat": "JWT"}
            },
        },
    }


def render() -> str:
    """The document as the checked-in docs/openapi.json holds it."""
    return json.dumps(document(), indent=2, sort_keys=False, ensure_ascii=False) + "\n"


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    text = render()
    if args:
        with open(args[0], "w", encoding="utf-8") as out:
            out.write(text)
    else:
        sys.stdout.write(text)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
