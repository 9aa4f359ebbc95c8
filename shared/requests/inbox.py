"""Requests of a member's inbox and notification preferences."""

from __future__ import annotations

from typing import Any

from shared.i18n import LOCALES
from shared.requests import Body
from shared.validation import Boolean, Choice, Field, Nested, Problems, Schema

MESSAGES_QUERY = Body({"unread": Choice(("true", "false"), required=False, default="false")})


class AlwaysOn(Field, frozen=True):
    """A channel members cannot turn off (in-app messages): ``true``, or left out."""

    def parse(self, value: Any) -> Any:
        if value is True:
            return True
        return Problems({"": "is always on: in-app messages cannot be turned off"})

    def schema(self) -> Schema:
        return {"type": "boolean", "const": True}


CHANNELS = Body(
    {
        "in_app": AlwaysOn(required=False),
        "sms": Boolean(required=False),
        "email": Boolean(required=False),
    },
    unknown="is not a channel",
    partial=True,
)
# PUT /v1/me/preferences changes the fields given and leaves the others as they are.
PREFERENCES = Body(
    {"locale": Choice(LOCALES, required=False), "channels": Nested(CHANNELS, required=False)},
    unknown="is not a field of the preferences",
    partial=True,
)
