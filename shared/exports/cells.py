"""CSV cells that are safe to open in a spreadsheet."""

from __future__ import annotations

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")  # what a spreadsheet would evaluate


def inert(value: str | None) -> str:
    """Free text (a description, a reason, a name) made inert for spreadsheets: a cell that
    would start a formula gets a leading apostrophe."""
    if not value:
        return ""
    return "'" + value if value.startswith(FORMULA_STARTS) else value
