"""The same refused request in English, in Chinese and with no language asked for: the same
status, code and details; the message in the caller's language (zh-CN unless it asks for
ours, or the programme's default says otherwise)."""

from __future__ import annotations

import pytest

from shared.i18n.catalogs import errors as catalog
from tests.support import Api, purchase, register_member

pytestmark = pytest.mark.usefixtures("frozen_clock")

BAD_PURCHASE = {"order_id": "o-1", "member_id": "m-1", "amount": 19.9}  # money as a float


def _has_chinese(text: str) -> bool:
    return any("\u4e00" <= ch <= "\u9fff" for ch in text)


def _purchase(api: Api, language: str | None) -> tuple[int, dict]:
    headers = {"Accept-Language": language} if language else None
    res = api.system("POST", "/v1/purchases", BAD_PURCHASE, headers=headers)
    return res.status, res.body["error"]


def test_a_validation_error_in_english_chinese_and_the_default(api: Api) -> None:
    english = _purchase(api, "en")
    chinese = _purchase(api, "zh-CN")
    default = _purchase(api, None)
    for status, error in (english, chinese, default):
        assert (status, error["code"]) == (422, "validation_error")
        assert error["details"] == english[1]["details"]
        assert set(error) == {"code", "message", "details"}
    assert english[1]["message"] == "invalid fields: amount"
    assert chinese[1]["message"] == "以下字段有误：amount"
    assert default[1] == chinese[1]  # the programme's default language: zh-CN


@pytest.mark.parametrize(
    ("header", "chinese"),
    [
        ("zh-CN;q=0.4, en;q=0.9", False),
        ("en;q=0.2, zh-CN", True),
        ("fr-FR, en-GB;q=0.5", False),  # French is not ours; British English is
        ("zh-Hans-CN,zh;q=0.9", True),
        ("fr-FR", True),  # none of ours: the default
        ("en;q=0", True),  # q=0 means "not this one"
    ],
)
def test_accept_language_q_values_are_honoured(api: Api, header: str, chinese: bool) -> None:
    status, error = _purchase(api, header)
    assert (status, error["code"]) == (422, "validation_error")
    assert _has_chinese(error["message"]) is chinese


def test_a_business_error_names_its_numbers_in_both_languages(api: Api) -> None:
    member = register_member(api)
    purchase(api, member, "o-1", "50")
    balance = api.member(member, "GET", "/v1/me").body["balance"]
    answers = {}
    for language in ("en", "zh-CN"):
        res = api.operator(
            "POST",
            f"/v1/admin/members/{member}/adjustments",
            {"points": -(balance + 100), "reason": "correction"},
            headers={"Idempotency-Key": f"k-{language}", "Accept-Language": language},
        )
        answers[language] = res
    en, zh = answers["en"], answers["zh-CN"]
    assert (en.status, en.code) == (zh.status, zh.code) == (409, "insufficient_points")
    assert en.body["error"]["details"] == zh.body["error"]["details"]
    needed = zh.body["error"]["details"]["needed"]
    assert zh.body["error"]["message"] == f"积分不足：需要 {needed} 积分，可用 {balance} 积分"
    assert not _has_chinese(en.body["error"]["message"])
    assert api.member(member, "GET", "/v1/me").body["balance"] == balance  # nothing changed


def test_not_found_and_auth_errors_follow_the_language_too(api: Api) -> None:
    zh = {"Accept-Language": "zh-CN"}
    missing = api.operator("GET", "/v1/admin/members/nobody", headers=zh)
    assert (missing.status, missing.code) == (404, "member_not_found")
    assert _has_chinese(missing.body["error"]["message"])
    wrong_role = api.member("m-1", "POST", "/v1/purchases", BAD_PURCHASE, headers=zh)
    assert (wrong_role.status, wrong_role.code) == (403, "forbidden")
    assert wrong_role.body["error"]["message"] == catalog.ZH_CN["forbidden"]
    english = api.member(
        "m-1", "POST", "/v1/purchases", BAD_PURCHASE, headers={"Accept-Language": "en"}
    )
    assert english.body["error"]["message"] == "this route is for system only"


def test_the_programme_default_language_answers_callers_who_ask_for_none(api: Api) -> None:
    saved = api.operator("PUT", "/v1/admin/rules", {"notifications": {"default_locale": "en"}})
    assert saved.status == 200, saved.body
    purchase(api, register_member(api), "o-1", "50")  # the rules are in memory again
    status, error = _purchase(api, None)
    assert (status, error["message"]) == (422, "invalid fields: amount")
    status, error = _purchase(api, "zh-CN")  # the caller's own choice still wins
    assert error["message"] == "以下字段有误：amount"
