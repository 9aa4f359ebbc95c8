"""DynamoDB tables built from shared/tables.py, so infra, local mode and tests share keys."""

from __future__ import annotations

from aws_cdk import aws_dynamodb as dynamodb
from constructs import Construct

from infra.config import StageConfig
from shared.tables import TableDef


def _key(name: str) -> dynamodb.Attribute:
    return dynamodb.Attribute(name=name, type=dynamodb.AttributeType.STRING)


def build_table(scope: Construct, table_def: TableDef, config: StageConfig) -> dynamodb.TableV2:
    """On-demand, PITR, AWS-managed encryption; deletion protection and RETAIN in prod only.
    Keys, every index (with its projection), the stream and TTL come from ``table_def``."""
    gsis = [
        dynamodb.GlobalSecondaryIndexPropsV2(
            index_name=index.name,
            partition_key=_key(index.partition_key),
            sort_key=_key(index.sort_key),
            projection_type=dynamodb.ProjectionType[index.projection],
        )
        for index in table_def.indexes
        if not index.local
    ]
    lsis = [
        dynamodb.LocalSecondaryIndexProps(
            index_name=index.name,
            sort_key=_key(index.sort_key),
            projection_type=dynamodb.ProjectionType[index.projection],
        )
        for index in table_def.indexes
        if index.local
    ]
    for index in table_def.indexes:
        if index.local and index.partition_key != table_def.partition_key:
            raise ValueError(f"LSI {index.name} must share the table's partition key")
    return dynamodb.TableV2(
        scope,
        table_def.logical_id,
        partition_key=_key(table_def.partition_key),
        sort_key=_key(table_def.sort_key),
        billing=dynamodb.Billing.on_demand(),
        encryption=dynamodb.TableEncryptionV2.aws_managed_key(),
        point_in_time_recovery_specification=dynamodb.PointInTimeRecoverySpecification(
            point_in_time_recovery_enabled=True
        ),
        deletion_protection=config.is_prod,
        removal_policy=config.removal_policy,
        dynamo_stream=dynamodb.StreamViewType.NEW_AND_OLD_IMAGES if table_def.stream else None,
        time_to_live_attribute=table_def.ttl_attribute,
        global_secondary_indexes=gsis or None,
        local_secondary_indexes=lsis or None,
    )
