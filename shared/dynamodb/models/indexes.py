"""The table's secondary indexes, one class each, built from their definitions in
``shared/tables.py`` (which CDK, local mode and the tests create the table from), so a model's
index cannot drift from the table's. Rows of several kinds share an index: each model holds
its own instance (pynamodb binds a copy of it to the model), so a query returns that model."""

from __future__ import annotations

from pynamodb.attributes import UnicodeAttribute
from pynamodb.indexes import (
    AllProjection,
    GlobalSecondaryIndex,
    Index,
    KeysOnlyProjection,
    LocalSecondaryIndex,
)

from shared.tables import POINTS_TABLE

_DEFINED = {index.name: index for index in POINTS_TABLE.indexes}


def _index_class(name: str, doc: str) -> type[Index]:
    """The pynamodb class of the table's index ``name``: an LSI or a GSI, its projection, and
    its partition and sort keys as string attributes named as in the table."""
    index = _DEFINED[name]
    projection = KeysOnlyProjection() if index.projection == "KEYS_ONLY" else AllProjection()
    body = {
        "__doc__": doc,
        "__module__": __name__,
        "Meta": type("Meta", (), {"index_name": name, "projection": projection}),
        index.partition_key: UnicodeAttribute(hash_key=True),
        index.sort_key: UnicodeAttribute(range_key=True),
    }
    base = LocalSecondaryIndex if index.local else GlobalSecondaryIndex
    return type("".join(part.title() for part in name.split("_")), (base,), body)


ByTime = _index_class("by_time", "LSI ``by_time``: a member's ledger, newest first.")
ByOrder = _index_class(
    "by_order",
    "GSI ``by_order``: a purchase entry or a hold by the shop's order id, a mall order by id.",
)
ByExpiry = _index_class("by_expiry", "GSI ``by_expiry``: open lots and active holds by expiry.")
ByStatus = _index_class(
    "by_status", "GSI ``by_status``: mall orders by status; a campaign's draws."
)
ByTier = _index_class("by_tier", "GSI ``by_tier`` (keys only): members above the first tier.")
ByBirthday = _index_class("by_birthday", "GSI ``by_birthday`` (keys only): members by birthday.")
ByCampaign = _index_class(
    "by_campaign", "GSI ``by_campaign``: a rebate campaign's accruals (participants), in shards."
)
ByBoard = _index_class(
    "by_board", "GSI ``by_board`` (keys only): members who earned, by month of their last credit."
)
