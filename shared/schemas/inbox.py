"""Operations of a member's inbox and notification preferences (docs/product.md "Reaching
members")."""

from __future__ import annotations

from shared.domain.notices import KINDS
from shared.i18n import LOCALES
from shared.requests.inbox import PREFERENCES
from shared.schemas.base import BOOL, ID, INT, STRING, TEXT, Operation, array, enum, obj, paged
from shared.validation import Schema, nullable

MESSAGE: Schema = obj(
    {
        "message_id": STRING,
        "kind": enum(KINDS),
        "title": TEXT,
        "body": TEXT,
        "at": STRING,
        "read": BOOL,
    },
    {"read_at": nullable(STRING)},
)
MESSAGES_PAGE: Schema = obj(
    {"items": array(MESSAGE), "next_cursor": nullable(STRING), "unread": INT}
)
CHANNELS: Schema = obj({"in_app": {"type": "boolean", "const": True}, "sms": BOOL, "email": BOOL})
SHOWN_PREFERENCES: Schema = obj(
    {
        "locale": enum(LOCALES),
        "channels": CHANNELS,
        "reachable": obj({"sms": BOOL, "email": BOOL}),
    }
)

OPERATIONS: dict[str, Operation] = {
    "inbox.list_my_messages": paged(
        "The caller's inbox, newest first (`unread=true`: only messages not read yet), title "
        "and body in the caller's language (Accept-Language, else the saved locale, else the "
        "programme's default); `unread` counts every unread message. At most one message of "
        "a kind per day; messages are kept for the programme's inbox period.",
        MESSAGES_PAGE,
        (404, 422),
        query={"unread": enum(("true", "false"))},
    ),
    "inbox.read_my_message": Operation(
        "Mark one of the caller's messages read; again → 200 with the first read time.",
        {200: MESSAGE},
        (404,),
        path={"message_id": {"type": "string", "pattern": ID}},
    ),
    "inbox.get_my_preferences": Operation(
        "The caller's language and channels (in-app always on; SMS and e-mail opted into), "
        "and whether a phone / e-mail is on file to reach them (`reachable`).",
        {200: SHOWN_PREFERENCES},
        (404,),
    ),
    "inbox.put_my_preferences": Operation(
        "Change the fields given (locale, any of the channels); the others stay. In-app "
        "messages cannot be turned off (422). Opting in without a phone or e-mail on file is "
        "accepted: nothing is sent until there is one.",
        {200: SHOWN_PREFERENCES},
        (400, 404, 413, 422),
        request=PREFERENCES.schema(),
        example={"locale": "en", "channels": {"sms": True}},
    ),
}
