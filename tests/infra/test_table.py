from __future__ import annotations

import pytest
from aws_cdk.assertions import Match

from shared.tables import POINTS_TABLE

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

    synth.template().resource_count_is(TABLE_TYPE, 1)
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


def test_prod_table_is_protected_and_retained(synth) -> None:
    synth.template("prod").has_resource(
        TABLE_TYPE,
        {
            "DeletionPolicy": "Retain",
            "UpdateReplacePolicy": "Retain",
            "Properties": Match.object_like(
                {"Replicas": [Match.object_like({"DeletionProtectionEnabled": True})]}
            ),
        },
    )


def test_dev_table_can_be_torn_down(synth) -> None:
    synth.template("dev").has_resource(
        TABLE_TYPE,
        {
            "DeletionPolicy": "Delete",
            "Properties": Match.object_like(
                {"Replicas": [Match.object_like({"DeletionProtectionEnabled": False})]}
            ),
        },
    )


def test_prod_user_pool_and_logs_are_retained(synth) -> None:
    prod = synth.template("prod")
    prod.has_resource("AWS::Cognito::UserPool", {"DeletionPolicy": "Retain"})
    prod.has_resource_properties("AWS::Cognito::UserPool", {"DeletionProtection": "ACTIVE"})
    for log_group in prod.find_resources("AWS::Logs::LogGroup").values():
        assert log_group["DeletionPolicy"] == "Retain"
