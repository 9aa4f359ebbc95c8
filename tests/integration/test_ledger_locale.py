"""One ledger read in two languages (moto): the same entries, codes and numbers, the text in
the caller's locale (Accept-Language, else the member's saved one, else the programme's
default zh-CN); an entry written before codes shows its stored description."""

from __future__ import annotations

from typing import Any

import pytest

from shared.dynamodb import keys
from shared.dynamodb.models.members import LedgerItem
from tests.support import Api, adjust, purchase, register_member, transfer

pytestmark = pytest.mark.usefixtures("frozen_clock")

NUMBERS = ("entry_id", "type", "code", "points", "balance_after", "source", "ref", "expires_on")


def ledger(api: Api, member_id: str = "m-1", **headers: str) -> list[dict[str, Any]]:
    res = api.member(member_id, "GET", "/v1/me/ledger?limit=100", headers=headers)
    assert res.status == 200, res.body
    return res.body["items"]


def save_locale(api: Api, member_id: str, locale: str) -> None:
    res = api.member(member_id, "PUT", "/v1/me/preferences", {"locale": locale})
    assert res.status == 200, res.body


@pytest.fixture
def several_kinds(api: Api) -> None:
    """m-1: welcome, a purchase, a check-in, points from m-2 with a note, an operator's
    adjustment and a donation of two trees."""
    register_member(api, "m-1")
    register_member(api, "m-2")
    assert purchase(api, "m-1", "o-1", "300.00").status == 201
    assert api.member("m-1", "POST", "/v1/me/checkins").status == 201
    assert transfer(api, "m-2", {"to_member_id": "m-1", "points": 5, "message": "谢谢"}).status == (
        201
    )
    assert adjust(api, "m-1", {"points": 7, "reason": "配送延误补偿"}).status == 201
    tree = {"name": "种一棵树（公益）", "kind": "donation", "points": 10}
    assert api.operator("PUT", "/v1/admin/catalog/tree", tree).status == 201
    body = {"item_id": "tree", "quantity": 2}
    assert api.member("m-1", "POST", "/v1/redemptions", body).status == 201


@pytest.mark.usefixtures("several_kinds")
def test_english_and_chinese_show_the_same_entries_and_numbers_in_other_words(api: Api) -> None:
    en = ledger(api, **{"accept-language": "en"})
    zh = ledger(api, **{"accept-language": "zh-CN,zh;q=0.9,en;q=0.8"})

    assert [[e[f] for f in NUMBERS] for e in en] == [[e[f] for f in NUMBERS] for e in zh]
    by_code = {e["code"]: (e["description"], z["description"]) for e, z in zip(en, zh, strict=True)}
    assert by_code == {
        "redeem": ("种一棵树（公益） × 2", "积分兑换：种一棵树（公益） × 2"),
        "adjustment": ("配送延误补偿", "配送延误补偿"),  # the operator's words, as typed
        "transfer_in_note": ("From m-2: 谢谢", "收到 m-2 的转赠：谢谢"),
        "checkin": ("Daily check-in (day 1)", "每日签到（连续第 1 天）"),
        "purchase": ("Purchase o-1", "购物订单 o-1"),
        "welcome": ("Welcome points", "新会员欢迎积分"),
    }
    sender = ledger(api, "m-2", **{"accept-language": "en-GB"})[0]
    assert (sender["code"], sender["description"]) == ("transfer_out_note", "To m-1: 谢谢")


@pytest.mark.usefixtures("several_kinds")
def test_without_a_header_the_saved_locale_then_the_programme_default_decides(api: Api) -> None:
    default = ledger(api)
    assert default[-1]["description"] == "新会员欢迎积分"  # programme default zh-CN

    save_locale(api, "m-1", "en")
    saved = ledger(api)
    assert saved[-1]["description"] == "Welcome points"
    assert ledger(api, **{"accept-language": "zh-CN"})[-1]["description"] == "新会员欢迎积分"


@pytest.mark.usefixtures("several_kinds")
def test_every_page_of_one_walk_keeps_the_saved_locale(api: Api) -> None:
    save_locale(api, "m-1", "en")
    first = api.member("m-1", "GET", "/v1/me/ledger?limit=2").body
    cursor = first["next_cursor"]
    rest = api.member("m-1", "GET", f"/v1/me/ledger?limit=100&cursor={cursor}").body["items"]
    assert rest[-1]["description"] == "Welcome points"


@pytest.mark.usefixtures("several_kinds")
def test_the_operators_view_follows_the_operators_language_not_the_members(api: Api) -> None:
    save_locale(api, "m-1", "en")
    path = "/v1/admin/members/m-1/ledger?limit=100"
    zh = api.operator("GET", path).body["items"]
    en = api.operator("GET", path, headers={"accept-language": "en"}).body["items"]
    assert (zh[-1]["code"], zh[-1]["description"]) == ("welcome", "新会员欢迎积分")
    assert (en[-1]["code"], en[-1]["description"]) == ("welcome", "Welcome points")
    assert zh[1]["actor"] == en[1]["actor"] == "op-1"


def test_an_entry_written_before_codes_shows_its_stored_description(api: Api) -> None:
    register_member(api, "m-1")
    welcome = LedgerItem.get(keys.member_pk("m-1"), keys.ledger_sk("registration", "m-1"))
    welcome.update(actions=[LedgerItem.code.remove(), LedgerItem.params.remove()])

    for locale in ("en", "zh-CN"):
        (entry,) = ledger(api, **{"accept-language": locale})
        assert (entry["code"], entry["description"]) == ("earn", "Welcome points")
