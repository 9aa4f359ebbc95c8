"""Property tests of the input grammar (API.md "Text"): the validators of ``shared/validation.py``
and the body reader, over the full Unicode range (``st.characters()``: every code point,
surrogates included) and over any JSON value.

Each property states the grammar a second way, independently of the code under test (a
character-by-character reading of the documented pattern, Unicode categories from
``unicodedata``), and checks that the two agree on every value hypothesis finds; and that no
value makes a validator raise anything but the API's own errors. ~200 examples a property.
"""

from __future__ import annotations

import json
import string
import unicodedata
from datetime import date, datetime, timedelta, timezone
from decimal import Decimal
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from shared.errors import AppError, BadRequest, Invalid, PayloadTooLarge
from shared.http import MAX_BODY_BYTES, Request
from shared.routes import ROUTES
from shared.validation import (
    DATE_PATTERN,
    ID_PATTERN,
    MAX_DEPTH,
    MAX_MONEY,
    Date,
    Email,
    Id,
    Integer,
    Money,
    MonthDay,
    PersonName,
    Phone,
    Problems,
    SignedMoney,
    Text,
    Timestamp,
    idempotency_key,
    json_object,
    nesting,
    text_pattern,
)

settings.register_profile(
    "grammar",
    max_examples=200,
    deadline=None,
    database=None,  # no .hypothesis/ directory in the work tree
    derandomize=True,  # the same examples on every run and in CI
    suppress_health_check=[HealthCheck.too_slow],
)
GRAMMAR = settings.get_profile("grammar")

ALNUM = string.ascii_letters + string.digits
DIGITS = string.digits
# Any code point, or (to reach the accepting side too) characters of the grammar itself.
ANY = st.characters()


# What slipped through before (issue 21): other scripts' digits ("１２３", "٣", "²"), a
# trailing newline ("m-bob\n"), spaces and invisible characters.
LOOKALIKES = st.sampled_from(list("\n\r\t \u00a0\u200b\ufeff\u202e１٣²߀")) | st.characters(
    categories=["Nd", "No", "Nl", "Zs", "Cc", "Cf"]
)


def spiked(values: st.SearchStrategy[str]) -> st.SearchStrategy[str]:
    """``values`` with one look-alike or any code point put in (often at the end)."""
    return st.builds(
        lambda value, odd, at: value[: min(at, len(value))] + odd + value[min(at, len(value)) :],
        values,
        LOOKALIKES | ANY,
        st.integers(0, 12) | st.just(10**6),
    )


def near(alphabet: str, valid: st.SearchStrategy[str] | None = None) -> st.SearchStrategy[str]:
    """Strings of ``alphabet`` (or ``valid`` values) as they are, spiked, or mixed with any
    code point throughout."""
    grammar = st.text(alphabet=st.sampled_from(alphabet), max_size=20) if valid is None else valid
    mixed = st.text(alphabet=st.sampled_from(alphabet) | ANY)
    return grammar | spiked(grammar) | mixed


JSON_VALUES = st.recursive(
    st.none()
    | st.booleans()
    | st.integers()
    | st.text(alphabet=ANY)
    | st.floats(allow_nan=True, allow_infinity=True)
    | st.decimals(allow_nan=False, allow_infinity=False),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(), inner, max_size=4),
    max_leaves=12,
)


# --- ids, keys, amounts, dates: ASCII, whole value ---------------------------------------


def is_id(value: str) -> bool:
    allowed = ALNUM + "_.:@-"
    return 1 <= len(value) <= 64 and value[0] in ALNUM and all(c in allowed for c in value)


@GRAMMAR
@given(near(ALNUM + "_.:@-\n "))
def test_an_id_is_1_to_64_ascii_letters_digits_and_marks_and_nothing_else(value: str) -> None:
    assert bool(ID_PATTERN.match(value)) == is_id(value)
    result = Id().parse(value)
    assert (result == value) if is_id(value) else isinstance(result, Problems)


@GRAMMAR
@given(near(ALNUM + "_-"))
def test_an_idempotency_key_is_1_to_128_ascii_letters_digits_and_dashes(value: str) -> None:
    ok = 1 <= len(value) <= 128 and all(c in ALNUM + "_-" for c in value)
    if ok:
        assert idempotency_key(value) == value
    else:
        with pytest.raises(Invalid):
            idempotency_key(value)


def is_amount(value: str, signed: bool) -> bool:
    body = value[1:] if signed and value.startswith("-") else value
    whole, dot, cents = body.partition(".")
    ascii_digits = whole != "" and all(c in DIGITS for c in whole + cents)
    return ascii_digits and len(whole) <= 12 and (not dot or 1 <= len(cents) <= 2)


