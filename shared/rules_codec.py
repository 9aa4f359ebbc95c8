"""Programme rules as the API shows them: JSON in and out, validated field by field.

``GET /v1/admin/rules`` shows every field of :class:`~shared.domain.rules.Rules` (defaults
filled in); ``PUT`` takes the overrides. The codec follows each field's type hint, so a
setting another issue adds to ``Rules`` shows up and can be set without touching this file:
``int`` (≥ 0), ``Decimal`` (decimal string ≥ 0), ``str``, ``bool``, ``X | None``,
``dict[str, Decimal]`` (JSON object), nested structs (JSON object) and tuples of them
(JSON array). A few fields get a precise shape or an extra check below (``_SPECIAL``,
``_CHECKS``); a field of a type the codec does not know is shown but read-only.
"""

from __future__ import annotations

import re
import types
import typing
from collections.abc import Callable
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from msgspec import Struct, structs

from shared.domain.rules import (
    DEFAULT_RULES,
    TIER_NAMES,
    Notifications,
    Rules,
    Tier,
    Validity,
)
from shared.i18n import LOCALES

_DECIMAL = re.compile(r"^\d{1,9}(\.\d{1,6})?$")
MAX_INT = 1_000_000_000

# Settings operators cannot change through the API (changing them would strand data).
READ_ONLY = frozenset({"expiry_shards"})
# Integers that must be at least 1.
POSITIVE = frozenset(
    {
        "checkout_points_per_unit",
        "cash_out_points_per_unit",
        "hold_minutes",
        "unpaid_order_minutes",
        "expiry_shards",
    }
)


class FieldError(ValueError):
    """A setting's value is not acceptable; the message says why."""


# Generic decoders --------------------------------------------------------------------------


def _int(value: Any, name: str) -> int:
    if not isinstance(value, int) or isinstance(value, bool):
        raise FieldError("must be an integer")
    low = 1 if name in POSITIVE else 0
    if not low <= value <= MAX_INT:
        raise FieldError(f"must be an integer from {low} to {MAX_INT}")
    return value


def _decimal(value: Any, name: str = "") -> Decimal:
    if isinstance(value, int) and not isinstance(value, bool):
        value = str(value)
    if not isinstance(value, str) or not _DECIMAL.match(value):
        raise FieldError('must be a non-negative decimal string like "1.5"')
    try:
        return Decimal(value)
    except InvalidOperation:  # pragma: no cover - excluded by the pattern
        raise FieldError("is not a decimal") from None


def _str(value: Any, name: str = "") -> str:
    if not isinstance(value, str) or not value.strip() or len(value) > 200:
        raise FieldError("must be a non-empty string of at most 200 characters")
    if name.endswith("_at"):
        try:
            parsed = datetime.fromisoformat(value)
        except ValueError:
            parsed = None
        if parsed is None or parsed.tzinfo is None:
            raise FieldError("must be an ISO-8601 time with a UTC offset")
    return value


def _bool(value: Any, name: str = "") -> bool:
    if not isinstance(value, bool):
        raise FieldError("must be true or false")
    return value


def _rates(value: Any, name: str = "") -> dict[str, Decimal]:
    if not isinstance(value, dict) or len(value) > 200:
        raise FieldError("must be an object of at most 200 names to decimal strings")
    out: dict[str, Decimal] = {}
    for key, rate in value.items():
        if not key or len(key) > 64:
            raise FieldError("names must be 1-64 characters")
        try:
            out[key] = _decimal(rate)
        except FieldError as exc:
            raise FieldError(f"{key!r} {exc}") from None
    return out


Codec = tuple[Callable[[Any], Any], Callable[[Any, str], Any]]  # (encode, decode)


def _struct_codec(cls: type[Struct]) -> Codec:
    fields = structs.fields(cls)
    codecs = {f.name: _codec_for(f.type, f.name) for f in fields}

    def encode(value: Any) -> dict[str, Any]:
        return {f.name: codecs[f.name][0](getattr(value, f.name)) for f in fields}

    def decode(value: Any, name: str) -> Any:
        if not isinstance(value, dict):
            raise FieldError("must be an object")
        unknown = set(value) - set(codecs)
        if unknown:
            raise FieldError(f"unknown field(s) {sorted(unknown)}")
        kwargs = {}
        for key, item in value.items():
            try:
                kwargs[key] = codecs[key][1](item, key)
            except FieldError as exc:
                raise FieldError(f"{key} {exc}") from None
        try:
            return cls(**kwargs)
        except TypeError:
            missing = sorted(f.name for f in fields if f.name not in value)
            raise FieldError(f"needs {missing}") from None

    return encode, decode


