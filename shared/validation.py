"""Field types of the request declarations (``shared/requests/``) and the patterns of ids,
money and idempotency keys (the one place for them: the OpenAPI schemas import them).

Each field type knows how to read a JSON value (``parse``: the value, or the
:class:`Problems`) and how to describe it (``schema``: JSON Schema, draft 2020-12): the
existing checks, so the documented schema and the validation cannot disagree.

>>> Money().parse("1.234")
{'': 'must be a non-negative decimal string like "199.90"'}
"""

from __future__ import annotations

import json
import re
from datetime import date, datetime
from decimal import Decimal as Dec
from decimal import InvalidOperation
from typing import Any

from msgspec import Struct

from shared.domain import contacts
from shared.errors import BadRequest, IdempotencyKeyRequired, Invalid, PayloadTooLarge


class AsciiPattern:
    """A pattern of ids, amounts and dates. ``pattern`` is the source the JSON Schemas publish
    (ECMA-262: ``\\d`` is 0-9, ``$`` the very end); ``match`` reads it the same way in Python,
    whose ``\\d`` would also take "１２３" and whose ``$`` a trailing newline: the whole value,
    ASCII digits only (API.md "Text")."""

    def __init__(self, pattern: str):
        self.pattern = pattern
        self._compiled = re.compile(pattern, re.ASCII)

    def match(self, value: str) -> re.Match[str] | None:
        return self._compiled.fullmatch(value)


ID_PATTERN = AsciiPattern(r"^[A-Za-z0-9][A-Za-z0-9_.:@-]{0,63}$")
MONEY_PATTERN = AsciiPattern(r"^\d{1,12}(\.\d{1,2})?$")
SIGNED_MONEY_PATTERN = AsciiPattern(r"^-?\d{1,12}(\.\d{1,2})?$")
IDEMPOTENCY_KEY = AsciiPattern(r"^[A-Za-z0-9_-]{1,128}$")
MONTH_DAY_PATTERN = AsciiPattern(r"^\d{2}-\d{2}$")
DATE_PATTERN = AsciiPattern(r"^\d{4}-\d{2}-\d{2}$")
MAX_MONEY = Dec("1000000000")

# Characters free text refuses (API.md "Text": any Unicode but no control or bidi
# characters), as inclusive code point ranges: Unicode categories Cc (C0 and C1 controls,
# DEL: tab and newline too, see ``Text.multiline``), Cs (lone surrogates), Zl and Zp (line
# and paragraph separators), and the Cf characters that are invisible controls rather than
# part of a script's spelling: the bidi controls (U+061C, U+200E-F, U+202A-E, U+2066-9),
# soft hyphen, Mongolian vowel separator, zero-width space, word joiner and invisible
# operators, deprecated format controls, BOM, interlinear annotations and tag characters.
# Other Cf characters stay allowed (:data:`SCRIPT_FORMAT`): the zero-width (non-)joiners
# emoji and Persian or Indic text need, and signs of Arabic, Syriac, Kaithi, Egyptian,
# Duployan and musical notation.
CONTROL_RANGES: tuple[tuple[int, int], ...] = (
    (0x0000, 0x001F),
    (0x007F, 0x009F),
    (0x00AD, 0x00AD),
    (0x061C, 0x061C),
    (0x180E, 0x180E),
    (0x200B, 0x200B),
    (0x200E, 0x200F),
    (0x2028, 0x202E),
    (0x2060, 0x2064),
    (0x2066, 0x206F),
    (0xD800, 0xDFFF),
    (0xFEFF, 0xFEFF),
    (0xFFF9, 0xFFFB),
    (0xE0001, 0xE0001),
    (0xE0020, 0xE007F),
)
SCRIPT_FORMAT: tuple[tuple[int, int], ...] = (
    (0x0600, 0x0605),
    (0x06DD, 0x06DD),
    (0x070F, 0x070F),
    (0x0890, 0x0891),
    (0x08E2, 0x08E2),
    (0x200C, 0x200D),
    (0x110BD, 0x110BD),
    (0x110CD, 0x110CD),
    (0x13430, 0x13438),
    (0x1BCA0, 0x1BCA3),
    (0x1D173, 0x1D17A),
)


