"""A member's inbox and notification preferences: read messages (in the reader's language),
mark them read, read and change the language and the SMS / e-mail opt-ins.

A function of its own so its role reads and updates the member's own items and nothing
else (``shared.inbox``); the messages are written by the ``notifier``."""

from __future__ import annotations

from typing import Any

from shared import clock, inbox
from shared.errors import MessageNotFound
from shared.http import HttpApp, Request
from shared.observability import logger
from shared.requests.inbox import MESSAGES_QUERY, PREFERENCES

app = HttpApp("inbox")


@app.operation("list_my_messages")
def list_my_messages(req: Request) -> dict[str, Any]:
    unread = MESSAGES_QUERY.parse({"unread": req.query.get("unread")})["unread"] == "true"
    return inbox.messages(
        req.member_id,
        unread=unread,
        limit=req.limit(),
        cursor=req.query.get("cursor"),
        choose_locale=req.locale,
        now=clock.now(),
    )


@app.operation("read_my_message")
def read_my_message(req: Request) -> dict[str, Any]:
    message_id = req.path_id("message_id", MessageNotFound, "message")
    return inbox.mark_read(req.member_id, message_id, choose_locale=req.locale, now=clock.now())


@app.operation("get_my_preferences")
def get_my_preferences(req: Request) -> dict[str, Any]:
    return inbox.preferences(req.member_id)


@app.operation("put_my_preferences")
def put_my_preferences(req: Request) -> dict[str, Any]:
    return inbox.change_preferences(req.member_id, PREFERENCES.parse(req.json()))


@logger.inject_lambda_context(clear_state=True)
def lambda_handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    return app.resolve(event, context)
