"""API.md "Text": ids, amounts, dates and numbers are ASCII only (no other digits, no
surrounding spaces, no control characters), in bodies, paths and query strings; free text may
be any Unicode but no control or bidi characters. The field types, the documented patterns
and the query's ``limit``, value by value."""

from __future__ import annotations

import sys
import unicodedata
from typing import Any

import jsonschema_rs
import pytest

from shared import errors
from shared.domain import contacts
from shared.http import Request
from shared.routes import ROUTES
from shared.validation import (
    CONTROL_RANGES,
    SCRIPT_FORMAT,
    Date,
    Decimal,
    Id,
    Money,
    MonthDay,
    Names,
    PersonName,
    Problems,
    SignedMoney,
    Text,
    Timestamp,
    idempotency_key,
)

REFUSED_TEXT = {
    "nul": "a\x00b",
    "escape": "a\x1b[31mb",
    "tab": "a\tb",
    "carriage return": "a\rb",
    "delete": "a\x7fb",
    "c1 control": "a\x85b",
    "left-to-right mark": "a\u200eb",
    "right-to-left mark": "a\u200fb",
    "right-to-left override": "evil\u202etxt.exe",
    "left-to-right embedding": "a\u202ab",
    "pop directional formatting": "a\u202cb",
    "first strong isolate": "a\u2068b",
    "pop directional isolate": "a\u2069b",
    "arabic letter mark": "a\u061cb",
    "zero-width space": "a\u200bb",
    "word joiner": "a\u2060b",
    "byte order mark": "\ufeffab",
    "line separator": "a\u2028b",
    "paragraph separator": "a\u2029b",
    "soft hyphen": "ad\u00admin",
    "tag character": "a\U000e0041b",
    "lone surrogate": "a\ud800b",
}
ALLOWED_TEXT = {
    "chinese": "积分兑换",
    "emoji with joiners": "👨\u200d👩\u200d👧 family",
    "flag": "🇨🇳",
    "persian with a non-joiner": "می\u200cخواهم",
    "arabic": "شكرا",
    "no-break space": "a\u00a0b",
    "ideographic space": "你好\u3000世界",
    "fullwidth digits in a sentence": "第１２３号",
    "combining accent": "cafe\u0301",
}
# Bodies' numbers, ids and dates: never another script's digits, a space or a control around
# or inside them.
NOT_ASCII = ["１２３", "12３", " 12", "12 ", "12\n", "\t12", "1\u200e2", "12\u202c", "١٢٣"]


@pytest.mark.parametrize("value", REFUSED_TEXT.values(), ids=REFUSED_TEXT.keys())
@pytest.mark.parametrize(
    "field", [Text(), Text(multiline=True), PersonName()], ids=["text", "multiline", "name"]
)
def test_free_text_refuses_control_and_bidi_characters(field: Any, value: str) -> None:
    assert field.parse(value) == {"": "must not contain control or bidi characters"}
    assert isinstance(Names().parse(["ok", value]), Problems)


@pytest.mark.parametrize("value", ALLOWED_TEXT.values(), ids=ALLOWED_TEXT.keys())
@pytest.mark.parametrize(
    "field", [Text(), Text(multiline=True), PersonName()], ids=["text", "multiline", "name"]
)
def test_free_text_takes_any_other_unicode(field: Any, value: str) -> None:
    assert field.parse(value) == (" ".join(value.split()) if field == PersonName() else value)
    assert Names().parse([value]) == [value]


def test_only_text_typed_in_a_text_area_may_hold_newlines() -> None:
    assert Text(multiline=True).parse("line one\nline two") == "line one\nline two"
    assert isinstance(Text().parse("line one\nline two"), Problems)
    assert isinstance(PersonName().parse("Li\nLei"), Problems)
    assert isinstance(Text(multiline=True).parse("line one\r\nline two"), Problems)


def _pattern_of(field: Any) -> Any:
    return jsonschema_rs.validator_for(field.schema())