def _class_body(ranges: tuple[tuple[int, int], ...], newline: bool, escape: str) -> str:
    """The inside of a regex character class of ``ranges`` (``newline``: U+000A left out) as
    escapes: ``\\uXXXX`` (``escape`` "u": Python, ECMA-262 and Rust read them alike; Basic
    Multilingual Plane only) or ``\\UXXXXXXXX`` ("U": Python)."""
    parts: list[tuple[int, int]] = []
    for low, high in ranges:
        if newline and low <= 0x0A <= high:
            parts += [(low, 0x09), (0x0B, high)]
        else:
            parts.append((low, high))
    width = 4 if escape == "u" else 8
    return "".join(
        f"\\{escape}{low:0{width}x}" + ("" if low == high else f"-\\{escape}{high:0{width}x}")
        for low, high in parts
    )


# The published patterns list the Basic Multilingual Plane without the surrogates (an
# ECMA-262 engine without the u flag reads an emoji as two of them); the validation also
# refuses lone surrogates and the tag characters beyond it.
_SCHEMA_RANGES = tuple(
    (low, high) for low, high in CONTROL_RANGES if high < 0xD800 or 0xE000 <= low <= 0xFFFF
)
CONTROL_PROBLEM = "must not contain control or bidi characters"
_CONTROLS = {
    newline: re.compile("[" + _class_body(CONTROL_RANGES, newline, "U") + "]")
    for newline in (False, True)
}

Schema = dict[str, Any]


def ref(name: str) -> Schema:
    return {"$ref": f"#/components/schemas/{name}"}


def nullable(schema: Schema) -> Schema:
    return {"anyOf": [schema, {"type": "null"}]}


class Problems(dict[str, str]):
    """What is wrong with one value: suffix of the field's name ("" for the value itself,
    ``.phone`` or ``[0].amount`` inside it) -> problem."""


def _bad(problem: str) -> Problems:
    return Problems({"": problem})


class Field(Struct, frozen=True, kw_only=True):
    """One field of a body: ``required`` (null or absent is "is required"), the ``default``
    when absent, ``required_when`` = (other field, value): required when that field (read
    before this one) has that value."""

    required: bool = True
    default: Any = None
    required_when: tuple[str, Any] | None = None

    def parse(self, value: Any) -> Any:  # the value, or Problems
        raise NotImplementedError

    def schema(self) -> Schema:
        raise NotImplementedError


class Id(Field, frozen=True):
    def parse(self, value: Any) -> Any:
        if not isinstance(value, str) or not ID_PATTERN.match(value):
            return _bad(
                "must be 1-64 characters of letters, digits and _ . : @ - "
                "starting with a letter or digit"
            )
        return value

    def schema(self) -> Schema:
        return ref("Id")


class Text(Field, frozen=True):
    """A non-blank string of at most ``max_length`` characters and no control or bidi
    characters (:data:`CONTROL_RANGES`); ``multiline``: newlines allowed (what a person types
    in a text area: a message, a description), never tabs or carriage returns; ``starts`` =
    the prefixes one of which it must start with (``starts_problem`` otherwise)."""

    max_length: int = 200
    multiline: bool = False
    starts: tuple[str, ...] = ()
    starts_problem: str = ""

    def parse(self, value: Any) -> Any:
        if not isinstance(value, str) or not value.strip() or len(value) > self.max_length:
            return _bad(f"must be a non-empty string of at most {self.max_length} characters")
        if problem := control_problem(value, self.multiline):
            return _bad(problem)
        if self.starts and not value.startswith(self.starts):
            return _bad(self.starts_problem)
        return value

    def schema(self) -> Schema:
        return {
            "type": "string",
            "minLength": 1,
            "maxLength": self.max_length,
            "pattern": text_pattern(self.multiline, self.starts),
        }


