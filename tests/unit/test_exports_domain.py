"""Export requests: windows, ids and the status shown (pure rules)."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from shared.domain import exports
from shared.domain.exports import Export

SHANGHAI = ZoneInfo("Asia/Shanghai")
NOW = datetime(2026, 11, 10, 2, 0, tzinfo=UTC)


def test_a_date_bound_is_the_start_of_that_programme_day_and_a_time_stays_as_given() -> None:
    assert exports.instant(date(2026, 11, 1), SHANGHAI) == datetime(2026, 10, 31, 16, tzinfo=UTC)
    assert exports.instant(NOW, SHANGHAI) == NOW
    assert exports.instant(None, SHANGHAI) is None


def test_a_window_must_move_forward_and_only_statements_name_a_campaign() -> None:
    later = NOW + timedelta(days=1)
    assert exports.window_problems("ledger", NOW, later, None) == {}
    assert exports.window_problems("ledger", later, NOW, None) == {"to": "must be after from"}
    assert set(exports.window_problems("orders", None, None, "xmas")) == {"campaign_id"}
    assert set(exports.window_problems("statements", None, None, None)) == {"campaign_id"}
    assert set(exports.window_problems("statements", NOW, None, "xmas")) == {"from"}


def test_an_idempotency_key_names_one_export_per_operator() -> None:
    first = exports.new_id(NOW, "op-1", "key-1")
    assert exports.new_id(NOW + timedelta(hours=1), "op-1", "key-1") == first
    assert exports.new_id(NOW, "op-2", "key-1") != first
    assert exports.new_id(NOW, "op-1") != exports.new_id(NOW, "op-1")  # no key: always new


def test_a_job_silent_for_20_minutes_is_shown_failed_and_a_finished_one_never() -> None:
    queued = Export("x1", "ledger", "op-1", NOW, NOW)
    assert queued.shown_status(NOW + timedelta(minutes=19)) == exports.QUEUED
    assert queued.shown_status(NOW + timedelta(minutes=21)) == exports.FAILED
    done = Export("x1", "ledger", "op-1", NOW, NOW, status=exports.COMPLETE, completed_at=NOW)
    assert done.shown_status(NOW + timedelta(days=3)) == exports.COMPLETE
    assert done.file_expires_at() == NOW + timedelta(days=exports.FILE_DAYS)