def _codec_for(hint: Any, name: str) -> Codec | None:
    origin = typing.get_origin(hint)
    args = typing.get_args(hint)
    if hint is int:
        return (lambda v: v), _int
    if hint is bool:
        return (lambda v: v), _bool
    if hint is Decimal:
        return str, _decimal
    if hint is str:
        return (lambda v: v), _str
    if origin in (typing.Union, types.UnionType) and type(None) in args:
        inner = [a for a in args if a is not type(None)]
        codec = _codec_for(inner[0], name) if len(inner) == 1 else None
        if codec is None:
            return None
        enc, dec = codec
        return (lambda v: None if v is None else enc(v)), (
            lambda v, n: None if v is None else dec(v, n)
        )
    if origin is dict and args == (str, Decimal):
        return (lambda v: {k: str(r) for k, r in v.items()}), _rates
    if isinstance(hint, type) and issubclass(hint, Struct):
        return _struct_codec(hint)
    if origin is tuple and len(args) == 2 and args[1] is Ellipsis:
        item = _codec_for(args[0], name)
        if item is None:
            return None
        enc, dec = item

        def decode_list(value: Any, n: str) -> tuple:
            if not isinstance(value, list) or len(value) > 100:
                raise FieldError("must be a list of at most 100 entries")
            out = []
            for i, element in enumerate(value):
                try:
                    out.append(dec(element, n))
                except FieldError as exc:
                    raise FieldError(f"[{i}] {exc}") from None
            return tuple(out)

        return (lambda v: [enc(x) for x in v]), decode_list
    return None


# Fields with their own JSON shape ----------------------------------------------------------


def _encode_streaks(value: tuple[tuple[int, int], ...]) -> list[dict[str, int]]:
    return [{"day": day, "points": points} for day, points in value]


def _decode_streaks(value: Any, name: str) -> tuple[tuple[int, int], ...]:
    if not isinstance(value, list) or len(value) > 50:
        raise FieldError('must be a list of at most 50 {"day", "points"} objects')
    out = []
    for i, entry in enumerate(value):
        if not isinstance(entry, dict) or set(entry) != {"day", "points"}:
            raise FieldError(f'[{i}] must be an object {{"day", "points"}}')
        day, points = entry["day"], entry["points"]
        if not isinstance(day, int) or isinstance(day, bool) or not 1 <= day <= 3660:
            raise FieldError(f"[{i}] day must be an integer from 1 to 3660")
        out.append((day, _int(points, "points")))
    days = [d for d, _ in out]
    if len(set(days)) != len(days):
        raise FieldError("each day may appear once")
    return tuple(sorted(out))


_SPECIAL: dict[str, Codec] = {"streak_bonuses": (_encode_streaks, _decode_streaks)}


# Checks across a field's parts -------------------------------------------------------------


def _check_timezone(value: str) -> None:
    try:
        ZoneInfo(value)
    except (ZoneInfoNotFoundError, ValueError):
        raise FieldError("must be an IANA time zone such as Asia/Shanghai") from None


def _check_currency(value: str) -> None:
    if not re.fullmatch(r"[A-Z]{3}", value):
        raise FieldError("must be a 3-letter ISO 4217 code")


def _check_tiers(tiers: tuple[Tier, ...]) -> None:
    if not tiers:
        raise FieldError("needs at least one tier")
    names = [t.name for t in tiers]
    if len(set(names)) != len(names) or not set(names) <= set(TIER_NAMES):
        raise FieldError(f"names must be distinct, from {list(TIER_NAMES)}")
    thresholds = [t.threshold for t in tiers]
    if thresholds[0] != 0 or thresholds != sorted(set(thresholds)):
        raise FieldError("thresholds must start at 0 and strictly increase")
    if any(not Decimal(1) <= t.multiplier <= Decimal(10) for t in tiers):
        raise FieldError("multipliers must be from 1 to 10")