def text_pattern(multiline: bool = False, starts: tuple[str, ...] = ()) -> str:
    """The JSON Schema pattern of free text: not blank (or starting with one of ``starts``),
    none of the control or bidi characters (newlines allowed when ``multiline``)."""
    refused = _class_body(_SCHEMA_RANGES, multiline, "u")
    if starts:
        head = "(" + "|".join(re.escape(s) for s in starts) + ")"
    else:  # spaces, then something else than a space
        head = rf"[^\S{refused}]*[^\s{refused}]"
    return f"^{head}[^{refused}]*$"


def control_problem(value: str, multiline: bool = False) -> str | None:
    """Why ``value`` is no free text (it holds a control or bidi character), or None."""
    return CONTROL_PROBLEM if _CONTROLS[multiline].search(value) else None


def _decimal_schema(string: Schema, minimum: Any, maximum: Any) -> Schema:
    """A decimal string or a JSON integer (floats are refused)."""
    return {"anyOf": [string, {"type": "integer", "minimum": minimum, "maximum": maximum}]}


class Money(Field, frozen=True):
    """A decimal string such as "199.90" (at most 2 decimals) or a JSON integer, at most
    :data:`MAX_MONEY`; more than zero when ``positive``. Floats are refused."""

    positive: bool = True

    def parse(self, value: Any) -> Any:
        if isinstance(value, int) and not isinstance(value, bool):
            value = str(value)
        if not isinstance(value, str) or not MONEY_PATTERN.match(value):
            return _bad('must be a non-negative decimal string like "199.90"')
        try:
            amount = Dec(value)
        except InvalidOperation:  # pragma: no cover - the pattern already excludes it
            return _bad("is not a decimal")
        if amount > MAX_MONEY:
            return _bad(f"must be at most {MAX_MONEY}")
        if self.positive and amount <= 0:
            return _bad("must be greater than zero")
        return amount

    def schema(self) -> Schema:
        return _decimal_schema(ref("Money"), int(self.positive), int(MAX_MONEY))


class SignedMoney(Field, frozen=True):
    """A signed amount such as "-12.50" or "5" (at most 2 decimals, at most :data:`MAX_MONEY`
    either way) or a JSON integer: an operator's correction up or down. Floats are refused."""

    def parse(self, value: Any) -> Any:
        if isinstance(value, int) and not isinstance(value, bool):
            value = str(value)
        if not isinstance(value, str) or not SIGNED_MONEY_PATTERN.match(value):
            return _bad('must be a decimal string like "-12.50" (at most 2 decimals)')
        amount = Dec(value)
        if abs(amount) > MAX_MONEY:
            return _bad(f"must be from -{MAX_MONEY} to {MAX_MONEY}")
        return amount

    def schema(self) -> Schema:
        string = {"type": "string", "pattern": SIGNED_MONEY_PATTERN.pattern}
        return _decimal_schema(string, -int(MAX_MONEY), int(MAX_MONEY))


class Timestamp(Field, frozen=True):
    """An ISO-8601 time with a UTC offset."""

    def parse(self, value: Any) -> Any:
        try:
            parsed = datetime.fromisoformat(value) if isinstance(value, str) else None
        except ValueError:
            parsed = None
        if parsed is None or parsed.tzinfo is None:
            return _bad("must be an ISO-8601 time with a UTC offset")
        return parsed

    def schema(self) -> Schema:
        return ref("Timestamp")


class MonthDay(Field, frozen=True):
    """A day of the calendar "MM-DD" (02-29 included)."""

    def parse(self, value: Any) -> Any:
        ok = isinstance(value, str) and MONTH_DAY_PATTERN.match(value) is not None
        if ok:
            try:
                datetime.strptime(f"2000-{value}", "%Y-%m-%d")  # leap year admits 02-29
            except ValueError:
                ok = False
        return value if ok else _bad('must be a date "MM-DD"')

    def schema(self) -> Schema:
        return {"type": "string", "pattern": MONTH_DAY_PATTERN.pattern}


