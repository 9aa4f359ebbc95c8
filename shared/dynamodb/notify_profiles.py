"""Data access of what reaching a member needs from the profile: the saved locale, the SMS and
e-mail opt-ins and, for the sender only, the phone and e-mail address; and the member's own
changes to the locale and opt-ins (``PUT /v1/me/preferences``).

Reads project only these attributes (never the balance or the ledger counters). Contact
details are personal data: the values returned here go to the channel and nowhere else (no
log line, no queue message).
"""

from __future__ import annotations

from msgspec import Struct
from pynamodb.exceptions import DoesNotExist, UpdateError

from shared.domain.notices import Prefs
from shared.dynamodb import keys
from shared.dynamodb.models.members import MemberItem
from shared.dynamodb.values import rows_at, value_of

_RECIPIENT = ["member_id", "status", "locale", "notify_sms", "notify_email", "phone", "email"]


class Recipient(Struct, frozen=True):
    """A member as the sender sees them at the moment it sends."""

    member_id: str
    status: str
    locale: str | None = None
    notify_sms: bool | None = None
    notify_email: bool | None = None
    phone: str | None = None  # E.164, in clear: personal data
    email: str | None = None  # in clear: personal data


def recipient(member_id: str) -> Recipient | None:
    """The member's preferences and contact details now (a strongly consistent read, so an
    opt-out saved a moment ago counts); None if there is no such member."""
    item = _profile(member_id)
    return None if item is None else value_of(item, Recipient)


def preferences(member_ids: list[str]) -> dict[str, Prefs]:
    """The notifier's view of these members (one BatchGetItem per 100, eventually
    consistent: the sender reads the profile again when it sends), by member id; members
    without a profile are absent. The phone and address are reduced to "there is one"."""
    wanted = sorted(set(member_ids))
    rows = rows_at(
        MemberItem,
        [(keys.member_pk(m), keys.PROFILE) for m in wanted],
        consistent=False,
        attributes=_RECIPIENT,
    )
    return {row.member_id: _prefs(row) for row in rows}


def member_preferences(member_id: str) -> Prefs | None:
    """One member's preferences now (strongly consistent: what they saved a moment ago);
    None if there is no such member."""
    item = _profile(member_id)
    return None if item is None else _prefs(item)


def save_preferences(
    member_id: str, *, locale: str | None = None, sms: bool | None = None, email: bool | None = None
) -> Prefs | None:
    """Save the preferences given (None: leave it as it is) on the member's profile, in one
    update conditional on the member being registered; the preferences after it, or None if
    there is no such member."""
    changes = {"locale": locale, "notify_sms": sms, "notify_email": email}
    actions = [getattr(MemberItem, k).set(v) for k, v in changes.items() if v is not None]
    if not actions:  # nothing to change (e.g. only "in_app": true)
        return member_preferences(member_id)
    item = MemberItem(pk=keys.member_pk(member_id), sk=keys.PROFILE)
    try:
        item.update(actions=actions, condition=MemberItem.pk.exists())
    except UpdateError as exc:
        if exc.cause_response_code == "ConditionalCheckFailedException":
            return None
        raise
    return _prefs(item)


def _profile(member_id: str) -> MemberItem | None:
    """The profile's notification attributes (a strongly consistent, projected read)."""
    try:
        return MemberItem.get(
            keys.member_pk(member_id),
            keys.PROFILE,
            consistent_read=True,
            attributes_to_get=_RECIPIENT,
        )
    except DoesNotExist:
        return None


def _prefs(row: MemberItem) -> Prefs:
    """A profile as preferences: the phone and address reduced to "there is one"."""
    return Prefs(
        member_id=row.member_id,
        status=row.status,
        locale=row.locale,
        sms=bool(row.notify_sms),
        email=bool(row.notify_email),
        has_phone=bool(row.phone),
        has_email=bool(row.email),
    )
