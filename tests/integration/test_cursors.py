"""Signed pagination cursors (moto): only a cursor this stage made for this list is followed;
anything else — garbage, the old unsigned form, an edited one, one signed with another key,
one of another kind or list, extra attributes — is 400 ``invalid_cursor`` naming nothing of
what was sent, and a forged ledger cursor cannot change the ``balance_after`` shown."""

from __future__ import annotations

import base64
import json
from typing import Any
from urllib.parse import quote

import pytest

from shared import cursor_key
from shared.dynamodb import keys, pages
from shared.dynamodb.members import LEDGER
from shared.settings import ENV_CURSOR_HMAC_KEY
from tests.support import Api, adjust, register_member

pytestmark = pytest.mark.usefixtures("frozen_clock")

OTHER_STAGE_KEY = "another-stages-cursor-key-0123456789abcdef"


def unsigned(content: dict[str, Any]) -> str:
    """The cursor form before signing: base64url JSON alone."""
    return base64.urlsafe_b64encode(json.dumps(content).encode()).decode()


def payload_of(cursor: str) -> dict[str, Any]:
    body = cursor.partition(".")[0]
    return json.loads(base64.urlsafe_b64decode(body + "=" * (-len(body) % 4)))


def with_payload(cursor: str, content: dict[str, Any]) -> str:
    """``cursor``'s tag on another payload: an edit by the client."""
    body = base64.urlsafe_b64encode(json.dumps(content, separators=(",", ":")).encode())
    return f"{body.decode().rstrip('=')}.{cursor.partition('.')[2]}"


def signed_elsewhere(
    monkeypatch: pytest.MonkeyPatch, content: dict[str, Any], kind: str = pages.PAGE
) -> str:
    """``content`` signed under another stage's key: well formed, not ours."""
    with monkeypatch.context() as patch:
        patch.setenv(ENV_CURSOR_HMAC_KEY, OTHER_STAGE_KEY)
        cursor_key.reset()
        cursor = pages.sign(content, kind)
    cursor_key.reset()
    return cursor


def get(api: Api, who: str, path: str, cursor: str) -> Any:
    sep = "&" if "?" in path else "?"
    url = f"{path}{sep}cursor={quote(cursor, safe='')}"
    return api.operator("GET", url) if who == "operator" else api.member("m-1", "GET", url)


def refused_plainly(res: Any, cursor: str) -> None:
    """400 invalid_cursor, no details, and nothing of the cursor echoed back."""
    assert (res.status, res.code) == (400, "invalid_cursor"), res.body
    error = res.body["error"]
    assert set(error) == {"code", "message"}
    text = json.dumps(res.body, ensure_ascii=False)
    for piece in (cursor, cursor[:12], cursor.partition(".")[0][:12], "M#", "LEDGER", "pk"):
        assert piece not in text, piece


@pytest.fixture
def walked(api: Api) -> tuple[dict[str, Any], dict[str, Any]]:
    """m-1 with welcome + six adjustments: the first two entries, and the rest by cursor."""
    register_member(api, "m-1")
    register_member(api, "m-2")
    for n in range(1, 7):
        assert adjust(api, "m-1", {"points": n * 10, "reason": "r"}).status == 201
    first = api.member("m-1", "GET", "/v1/me/ledger?limit=2").body
    assert first["next_cursor"] is not None
    return first, get(api, "member", "/v1/me/ledger?limit=100", first["next_cursor"]).body


def test_a_ledger_walk_by_signed_cursor_keeps_the_running_balance(
    api: Api, walked: tuple[dict[str, Any], dict[str, Any]]
) -> None:
    first, rest = walked
    whole = api.member("m-1", "GET", "/v1/me/ledger?limit=100").body["items"]
    assert first["items"] + rest["items"] == whole
    assert rest["next_cursor"] is None


def test_a_forged_ledger_cursor_cannot_change_balance_after(
    api: Api, walked: tuple[dict[str, Any], dict[str, Any]], monkeypatch: pytest.MonkeyPatch
) -> None:
    first, rest = walked
    honest = first["next_cursor"]
    content = payload_of(honest)
    richer = {**content, "b": content["b"] + 1_000_000}

    forgeries = [
        with_payload(honest, richer),  # the balance edited, the tag kept
        unsigned(richer),  # the old unsigned form
        signed_elsewhere(monkeypatch, richer, LEDGER),  # another key
        pages.sign(richer, pages.PAGE),  # our key, but a list cursor, not a ledger one
        honest[:-2] + ("AA" if not honest.endswith("AA") else "BB"),  # the tag edited
    ]
    for forged in forgeries:
        refused_plainly(get(api, "member", "/v1/me/ledger?limit=100", forged), forged)
    again = get(api, "member", "/v1/me/ledger?limit=100", honest).body
    assert [e["balance_after"] for e in again["items"]] == [
        e["balance_after"] for e in rest["items"]
    ]
    assert max(e["balance_after"] for e in again["items"]) < 1_000_000