@GRAMMAR
@given(near(DIGITS + ".-"))
def test_money_is_ascii_digits_with_at_most_two_decimals(value: str) -> None:
    amount = Decimal(value) if is_amount(value, signed=False) else None
    result = Money().parse(value)
    if amount is not None and 0 < amount <= MAX_MONEY:
        assert result == amount
    else:
        assert isinstance(result, Problems)
    signed = Decimal(value) if is_amount(value, signed=True) else None
    result = SignedMoney().parse(value)
    if signed is not None and abs(signed) <= MAX_MONEY:
        assert result == signed
    else:
        assert isinstance(result, Problems)


@GRAMMAR
@given(JSON_VALUES)
def test_amounts_and_integers_refuse_floats_bools_and_what_is_out_of_range(value: Any) -> None:
    for field in (Money(), SignedMoney(), Integer(minimum=-5, maximum=5)):
        result = field.parse(value)
        if isinstance(value, float | bool) or value is None:
            assert isinstance(result, Problems), (field, value)
    result = Integer(minimum=-5, maximum=5).parse(value)
    ok = type(value) is int and -5 <= value <= 5
    assert result == value if ok else isinstance(result, Problems)
    money = Money().parse(value)
    if not isinstance(money, Problems):
        assert isinstance(money, Decimal) and 0 < money <= MAX_MONEY
        assert money == money.quantize(Decimal("0.01"))


@GRAMMAR
@given(st.decimals(min_value=Decimal("0.01"), max_value=MAX_MONEY, places=2))
def test_every_amount_in_range_reads_back_from_its_decimal_string(amount: Decimal) -> None:
    assert Money().parse(f"{amount:f}") == amount
    assert SignedMoney().parse(f"-{amount:f}") == -amount


@GRAMMAR
@given(near(DIGITS + "-", st.dates().map(date.isoformat)))
def test_a_date_is_an_ascii_calendar_day(value: str) -> None:
    ok = DATE_PATTERN.match(value) is not None
    assert ok == (
        len(value) == 10
        and value[4] == value[7] == "-"
        and all(c in DIGITS for c in value[:4] + value[5:7] + value[8:])
    )
    try:
        day = date.fromisoformat(value) if ok else None
    except ValueError:
        day = None
    result = Date().parse(value)
    assert result == day if day is not None else isinstance(result, Problems)
    month_day = MonthDay().parse(value[5:])
    if not isinstance(month_day, Problems):
        assert month_day.isascii() and len(month_day) == 5


@GRAMMAR
@given(st.dates())
def test_every_calendar_day_reads_back(day: date) -> None:
    assert Date().parse(day.isoformat()) == day
    assert MonthDay().parse(day.isoformat()[5:]) == day.isoformat()[5:]


@GRAMMAR
@given(near(DIGITS + "-:T+Z."))
def test_a_timestamp_is_ascii_with_an_offset(value: str) -> None:
    result = Timestamp().parse(value)
    if not isinstance(result, Problems):
        assert value.isascii() and isinstance(result, datetime) and result.tzinfo is not None


@GRAMMAR
@given(
    st.datetimes(timezones=st.integers(-1439, 1439).map(lambda m: timezone(timedelta(minutes=m))))
)
def test_every_time_with_an_offset_reads_back(moment: datetime) -> None:
    assert Timestamp().parse(moment.isoformat()) == moment


# --- free text: any Unicode but no control or bidi characters ----------------------------

# Bidi_Control (Unicode PropList.txt), refused besides the categories below.
BIDI_CONTROLS = {0x061C, 0x200E, 0x200F, *range(0x202A, 0x202F), *range(0x2066, 0x206A)}


def is_control(char: str, multiline: bool = False) -> bool:
    """A character free text refuses, by its Unicode category: controls (Cc: C0, DEL, C1),
    surrogates (Cs), line and paragraph separators (Zl, Zp), bidi controls."""
    if multiline and char == "\n":
        return False
    return unicodedata.category(char) in {"Cc", "Cs", "Zl", "Zp"} or ord(char) in BIDI_CONTROLS


@GRAMMAR
@given(st.text(alphabet=ANY, max_size=30), st.booleans())
def test_accepted_free_text_holds_no_control_surrogate_separator_or_bidi(
    value: str, multiline: bool
) -> None:
    field = Text(max_length=20, multiline=multiline)
    result = field.parse(value)
    if any(is_control(c, multiline) for c in value) or not value.strip() or len(value) > 20:
        assert isinstance(result, Problems)
    if not isinstance(result, Problems):
        assert result == value
        assert not any(is_control(c, multiline) for c in value)
        value.encode("utf-8")  # storable and sendable as it is
    for other in (PersonName(),):
        named = other.parse(value)
        if not isinstance(named, Problems):
            assert not any(is_control(c) for c in named)


@GRAMMAR
@given(st.text(alphabet=st.characters(max_codepoint=0xFFFF, exclude_categories=["Cs"])))
def test_the_published_text_pattern_agrees_with_the_validator(value: str) -> None:
    """The OpenAPI ``pattern`` (read here by Python's engine, whose ``\\uXXXX`` escapes read
    as ECMA-262's do on the Basic Multilingual Plane) takes what ``Text`` takes."""
    import re

    for multiline in (False, True):
        published = re.search(text_pattern(multiline), value) is not None
        accepted = not isinstance(
            Text(max_length=10_000, multiline=multiline).parse(value), Problems
        )
        assert published == accepted, (multiline, value)


