from __future__ import annotations

import pytest

from infra import catalog as catalog_module
from infra.catalog import FunctionSpec, catalog
from infra.permissions import Access, access_for
from shared.routes import functions

pytestmark = pytest.mark.infra


def test_catalog_starts_with_the_http_functions_in_route_order() -> None:
    assert [spec.name for spec in catalog()][: len(functions())] == list(functions())


def test_a_scheduled_function_is_one_more_line(monkeypatch: pytest.MonkeyPatch) -> None:
    job = FunctionSpec("nightly", Access(), schedule="cron(5 16 * * ? *)", timeout_s=300)
    monkeypatch.setattr(catalog_module, "SCHEDULED", (job,))

    assert catalog()[-1] == job
    assert len(catalog()) == len(functions()) + 1


def test_a_scheduled_entry_may_also_serve_routes(monkeypatch: pytest.MonkeyPatch) -> None:
    job = FunctionSpec("account", access_for("account"), schedule="rate(1 hour)")
    monkeypatch.setattr(catalog_module, "SCHEDULED", (job,))

    assert [s for s in catalog() if s.name == "account"] == [job]


def test_a_function_without_declared_grants_is_refused() -> None:
    with pytest.raises(KeyError, match=r"infra/permissions\.py"):
        access_for("no_such_function")