class Integer(Field, frozen=True):
    """A JSON integer (not a bool, not a float) from ``minimum`` to ``maximum``; ``zero`` =
    the problem of a 0 when 0 is refused."""

    minimum: int = 0
    maximum: int = 1_000_000_000
    zero: str | None = None

    def parse(self, value: Any) -> Any:
        if isinstance(value, bool) or not isinstance(value, int):
            return _bad(f"must be an integer from {self.minimum} to {self.maximum}")
        if not self.minimum <= value <= self.maximum:
            return _bad(f"must be an integer from {self.minimum} to {self.maximum}")
        if value == 0 and self.zero is not None:
            return _bad(self.zero)
        return value

    def schema(self) -> Schema:
        schema: Schema = {"type": "integer", "minimum": self.minimum, "maximum": self.maximum}
        if self.zero is not None:
            schema["not"] = {"const": 0}
        return schema


class Decimal(Field, frozen=True):
    """A decimal string such as "1.5" (at most ``places`` decimals) or a JSON integer, within
    the bounds. Floats are refused."""

    minimum: Dec = Dec(0)
    maximum: Dec = MAX_MONEY
    places: int = 4

    def _pattern(self) -> str:
        return rf"^\d{{1,12}}(\.\d{{1,{self.places}}})?$"

    def parse(self, value: Any) -> Any:
        if isinstance(value, int) and not isinstance(value, bool):
            value = str(value)
        if not isinstance(value, str) or not AsciiPattern(self._pattern()).match(value):
            return _bad(f'must be a decimal string like "1.5" (at most {self.places} decimals)')
        amount = Dec(value)
        if not self.minimum <= amount <= self.maximum:
            return _bad(f"must be from {self.minimum} to {self.maximum}")
        return amount

    def schema(self) -> Schema:
        string = {"type": "string", "pattern": self._pattern()}
        return _decimal_schema(string, int(self.minimum), int(self.maximum))


class Choice(Field, frozen=True):
    """One of ``options``; ``component``: the name of their schema, if they have one."""

    options: tuple[str, ...]
    component: str | None = None

    def parse(self, value: Any) -> Any:
        if value not in self.options:
            return _bad("must be one of " + ", ".join(self.options))
        return value

    def schema(self) -> Schema:
        if self.component:
            return ref(self.component)
        return {"type": "string", "enum": list(self.options)}


class Boolean(Field, frozen=True):
    def parse(self, value: Any) -> Any:
        return value if isinstance(value, bool) else _bad("must be true or false")

    def schema(self) -> Schema:
        return {"type": "boolean"}


class _DistinctList(Field, frozen=True):
    """A list of 1..``max_items`` distinct values, each passing :meth:`item_ok`."""

    max_items: int = 100

    def item_ok(self, value: Any) -> bool:
        raise NotImplementedError

    def items_text(self) -> str:  # "strings of 1-64 characters"
        raise NotImplementedError

    def item_schema(self) -> Schema:
        raise NotImplementedError

    def parse(self, value: Any) -> Any:
        ok = (
            isinstance(value, list)
            and 1 <= len(value) <= self.max_items
            and all(self.item_ok(v) for v in value)
            and len(set(value)) == len(value)
        )
        if not ok:
            return _bad(f"must be a list of 1-{self.max_items} distinct {self.items_text()}")
        return value

    def schema(self) -> Schema:
        return {
            "type": "array",
            "items": self.item_schema(),
            "minItems": 1,
            "maxItems": self.max_items,
            "uniqueItems": True,
        }


class Names(_DistinctList, frozen=True):
    """A list of 1..``max_items`` distinct non-blank strings (e.g. categories)."""

    max_length: int = 64

    def item_ok(self, value: Any) -> bool:
        if not isinstance(value, str) or control_problem(value):
            return False
        return 0 < len(value.strip()) <= self.max_length

    def items_text(self) -> str:
        return f"strings of 1-{self.max_length} characters (no control characters)"

    def item_schema(self) -> Schema:
        return {"type": "string", "pattern": text_pattern()}


class Integers(_DistinctList, frozen=True):
    """A list of 1..``max_items`` distinct JSON integers from ``minimum`` to ``maximum``
    (e.g. ISO weekdays)."""

    minimum: int = 0
    maximum: int = 1_000_000_000

    def item_ok(self, value: Any) -> bool:
        is_int = isinstance(value, int) and not isinstance(value, bool)
        return is_int and self.minimum <= value <= self.maximum

    def items_text(self) -> str:
        return f"integers from {self.minimum} to {self.maximum}"

    def item_schema(self) -> Schema:
        return {"type": "integer", "minimum": self.minimum, "maximum": self.maximum}


