"""Contact details through the handlers: registration with phone, e-mail and name, staff
lookup by phone or e-mail, the masked member file and the audited reveal; the clear values
never in a key, an index key, an audit entry or a log line."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import boto3
import pytest

from shared.dynamodb import audit as audit_repo
from shared.tables import POINTS_TABLE
from tests.conftest import TEST_TABLE
from tests.support import Api, register

PHONE, EMAIL, NAME = "+86 138-1234-5678", "Li.Lei@Example.com", "李雷"
CLEAR = {"phone": "+8613812345678", "email": "li.lei@example.com", "name": "李雷"}
MASKED = {"phone": "138****5678", "email": "l***@example.com", "name": "李*"}
# Fragments of the clear values no key, index key, audit entry or log line may hold.
SECRETS = ("13812345678", "12345678", "li.lei", "example.com", "李雷")


def find(api: Api, query: str) -> Any:
    return api.operator("GET", f"/v1/admin/members?{query}")


def member_file(api: Api, member_id: str, query: str = "") -> Any:
    return api.operator("GET", f"/v1/admin/members/{member_id}{query}")


def reveals(member_id: str) -> list[Any]:
    entries, _ = audit_repo.page(
        actor=None,
        target=f"member:{member_id}",
        start=None,
        end=datetime(2100, 1, 1, tzinfo=UTC),
        limit=100,
        cursor=None,
    )
    return [e for e in entries if e.action == "member.reveal"]


def scan() -> list[dict[str, Any]]:
    client = boto3.client("dynamodb", region_name="us-east-1")
    items: list[dict[str, Any]] = []
    kwargs: dict[str, Any] = {"TableName": TEST_TABLE}
    while True:
        page = client.scan(**kwargs)
        items += page["Items"]
        if "LastEvaluatedKey" not in page:
            return items
        kwargs["ExclusiveStartKey"] = page["LastEvaluatedKey"]


def test_a_member_registered_with_contact_details_is_found_by_phone_or_email(api: Api) -> None:
    created = register(api, "m-1", phone=PHONE, email=EMAIL, name=NAME)
    assert created.status == 201, created.body

    for query in ("phone=13812345678", "phone=%2B86%20138-1234-5678", "email=LI.LEI@example.COM"):
        found = find(api, query)
        assert found.status == 200, found.body
        (item,) = found.body["items"]
        assert item["member_id"] == "m-1"
        assert item["contact"] == MASKED
        assert item["balance"] == 100 and item["tier"] == "bronze"
        assert item["status"] == "active" and item["registered_at"]
        assert found.body["next_cursor"] is None


def test_contact_details_are_optional_and_shown_as_null(api: Api) -> None:
    assert register(api, "m-2").status == 201
    assert register(api, "m-3", email="a@b.cn").status == 201
    assert member_file(api, "m-2").body["contact"] == {"phone": None, "email": None, "name": None}
    assert member_file(api, "m-3").body["contact"] == {
        "phone": None,
        "email": "a***@b.cn",
        "name": None,
    }
    assert [i["member_id"] for i in find(api, "email=a@b.cn").body["items"]] == ["m-3"]


def test_a_lookup_lists_every_member_sharing_a_phone_page_by_page(api: Api) -> None:
    for member_id in ("m-a", "m-b", "m-c"):
        assert register(api, member_id, phone="13900000000").status == 201
    assert register(api, "m-other", phone="13900000001").status == 201

    seen, cursor = [], None
    while True:
        page = find(api, "phone=13900000000&limit=2" + (f"&cursor={cursor}" if cursor else ""))
        assert page.status == 200, page.body
        seen += [i["member_id"] for i in page.body["items"]]
        cursor = page.body["next_cursor"]
        if cursor is None:
            break
    assert seen == ["m-a", "m-b", "m-c"]


def test_no_match_is_an_empty_page(api: Api) -> None:
    register(api, "m-1", phone=PHONE)
    found = find(api, "phone=13812345679")
    assert found.status == 200 and found.body == {"items": [], "next_cursor": None}


@pytest.mark.parametrize(
    "query",
    ["", "phone=13812345678&email=a@b.cn", "phone=12345", "email=not-an-address", "limit=5"],
)
def test_a_lookup_needs_exactly_one_valid_phone_or_email(api: Api, query: str) -> None:
    refused = find(api, query)
    assert refused.status == 422, refused.body
    assert refused.code == "validation_error"


def test_a_cursor_of_another_lookup_is_refused(api: Api) -> None:
    for member_id in ("m-a", "m-b"):
        register(api, member_id, phone="13900000000")
    cursor = find(api, "phone=13900000000&limit=1").body["next_cursor"]
    refused = find(api, f"phone=13900000001&cursor={cursor}")
    assert refused.status == 400 and refused.code == "invalid_cursor"


def test_only_operators_look_members_up(api: Api) -> None:
    register(api, "m-1", phone=PHONE)
    as_member = api.member("m-1", "GET", "/v1/admin/members?phone=13812345678")
    as_system = api.system("GET", "/v1/admin/members?phone=13812345678")
    assert as_member.status == 403 and as_system.status == 403


@pytest.mark.parametrize(
    ("field", "value"),
    [("phone", "1381234567"), ("phone", 13812345678), ("email", "li@"), ("name", "李" * 65)],
)
def test_bad_contact_details_are_refused_without_echoing_them(
    api: Api, field: str, value: Any
) -> None:
    refused = register(api, "m-1", **{field: value})
    assert refused.status == 422 and refused.code == "validation_error"
    assert list(refused.body["error"]["details"]["fields"]) == [field]
    assert str(value).strip() not in str(refused.body)
    assert member_file(api, "m-1").status == 404  # nothing registered


def test_a_retried_registration_replays_and_the_first_details_stay(api: Api) -> None:
    first = register(api, "m-1", phone=PHONE, email=EMAIL, name=NAME)
    again = register(api, "m-1", phone="13812345678", email="li.lei@example.com", name=NAME)
    assert (first.status, again.status) == (201, 200)
    assert again.body == first.body

    other = register(api, "m-1", phone="13900000000", email=EMAIL, name=NAME)
    assert other.status == 409 and other.code == "member_exists"
    assert "13900000000" not in str(other.body)
    assert find(api, "phone=13900000000").body["items"] == []
    assert member_file(api, "m-1", "?reveal=true").body["contact"] == CLEAR


def test_the_member_file_masks_and_a_reveal_shows_in_clear_and_is_audited(api: Api) -> None:
    register(api, "m-1", phone=PHONE, email=EMAIL, name=NAME)

    masked = member_file(api, "m-1")
    assert masked.status == 200 and masked.body["contact"] == MASKED
    assert member_file(api, "m-1", "?reveal=false").body["contact"] == MASKED
    assert reveals("m-1") == []

    shown = member_file(api, "m-1", "?reveal=true&reason=customer%20at%20the%20counter")
    assert shown.status == 200 and shown.body["contact"] == CLEAR
    (entry,) = reveals("m-1")
    assert (entry.actor, entry.target, entry.reason) == (
        "op-1",
        "member:m-1",
        "customer at the counter",
    )
    assert entry.after == {"revealed": ["email", "name", "phone"]}
    assert not any(s in str(entry.to_json()) for s in SECRETS)

    member_file(api, "m-1", "?reveal=true")
    assert [e.reason for e in reveals("m-1")] == ["", "customer at the counter"]


@pytest.mark.parametrize("query", ["?reveal=yes", "?reveal=true&reason=", "?reveal=1"])
def test_a_bad_reveal_query_is_refused_and_not_audited(api: Api, query: str) -> None:
    register(api, "m-1", phone=PHONE)
    refused = member_file(api, "m-1", query)
    assert refused.status == 422, refused.body
    assert reveals("m-1") == []


def test_revealing_an_unknown_member_is_404_and_not_audited(api: Api) -> None:
    refused = member_file(api, "m-nobody", "?reveal=true")
    assert refused.status == 404 and refused.code == "member_not_found"
    assert reveals("m-nobody") == []


def test_clear_contact_details_live_only_in_the_profile(api: Api) -> None:
    register(api, "m-1", phone=PHONE, email=EMAIL, name=NAME)
    register(api, "m-2", phone="13900000000", email="wang@example.com", name="王五")
    member_file(api, "m-1", "?reveal=true&reason=check")
    find(api, "phone=13812345678")

    key_attributes = {POINTS_TABLE.partition_key, POINTS_TABLE.sort_key}
    for index in POINTS_TABLE.indexes:
        key_attributes |= {index.partition_key, index.sort_key}
    secrets = (*SECRETS, "13900000000", "wang@", "王五")
    holders = []
    for item in scan():
        for name, value in item.items():
            text = str(value)
            if not any(s in text for s in secrets):
                continue
            assert name not in key_attributes, (name, item["pk"], item["sk"])
            holders.append((item["sk"]["S"], name))
    assert sorted(holders) == sorted(
        (sk, name) for sk in ("PROFILE", "PROFILE") for name in ("phone", "email", "name")
    )
    lookups = [i for i in scan() if i["pk"]["S"].startswith("CONTACT#")]
    assert len(lookups) == 4  # a phone row and an e-mail row per member
    assert {i["kind"]["S"] for i in lookups} == {"phone", "email"}


def test_no_log_line_holds_a_clear_contact_detail(
    api: Api, capsys: pytest.CaptureFixture[str], caplog: pytest.LogCaptureFixture
) -> None:
    from shared.observability import logger

    logger.setLevel("DEBUG")
    try:
        register(api, "m-1", phone=PHONE, email=EMAIL, name=NAME)
        register(api, "m-1", phone="13900000000", email=EMAIL, name=NAME)  # 409
        register(api, "m-2", phone="1381234567")  # 422
        register(api, "m-3", email="li.lei@example")  # 422
        find(api, "phone=13812345678")
        find(api, "email=li.lei@example.com&phone=13812345678")  # 422
        member_file(api, "m-1", "?reveal=true")
        member_file(api, "m-1", "?reveal=maybe")  # 422
    finally:
        logger.setLevel("WARNING")
    out, err = capsys.readouterr()
    logged = out + err + "".join(str(r.__dict__) for r in caplog.records)
    assert logged.count("request refused") >= 2 * 5  # the refusals were logged...
    for secret in (*SECRETS, "13900000000", "1381234567", "li.lei@example"):
        assert secret not in logged  # ...without the values


@pytest.mark.dynamodb_local
def test_on_dynamodb_local_registration_and_lookup_are_one_transaction_each(
    local_api: Api,
) -> None:
    """The real engine: the registration's transaction (profile, welcome entry and lot,
    referral code, two lookup rows) lands whole, and a conflicting retry adds no row."""
    api = local_api
    assert register(api, "m-1", phone=PHONE, email=EMAIL, name=NAME).status == 201
    assert register(api, "m-1", phone="13900000000").status == 409
    assert find(api, "phone=13900000000").body["items"] == []
    (item,) = find(api, "email=li.lei@example.com").body["items"]
    assert item["member_id"] == "m-1" and item["contact"] == MASKED
    assert member_file(api, "m-1", "?reveal=true").body["contact"] == CLEAR
    assert len(reveals("m-1")) == 1


def test_a_lookup_is_one_query_and_one_batch_read_and_registration_one_transaction(
    api: Api, dynamodb_calls: Any
) -> None:
    for member_id in ("m-1", "m-2"):
        register(api, member_id, phone=PHONE, email=EMAIL)
    find(api, "phone=13812345678")  # the programme rules are cached from here on
    dynamodb_calls.clear()

    found = find(api, "phone=13812345678")
    assert [i["member_id"] for i in found.body["items"]] == ["m-1", "m-2"]
    assert dict(dynamodb_calls) == {"Query": 1, "BatchGetItem": 1}

    dynamodb_calls.clear()
    assert register(api, "m-3", phone=PHONE, email=EMAIL, name=NAME).status == 201
    assert dict(dynamodb_calls) == {"TransactWriteItems": 1}
