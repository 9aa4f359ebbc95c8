"""Use cases of a member's inbox and notification preferences (``/v1/me/messages``,
``/v1/me/preferences``; docs/product.md "Reaching members").

Messages are stored as kind + params; their title and body are rendered here, when read, in
the reader's language: ``choose_locale(saved)`` is the request's choice (``Accept-Language``,
else the member's saved locale, else the programme's default; ``Request.locale``).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from shared import programme
from shared.clock import utc_iso
from shared.domain.calendar import iso_local
from shared.domain.notices import IN_APP, Message, Prefs, render
from shared.dynamodb import inbox as inbox_repo
from shared.dynamodb import notify_profiles
from shared.errors import MemberNotFound, MessageNotFound

ChooseLocale = Callable[[str | None], str]


def _shown(at: str | None, zone: ZoneInfo) -> str | None:
    return iso_local(datetime.fromisoformat(at), zone) if at else None


def message_view(message: Message, locale: str, zone: ZoneInfo) -> dict[str, Any]:
    title, body = render(message.kind, message.params, locale)
    return {
        "message_id": message.message_id,
        "kind": message.kind,
        "title": title,
        "body": body,
        "at": _shown(message.at, zone),
        "read": message.read_at is not None,
        "read_at": _shown(message.read_at, zone),
    }


def messages(
    member_id: str,
    *,
    unread: bool,
    limit: int,
    cursor: str | None,
    choose_locale: ChooseLocale,
    now: datetime,
) -> dict[str, Any]:
    """A page of the member's messages, newest first (``unread``: only those not read), and
    how many are unread in all; messages past their inbox period are left out."""
    locale = choose_locale(_prefs(member_id).locale)
    found, next_cursor = inbox_repo.page(
        member_id, unread=unread, limit=limit, cursor=cursor, now=now
    )
    zone = programme.current().zone
    return {
        "items": [message_view(m, locale, zone) for m in found],
        "next_cursor": next_cursor,
        "unread": inbox_repo.unread_count(member_id, now=now),
    }


def mark_read(
    member_id: str, message_id: str, *, choose_locale: ChooseLocale, now: datetime
) -> dict[str, Any]:
    """Mark the member's message read (again: the first time stays) and return it;
    ``message_not_found`` if the member has no such message (or it has expired)."""
    locale = choose_locale(_prefs(member_id).locale)
    message = inbox_repo.mark_read(member_id, message_id, utc_iso(now), now=now)
    if message is None:
        raise MessageNotFound(f"no message {message_id!r}", params={"id": message_id})
    return message_view(message, locale, programme.current().zone)


def _prefs(member_id: str) -> Prefs:
    return _registered(member_id, notify_profiles.member_preferences(member_id))


def _registered(member_id: str, prefs: Prefs | None) -> Prefs:
    if prefs is None:
        raise MemberNotFound(f"member {member_id!r} is not registered", params={"id": member_id})
    return prefs


def preferences(member_id: str) -> dict[str, Any]:
    return _shown_preferences(_prefs(member_id))


def change_preferences(member_id: str, changes: dict[str, Any]) -> dict[str, Any]:
    """Save the fields given (``locale``, ``channels.sms``, ``channels.email``); the request
    has already refused turning in-app messages off."""
    channels = changes.get("channels") or {}
    saved = notify_profiles.save_preferences(
        member_id,
        locale=changes.get("locale"),
        sms=channels.get("sms"),
        email=channels.get("email"),
    )
    return _shown_preferences(_registered(member_id, saved))


def _shown_preferences(prefs: Prefs) -> dict[str, Any]:
    """As the API shows them: the saved locale or the programme's default; in-app always on;
    ``reachable``: whether a phone / e-mail is on file (opting in without one reaches nobody
    until there is one)."""
    return {
        "locale": prefs.locale or programme.current().notifications.default_locale,
        "channels": {IN_APP: True, "sms": prefs.sms, "email": prefs.email},
        "reachable": {"sms": prefs.has_phone, "email": prefs.has_email},
    }
