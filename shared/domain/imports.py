"""Bulk import of members with opening balances: what a CSV row must hold (pure rules).

The file's first line names the columns (any order, each once)::

    member_id,phone,email,birthday,points,expires_on

A row becomes an :class:`ImportRow` or is rejected with a reason a person can act on
(:class:`Rejected`). Rows are numbered as a spreadsheet shows them: the header is row 1, so
the first member is row 2; blank lines keep their number but are not rows to import.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Callable
from datetime import date

from msgspec import Struct

from shared.domain.contacts import normalize_email, normalize_phone
from shared.validation import ID_PATTERN

COLUMNS = ("member_id", "phone", "email", "birthday", "points", "expires_on")
MAX_POINTS = 1_000_000_000
_POINTS = re.compile(r"^\d{1,10}$")
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_MONTH_DAY = re.compile(r"^\d{2}-\d{2}$")


class BadHeader(ValueError):
    """The first line does not name the import's columns."""


class Rejected(ValueError):
    """A row that cannot be imported; ``str()`` is the reason shown to the operator."""


class ImportRow(Struct, frozen=True):
    """One member to import: normalised contact details, "MM-DD" birthday, the points of the
    opening balance and the last day they are valid (None: the programme's validity)."""

    row: int
    member_id: str
    points: int
    expires_on: date | None
    phone: str | None = None  # E.164
    email: str | None = None
    birthday: str | None = None  # "MM-DD"


def header(line: bytes) -> tuple[str, ...]:
    """The column names in the file's order; :class:`BadHeader` unless they are exactly the
    import's columns, each once."""
    try:
        text = line.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise BadHeader("the header is not UTF-8") from None
    names = tuple(name.strip().lower() for name in next(csv.reader([text]), []))
    if sorted(names) != sorted(COLUMNS):
        raise BadHeader(f"the header must name the columns {','.join(COLUMNS)} (got {text!r})")
    return names


def parse_row(row: int, line: bytes, columns: tuple[str, ...], today: date) -> ImportRow:
    """Line ``row`` of the file as an :class:`ImportRow`; :class:`Rejected` with the reason.

    ``today`` is the programme's date: points whose last day is before it are refused.
    """
    try:
        text = line.decode("utf-8")
    except UnicodeDecodeError:
        raise Rejected("the line is not UTF-8") from None
    try:
        values = next(csv.reader([text], strict=True), [])
    except csv.Error:
        raise Rejected("the line is not valid CSV (a quote is not closed)") from None
    if len(values) != len(columns):
        raise Rejected(f"expected {len(columns)} columns, got {len(values)}")
    fields = {name: value.strip() for name, value in zip(columns, values, strict=True)}
    member_id = fields["member_id"]
    if not ID_PATTERN.match(member_id):
        raise Rejected("member_id must be 1-64 characters of letters, digits and _ . : @ -")
    return ImportRow(
        row=row,
        member_id=member_id,
        points=_points(fields["points"]),
        expires_on=_expires_on(fields["expires_on"], today),
        phone=_contact(fields["phone"], normalize_phone, "phone is not a valid phone number"),
        email=_contact(fields["email"], normalize_email, "email is not a valid e-mail address"),
        birthday=_birthday(fields["birthday"]),
    )


def _points(raw: str) -> int:
    if not _POINTS.match(raw) or not 0 < int(raw) <= MAX_POINTS:
        raise Rejected(f"points must be a whole number from 1 to {MAX_POINTS}")
    return int(raw)


def _expires_on(raw: str, today: date) -> date | None:
    if not raw:
        return None
    try:
        if not _DATE.match(raw):
            raise ValueError
        day = date.fromisoformat(raw)
    except ValueError:
        raise Rejected('expires_on must be a date "YYYY-MM-DD"') from None
    if day < today:
        raise Rejected(f"expires_on {raw} is in the past")
    return day


def _contact(raw: str, normalize: Callable[[str], str], problem: str) -> str | None:
    """An optional phone or e-mail, normalised; the reason never repeats the value."""
    if not raw:
        return None
    try:
        return normalize(raw)
    except ValueError:
        raise Rejected(problem) from None


def _birthday(raw: str) -> str | None:
    """ "MM-DD" or a full date "YYYY-MM-DD" (the year is dropped: only the day is kept)."""
    if not raw:
        return None
    month_day = raw[5:] if _DATE.match(raw) else raw
    try:
        if not _MONTH_DAY.match(month_day):
            raise ValueError
        date.fromisoformat(f"2000-{month_day}")  # a leap year admits 02-29
        if _DATE.match(raw):
            date.fromisoformat(raw)
    except ValueError:
        raise Rejected('birthday must be a date "MM-DD" or "YYYY-MM-DD"') from None
    return month_day


def duplicate(first_row: int) -> Rejected:
    """The member's id is on an earlier row of the same file."""
    return Rejected(f"member_id is a duplicate of row {first_row}")


# Statuses of an import: uploading (the upload flow, until started), queued (waiting for
# its job), running, complete, failed (the file could not be read: no header, no file).
UPLOADING, QUEUED, RUNNING, COMPLETE, FAILED = (
    "uploading",
    "queued",
    "running",
    "complete",
    "failed",
)
UNFINISHED = frozenset({QUEUED, RUNNING})


class ImportJob(Struct, frozen=True):
    """An import as stored: the request, where its job stands (the checkpoint: the byte and
    line number after the last line done, and the counters up to there)."""

    import_id: str
    status: str
    file_key: str
    actor: str
    created_at: str  # UTC ISO-8601
    updated_at: str
    columns: str | None = None  # the header's names, comma-separated, once read
    offset: int = 0
    row: int = 0  # line number of the last line done (the header is line 1)
    rows: int = 0
    imported: int = 0
    skipped: int = 0
    rejected_count: int = 0
    error: str | None = None
    ver: int = 0


class Progress(Struct, frozen=True):
    """What one chunk of rows adds: where the file was read up to, and the counters."""

    offset: int
    row: int
    rows: int = 0
    imported: int = 0
    skipped: int = 0
    rejected: list[tuple[int, str]] = []
