"""Error messages come from the errors catalog in both locales, for every code the API can
answer; the codes found by reading the source, so a new code without text fails here."""

from __future__ import annotations

import ast
import json
from pathlib import Path

import msgspec
import pytest

from shared import errors, i18n, programme
from shared.domain.rules import Notifications, Rules
from shared.http import HttpApp, error_locale, error_message, error_response
from shared.i18n.catalogs import errors as catalog

ROOT = Path(__file__).resolve().parents[2]
SOURCES = ("shared", "functions", "local")


def _name(node: ast.expr) -> str:
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute):
        return node.attr
    return ""


def _string(node: ast.expr | None) -> str | None:
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value
    return None


def source_codes() -> dict[str, str]:
    """Every error code the code base can answer, with where it was found: the ``code`` of
    each AppError subclass (in any module), every ``code="..."`` given to one at a raise
    site, the local gateway's ``_error(status, "code", ...)`` and any literal
    ``{"code": ..., "message": ...}`` error body."""
    trees = {
        path: ast.parse(path.read_text(encoding="utf-8"))
        for root in SOURCES
        for path in sorted((ROOT / root).rglob("*.py"))
    }
    error_classes = {"AppError"}
    codes: dict[str, str] = {}
    changed = True
    while changed:  # subclasses of subclasses, across modules, by name
        changed = False
        for tree in trees.values():
            for node in ast.walk(tree):
                if not isinstance(node, ast.ClassDef) or node.name in error_classes:
                    continue
                if any(_name(base) in error_classes for base in node.bases):
                    error_classes.add(node.name)
                    changed = True
    for path, tree in trees.items():
        where = str(path.relative_to(ROOT))
        for node in ast.walk(tree):
            if isinstance(node, ast.ClassDef) and node.name in error_classes:
                for statement in node.body:
                    if isinstance(statement, ast.Assign) and any(
                        _name(t) == "code" for t in statement.targets
                    ):
                        code = _string(statement.value)
                        if code:
                            codes.setdefault(code, f"{where}: class {node.name}")
            elif isinstance(node, ast.Call):
                callee = _name(node.func)
                if callee in error_classes:
                    for keyword in node.keywords:
                        code = _string(keyword.value) if keyword.arg == "code" else None
                        if code:
                            codes.setdefault(code, f"{where}:{node.lineno}")
                elif callee == "_error" and len(node.args) >= 2:
                    code = _string(node.args[1])
                    if code:
                        codes.setdefault(code, f"{where}:{node.lineno}")
            elif isinstance(node, ast.Dict):
                keys = {_string(k): v for k, v in zip(node.keys, node.values, strict=True) if k}
                code = _string(keys.get("code"))
                if code and "message" in keys:
                    codes.setdefault(code, f"{where}:{node.lineno}")
    return codes


CODES = source_codes()


def test_the_scan_finds_the_codes_of_every_kind_of_site() -> None:
    # A class in shared/errors.py, one elsewhere, a code= at a raise site, the gateway's own.
    for code in ("insufficient_points", "import_not_found", "hold_not_found", "method_not_allowed"):
        assert code in CODES
    assert "internal" in CODES  # AppError itself and the 500 answer


@pytest.mark.parametrize("code", sorted(CODES))
def test_every_code_has_text_in_both_locales(code: str) -> None:
    assert catalog.EN.get(code), f"{code} ({CODES[code]}) has no English text"
    assert catalog.ZH_CN.get(code), f"{code} ({CODES[code]}) has no Chinese text"
    # The plain template always renders: it names no field an error might not bring.
    assert i18n.fields(catalog.EN[code]) == i18n.fields(catalog.ZH_CN[code]) == set()


def test_both_locales_have_the_same_keys_and_fields() -> None:
    assert catalog.EN.keys() == catalog.ZH_CN.keys()
    for key, english in catalog.EN.items():
        assert i18n.fields(english) == i18n.fields(catalog.ZH_CN[key]), key
    for key in catalog.EN:
        code, _, variant = key.partition(".")
        assert variant in ("", "detailed"), key
        assert code in catalog.EN, f"{key} has no plain template"
        assert code in CODES, f"{key} is for a code nothing raises"


