from __future__ import annotations

import pytest
from aws_cdk.assertions import Match

from shared.tables import COUNTED_TABLE, POINTS_TABLE, TABLES

pytestmark = pytest.mark.infra

TABLE_TYPE = "AWS::DynamoDB::GlobalTable"  # what dynamodb.TableV2 synthesizes to


def _key_schema(partition_key: str, sort_key: str) -> list[dict[str, str]]:
    return [
        {"AttributeName": partition_key, "KeyType": "HASH"},
        {"AttributeName": sort_key, "KeyType": "RANGE"},
    ]


def test_table_keys_and_every_index_come_from_the_shared_definition(synth) -> None:
    gsis = [i for i in POINTS_TABLE.indexes if not i.local]
    lsis = [i for i in POINTS_TABLE.indexes if i.local]

    synth.template().resource_count_is(TABLE_TYPE, len(TABLES))
    synth.template().has_resource_properties(
        TABLE_TYPE,
        {
            "KeySchema": _key_schema(POINTS_TABLE.partition_key, POINTS_TABLE.sort_key),
            "BillingMode": "PAY_PER_REQUEST",
            "GlobalSecondaryIndexes": [
                {
                    "IndexName": i.name,
                    "KeySchema": _key_schema(i.partition_key, i.sort_key),
                    "Projection": {"ProjectionType": i.projection},
                }
                for i in gsis
            ],
            "LocalSecondaryIndexes": [
                {
                    "IndexName": i.name,
                    "KeySchema": _key_schema(i.partition_key, i.sort_key),
                    "Projection": {"ProjectionType": i.projection},
                }
                for i in lsis
            ],
        },
    )


def test_table_has_pitr_stream_and_ttl(synth) -> None:
    synth.template().has_resource_properties(
        TABLE_TYPE,
        {
            "StreamSpecification": {"StreamViewType": "NEW_AND_OLD_IMAGES"},
            "TimeToLiveSpecification": {
                "AttributeName": POINTS_TABLE.ttl_attribute,
                "Enabled": True,
            },
            "SSESpecification": {"SSEEnabled": True},
            "Replicas": [
                Match.object_like(
                    {"PointInTimeRecoverySpecification": {"PointInTimeRecoveryEnabled": True}}
                )
            ],
        },
    )


def _tables(synth, stage: str = "dev") -> dict[str, dict]:
    """The stage's tables by the logical id of their definition (``Points``, ``Counted``)."""
    found = synth.template(stage).find_resources(TABLE_TYPE)
    by_definition = {
        table.logical_id: [v for k, v in found.items() if k.startswith(table.logical_id)]
        for table in TABLES
    }
    assert all(len(tables) == 1 for tables in by_definition.values()), sorted(found)
    return {logical_id: tables[0] for logical_id, tables in by_definition.items()}


def test_prod_tables_are_protected_and_retained(synth) -> None:
    for logical_id, table in _tables(synth, "prod").items():
        assert table["DeletionPolicy"] == table["UpdateReplacePolicy"] == "Retain", logical_id
        (replica,) = table["Properties"]["Replicas"]
        assert replica["DeletionProtectionEnabled"] is True, logical_id


def test_dev_tables_can_be_torn_down(synth) -> None:
    for logical_id, table in _tables(synth, "dev").items():
        assert table["DeletionPolicy"] == "Delete", logical_id
        (replica,) = table["Properties"]["Replicas"]
        assert replica["DeletionProtectionEnabled"] is False, logical_id


@pytest.mark.parametrize("stage", ["dev", "prod"])
def test_counted_table_is_on_demand_with_pitr_and_ttl_and_no_stream_nor_index(
    synth, stage: str
) -> None:
    """The reports' event markers: written once each, deleted by TTL, never a stream record
    for the publisher nor an index write (shared/tables.py COUNTED_TABLE)."""
    props = _tables(synth, stage)[COUNTED_TABLE.logical_id]["Properties"]

    assert props["KeySchema"] == _key_schema(COUNTED_TABLE.partition_key, COUNTED_TABLE.sort_key)
    assert props["BillingMode"] == "PAY_PER_REQUEST"
    assert props["TimeToLiveSpecification"] == {"AttributeName": "ttl", "Enabled": True}
    assert props["SSESpecification"]["SSEEnabled"] is True
    (replica,) = props["Replicas"]
    assert replica["PointInTimeRecoverySpecification"] == {"PointInTimeRecoveryEnabled": True}
    for absent in ("StreamSpecification", "GlobalSecondaryIndexes", "LocalSecondaryIndexes"):
        assert absent not in props, absent


def test_prod_user_pool_and_logs_are_retained(synth) -> None:
    prod = synth.template("prod")
    prod.has_resource("AWS::Cognito::UserPool", {"DeletionPolicy": "Retain"})
    prod.has_resource_properties("AWS::Cognito::UserPool", {"DeletionProtection": "ACTIVE"})
    for log_group in prod.find_resources("AWS::Logs::LogGroup").values():
        assert log_group["DeletionPolicy"] == "Retain"
