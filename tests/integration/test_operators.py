"""Operators' routes: programme rules, campaigns, a member's file, adjustments, freeze."""

from __future__ import annotations

from typing import Any

import pytest

from shared.routes import ROUTES
from tests.support import Api, new_key, purchase, register_member, table_items
from tests.support import adjust as adjust_member

pytestmark = pytest.mark.usefixtures("frozen_clock")

ADMIN_ROUTES = [r for r in ROUTES if r.function == "admin"]


@pytest.fixture
def member(api: Api) -> str:
    purchase(api, register_member(api), "o-1", "50")
    return "m-1"


def snapshot(api: Api, member_id: str = "m-1") -> tuple:
    me = api.member(member_id, "GET", "/v1/me").body
    ledger = api.member(member_id, "GET", "/v1/me/ledger?limit=100").body["items"]
    file = api.operator("GET", f"/v1/admin/members/{member_id}").body
    rules = api.operator("GET", "/v1/admin/rules").body
    return me["balance"], me["status"], len(ledger), len(file["audit"]), rules


def concrete(path: str) -> str:
    return (
        path.replace("{member_id}", "m-1")
        .replace("{task_id}", "t-1")
        .replace("{campaign_id}", "c-1")
    )


# Authorization and validation of every admin route -----------------------------------------


@pytest.mark.parametrize("route", ADMIN_ROUTES, ids=lambda r: r.route_key)
@pytest.mark.parametrize("groups", [(), ("systems",)], ids=["member", "systems"])
def test_admin_routes_refuse_member_and_systems_tokens(
    api: Api, member: str, route: Any, groups: tuple[str, ...]
) -> None:
    before = snapshot(api)
    body = {"points": 10, "reason": "x", "name": "n", "limit": "once"}

    res = api.call(route.method, concrete(route.path), body, token=api.token("m-1", *groups))

    assert (res.status, res.code) == (403, "forbidden")
    assert snapshot(api) == before


BAD_BODIES: list[tuple[str, str, Any, str]] = [
    ("PUT", "/v1/admin/rules", {"checkin_points": -5}, "checkin_points"),
    ("PUT", "/v1/admin/rules", {"made_up": 1}, "made_up"),
    ("PUT", "/v1/admin/tasks/t-1", {"name": "Survey", "points": 0, "limit": "once"}, "points"),
    ("PUT", "/v1/admin/tasks/t-1", {"name": "Survey", "points": 5, "limit": "yearly"}, "limit"),
    ("PUT", "/v1/admin/tasks/t-1", {"points": 5, "limit": "once"}, "name"),
    (
        "PUT",
        "/v1/admin/campaigns/c-1",
        {"name": "x", "starts_at": "2027-01-10T00:00:00+08:00"},
        "ends_at",
    ),
    (
        "PUT",
        "/v1/admin/campaigns/c-1",
        {
            "name": "x",
            "starts_at": "2027-01-11T00:00:00+08:00",
            "ends_at": "2027-01-10T00:00:00+08:00",
            "multiplier": "2",
        },
        "ends_at",
    ),
    (
        "PUT",
        "/v1/admin/campaigns/c-1",
        {
            "name": "x",
            "starts_at": "2027-01-10T00:00:00+08:00",
            "ends_at": "2027-01-11T00:00:00+08:00",
        },
        "multiplier",
    ),
    (
        "PUT",
        "/v1/admin/campaigns/c-1",
        {
            "name": "x",
            "starts_at": "2027-01-10T00:00:00+08:00",
            "ends_at": "2027-01-11T00:00:00+08:00",
            "multiplier": 2.5,
        },
        "multiplier",
    ),
    ("POST", "/v1/admin/members/m-1/adjustments", {"points": 0, "reason": "x"}, "points"),
    ("POST", "/v1/admin/members/m-1/adjustments", {"points": 10}, "reason"),
    ("POST", "/v1/admin/members/m-1/adjustments", {"points": "10", "reason": "x"}, "points"),
    ("POST", "/v1/admin/members/m-1/adjustments", {"points": 10, "reason": " "}, "reason"),
    ("POST", "/v1/admin/members/m-1/freeze", {}, "reason"),
    ("POST", "/v1/admin/members/m-1/unfreeze", {"reason": 5}, "reason"),
]