class Date(Field, frozen=True):
    """A calendar date "YYYY-MM-DD"."""

    def parse(self, value: Any) -> Any:
        try:
            if not isinstance(value, str) or not DATE_PATTERN.match(value):
                raise ValueError
            return date.fromisoformat(value)
        except ValueError:
            return _bad('must be a date "YYYY-MM-DD"')

    def schema(self) -> Schema:
        return ref("Date")


class _Contact(Field, frozen=True):
    """A contact detail read by its normaliser in ``shared/domain/contacts.py``: the
    canonical form; the normaliser's problem otherwise (it never repeats the value)."""

    max_length: int = 64

    def normalize(self, value: str) -> str:
        raise NotImplementedError

    def parse(self, value: Any) -> Any:
        if not isinstance(value, str) or len(value) > self.max_length:
            return _bad(f"must be a string of at most {self.max_length} characters")
        try:
            return self.normalize(value)
        except contacts.InvalidContact as problem:
            return _bad(str(problem))

    def schema(self) -> Schema:
        return {"type": "string", "minLength": 1, "maxLength": self.max_length}


class Phone(_Contact, frozen=True):
    """A phone number: E.164 ("+8613812345678"); national numbers are Chinese."""

    def normalize(self, value: str) -> str:
        return contacts.normalize_phone(value)

    def schema(self) -> Schema:
        return super().schema() | {"examples": ["13812345678", "+86 138-1234-5678"]}


class Email(_Contact, frozen=True):
    """An e-mail address, lower-cased."""

    max_length: int = contacts.MAX_EMAIL

    def normalize(self, value: str) -> str:
        return contacts.normalize_email(value)

    def schema(self) -> Schema:
        return super().schema() | {"format": "email"}


class PersonName(_Contact, frozen=True):
    """A person's name, spaces collapsed."""

    def parse(self, value: Any) -> Any:
        if isinstance(value, str) and (problem := control_problem(value)):
            return _bad(problem)
        return super().parse(value)

    def normalize(self, value: str) -> str:
        return contacts.normalize_name(value)

    def schema(self) -> Schema:
        return super().schema() | {"pattern": text_pattern()}


class Nested(Field, frozen=True):
    """A JSON object read by ``body``: its values (a dict); problems are named ``name.field``."""

    body: Any  # a shared.requests.Body

    def parse(self, value: Any) -> Any:
        if not isinstance(value, dict):
            return _bad("must be an object")
        values, problems = self.body.read(value)
        return Problems({f".{k}": v for k, v in problems.items()}) if problems else values

    def schema(self) -> Schema:
        return self.body.ref()


class Objects(Field, frozen=True):
    """A list of at most ``max_items`` JSON objects, each read by ``body``: their values (a
    list of dicts); problems are named ``name[i].field``."""

    body: Any  # a shared.requests.Body
    max_items: int = 100

    def parse(self, value: Any) -> Any:
        if not isinstance(value, list) or len(value) > self.max_items:
            return _bad(f"must be a list of at most {self.max_items} objects")
        parsed: list[dict[str, Any]] = []
        problems = Problems()
        for i, obj in enumerate(value):
            if not isinstance(obj, dict):
                problems[f"[{i}]"] = "must be an object"
                continue
            values, found = self.body.read(obj)
            problems.update({f"[{i}].{k}": v for k, v in found.items()})
            parsed.append(values)
        return problems or parsed

    def schema(self) -> Schema:
        return {"type": "array", "items": self.body.ref(), "maxItems": self.max_items}


def invalid(problems: dict[str, str]) -> Invalid:
    """One 422 naming every bad field."""
    return Invalid("invalid fields: " + ", ".join(sorted(problems)), details={"fields": problems})


