"""The OpenAPI document is generated from the route table and the schemas beside it."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from shared.openapi import document, render
from shared.routes import ROUTES
from shared.schemas import COMPONENTS, OPERATIONS, operation_id, operation_of

CHECKED_IN = Path(__file__).resolve().parents[2] / "docs" / "openapi.json"


def test_every_route_has_a_schema_and_every_schema_a_route() -> None:
    missing = [r.route_key for r in ROUTES if operation_of(r) is None]
    orphans = set(OPERATIONS) - {operation_id(r) for r in ROUTES}
    assert not missing, f"add these routes' schemas to shared/schemas/<area>.py: {missing}"
    assert not orphans, f"schemas of routes no longer in the table: {sorted(orphans)}"


def test_the_document_has_every_route_with_its_security_and_path_parameters() -> None:
    doc = document()
    assert doc["openapi"].startswith("3.1")
    for route in ROUTES:
        op = doc["paths"][route.path][route.method.lower()]
        assert op["operationId"] == operation_id(route)
        assert op["x-roles"] == sorted(str(r) for r in route.roles)
        assert op.get("x-scopes", []) == list(route.scopes)  # what a system's token needs
        if route.public:
            assert op["security"] == []
        else:
            assert op["security"] == [{"bearer": []}]
            assert {"401", "403"} <= set(op["responses"])
        declared = {p["name"] for p in op.get("parameters", []) if p["in"] == "path"}
        assert declared == set(re.findall(r"\{(\w+)\}", route.path)), route.route_key


def test_errors_use_the_one_error_shape() -> None:
    doc = document()
    for methods in doc["paths"].values():
        for op in methods.values():
            for status, response in op["responses"].items():
                if int(status) >= 400:
                    schema = response["content"]["application/json"]["schema"]
                    assert schema == {"$ref": "#/components/schemas/Error"}
                else:  # JSON, or a document for finance (the statements' CSV)
                    assert set(response["content"]) in ({"application/json"}, {"text/csv"})
    assert COMPONENTS["Error"]["required"] == ["error"]


def test_every_example_body_conforms_to_its_request_schema() -> None:
    import jsonschema_rs

    for name, op in OPERATIONS.items():
        if op.request is None:
            continue
        assert op.example is not None, f"{name} has a request schema but no example"
        components = document()["components"]
        validator = jsonschema_rs.validator_for({**op.request, "components": components})
        errors = [e.message for e in validator.iter_errors(op.example)]
        assert not errors, (name, errors)


def test_the_document_is_a_valid_openapi_document() -> None:
    schemathesis = pytest.importorskip("schemathesis")
    schema = schemathesis.openapi.from_dict(document())
    labels = {op.ok().label for op in schema.get_all_operations()}
    assert labels == {f"{r.method} {r.path}" for r in ROUTES}


def test_the_checked_in_document_is_up_to_date() -> None:
    assert CHECKED_IN.exists(), "run `make openapi`"
    assert json.loads(CHECKED_IN.read_text()) == json.loads(render()), (
        "docs/openapi.json is stale: run `make openapi`"
    )


def test_the_local_docs_page_lists_every_route() -> None:
    from local.docs import page

    html = page()
    for route in ROUTES:
        assert f"<code>{route.path}</code>" in html


def test_the_route_reference_in_docs_api_md_is_up_to_date() -> None:
    from local.reference import START, render, splice

    api_md = CHECKED_IN.parent / "api.md"
    text = api_md.read_text(encoding="utf-8")
    assert START in text
    expected = splice(text, render(json.loads(CHECKED_IN.read_text(encoding="utf-8"))))
    assert text == expected, "run `make openapi`"


def test_no_link_in_the_readme_or_docs_leaves_the_repository() -> None:
    root = CHECKED_IN.parents[1]
    for page in [root / "README.md", *sorted((root / "docs").glob("*.md"))]:
        for target in re.findall(r"\]\(([^)\s]+)\)", page.read_text(encoding="utf-8")):
            if target.startswith(("#", "http://127.0.0.1", "http://localhost")):
                continue
            assert "://" not in target, f"{page.name} links outside: {target}"
            resolved = (page.parent / target.partition("#")[0]).resolve()
            assert resolved.is_relative_to(root), f"{page.name} links outside: {target}"
            assert resolved.exists(), f"{page.name} links to a missing file: {target}"
