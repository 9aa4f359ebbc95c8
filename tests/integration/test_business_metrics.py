"""SoldOuts through the real redeem handler: a refusal for lack of stock prints one EMF line
(namespace and service from the function's environment); other answers print none."""

from __future__ import annotations

import pytest

from shared.metrics import SOLD_OUTS
from tests.support import Api, emf_lines, member_with_points

SHIP = {"method": "ship", "name": "A", "phone": "13800000000", "address": "X road 1"}


@pytest.fixture
def redeem_env(api: Api, monkeypatch: pytest.MonkeyPatch) -> Api:
    monkeypatch.setenv("POWERTOOLS_SERVICE_NAME", "redeem")  # as the stack sets it (spec.name)
    monkeypatch.setenv("POWERTOOLS_METRICS_NAMESPACE", "LoyaltyPoints/dev")
    member_with_points(api, "m-1", 10_000)
    return api


def stocked(api: Api, item_id: str, stock: int, points: int = 1000) -> None:
    body = {"name": item_id.title(), "kind": "gift", "points": points, "stock": stock}
    body["per_member_limit"] = None
    assert api.operator("PUT", f"/v1/admin/catalog/{item_id}", body).status in (200, 201)


def redeem(api: Api, item_id: str, quantity: int = 1) -> str | None:
    body = {"item_id": item_id, "quantity": quantity, "delivery": SHIP}
    return api.member("m-1", "POST", "/v1/redemptions", body).code


def test_a_redemption_refused_for_stock_counts_one_sold_out(
    redeem_env: Api, capsys: pytest.CaptureFixture[str]
) -> None:
    stocked(redeem_env, "cup", 0)
    capsys.readouterr()

    assert redeem(redeem_env, "cup") == "sold_out"

    (line,) = emf_lines(capsys.readouterr().out)
    (directive,) = line["_aws"]["CloudWatchMetrics"]
    assert directive["Namespace"] == "LoyaltyPoints/dev"
    assert directive["Dimensions"] == [["service"]]
    assert [m["Name"] for m in directive["Metrics"]] == [SOLD_OUTS]
    assert (line["service"], line[SOLD_OUTS]) == ("redeem", [1])


def test_the_last_units_going_counts_the_refusal_not_the_sale(
    redeem_env: Api, capsys: pytest.CaptureFixture[str]
) -> None:
    stocked(redeem_env, "mug", 2)
    capsys.readouterr()

    assert redeem(redeem_env, "mug", quantity=3) == "sold_out"  # more than in stock
    assert redeem(redeem_env, "mug", quantity=2) is None  # placed: nothing on this path
    assert redeem(redeem_env, "mug") == "sold_out"  # read afresh: none left

    lines = emf_lines(capsys.readouterr().out)
    assert [line[SOLD_OUTS] for line in lines] == [[1], [1]]


def test_other_refusals_count_no_sold_out(
    redeem_env: Api, capsys: pytest.CaptureFixture[str]
) -> None:
    stocked(redeem_env, "tv", 5, points=1_000_000)
    capsys.readouterr()

    assert redeem(redeem_env, "tv") == "insufficient_points"
    assert redeem(redeem_env, "nothing-here") == "item_not_found"

    assert emf_lines(capsys.readouterr().out) == []
