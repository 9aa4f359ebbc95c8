"""The lean botocore data the DynamoDB client loads (shared/dynamodb/botocore_data.py)."""

from __future__ import annotations

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
    full = botocore_data.get_session().create_client("dynamodb", region_name="eu-west-1")
    assert lean.meta.service_model.operation_names == full.meta.service_model.operation_names
    endpoint = "https://dynamodb.eu-west-1.amazonaws.com"
    assert lean.meta.endpoint_url == full.meta.endpoint_url == endpoint
    shape = lean.meta.service_model.operation_model("TransactWriteItems").input_shape
    assert shape.members.keys() == (
        full.meta.service_model.operation_model("TransactWriteItems").input_shape.members.keys()
    )
    assert lean.meta.service_model.operation_model("GetItem").documentation == ""
    assert full.meta.service_model.operation_model("GetItem").documentation != ""
