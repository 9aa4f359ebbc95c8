"""Table definitions shared by the CDK stack, the local server and the tests.

Pure data: the stack builds its ``dynamodb.TableV2`` from this, and tests/local mode call
``create_table`` with :func:`create_table_kwargs`, so they cannot drift from infra.
"""

from __future__ import annotations

from msgspec import Struct, field


class Index(Struct, frozen=True):
    """A secondary index of the table."""

    name: str
    partition_key: str
    sort_key: str
    local: bool = False  # LSI (strongly consistent, same partition key) vs GSI
    # "ALL" or "KEYS_ONLY": a keys-only index is written only when its keys change, so
    # an index over the member profile costs nothing on the profile's balance updates.
    projection: str = "ALL"


class TableDef(Struct, frozen=True):
    """The table's keys, indexes, stream and TTL: one definition for CDK, local mode and tests."""

    logical_id: str  # CDK construct id and the stem of the local table name
    partition_key: str
    sort_key: str
    indexes: tuple[Index, ...] = field(default_factory=tuple)
    stream: bool = False
    ttl_attribute: str | None = None


# One table holds the member aggregate (profile, ledger, lots, markers) and the programme's
# configuration, so a business fact is one TransactWriteItems inside one table.
# docs/data-model.md lists every item type, key and access pattern.
POINTS_TABLE = TableDef(
    logical_id="Points",
    partition_key="pk",
    sort_key="sk",
    indexes=(
        # A member's ledger newest first (sparse: only ledger entries carry lsi1sk).
        Index("by_time", "pk", "lsi1sk", local=True),
        # A purchase by the shop's order id, for refunds (sparse: purchase entries only).
        Index("by_order", "order_pk", "sk"),
        # Lots due on a day, spread over shards (sparse: unsettled lots only).
        Index("by_expiry", "exp_pk", "exp_sk"),
        # Mall orders by status, by placement time (sparse: orders only): the operators' queue
        # and the sweep of unpaid points + cash orders.
        Index("by_status", "st_pk", "st_sk"),
        # Members above the first tier, by tier and shard (sparse, keys only): the monthly
        # tier evaluation's cost follows the members above bronze, not all members.
        Index("by_tier", "tier_pk", "tier_sk", projection="KEYS_ONLY"),
        # Members by birthday "MM-DD" and shard (sparse, keys only; set at registration):
        # the daily birthday job reads only the day's members.
        Index("by_birthday", "bday_pk", "bday_sk", projection="KEYS_ONLY"),
        # A rebate campaign's participants (their accruals), in shards (sparse: accruals only):
        # settlement and the campaign's live totals read the participants, never the members.
        Index("by_campaign", "cp_pk", "cp_sk"),
        # Members who earned leaderboard points, by shard and the month of their last such
        # credit (sparse, keys only: written once a month per member, not on every credit):
        # the leaderboard snapshot reads the members who earned since a month, nobody else.
        Index("by_board", "board_pk", "board_sk", projection="KEYS_ONLY"),
    ),
    stream=True,
    ttl_attribute="ttl",
)

# The reports consumer's markers (``AGG#<event id>``: this event was counted), one per event,
# deleted by TTL after 14 days. Apart from the points table because they are pure overhead
# there: every marker would be a record on the points table's stream (waking the publisher,
# once when written and once when TTL deletes it) and a write past its seven indexes. Here
# a marker is a write with no stream and no index; DynamoDB transactions span tables, so the
# markers still commit with the counters they guard. docs/data-model.md "Reports".
COUNTED_TABLE = TableDef(
    logical_id="Counted",
    partition_key="pk",
    sort_key="sk",
    ttl_attribute="ttl",
)

TABLES: tuple[TableDef, ...] = (POINTS_TABLE, COUNTED_TABLE)


def local_name(table: TableDef, points_table_name: str) -> str:
    """The name of ``table`` outside AWS (local mode, tests), from the points table's name:
    the points table's own, or ``<points table>-<logical id in lower case>``. In AWS every
    name comes from the stack (environment variables)."""
    if table is POINTS_TABLE:
        return points_table_name
    return f"{points_table_name}-{table.logical_id.lower()}"


def create_table_kwargs(table: TableDef, name: str) -> dict:
    """``CreateTable`` arguments (on-demand) for DynamoDB Local, moto and tests."""
    attributes = {table.partition_key, table.sort_key}
    for index in table.indexes:
        attributes.update((index.partition_key, index.sort_key))
    kwargs: dict = {
        "TableName": name,
        "BillingMode": "PAY_PER_REQUEST",
        "AttributeDefinitions": [
            {"AttributeName": a, "AttributeType": "S"} for a in sorted(attributes)
        ],
        "KeySchema": [
            {"AttributeName": table.partition_key, "KeyType": "HASH"},
            {"AttributeName": table.sort_key, "KeyType": "RANGE"},
        ],
    }
    gsis = [i for i in table.indexes if not i.local]
    lsis = [i for i in table.indexes if i.local]
    for key, group in (("GlobalSecondaryIndexes", gsis), ("LocalSecondaryIndexes", lsis)):
        if group:
            kwargs[key] = [
                {
                    "IndexName": i.name,
                    "KeySchema": [
                        {"AttributeName": i.partition_key, "KeyType": "HASH"},
                        {"AttributeName": i.sort_key, "KeyType": "RANGE"},
                    ],
                    "Projection": {"ProjectionType": i.projection},
                }
                for i in group
            ]
    if table.stream:
        kwargs["StreamSpecification"] = {
            "StreamEnabled": True,
            "StreamViewType": "NEW_AND_OLD_IMAGES",
        }
    return kwargs
