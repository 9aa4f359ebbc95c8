"""The sender: one Send (an SMS or e-mail owed for an inbox message) → the channel, once.

Per send, in this order:

1. ``not_before`` still ahead, or an SMS now inside the programme's quiet hours (a retry or
   a queue delay can carry one into them) → WAIT: nothing sent, nothing dropped; the caller
   holds the send until then (SQS visibility on AWS, the local outbox locally).
2. The message must still be there and not yet sent on this channel (a redelivered send
   goes out once): ``inbox.get``.
3. The profile is read NOW (an opt-out saved after the notifier queued the send counts):
   skipped if the member is gone, frozen entirely, opted out, or has no phone/address for
   the channel.
4. The text is rendered in the member's saved locale (else the programme's default) and
   handed to the channel; then the message records it as sent (``inbox.mark_sent``).

A channel that raises propagates: the caller retries with backoff (and, on AWS, SQS
dead-letters the send after its last receive). Nothing here touches the ledger. Phone numbers
and addresses are never logged in clear (``shared.domain.contacts`` masks).
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from datetime import datetime
from typing import Protocol

from msgspec import Struct

from shared.clock import utc_iso
from shared.domain import notices
from shared.domain.contacts import mask_email, mask_phone
from shared.domain.notices import SMS, Send
from shared.domain.rules import Rules
from shared.dynamodb import inbox, notify_profiles
from shared.i18n import supported
from shared.observability import logger

SENT, WAIT, SKIPPED = "sent", "wait", "skipped"

# Why a send was skipped (the outcome's ``reason``).
CHANNEL_OFF = "channel_off"  # the stage does not configure the channel
MESSAGE_GONE = "message_gone"  # the inbox message expired or never was
ALREADY_SENT = "already_sent"  # a redelivery: it went out before
NO_MEMBER = "no_member"
FROZEN = "frozen"  # frozen entirely: told in the app only (notices.may_send)
OPTED_OUT = "opted_out"
NO_CONTACT = "no_contact"  # no phone (SMS) / address (e-mail) on the profile


class Channel(Protocol):
    """Hands one rendered message to a transport (SNS, SES, or local mode's recorder);
    raises if the transport refused it."""

    def send(self, to: str, subject: str | None, body: str) -> None: ...


class Outcome(Struct, frozen=True):
    status: str  # SENT | WAIT | SKIPPED
    reason: str | None = None  # SKIPPED: why
    wait_seconds: int = 0  # WAIT: how long until not_before
    to: str | None = None  # the masked phone or address it went (or would have gone) to


def wait_seconds(send: Send, now: datetime) -> int:
    """Whole seconds until the send's ``not_before`` (0 if none or past)."""
    if not send.not_before:
        return 0
    ahead = (datetime.fromisoformat(send.not_before) - now).total_seconds()
    return max(0, math.ceil(ahead))


def masked(channel: str, to: str) -> str:
    return mask_phone(to) if channel == SMS else mask_email(to)


def rendered(send: Send, locale: str) -> tuple[str | None, str]:
    """(subject, body) of the send in ``locale``; an SMS has no subject."""
    subject, body = notices.render(send.kind, send.params, locale, send.channel)
    return (None if send.channel == SMS else subject), body


def _contact(recipient: notify_profiles.Recipient, channel: str) -> tuple[bool, str | None]:
    if channel == SMS:
        return recipient.notify_sms is True, recipient.phone
    return recipient.notify_email is True, recipient.email


def _wait(send: Send, now: datetime, rules: Rules) -> int:
    """Seconds until the send may go: its ``not_before``, and for an SMS the end of the
    quiet hours ``now`` falls in."""
    wait = wait_seconds(send, now)
    quiet_until = notices.not_before(now, rules) if send.channel == SMS else None
    if quiet_until is not None:
        wait = max(wait, math.ceil((quiet_until - now).total_seconds()))
    return wait


def deliver(send: Send, channels: Mapping[str, Channel], now: datetime, rules: Rules) -> Outcome:
    """Send ``send`` now if it is due and still owed (see the module's steps); the text in
    the member's locale, else ``rules.notifications.default_locale``."""
    wait = _wait(send, now, rules)
    if wait:
        return Outcome(WAIT, wait_seconds=wait)
    outcome = _deliver_due(send, channels, now, rules.notifications.default_locale)
    logger.info(
        "send",
        extra={
            "member_id": send.member_id,
            "message_id": send.message_id,
            "channel": send.channel,
            "status": outcome.status,
            "reason": outcome.reason,
            "to": outcome.to,  # masked
        },
    )
    return outcome


def _deliver_due(
    send: Send, channels: Mapping[str, Channel], now: datetime, default_locale: str
) -> Outcome:
    channel = channels.get(send.channel)
    if channel is None:
        return Outcome(SKIPPED, CHANNEL_OFF)
    message = inbox.get(send.member_id, send.message_id)
    if message is None:
        return Outcome(SKIPPED, MESSAGE_GONE)
    if send.channel in message.sent:
        return Outcome(SKIPPED, ALREADY_SENT)
    recipient = notify_profiles.recipient(send.member_id)
    if recipient is None:
        return Outcome(SKIPPED, NO_MEMBER)
    if not notices.may_send(recipient.status):
        return Outcome(SKIPPED, FROZEN)
    opted_in, to = _contact(recipient, send.channel)
    if not opted_in:
        return Outcome(SKIPPED, OPTED_OUT)
    if not to:
        return Outcome(SKIPPED, NO_CONTACT)
    locale = supported(recipient.locale, default=supported(default_locale))
    subject, body = rendered(send, locale)
    channel.send(to, subject, body)
    # A racing redelivery that sent too finds the flag set first: at least once, rarely twice.
    inbox.mark_sent(send.member_id, send.message_id, send.channel, utc_iso(now))
    return Outcome(SENT, to=masked(send.channel, to))
