"""The table's secondary indexes, one class each (``shared/tables.py`` defines them for
CDK, local mode and the tests). Rows of several kinds share an index: each model holds its
own instance (pynamodb binds a copy of it to the model), so a query returns that model."""

from __future__ import annotations

from pynamodb.attributes import UnicodeAttribute
from pynamodb.indexes import (
    AllProjection,
    GlobalSecondaryIndex,
    KeysOnlyProjection,
    LocalSecondaryIndex,
)


class ByTime(LocalSecondaryIndex):
    """LSI ``by_time``: a member's ledger, newest first."""

    class Meta:
        index_name = "by_time"
        projection = AllProjection()

    pk = UnicodeAttribute(hash_key=True)
    lsi1sk = UnicodeAttribute(range_key=True)


class ByOrder(GlobalSecondaryIndex):
    """GSI ``by_order``: a purchase entry or a hold by the shop's order id, a mall order by id."""

    class Meta:
        index_name = "by_order"
        projection = AllProjection()

    order_pk = UnicodeAttribute(hash_key=True)
    sk = UnicodeAttribute(range_key=True)


class ByExpiry(GlobalSecondaryIndex):
    """GSI ``by_expiry``: open lots and active holds by expiry, in shards."""

    class Meta:
        index_name = "by_expiry"
        projection = AllProjection()

    exp_pk = UnicodeAttribute(hash_key=True)
    exp_sk = UnicodeAttribute(range_key=True)


class ByStatus(GlobalSecondaryIndex):
    """GSI ``by_status``: mall orders by status, a campaign's draws."""

    class Meta:
        index_name = "by_status"
        projection = AllProjection()

    st_pk = UnicodeAttribute(hash_key=True)
    st_sk = UnicodeAttribute(range_key=True)


class ByTier(GlobalSecondaryIndex):
    """GSI ``by_tier`` (keys only): members above the first tier, in shards."""

    class Meta:
        index_name = "by_tier"
        projection = KeysOnlyProjection()

    tier_pk = UnicodeAttribute(hash_key=True)
    tier_sk = UnicodeAttribute(range_key=True)


class ByBirthday(GlobalSecondaryIndex):
    """GSI ``by_birthday`` (keys only): members by birthday, in shards."""

    class Meta:
        index_name = "by_birthday"
        projection = KeysOnlyProjection()

    bday_pk = UnicodeAttribute(hash_key=True)
    bday_sk = UnicodeAttribute(range_key=True)


class ByCampaign(GlobalSecondaryIndex):
    """GSI ``by_campaign``: a rebate campaign's accruals (participants), in shards."""

    class Meta:
        index_name = "by_campaign"
        projection = AllProjection()

    cp_pk = UnicodeAttribute(hash_key=True)
    cp_sk = UnicodeAttribute(range_key=True)
