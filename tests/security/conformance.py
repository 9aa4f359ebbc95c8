"""Responses checked against the generated OpenAPI document (status documented, body valid)."""

from __future__ import annotations

import json
from functools import cache
from typing import Any

from shared.openapi import document
from shared.routes import Route


@cache
def _validator(path: str, method: str, status: str) -> Any:
    import jsonschema_rs

    doc = document()
    response = doc["paths"][path][method]["responses"].get(status)
    if response is None:
        return None
    (content,) = response["content"].values()  # application/json, or text/csv for exports
    schema = content["schema"]
    return jsonschema_rs.validator_for({**schema, "components": doc["components"]})


def problems(route: Route, status: int, body: Any) -> list[str]:
    """Why a response breaks the document ([] if it conforms)."""
    validator = _validator(route.path, route.method.lower(), str(status))
    if validator is None:
        return [f"status {status} is not documented for {route.route_key}"]
    return [
        f"{error.message} at {'/'.join(map(str, error.instance_path))}: {json.dumps(body)[:300]}"
        for error in validator.iter_errors(body)
    ][:3]