@pytest.mark.parametrize(("method", "path", "body", "field"), BAD_BODIES)
def test_admin_routes_refuse_invalid_bodies_with_422_naming_the_field(
    api: Api, member: str, method: str, path: str, body: Any, field: str
) -> None:
    before = snapshot(api)

    res = api.operator(method, path, body, headers=new_key())  # adjustments require a key

    assert (res.status, res.code) == (422, "validation_error")
    assert field in res.body["error"]["details"]["fields"]
    assert snapshot(api) == before


@pytest.mark.parametrize(
    ("method", "path"), [(r.method, r.path) for r in ADMIN_ROUTES if r.method != "GET"]
)
def test_admin_writes_refuse_malformed_json_with_400(api: Api, method: str, path: str) -> None:
    token = api.token("op", "operators")
    res = api.call(method, concrete(path), raw=b"{not json", token=token, headers=new_key())
    assert (res.status, res.code) == (400, "bad_request")


# Rules ---------------------------------------------------------------------------------------


def test_rules_show_every_setting_with_defaults(api: Api) -> None:
    rules = api.operator("GET", "/v1/admin/rules").body

    assert rules["earn_points_per_unit"] == "1"
    assert rules["checkin_points"] == 10
    assert rules["streak_bonuses"] == [{"day": 7, "points": 30}, {"day": 30, "points": 100}]
    assert (
        rules["referral_referrer_points"],
        rules["referral_referee_points"],
        rules["referral_second_level_points"],
    ) == (100, 50, 20)
    assert (rules["welcome_points"], rules["daily_activity_cap"]) == (100, 500)
    assert rules["validity"]["policy"] == "rolling" and rules["timezone"] == "Asia/Shanghai"
    assert [t["name"] for t in rules["tiers"]] == [
        "bronze",
        "silver",
        "gold",
        "platinum",
        "diamond",
    ]


def test_put_rules_stores_overrides_and_a_new_put_replaces_them(api: Api) -> None:
    first = api.operator("PUT", "/v1/admin/rules", {"welcome_points": 200, "checkin_points": 5})
    second = api.operator("PUT", "/v1/admin/rules", {"welcome_points": 300})

    assert (first.status, first.body["welcome_points"], first.body["checkin_points"]) == (
        200,
        200,
        5,
    )
    rules = api.operator("GET", "/v1/admin/rules").body
    assert (second.body, rules["welcome_points"], rules["checkin_points"]) == (rules, 300, 10)
    assert api.system("POST", "/v1/members", {"member_id": "m-new"}).body["balance"] == 300


def test_the_rules_document_can_be_sent_back_unchanged(api: Api) -> None:
    rules = api.operator("GET", "/v1/admin/rules").body

    res = api.operator("PUT", "/v1/admin/rules", rules)

    assert (res.status, res.body) == (200, rules)


# Campaigns -----------------------------------------------------------------------------------


def test_campaigns_are_created_replaced_and_listed(api: Api) -> None:
    body = {
        "name": "Spring festival",
        "starts_at": "2027-02-01T00:00:00+08:00",
        "ends_at": "2027-02-08T00:00:00+08:00",
        "multiplier": "1.5",
        "categories": ["tea", "snacks"],
    }
    created = api.operator("PUT", "/v1/admin/campaigns/spring", body)
    replaced = api.operator("PUT", "/v1/admin/campaigns/spring", {**body, "bonus_points": 8})
    listed = api.operator("GET", "/v1/admin/campaigns").body["items"]

    assert created.status == 201 and replaced.status == 200
    assert replaced.body == {
        "campaign_id": "spring",
        "name": "Spring festival",
        "starts_at": "2027-02-01T00:00:00+08:00",
        "ends_at": "2027-02-08T00:00:00+08:00",
        "multiplier": "1.5",
        "bonus_points": 8,
        "categories": ["snacks", "tea"],
        "skus": None,
        "channels": None,
        "tiers": None,
        "registered_after": None,
        "recurrence": None,
        "spend_bonus": None,
        "active": False,
    }
    assert listed == [replaced.body]