def identifier(name: str, value: Any) -> str:
    """``value`` if it is an id; else :class:`Invalid` naming ``name``."""
    result = Id().parse(value)
    if isinstance(result, Problems):
        raise invalid({name: result[""]})
    return result


def idempotency_key(value: str | None) -> str | None:
    """The ``Idempotency-Key`` header (1–128 of ``[A-Za-z0-9_-]``), or None."""
    if value is None:
        return None
    return required_idempotency_key(value)


def required_idempotency_key(value: str | None) -> str:
    """The ``Idempotency-Key`` header of a route that requires one (operator adjustments,
    member transfers): absent, 400 ``idempotency_key_required``; malformed, 422."""
    if value is None:
        raise IdempotencyKeyRequired("this request needs an Idempotency-Key header")
    if not IDEMPOTENCY_KEY.match(value):
        raise Invalid(
            "Idempotency-Key must be 1-128 characters of letters, digits, _ and -",
            details={"fields": {"Idempotency-Key": "must match [A-Za-z0-9_-]{1,128}"}},
        )
    return value


# How deep a body's arrays and objects may nest: far more than any request declaration needs
# (the deepest example, a rebate campaign, nests 4), far less than the parser's recursion limit
# (a body of 10 000 "[" is 10 KiB: below the size limit, enough to exhaust the stack).
MAX_DEPTH = 32
_STRINGS = re.compile(r'"[^"\\]*(?:\\.[^"\\]*)*"', re.DOTALL)
_BRACKETS = re.compile(r"[^\[\]{}]+")
_SURROGATE = re.compile("[\ud800-\udfff]")


class _Malformed(ValueError):
    """What makes a body no JSON under RFC 8259 although Python's parser would read it."""


def nesting(text: str) -> int:
    """How deep the arrays and objects of JSON ``text`` nest (brackets inside strings do not
    count), read without parsing it: the parser recurses once per level."""
    depth = deepest = 0
    for bracket in _BRACKETS.sub("", _STRINGS.sub("", text)):
        depth += 1 if bracket in "[{" else -1
        deepest = max(deepest, depth)
    return deepest


def _no_constant(name: str) -> Any:
    raise _Malformed(f"{name} is not a JSON number")


def _object(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    obj = dict(pairs)
    if len(obj) != len(pairs):
        raise _Malformed("an object names a member twice")
    return obj


def json_object(text: str, max_bytes: int) -> dict[str, Any]:
    """A request body ``text`` as a JSON object, read strictly (RFC 8259): 413 over
    ``max_bytes`` of UTF-8; 400 ``bad_request`` if it is no JSON object, nests deeper than
    :data:`MAX_DEPTH`, spells ``NaN`` or ``Infinity``, names a member twice in one object
    (parsers disagree on which one counts) or holds a lone UTF-16 surrogate (``"\\ud800"``:
    no UTF-8 spelling, so no answer or record could repeat it). Fractions are Decimals, never
    floats; an integer of more than 4 300 digits is refused as the parser refuses it."""
    try:
        size = len(text.encode("utf-8"))
    except UnicodeEncodeError:  # the event's own text holds a lone surrogate
        raise BadRequest("the body is not valid UTF-8") from None
    if size > max_bytes:
        raise PayloadTooLarge(
            f"the body is larger than {max_bytes} bytes", params={"limit": max_bytes}
        )
    if not text.strip():
        raise BadRequest("the body must be a JSON object")
    if nesting(text) > MAX_DEPTH:
        raise BadRequest(f"the body nests arrays or objects deeper than {MAX_DEPTH} levels")
    try:
        body = json.loads(
            text, parse_float=Dec, parse_constant=_no_constant, object_pairs_hook=_object
        )
    except _Malformed as problem:
        raise BadRequest(f"the body is not valid JSON: {problem}") from None
    except ValueError:
        raise BadRequest("the body is not valid JSON") from None
    if not isinstance(body, dict):
        raise BadRequest("the body must be a JSON object")
    if "\\u" in text and _SURROGATE.search(json.dumps(body, ensure_ascii=False, default=str)):
        raise BadRequest("the body is not valid JSON: a string holds a lone surrogate")
    return body
