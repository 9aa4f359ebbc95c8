"""Data access of members' inboxes: write a message once, page, count unread, mark read,
record what was handed to SMS/e-mail.

A message is ``MEMBER#<id>`` / ``MSG#<YYYY-MM-DD>#<kind>`` (see
:class:`~shared.dynamodb.models.inbox.MessageItem`): the key itself is "one message of a
kind per member per day", so writing is one conditional put and a redelivered event or a
second event of the kind that day writes nothing.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from pynamodb.exceptions import PutError, UpdateError

from shared.clock import utc_iso
from shared.domain.notices import Message, Notice
from shared.dynamodb import keys, pages
from shared.dynamodb.models.base import as_plain
from shared.dynamodb.models.inbox import MessageItem

NEW, SAME_EVENT, TAKEN = "new", "same_event", "taken"  # outcomes of :func:`write`
UNREAD_PAGE = 100  # messages read per request while looking for unread ones


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


def _kept(now: datetime | None) -> Any:
    """The condition "not expired at ``now``": DynamoDB deletes an item some time after its
    ``ttl`` (typically within days), so reads leave out those already past it."""
    return None if now is None else MessageItem.ttl > int(now.timestamp())


def _both(a: Any, b: Any) -> Any:
    return a if b is None else b if a is None else a & b


def page(
    member_id: str, *, unread: bool, limit: int, cursor: str | None, now: datetime | None = None
) -> tuple[list[Message], str | None]:
    """The member's messages, newest day first (``unread``: only those not read yet; ``now``:
    leave out those expired by then, which DynamoDB has not deleted yet). Filtered items do
    not shorten a page: the query reads on until ``limit`` messages or the inbox's end."""
    pk = keys.member_pk(member_id)
    unread_only = MessageItem.read_at.does_not_exist() if unread else None
    result = MessageItem.query(
        pk,
        MessageItem.sk.startswith(keys.MESSAGE),
        filter_condition=_both(unread_only, _kept(now)),
        scan_index_forward=False,
        limit=limit,
        # Unread messages may lie behind many read ones: read a wider page per request than
        # ``limit`` (one round trip, not one per read message, for the app's ``limit=1`` badge).
        page_size=max(limit, UNREAD_PAGE) if unread else limit,
        last_evaluated_key=pages.decode(cursor, ("pk", pk)),
    )
    items = [message_of(item) for item in result]
    return items, pages.encode(result.last_evaluated_key)


def unread_count(member_id: str, now: datetime | None = None) -> int:
    """How many of the member's messages are unread (and, with ``now``, not expired): a
    COUNT query over the inbox."""
    return MessageItem.count(
        keys.member_pk(member_id),
        MessageItem.sk.startswith(keys.MESSAGE),
        filter_condition=_both(MessageItem.read_at.does_not_exist(), _kept(now)),
    )


def mark_read(
    member_id: str, message_id: str, at: str, now: datetime | None = None
) -> Message | None:
    """Set ``read_at`` once (a second call keeps the first time); None if no such message
    (or, with ``now``, if it has expired)."""
    item = MessageItem(pk=keys.member_pk(member_id), sk=keys.message_sk(message_id))
    try:
        item.update(
            actions=[MessageItem.read_at.set(MessageItem.read_at | at)],
            condition=_both(MessageItem.pk.exists(), _kept(now)),
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
