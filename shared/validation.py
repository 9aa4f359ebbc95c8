"""Small, strict field validators. Each collects problems so one 422 names every bad field."""

from __future__ import annotations

import re
from datetime import datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from shared.errors import Invalid

ID_PATTERN = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.:@-]{0,63}$")
MONEY_PATTERN = re.compile(r"^\d{1,12}(\.\d{1,2})?$")
MAX_MONEY = Decimal("1000000000")


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

    def raise_if_invalid(self) -> None:
        if self.problems:
            raise Invalid(
                "invalid fields: " + ", ".join(sorted(self.problems)),
                details={"fields": self.problems},
            )