@GRAMMAR
@given(st.text(alphabet=ANY, max_size=80))
def test_contacts_accept_only_their_ascii_forms(value: str) -> None:
    phone = Phone().parse(value)
    if not isinstance(phone, Problems):
        assert phone.startswith("+") and phone[1:].isascii() and phone[1:].isdigit()
    email = Email().parse(value)
    if not isinstance(email, Problems):
        assert email.isascii() and email.count("@") == 1 and email == email.strip()


# --- bodies: strict JSON, bounded nesting ------------------------------------------------


def depth(value: Any) -> int:
    if isinstance(value, dict):
        return 1 + max(map(depth, value.values()), default=0)
    if isinstance(value, list):
        return 1 + max(map(depth, value), default=0)
    return 0


FINITE_JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(alphabet=ANY),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(), inner, max_size=3),
    max_leaves=10,
)


def strict(value: Any) -> bool:
    """Whether ``value`` has a UTF-8 spelling (no lone surrogate in a name or a string)."""
    try:
        json.dumps(value, ensure_ascii=False).encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


@GRAMMAR
@given(st.dictionaries(st.text(), FINITE_JSON, max_size=4))
def test_any_json_object_reads_back_unless_it_holds_a_lone_surrogate(body: dict) -> None:
    text = json.dumps(body)  # ASCII: surrogates spelt as \\udxxx escapes
    assert nesting(text) == depth(body)
    if strict(body):
        assert json_object(text, MAX_BODY_BYTES) == body
    else:
        with pytest.raises(BadRequest):
            json_object(text, MAX_BODY_BYTES)


@GRAMMAR
@given(st.integers(min_value=1, max_value=3 * MAX_DEPTH), st.sampled_from(["[", '{"a":']))
def test_nesting_beyond_the_bound_is_a_400(levels: int, opener: str) -> None:
    closer = "]" if opener == "[" else "}"
    text = '{"x":' + opener * levels + "1" + closer * levels + "}"
    if levels + 1 <= MAX_DEPTH:
        assert depth(json_object(text, MAX_BODY_BYTES)) == levels + 1
    else:
        with pytest.raises(BadRequest, match="deeper"):
            json_object(text, MAX_BODY_BYTES)


JSONISH = st.text(alphabet=st.sampled_from(list('[]{}":,0123456789.eE+-\\ untrfalsNIy')) | ANY)


@GRAMMAR
@given(JSONISH)
def test_any_text_is_an_object_or_a_400(text: str) -> None:
    try:
        body = json_object(text, MAX_BODY_BYTES)
    except (BadRequest, PayloadTooLarge):
        return
    assert isinstance(body, dict) and strict(body)
    assert not any(isinstance(v, float) for v in body.values())  # no NaN, Infinity, floats


@GRAMMAR
@given(st.sampled_from(["NaN", "Infinity", "-Infinity"]), st.text(max_size=5))
def test_nan_and_infinity_are_no_json(constant: str, name: str) -> None:
    with pytest.raises(BadRequest):
        json_object(f"{{{json.dumps(name)}: {constant}}}", MAX_BODY_BYTES)


@GRAMMAR
@given(st.text(max_size=8), FINITE_JSON, FINITE_JSON)
def test_a_name_twice_in_an_object_is_a_400(name: str, first: Any, second: Any) -> None:
    key = json.dumps(name)
    text = f'{{"o": {{{key}: {json.dumps(first)}, {key}: {json.dumps(second)}}}}}'
    with pytest.raises(BadRequest):
        json_object(text, MAX_BODY_BYTES)


# --- query strings and headers read by the adapter ---------------------------------------

LIST_ROUTE = next(r for r in ROUTES if r.route_key == "GET /v1/me/ledger")


@GRAMMAR
@given(near(DIGITS + " +-"))
def test_a_limit_is_ascii_digits_from_1_to_100_or_a_422(raw: str) -> None:
    request = Request({"queryStringParameters": {"limit": raw}}, LIST_ROUTE, None)
    ok = raw != "" and all(c in DIGITS for c in raw) and 1 <= int(raw) <= 100
    if ok:
        assert request.limit() == int(raw)
    else:
        with pytest.raises(Invalid):
            request.limit()


@GRAMMAR
@given(st.text(alphabet=ANY, max_size=80), st.booleans())
def test_any_path_id_is_the_id_or_a_404_or_422(raw: str, create: bool) -> None:
    from shared.errors import NotFound

    request = Request({"pathParameters": {"member_id": raw}}, LIST_ROUTE, None)
    try:
        value = request.new_id("member_id") if create else request.path_id("member_id", NotFound)
    except (Invalid, NotFound) as refused:
        assert not is_id(raw)
        assert isinstance(refused, AppError)
        return
    assert value == raw and is_id(raw)