@pytest.mark.parametrize(
    "field", [Text(), Text(multiline=True), PersonName()], ids=["text", "multiline", "name"]
)
def test_the_documented_pattern_agrees_with_the_validation(field: Any) -> None:
    schema = _pattern_of(field)
    for name, value in REFUSED_TEXT.items():
        if max(map(ord, value)) <= 0xFFFF and not 0xD800 <= max(map(ord, value)) <= 0xDFFF:
            assert not schema.is_valid(value), f"the schema admits {name}"
    for name, value in ALLOWED_TEXT.items():
        assert schema.is_valid(value), f"the schema refuses {name}"
    assert not schema.is_valid("   ")
    assert schema.is_valid("a\nb") == (field == Text(multiline=True))


def test_the_refused_ranges_are_the_control_categories_less_the_script_format_signs() -> None:
    """Every Cc, Cf, Cs, Zl and Zp character of this Python's Unicode is refused or listed
    as part of a script's spelling; nothing else is refused. A newer Unicode adding a format
    character fails here until it is sorted into one of the two lists."""
    refused = {cp for low, high in CONTROL_RANGES for cp in range(low, high + 1)}
    script = {cp for low, high in SCRIPT_FORMAT for cp in range(low, high + 1)}
    controls = {
        cp
        for cp in range(sys.maxunicode + 1)
        if unicodedata.category(chr(cp)) in ("Cc", "Cf", "Cs", "Zl", "Zp")
    }
    assert refused | script == controls, unicodedata.unidata_version
    assert not refused & script


@pytest.mark.parametrize("value", NOT_ASCII)
@pytest.mark.parametrize(
    "field",
    [Id(), Money(), Money(positive=False), SignedMoney(), Decimal()],
    ids=["id", "money", "money-or-zero", "signed-money", "decimal"],
)
def test_ids_and_amounts_are_ascii_digits_without_spaces(field: Any, value: str) -> None:
    assert isinstance(field.parse(value), Problems)
    assert not isinstance(field.parse("12"), Problems)


@pytest.mark.parametrize(
    ("field", "good", "bad"),
    [
        (Date(), "2027-01-10", ["２０２７-01-10", "2027-01-10\n", " 2027-01-10", "2027-0١-10"]),
        (MonthDay(), "02-29", ["０２-29", "02-29\n", "02-29 "]),
        (
            Timestamp(),
            "2027-01-10T10:00:00+08:00",
            ["２０２７-01-10T10:00:00+08:00", "2027-01-10T10:00:00+08:00\n", " 2027-01-10T10:00"],
        ),
    ],
    ids=["date", "month-day", "timestamp"],
)
def test_dates_and_times_are_ascii_without_spaces(field: Any, good: str, bad: list[str]) -> None:
    assert not isinstance(field.parse(good), Problems)
    for value in bad:
        assert isinstance(field.parse(value), Problems), repr(value)


@pytest.mark.parametrize("value", ["k-1\n", "ｋ-1", " k-1", "k\u200e1"])
def test_an_idempotency_key_is_ascii_to_its_end(value: str) -> None:
    with pytest.raises(errors.Invalid):
        idempotency_key(value)


def test_phone_numbers_take_ascii_digits_and_emails_no_trailing_newline() -> None:
    assert contacts.normalize_phone("+86 138-1234-5678") == "+8613812345678"
    with pytest.raises(contacts.InvalidContact):
        contacts.normalize_phone("１３８１２３４５６７８")
    with pytest.raises(contacts.InvalidContact):
        contacts.normalize_email("li\n@example.com")


def _request(query: dict[str, str]) -> Request:
    return Request({"queryStringParameters": query}, ROUTES[0], None)


@pytest.mark.parametrize("limit", ["１０", "10 ", " 10", "10\n", "²", "١٠", "+10", "1e1", ""])
def test_the_limit_of_a_query_is_ascii_digits_only(limit: str) -> None:
    with pytest.raises(errors.Invalid):
        _request({"limit": limit}).limit()


def test_the_limit_of_a_query_in_ascii_digits_is_read() -> None:
    assert _request({"limit": "10"}).limit() == 10
    assert _request({}).limit() == 20


@pytest.mark.parametrize("value", ["m-1\n", "ｍ-1", "m-1 "])
def test_a_path_id_that_is_not_ascii_to_its_end_names_nothing(value: str) -> None:
    request = Request({"pathParameters": {"member_id": value}}, ROUTES[0], None)
    with pytest.raises(errors.MemberNotFound):
        request.path_id("member_id", errors.MemberNotFound)
