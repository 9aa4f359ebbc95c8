"""The programme rules in force (defaults until operators change them)."""

from __future__ import annotations

from shared.domain.rules import DEFAULT_RULES, Rules


def current() -> Rules:
    return DEFAULT_RULES
