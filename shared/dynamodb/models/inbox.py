"""Members' inbox: one message per kind per member per programme day."""

from __future__ import annotations

from pynamodb.attributes import MapAttribute, NumberAttribute, UnicodeAttribute

from shared.dynamodb.models.base import Item


class MessageItem(Item):
    """An inbox message (``MEMBER#<id>`` / ``MSG#<YYYY-MM-DD>#<kind>``): its key is the
    "one of a kind per day" rule, so a second event of the kind that day cannot add one.
    Text is rendered when read (the reader's locale) from ``kind`` and ``params``."""

    member_id = UnicodeAttribute()
    message_id = UnicodeAttribute()  # "<YYYY-MM-DD>.<kind>"
    kind = UnicodeAttribute()
    params = MapAttribute(default=dict)  # template fields, plain strings and numbers
    at = UnicodeAttribute()  # UTC ISO-8601 of the event
    event_id = UnicodeAttribute()  # the event that wrote it (a redelivery is recognised)
    read_at = UnicodeAttribute(null=True)
    sent = MapAttribute(default=dict)  # channel -> UTC ISO-8601 it was handed to AWS
    ttl = NumberAttribute()  # epoch seconds: DynamoDB deletes it after the inbox period