def test_one_members_ledger_cursor_does_not_open_another_members_ledger(
    api: Api, walked: tuple[dict[str, Any], dict[str, Any]]
) -> None:
    honest = walked[0]["next_cursor"]
    res = api.member("m-2", "GET", f"/v1/me/ledger?cursor={quote(honest, safe='')}")
    refused_plainly(res, honest)


def test_extra_attributes_are_refused_signed_or_not(
    api: Api, walked: tuple[dict[str, Any], dict[str, Any]]
) -> None:
    content = payload_of(walked[0]["next_cursor"])
    wider = {**content, "k": {**content["k"], "balance": {"S": "1"}, "x": {"S": "1"}}}
    extra_top = {**content, "admin": True}
    number_key = {**content, "k": {**content["k"], "sk": {"N": "1"}}}
    for bad in (wider, extra_top, number_key):
        for cursor in (unsigned(bad), pages.sign(bad, LEDGER)):
            refused_plainly(get(api, "member", "/v1/me/ledger", cursor), cursor)


# Several list routes: (caller, path, a key of that list's partition).
LISTS: list[tuple[str, str, dict[str, Any]]] = [
    ("member", "/v1/me/orders", {"pk": {"S": keys.member_pk("m-1")}, "sk": {"S": "ORDER#x"}}),
    ("member", "/v1/catalog", {"pk": {"S": keys.CATALOG}, "sk": {"S": "x"}}),
    ("member", "/v1/me/messages", {"pk": {"S": keys.member_pk("m-1")}, "sk": {"S": "MSG#x"}}),
    ("operator", "/v1/admin/lotteries", {"pk": {"S": keys.LOTTERIES}, "sk": {"S": "x"}}),
    ("operator", "/v1/admin/audit", {"pk": {"S": keys.audit_log_pk("2026-11")}}),
]


def tampered(honest: str, content: dict[str, Any], monkeypatch: pytest.MonkeyPatch) -> list[str]:
    other_partition = {**content, "pk": {"S": keys.member_pk("m-2")}}
    wider = {**content, "x": {"S": "1"}, "y": {"S": "2"}, "z": {"S": "3"}, "w": {"S": "4"}}
    return [
        "garbage",
        "%%%",
        unsigned(content),  # the old unsigned form of a key of this very list
        with_payload(honest, other_partition),
        honest.replace(".", ".A", 1),  # a longer tag
        honest.partition(".")[0],  # no tag
        signed_elsewhere(monkeypatch, content),
        pages.sign(other_partition, LEDGER),  # ours, of the ledger's kind
        pages.sign(wider, pages.PAGE),  # ours, but not a key's shape (extra attributes)
        unsigned(wider),
        "\u202e" + honest,  # bidi in front of an honest one
    ]


@pytest.mark.parametrize(("who", "path", "content"), LISTS, ids=[p for _, p, _ in LISTS])
def test_a_tampered_or_forged_cursor_is_400_on_every_list(
    api: Api, monkeypatch: pytest.MonkeyPatch, who: str, path: str, content: dict[str, Any]
) -> None:
    register_member(api, "m-1")
    honest = pages.sign(content, pages.PAGE)
    assert get(api, who, path, honest).status == 200  # the honest one is followed
    for cursor in tampered(honest, content, monkeypatch):
        refused_plainly(get(api, who, path, cursor), cursor)


def test_the_operators_member_ledger_refuses_a_forged_balance(
    api: Api, walked: tuple[dict[str, Any], dict[str, Any]]
) -> None:
    path = "/v1/admin/members/m-1/ledger?limit=2"
    honest = api.operator("GET", path).body["next_cursor"]
    content = payload_of(honest)
    forged = with_payload(honest, {**content, "b": 999_999_999})
    refused_plainly(get(api, "operator", path, forged), forged)
    assert get(api, "operator", path, honest).status == 200
