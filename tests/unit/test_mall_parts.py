"""The mall's plumbing without a table: the one re-plan loop, and stored rows decoded into
the domain values the repositories hand out."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal

import pytest

from shared.domain.mall import Order
from shared.dynamodb.catalog import listing_of
from shared.dynamodb.models import CatalogItem, OrderItem
from shared.dynamodb.values import value_of
from shared.errors import Contention
from shared.replan import ATTEMPTS, until_done


def test_until_done_answers_the_first_result_and_tries_again_on_none() -> None:
    answers = iter([None, None, "moved"])
    calls: list[int] = []

    def attempt() -> str | None:
        calls.append(1)
        return next(answers)

    assert until_done(attempt) == "moved"
    assert len(calls) == 3


def test_until_done_gives_up_with_contention_naming_what_keeps_changing() -> None:
    calls: list[int] = []

    def attempt() -> None:
        calls.append(1)

    with pytest.raises(Contention, match="the item keeps changing"):
        until_done(attempt, "item")
    assert len(calls) == ATTEMPTS


def test_until_done_lets_a_refusal_through_at_once() -> None:
    def attempt() -> None:
        raise LookupError("no such order")

    with pytest.raises(LookupError):
        until_done(attempt)


def test_a_catalog_row_becomes_a_listing_with_typed_values() -> None:
    row = CatalogItem(
        pk="ITEM#cup",
        sk="ITEM",
        item_id="cup",
        name="Cup",
        kind="gift",
        points=3000,
        cash="12.50",
        stock=4,
        starts_at="2027-01-10T02:00:00.000000+00:00",
        limit_mode="custom",
        limit_per_day=2,
        ver=3,
        sold=6,
        created_at="2027-01-01T00:00:00.000000+00:00",
        updated_at="2027-01-02T00:00:00.000000+00:00",
    )

    item = listing_of(row)

    assert item.cash == Decimal("12.50") and str(item.cash) == "12.50"
    assert item.starts_at == datetime(2027, 1, 10, 2, 0, tzinfo=UTC)
    assert (item.per_day, item.total, item.ends_at, item.description) == (2, None, None, None)
    assert (item.stock, item.sold, item.ver, item.retired) == (4, 6, 3, False)


def test_an_order_read_from_the_table_becomes_an_order_with_plain_delivery_and_days() -> None:
    row = OrderItem.from_raw_data(  # as DynamoDB answers a read (delivery: a map)
        {
            "pk": {"S": "MEMBER#m-1"},
            "sk": {"S": "ORDER#r1"},
            **{
                name: {"S": text}
                for name, text in {
                    "order_id": "r1",
                    "member_id": "m-1",
                    "item_id": "cup",
                    "item_name": "Cup",
                    "kind": "gift",
                    "status": "placed",
                    "placed_at": "2027-01-10T02:00:00.000000+00:00",
                    "updated_at": "2027-01-10T02:00:00.000000+00:00",
                    "counted_day": "2027-01-10",
                }.items()
            },
            "quantity": {"N": "2"},
            "points": {"N": "6000"},
            "stocked": {"BOOL": True},
            "delivery": {"M": {"method": {"S": "pickup"}, "name": {"S": "Li"}}},
        }
    )

    order = value_of(row, Order)

    assert order.delivery == {"method": "pickup", "name": "Li"}
    assert order.method == "pickup"
    assert order.counted_day == date(2027, 1, 10)
    assert order.placed_at == datetime(2027, 1, 10, 2, 0, tzinfo=UTC)
    assert (order.quantity, order.points, order.pickup_failures) == (2, 6000, 0)
    assert order.stocked is True and order.cash_due is None