def _check_validity(validity: Validity) -> None:
    if validity.policy not in ("rolling", "fixed"):
        raise FieldError('policy must be "rolling" or "fixed"')
    if not 1 <= validity.months <= 120:
        raise FieldError("months must be from 1 to 120")
    if not 0 <= validity.years_after <= 10:
        raise FieldError("years_after must be from 0 to 10")
    try:
        date(2001, validity.month, validity.day)  # not a leap year: no 29 Feb
    except ValueError:
        raise FieldError("month/day must be a date that exists every year") from None


def _check_share(value: Decimal) -> None:
    if not Decimal(0) < value <= Decimal(1):
        raise FieldError("must be more than 0 and at most 1")


def _check_rates(value: dict[str, Decimal]) -> None:
    if any(not Decimal(0) < rate <= Decimal(10) for rate in value.values()):
        raise FieldError("each extra rate must be more than 0 and at most 10")


def _check_earn_rate(value: Decimal) -> None:
    if value > 1000:
        raise FieldError("must be at most 1000")


_HH_MM = re.compile(r"([01][0-9]|2[0-3]):[0-5][0-9]")  # ASCII digits only


def _check_notifications(value: Notifications) -> None:
    if value.default_locale not in LOCALES:
        raise FieldError(f"default_locale must be one of {list(LOCALES)}")
    for name in ("quiet_start", "quiet_end"):
        if not _HH_MM.fullmatch(getattr(value, name)):
            raise FieldError(f"{name} must be a time HH:MM from 00:00 to 23:59")
    if not 1 <= value.inbox_days <= 3650:
        raise FieldError("inbox_days must be from 1 to 3650")


_CHECKS: dict[str, Callable[[Any], None]] = {
    "timezone": _check_timezone,
    "currency": _check_currency,
    "tiers": _check_tiers,
    "validity": _check_validity,
    "checkout_max_share": _check_share,
    "category_bonuses": _check_rates,
    "sku_bonuses": _check_rates,
    "channel_bonuses": _check_rates,
    "earn_points_per_unit": _check_earn_rate,
    "notifications": _check_notifications,
}


def _codecs() -> dict[str, Codec | None]:
    return {
        f.name: _SPECIAL.get(f.name) or _codec_for(f.type, f.name) for f in structs.fields(Rules)
    }


_CODECS = _codecs()


def to_json(rules: Rules) -> dict[str, Any]:
    """Every setting, as the API shows it."""
    out: dict[str, Any] = {}
    for name, codec in _CODECS.items():
        value = getattr(rules, name)
        out[name] = codec[0](value) if codec else repr(value)
    return out


def decode(overrides: dict[str, Any]) -> tuple[dict[str, Any], dict[str, str]]:
    """Validate overrides (API JSON) → (field → typed value, field → problem)."""
    values: dict[str, Any] = {}
    problems: dict[str, str] = {}
    for name, raw in overrides.items():
        codec = _CODECS.get(name, False)
        if codec is False:
            problems[name] = "is not a programme setting"
            continue
        if codec is None:
            problems[name] = "cannot be changed through the API"
            continue
        try:
            value = codec[1](raw, name)
            check = _CHECKS.get(name)
            if check is not None:
                check(value)
        except FieldError as exc:
            problems[name] = str(exc)
            continue
        if name in READ_ONLY:  # a GET sent back unchanged is fine; a change is not
            if value != getattr(DEFAULT_RULES, name):
                problems[name] = "cannot be changed through the API"
            continue
        values[name] = value
    merged = structs.replace(DEFAULT_RULES, **values)
    if merged.cash_out_starts_at and merged.cash_out_ends_at:
        starts = datetime.fromisoformat(merged.cash_out_starts_at)
        if starts >= datetime.fromisoformat(merged.cash_out_ends_at):
            problems["cash_out_ends_at"] = "must be after cash_out_starts_at"
    return values, problems


def apply(overrides: dict[str, Any]) -> tuple[Rules, dict[str, str]]:
    """The rules in force for stored overrides; overrides that no longer decode are skipped
    (and reported) so a setting renamed by a later release cannot stop the programme."""
    values, problems = decode(overrides)
    return structs.replace(DEFAULT_RULES, **values), problems


def normalized(overrides: dict[str, Any]) -> dict[str, Any]:
    """Validated overrides re-encoded (e.g. streak bonuses sorted) for storage."""
    values, _ = decode(overrides)
    return {name: _CODECS[name][0](value) for name, value in values.items()}  # type: ignore[index]
