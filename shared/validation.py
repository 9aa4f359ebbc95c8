"""Small, strict field validators. Each collects problems so one 422 names every bad field."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from typing import Any, TypeVar

from shared.errors import Invalid

ID_PATTERN = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.:@-]{0,63}$")
MONEY_PATTERN = re.compile(r"^\d{1,12}(\.\d{1,2})?$")
MAX_MONEY = Decimal("1000000000")

T = TypeVar("T")


class Fields:
    """Reads fields from a JSON object, remembering every problem.

    >>> f = Fields({"amount": "abc"}); f.money("amount"); f.raise_if_invalid()
    Traceback (most recent call last):
    ...
    shared.errors.Invalid: invalid fields: amount
    """

    def __init__(self, body: dict[str, Any]):
        self.body = body
        self.problems: dict[str, str] = {}

    def _missing(self, name: str, required: bool) -> bool:
        if self.body.get(name) is None:
            if required:
                self.problems[name] = "is required"
            return True
        return False

    def identifier(self, name: str, *, required: bool = True) -> str | None:
        if self._missing(name, required):
            return None
        value = self.body[name]
        if not isinstance(value, str) or not ID_PATTERN.match(value):
            self.problems[name] = (
                "must be 1-64 characters of letters, digits and _ . : @ - "
                "starting with a letter or digit"
            )
            return None
        return value

    def text(self, name: str, *, required: bool = True, max_length: int = 200) -> str | None:
        if self._missing(name, required):
            return None
        value = self.body[name]
        if not isinstance(value, str) or not value.strip() or len(value) > max_length:
            self.problems[name] = f"must be a non-empty string of at most {max_length} characters"
            return None
        return value

    def money(self, name: str, *, required: bool = True, positive: bool = True) -> Decimal | None:
        """A decimal string such as "199.90" (at most 2 decimals). Floats are refused."""
        if self._missing(name, required):
            return None
        value = self.body[name]
        if isinstance(value, int) and not isinstance(value, bool):
            value = str(value)
        if not isinstance(value, str) or not MONEY_PATTERN.match(value):
            self.problems[name] = 'must be a non-negative decimal string like "199.90"'
            return None
        try:
            amount = Decimal(value)
        except InvalidOperation:  # pragma: no cover - the pattern already excludes it
            self.problems[name] = "is not a decimal"
            return None
        if amount > MAX_MONEY:
            self.problems[name] = f"must be at most {MAX_MONEY}"
            return None
        if positive and amount <= 0:
            self.problems[name] = "must be greater than zero"
            return None
        return amount

    def timestamp(self, name: str, *, required: bool = False) -> datetime | None:
        if self._missing(name, required):
            return None
        value = self.body[name]
        try:
            parsed = datetime.fromisoformat(value) if isinstance(value, str) else None
        except ValueError:
            parsed = None
        if parsed is None or parsed.tzinfo is None:
            self.problems[name] = "must be an ISO-8601 time with a UTC offset"
            return None
        return parsed

    def month_day(self, name: str, *, required: bool = False) -> str | None:
        if self._missing(name, required):
            return None
        value = self.body[name]
        ok = isinstance(value, str) and re.fullmatch(r"\d{2}-\d{2}", value) is not None
        if ok:
            try:
                datetime.strptime(f"2000-{value}", "%Y-%m-%d")  # leap year admits 02-29
            except ValueError:
                ok = False
        if not ok:
            self.problems[name] = 'must be a date "MM-DD"'
            return None
        return value

    def integer(
        self,
        name: str,
        *,
        required: bool = True,
        minimum: int = 0,
        maximum: int = 1_000_000_000,
    ) -> int | None:
        """A JSON integer (not a bool, not a float) from ``minimum`` to ``maximum``."""
        if self._missing(name, required):
            return None
        value = self.body[name]
        if isinstance(value, bool) or not isinstance(value, int):
            self.problems[name] = f"must be an integer from {minimum} to {maximum}"
            return None
        if not minimum <= value <= maximum:
            self.problems[name] = f"must be an integer from {minimum} to {maximum}"
            return None
        return value

    def decimal(
        self,
        name: str,
        *,
        required: bool = True,
        minimum: Decimal = Decimal(0),
        maximum: Decimal = MAX_MONEY,
        places: int = 4,
    ) -> Decimal | None:
        """A decimal string such as "1.5" (floats are refused), within the bounds."""
        if self._missing(name, required):
            return None
        value = self.body[name]
        if isinstance(value, int) and not isinstance(value, bool):
            value = str(value)
        pattern = rf"^\d{{1,12}}(\.\d{{1,{places}}})?$"
        if not isinstance(value, str) or not re.match(pattern, value):
            self.problems[name] = f'must be a decimal string like "1.5" (at most {places} decimals)'
            return None
        amount = Decimal(value)
        if not minimum <= amount <= maximum:
            self.problems[name] = f"must be from {minimum} to {maximum}"
            return None
        return amount

    def choice(self, name: str, options: tuple[str, ...], *, required: bool = True) -> str | None:
        if self._missing(name, required):
            return None
        value = self.body[name]
        if value not in options:
            self.problems[name] = "must be one of " + ", ".join(options)
            return None
        return value

    def boolean(self, name: str, *, required: bool = False) -> bool | None:
        if self._missing(name, required):
            return None
        value = self.body[name]
        if not isinstance(value, bool):
            self.problems[name] = "must be true or false"
            return None
        return value

    def names(
        self, name: str, *, required: bool = False, max_items: int = 100, max_length: int = 64
    ) -> list[str] | None:
        """A list of 1..``max_items`` distinct non-empty strings (e.g. categories)."""
        if self._missing(name, required):
            return None
        value = self.body[name]
        ok = (
            isinstance(value, list)
            and 1 <= len(value) <= max_items
            and all(isinstance(v, str) and 0 < len(v.strip()) <= max_length for v in value)
            and len(set(value)) == len(value)
        )
        if not ok:
            self.problems[name] = (
                f"must be a list of 1-{max_items} distinct strings of 1-{max_length} characters"
            )
            return None
        return value

    def objects(
        self,
        name: str,
        parse: Callable[[Fields], T],
        *,
        required: bool = False,
        max_items: int = 100,
    ) -> list[T] | None:
        """A list of JSON objects, each read by ``parse(Fields(obj))``; problems are named
        ``name[i].field``."""
        if self._missing(name, required):
            return None
        value = self.body[name]
        if not isinstance(value, list) or len(value) > max_items:
            self.problems[name] = f"must be a list of at most {max_items} objects"
            return None
        parsed: list[T] = []
        for i, obj in enumerate(value):
            if not isinstance(obj, dict):
                self.problems[f"{name}[{i}]"] = "must be an object"
                continue
            sub = Fields(obj)
            result = parse(sub)
            for field_name, problem in sub.problems.items():
                self.problems[f"{name}[{i}].{field_name}"] = problem
            if not sub.problems:
                parsed.append(result)
        return parsed

    def date(self, name: str, *, required: bool = False) -> date | None:
        """A calendar date "YYYY-MM-DD"."""
        if self._missing(name, required):
            return None
        value = self.body[name]
        try:
            if not isinstance(value, str) or not re.fullmatch(r"\d{4}-\d{2}-\d{2}", value):
                raise ValueError
            return date.fromisoformat(value)
        except ValueError:
            self.problems[name] = 'must be a date "YYYY-MM-DD"'
            return None

    def nested(
        self, name: str, parse: Callable[[Fields], T], *, required: bool = False
    ) -> T | None:
        """A JSON object read by ``parse(Fields(obj))``; problems are named ``name.field``."""
        if self._missing(name, required):
            return None
        value = self.body[name]
        if not isinstance(value, dict):
            self.problems[name] = "must be an object"
            return None
        sub = Fields(value)
        result = parse(sub)
        for field_name, problem in sub.problems.items():
            self.problems[f"{name}.{field_name}"] = problem
        return None if sub.problems else result

    def raise_if_invalid(self) -> None:
        if self.problems:
            raise Invalid(
                "invalid fields: " + ", ".join(sorted(self.problems)),
                details={"fields": self.problems},
            )


IDEMPOTENCY_KEY = re.compile(r"^[A-Za-z0-9_-]{1,128}$")


def idempotency_key(value: str | None) -> str | None:
    """The ``Idempotency-Key`` header (API.md: 1–128 of ``[A-Za-z0-9_-]``), or None."""
    if value is None:
        return None
    if not IDEMPOTENCY_KEY.match(value):
        raise Invalid(
            "Idempotency-Key must be 1-128 characters of letters, digits, _ and -",
            details={"fields": {"Idempotency-Key": "must match [A-Za-z0-9_-]{1,128}"}},
        )
    return value