def test_chinese_texts_are_chinese() -> None:
    for key, text in catalog.ZH_CN.items():
        assert any("\u4e00" <= ch <= "\u9fff" for ch in text), key


def test_english_keeps_the_raise_sites_message_other_locales_use_the_catalog() -> None:
    error = errors.MemberFrozen("member 'm-1' is frozen")
    assert error_message(error, "en") == "member 'm-1' is frozen"
    assert error_message(error, "zh-CN") == "账户已冻结，暂时无法操作"
    assert error_message(errors.MemberFrozen(""), "en") == "the account is frozen"


def test_details_and_params_fill_the_detailed_template() -> None:
    short = errors.InsufficientPoints("needs 500 points, has 20")
    assert error_message(short, "zh-CN") == "积分不足"
    rich = errors.InsufficientPoints("x", details={"needed": 500, "spendable": 20})
    assert error_message(rich, "zh-CN") == "积分不足：需要 500 积分，可用 20 积分"
    invalid = errors.Invalid("invalid fields: a, b", details={"fields": {"b": "x", "a": "y"}})
    assert error_message(invalid, "zh-CN") == "以下字段有误：a, b"
    missing = errors.MemberNotFound("no member 'm-9'", params={"id": "m-9"})
    assert error_message(missing, "zh-CN") == "会员 m-9 不存在"
    # A field the error lacks: the plain template, never a hole.
    assert error_message(errors.DrawLimitReached("x", details={}), "zh-CN") == "今日抽奖次数已用完"


def test_a_code_given_at_the_raise_site_without_text_falls_back_to_its_category() -> None:
    error = errors.NotFound("no widget 'w'", code="widget_not_found")
    assert error_message(error, "zh-CN") == catalog.ZH_CN["not_found"]
    assert error_response(error, "zh-CN").body == {
        "error": {"code": "widget_not_found", "message": catalog.ZH_CN["not_found"]}
    }


def test_details_are_kept_as_they_are() -> None:
    details = {"fields": {"points": "must be at least 1"}}
    response = error_response(errors.Invalid("points must be at least 1", details=details), "zh-CN")
    assert response.status == 422
    assert response.body["error"]["details"] == details
    assert set(response.body["error"]) == {"code", "message", "details"}


def _event(accept_language: str | None = None) -> dict:
    event: dict = {"routeKey": "GET /v1/health", "requestContext": {}}
    if accept_language is not None:
        event["headers"] = {"accept-language": accept_language}
    return event


@pytest.fixture
def no_rules_in_memory():  # type: ignore[no-untyped-def]
    programme.invalidate()
    yield
    programme.invalidate()


def _remember(default_locale: str) -> None:
    rules = msgspec.structs.replace(
        Rules(), notifications=Notifications(default_locale=default_locale)
    )
    programme._cached = programme.Programme(rules, (), (), (), 0.0)


def test_the_locale_is_the_header_then_the_cached_programme_default_then_zh_cn(
    no_rules_in_memory: None,
) -> None:
    assert error_locale(_event()) == "zh-CN"
    assert error_locale(_event("fr, de")) == "zh-CN"  # none of ours
    assert error_locale(_event("en-GB,en;q=0.9")) == "en"
    assert error_locale(_event("zh-CN;q=0.5, en;q=0.8")) == "en"  # q-values honoured
    assert error_locale(_event("en;q=0.1, zh")) == "zh-CN"
    _remember("en")
    assert error_locale(_event()) == "en"  # the programme's default, from memory
    assert error_locale(_event("zh-CN")) == "zh-CN"


def test_an_error_path_never_loads_the_rules(
    no_rules_in_memory: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    def refuse() -> None:
        raise AssertionError("the error path read the programme rules")

    monkeypatch.setattr(programme, "_load", refuse)
    assert error_locale(_event()) == i18n.DEFAULT_LOCALE


def test_an_unknown_route_answers_not_found_in_the_callers_language(
    no_rules_in_memory: None,
) -> None:
    app = HttpApp("account")
    for header, message in (("zh-CN", catalog.ZH_CN["not_found"]), ("en", "no such route")):
        event = {"routeKey": "GET /nowhere", "headers": {"accept-language": header}}
        body = json.loads(app.resolve(event)["body"])
        assert body == {"error": {"code": "not_found", "message": message}}