# Adjustments ---------------------------------------------------------------------------------


def adjust(api: Api, points: int, reason: str = "goodwill", key: str | None = None):
    return adjust_member(api, "m-1", {"points": points, "reason": reason}, key)


def test_positive_adjustment_credits_a_lot_and_is_audited(api: Api, member: str) -> None:
    res = adjust(api, 70, "late delivery")

    assert res.status == 201
    assert (res.body["points"], res.body["actor"], res.body["type"]) == (70, "op-1", "adjust")
    me = api.member(member, "GET", "/v1/me").body
    assert me["balance"] == 220
    assert me["expiring"] == [{"points": 220, "expires_on": "2027-07-10"}]
    entry = api.operator("GET", f"/v1/admin/members/{member}/ledger").body["items"][0]
    assert (entry["type"], entry["points"], entry["description"], entry["actor"]) == (
        "adjust",
        70,
        "late delivery",
        "op-1",
    )
    assert entry["balance_after"] == 220
    audit = api.operator("GET", f"/v1/admin/members/{member}").body["audit"]
    assert audit[0] | {"at": None} == {
        "at": None,
        "action": "adjust",
        "actor": "op-1",
        "reason": "late delivery",
        "points": 70,
        "ref": res.body["adjustment_id"],
    }


def test_negative_adjustment_debits_and_cannot_exceed_spendable_unless_allowed(
    api: Api, member: str
) -> None:
    taken = adjust(api, -100)
    too_much = adjust(api, -60)
    debt = adjust_member(
        api, "m-1", {"points": -60, "reason": "fraudulent order", "allow_debt": True}
    )

    assert taken.status == 201
    assert (too_much.status, too_much.code) == (409, "insufficient_points")
    assert debt.status == 201
    file = api.operator("GET", f"/v1/admin/members/{member}").body
    assert (file["balance"], file["flags"]["in_debt"]) == (-10, True)


def test_adjustment_with_an_idempotency_key_applies_once(api: Api, member: str) -> None:
    key = "adj-2027-01-10-001"

    first = adjust(api, 30, key=key)
    again = adjust(api, 30, key=key)
    other = adjust(api, 31, key=key)
    bad = adjust(api, 30, key="not a key!")

    assert (first.status, again.status) == (201, 201)
    assert again.body == first.body
    assert (other.status, other.code) == (409, "idempotency_key_reused")
    assert (bad.status, bad.code) == (422, "validation_error")
    assert api.member(member, "GET", "/v1/me").body["balance"] == 180


def test_an_adjustment_without_an_idempotency_key_is_refused_and_changes_nothing(
    api: Api, member: str
) -> None:
    before = table_items()

    res = api.operator("POST", "/v1/admin/members/m-1/adjustments", {"points": 30, "reason": "x"})

    assert (res.status, res.code) == (400, "idempotency_key_required")
    assert api.member(member, "GET", "/v1/me").body["balance"] == 150
    ledger = api.operator("GET", f"/v1/admin/members/{member}/ledger").body["items"]
    assert [e["type"] for e in ledger] == ["earn", "earn"]
    assert table_items() == before


@pytest.mark.parametrize(
    "reason",
    ["refund\u202e", "\u2067x", "a\x1bb", "line\nbreak", "a\u2028b", "x\ufeff", "\U000e0041"],
    ids=["rlo", "rli", "escape", "newline", "line-separator", "bom", "tag"],
)
def test_a_reason_with_control_or_bidi_characters_is_refused(
    api: Api, member: str, reason: str
) -> None:
    before = table_items()

    res = adjust(api, 30, reason)

    assert (res.status, res.code) == (422, "validation_error")
    assert res.body["error"]["details"]["fields"] == {
        "reason": "must not contain control or bidi characters"
    }
    assert table_items() == before


