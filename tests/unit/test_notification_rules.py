"""The programme's notification settings (``rules.notifications``) as operators set them:
the members' default language, SMS quiet hours and how long the inbox keeps messages."""

from __future__ import annotations

import pytest

from shared.domain.rules import Notifications
from shared.rules_codec import decode, to_json


def test_partial_notification_settings_keep_the_other_defaults() -> None:
    values, problems = decode({"notifications": {"quiet_start": "22:30", "inbox_days": 30}})

    assert problems == {}
    assert values["notifications"] == Notifications(quiet_start="22:30", inbox_days=30)


@pytest.mark.parametrize(
    "settings",
    [
        {"default_locale": "en"},
        {"quiet_start": "00:00", "quiet_end": "23:59"},
        {"quiet_start": "08:00", "quiet_end": "20:00"},  # a daytime window is a window too
        {"quiet_start": "10:00", "quiet_end": "10:00"},  # equal: no quiet hours at all
        {"inbox_days": 1},
        {"inbox_days": 3650},
    ],
)
def test_good_notification_settings_are_taken(settings: dict) -> None:
    values, problems = decode({"notifications": settings})

    assert problems == {}
    assert to_json_of(values["notifications"]) == {**to_json_of(Notifications()), **settings}


def to_json_of(value: Notifications) -> dict:
    from msgspec import structs

    from shared.domain.rules import DEFAULT_RULES

    return to_json(structs.replace(DEFAULT_RULES, notifications=value))["notifications"]


@pytest.mark.parametrize(
    ("settings", "problem"),
    [
        ({"default_locale": "fr"}, "default_locale"),
        ({"default_locale": "zh"}, "default_locale"),
        ({"quiet_start": "24:00"}, "quiet_start"),
        ({"quiet_end": "9:00"}, "quiet_end"),
        ({"quiet_end": "09:60"}, "quiet_end"),
        ({"quiet_start": "21:00:00"}, "quiet_start"),
        ({"quiet_start": "1２:00"}, "quiet_start"),  # a fullwidth digit
        ({"inbox_days": 0}, "inbox_days"),
        ({"inbox_days": 3651}, "inbox_days"),
        ({"inbox_days": "90"}, "inbox_days"),
        ({"sms_enabled": True}, "unknown"),
    ],
)
def test_bad_notification_settings_are_named(settings: dict, problem: str) -> None:
    values, problems = decode({"notifications": settings})

    assert "notifications" not in values
    assert problem in problems["notifications"]
