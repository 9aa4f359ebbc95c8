"""API.md "Text" through the handlers: other digits in amounts and in the query string, and
control or bidi characters in free text, are 422 and change nothing."""

from __future__ import annotations

from urllib.parse import quote

import pytest

from tests.support import Api, member_with_points, purchase, register_member, table_items

pytestmark = pytest.mark.usefixtures("frozen_clock")


@pytest.mark.parametrize("limit", ["１０", " 10", "10\n", "²"])
def test_a_query_limit_in_other_digits_or_with_spaces_is_422(api: Api, limit: str) -> None:
    member = register_member(api)

    res = api.member(member, "GET", f"/v1/me/ledger?limit={quote(limit)}")

    assert (res.status, res.code) == (422, "validation_error")
    assert res.body["error"]["details"]["fields"] == {"limit": "must be 1-100"}
    assert api.member(member, "GET", "/v1/me/ledger?limit=10").status == 200


@pytest.mark.parametrize("amount", ["１２３", "123\n", " 123", "12３.50"])
def test_an_amount_in_other_digits_or_with_spaces_is_422_and_earns_nothing(
    api: Api, amount: str
) -> None:
    member = register_member(api)
    before = table_items()

    res = purchase(api, member, "o-1", amount)

    assert (res.status, res.code) == (422, "validation_error")
    assert set(res.body["error"]["details"]["fields"]) == {"amount"}
    assert table_items() == before


def test_an_id_with_a_trailing_newline_is_refused(api: Api) -> None:
    register_member(api, "m-1")

    res = purchase(api, "m-1\n", "o-1", "100")

    assert (res.status, res.code) == (422, "validation_error")
    assert set(res.body["error"]["details"]["fields"]) == {"member_id"}


def test_a_task_name_with_a_bidi_override_is_refused_and_nothing_is_stored(api: Api) -> None:
    member_with_points(api)
    before = table_items()
    body = {"name": "Survey \u202egnp.exe", "points": 20, "limit": "once"}

    res = api.operator("PUT", "/v1/admin/tasks/t-1", body)

    assert (res.status, res.code) == (422, "validation_error")
    assert res.body["error"]["details"]["fields"] == {
        "name": "must not contain control or bidi characters"
    }
    assert table_items() == before
    named = api.operator("PUT", "/v1/admin/tasks/t-1", {**body, "name": "问卷 📝"})
    assert named.status == 201, named.body
