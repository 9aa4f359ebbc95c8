"""The lean botocore data the DynamoDB client loads (shared/dynamodb/botocore_data.py)."""

from __future__ import annotations

from botocore.handlers import BUILTIN_HANDLERS
from botocore.session import Session, get_session

from shared.dynamodb import botocore_data


def test_the_checked_in_files_are_what_the_installed_botocore_gives() -> None:
    for relative, text in botocore_data.generate().items():
        path = botocore_data.DATA / relative
        assert path.is_file(), f"{path} missing: run python -m shared.dynamodb.botocore_data"
        assert path.read_text() == text, (
            f"{relative} differs from the installed botocore's data: "
            "run python -m shared.dynamodb.botocore_data"
        )


def test_the_client_built_from_it_knows_every_operation_and_the_endpoint() -> None:
    lean = botocore_data.session().create_client("dynamodb", region_name="eu-west-1")
    full = get_session().create_client("dynamodb", region_name="eu-west-1")
    assert lean.meta.service_model.operation_names == full.meta.service_model.operation_names
    endpoint = "https://dynamodb.eu-west-1.amazonaws.com"
    assert lean.meta.endpoint_url == full.meta.endpoint_url == endpoint
    shape = lean.meta.service_model.operation_model("TransactWriteItems").input_shape
    assert shape.members.keys() == (
        full.meta.service_model.operation_model("TransactWriteItems").input_shape.members.keys()
    )
    assert lean.meta.service_model.operation_model("GetItem").documentation == ""
    assert full.meta.service_model.operation_model("GetItem").documentation != ""


def test_every_dynamodb_event_gets_the_handlers_a_stock_session_registers() -> None:
    lean, stock = botocore_data.session(), Session()
    operations = stock.get_service_model("dynamodb").operation_names
    kinds = {event.split(".")[0] for event, *_ in BUILTIN_HANDLERS}
    names = {f"{kind}.dynamodb.{op}" for kind in kinds for op in operations}
    names |= {f"{kind}.dynamodb" for kind in kinds} | kinds
    names |= {
        f"docs.{section}.dynamodb.{op}.complete-section"
        for section in ("request-params", "response-params", "response-example")
        for op in operations
    }

    def handlers(session: Session, name: str) -> list[str]:
        # by name: initializers (Powertools' user agent) add a new closure per session
        found = session._original_handler._handlers.prefix_search(name)
        return [f"{h.__module__}.{getattr(h, '__qualname__', type(h).__qualname__)}" for h in found]

    assert [handlers(lean, n) for n in sorted(names)] == [handlers(stock, n) for n in sorted(names)]
    assert any(handlers(stock, n) for n in names)  # the comparison saw real handlers
    s3 = "before-parameter-build.s3.PutObject"
    assert len(handlers(lean, s3)) < len(handlers(stock, s3))  # S3 handlers left out
    kept = [event for event, *_ in BUILTIN_HANDLERS if botocore_data.concerns_dynamodb(event)]
    assert len(kept) < len(BUILTIN_HANDLERS) / 4  # S3, EC2, documentation… are left out
