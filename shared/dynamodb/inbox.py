"""Data access of members' inboxes: write a message once, page, count unread, mark read,
record what was handed to SMS/e-mail.

A message is ``MEMBER#<id>`` / ``MSG#<YYYY-MM-DD>#<kind>`` (see
:class:`~shared.dynamodb.models.inbox.MessageItem`): the key itself is "one message of a
kind per member per day", so writing is one conditional put and a redelivered event or a
second event of the kind that day writes nothing.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from pynamodb.exceptions import PutError, UpdateError

from shared.clock import utc_iso
from shared.domain.notices import Message, Notice
from shared.dynamodb import keys, pages
from shared.dynamodb.models.base import as_plain
from shared.dynamodb.models.inbox import MessageItem

NEW, SAME_EVENT, TAKEN = "new", "same_event", "taken"  # outcomes of :func:`write`


def _conditional_failed(exc: PutError | UpdateError) -> bool:
    return exc.cause_response_code == "ConditionalCheckFailedException"


def row(notice: Notice, keep_days: int) -> MessageItem:
    return MessageItem(
        pk=keys.member_pk(notice.member_id),
        sk=keys.message_sk(notice.message_id),
        member_id=notice.member_id,
        message_id=notice.message_id,
        kind=notice.kind,
        params=dict(notice.params),
        at=utc_iso(notice.at),
        event_id=notice.event_id,
        sent={},
        ttl=int((notice.at + timedelta(days=keep_days)).timestamp()),
    )


def write(notice: Notice, keep_days: int) -> str:
    """Put the notice's message unless its member already has one of its kind that day.

    Returns NEW (written), SAME_EVENT (this very event wrote it before: a redelivery, whose
    sends may still be owed) or TAKEN (another event of the kind got there first)."""
    item = row(notice, keep_days)
    try:
        item.save(condition=MessageItem.pk.does_not_exist())
        return NEW
    except PutError as exc:
        if not _conditional_failed(exc):
            raise
    found = get(notice.member_id, notice.message_id)
    return SAME_EVENT if found is not None and found.event_id == notice.event_id else TAKEN


def message_of(item: MessageItem) -> Message:
    return Message(
        member_id=item.member_id,
        message_id=item.message_id,
        kind=item.kind,
        params=as_plain(item.params) or {},
        at=item.at,
        event_id=item.event_id,
        read_at=item.read_at,
        sent=as_plain(item.sent) or {},
    )


def get(member_id: str, message_id: str) -> Message | None:
    try:
        item = MessageItem.get(keys.member_pk(member_id), keys.message_sk(message_id))
    except MessageItem.DoesNotExist:
        return None
    return message_of(item)


def page(
    member_id: str, *, unread: bool, limit: int, cursor: str | None
) -> tuple[list[Message], str | None]:
    """The member's messages, newest day first (``unread``: only those not read yet).
    Expired messages DynamoDB has not deleted yet are left out by the caller's clock."""
    pk = keys.member_pk(member_id)
    result = MessageItem.query(
        pk,
        MessageItem.sk.startswith(keys.MESSAGE),
        filter_condition=MessageItem.read_at.does_not_exist() if unread else None,
        scan_index_forward=False,
        limit=limit,
        last_evaluated_key=pages.decode(cursor, ("pk", pk)),
    )
    items = [message_of(item) for item in result]
    return items, pages.encode(result.last_evaluated_key)


def unread_count(member_id: str) -> int:
    """How many of the member's messages are unread (a COUNT query over the inbox)."""
    return MessageItem.count(
        keys.member_pk(member_id),
        MessageItem.sk.startswith(keys.MESSAGE),
        filter_condition=MessageItem.read_at.does_not_exist(),
    )


def mark_read(member_id: str, message_id: str, at: str) -> Message | None:
    """Set ``read_at`` once (a second call keeps the first time); None if no such message."""
    item = MessageItem(pk=keys.member_pk(member_id), sk=keys.message_sk(message_id))
    try:
        item.update(
            actions=[MessageItem.read_at.set(MessageItem.read_at | at)],
            condition=MessageItem.pk.exists(),
        )
    except UpdateError as exc:
        if _conditional_failed(exc):
            return None
        raise
    return message_of(item)


def mark_sent(member_id: str, message_id: str, channel: str, at: str) -> bool:
    """Record that the message went out on ``channel``; False if it already had (a
    redelivered send must not go out twice) or the message is gone."""
    item = MessageItem(pk=keys.member_pk(member_id), sk=keys.message_sk(message_id))
    sent: Any = MessageItem.sent
    try:
        item.update(
            actions=[sent[channel].set(at)],
            condition=MessageItem.pk.exists() & sent[channel].does_not_exist(),
        )
    except UpdateError as exc:
        if _conditional_failed(exc):
            return False
        raise
    return True