def test_adjusting_an_unknown_member_is_404(api: Api) -> None:
    assert adjust(api, 5).code == "member_not_found"
    assert api.operator("GET", "/v1/admin/members/m-1").code == "member_not_found"
    assert api.operator("GET", "/v1/admin/members/m-1/ledger").code == "member_not_found"
    res = api.operator("POST", "/v1/admin/members/m-1/freeze", {"reason": "x"})
    assert (res.status, res.code) == (404, "member_not_found")


# Freeze --------------------------------------------------------------------------------------


def test_freeze_and_unfreeze_are_audited_and_freezing_twice_changes_nothing(
    api: Api, member: str
) -> None:
    frozen = api.operator("POST", "/v1/admin/members/m-1/freeze", {"reason": "bot activity"})
    twice = api.operator("POST", "/v1/admin/members/m-1/freeze", {"reason": "again"})
    file = api.operator("GET", "/v1/admin/members/m-1").body
    unfrozen = api.operator("POST", "/v1/admin/members/m-1/unfreeze", {"reason": "cleared"})

    assert (frozen.status, frozen.body["status"], frozen.body["changed"]) == (200, "frozen", True)
    assert twice.body["changed"] is False
    assert (file["status"], file["flags"]["frozen"]) == ("frozen", True)
    assert [(a["action"], a["reason"]) for a in file["audit"]] == [("freeze", "bot activity")]
    assert unfrozen.body["status"] == "active"
    audit = api.operator("GET", "/v1/admin/members/m-1").body["audit"]
    assert [(a["action"], a["actor"]) for a in audit] == [("unfreeze", "op-1"), ("freeze", "op-1")]
    assert api.member(member, "GET", "/v1/me").body["status"] == "active"


def test_a_frozen_member_earns_nothing_and_an_operator_can_still_adjust(
    api: Api, member: str
) -> None:
    api.operator("PUT", "/v1/admin/tasks/t-1", {"name": "Survey", "points": 20, "limit": "once"})
    api.operator("POST", "/v1/admin/members/m-1/freeze", {"reason": "abuse"})

    checkin = api.member(member, "POST", "/v1/me/checkins")
    task = api.member(member, "POST", "/v1/me/tasks/t-1/completions")
    purchase = api.system(
        "POST", "/v1/purchases", {"order_id": "o-2", "member_id": member, "amount": "99"}
    )
    fix = adjust(api, -50, "clawback of abuse")

    assert (checkin.status, checkin.code) == (403, "member_frozen")
    assert (task.status, task.code) == (403, "member_frozen")
    assert purchase.body["points"] == 0
    assert fix.status == 201
    assert api.member(member, "GET", "/v1/me").body["balance"] == 100


def test_a_frozen_member_cannot_redeem(api: Api, member: str) -> None:
    api.operator(
        "PUT",
        "/v1/admin/catalog/cup",
        {"name": "Thermos cup", "kind": "coupon", "points": 10, "stock": 5},
    )
    api.operator("POST", "/v1/admin/members/m-1/freeze", {"reason": "abuse"})

    res = api.member(member, "POST", "/v1/redemptions", {"item_id": "cup", "quantity": 1})

    assert (res.status, res.code) == (403, "member_frozen")
    assert api.member(member, "GET", "/v1/me").body["balance"] == 150


def test_member_file_shows_profile_balance_flags_and_ledger(api: Api, member: str) -> None:
    api.member(member, "POST", "/v1/me/checkins")

    file = api.operator("GET", "/v1/admin/members/m-1").body
    ledger = api.operator("GET", "/v1/admin/members/m-1/ledger?limit=2").body

    assert (file["member_id"], file["balance"], file["status"]) == ("m-1", 160, "active")
    assert file["flags"] == {"frozen": False, "in_debt": False, "referral_bonus_pending": False}
    assert (file["checkin_streak"], file["last_checkin"], file["activity_points_today"]) == (
        1,
        "2027-01-10",
        10,
    )
    assert [e["balance_after"] for e in ledger["items"]] == [160, 150]
    rest = api.operator("GET", f"/v1/admin/members/m-1/ledger?cursor={ledger['next_cursor']}")
    assert [e["balance_after"] for e in rest.body["items"]] == [100]
