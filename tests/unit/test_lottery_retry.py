"""The lottery's one retry loop: a value ends it, None tries again, then contention (503)."""

from __future__ import annotations

import pytest

from shared.errors import Contention
from shared.replan import ATTEMPTS, until_done


def test_the_first_value_is_the_answer_and_ends_the_loop() -> None:
    calls: list[int] = []

    def attempt() -> str | None:
        calls.append(1)
        return "done" if len(calls) == 3 else None

    assert until_done(attempt, "lottery") == "done"
    assert len(calls) == 3


def test_a_value_that_keeps_changing_is_contention_after_the_last_attempt() -> None:
    calls: list[int] = []

    def attempt() -> None:
        calls.append(1)

    with pytest.raises(Contention, match=r"^the order keeps changing; retry the request$"):
        until_done(attempt, "order")
    assert len(calls) == ATTEMPTS
