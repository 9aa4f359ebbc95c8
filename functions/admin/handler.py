"""Operators: programme rules, tasks and campaigns; a member's file, adjustments, freeze."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from shared import clock, operators, programme_admin, tasks
from shared.domain.activity import LIMITS, Task
from shared.http import HttpApp, Request, Response
from shared.observability import logger
from shared.validation import Fields, idempotency_key

app = HttpApp("admin")

MAX_POINTS = 1_000_000


def _path_id(req: Request, name: str) -> str:
    value = req.path[name]
    f = Fields({name: value})
    f.identifier(name)
    f.raise_if_invalid()
    return value


def _operator(req: Request) -> str:
    assert req.caller is not None
    return req.caller.subject


@app.operation("get_rules")
def get_rules(req: Request) -> dict[str, Any]:
    return programme_admin.get_rules()


@app.operation("put_rules")
def put_rules(req: Request) -> dict[str, Any]:
    return programme_admin.put_rules(req.json(), _operator(req), clock.now())


@app.operation("list_tasks")
def list_tasks(req: Request) -> dict[str, Any]:
    return tasks.all_tasks()


@app.operation("put_task")
def put_task(req: Request) -> Response:
    task_id = _path_id(req, "task_id")
    f = Fields(req.json())
    cmd = Task(
        task_id=task_id,
        name=f.text("name"),
        points=f.integer("points", minimum=1, maximum=MAX_POINTS),
        limit=f.choice("limit", LIMITS),
        active=f.boolean("active") is not False,
    )
    f.raise_if_invalid()
    task, created = tasks.put_task(cmd, clock.now())
    return Response(201 if created else 200, task)


@app.operation("list_campaigns")
def list_campaigns(req: Request) -> dict[str, Any]:
    return programme_admin.list_campaigns(clock.now())


@app.operation("put_campaign")
def put_campaign(req: Request) -> Response:
    campaign_id = _path_id(req, "campaign_id")
    f = Fields(req.json())
    cmd = programme_admin.CampaignDefinition(
        campaign_id=campaign_id,
        name=f.text("name"),
        starts_at=f.timestamp("starts_at", required=True),
        ends_at=f.timestamp("ends_at", required=True),
        multiplier=f.decimal("multiplier", required=False, minimum=Decimal(1), maximum=Decimal(10)),
        bonus_points=f.integer("bonus_points", required=False, minimum=1, maximum=MAX_POINTS),
        categories=f.names("categories"),
        skus=f.names("skus"),
        channels=f.names("channels"),
    )
    f.raise_if_invalid()
    campaign, created = programme_admin.put_campaign(cmd, _operator(req), clock.now())
    return Response(201 if created else 200, campaign)


@app.operation("get_member")
def get_member(req: Request) -> dict[str, Any]:
    return operators.member_file(_path_id(req, "member_id"), clock.now())


@app.operation("member_ledger")
def member_ledger(req: Request) -> dict[str, Any]:
    member_id = _path_id(req, "member_id")
    return operators.member_ledger(member_id, req.limit(), req.query.get("cursor"))


@app.operation("adjust_member")
def adjust_member(req: Request) -> Response:
    member_id = _path_id(req, "member_id")
    key = idempotency_key(req.header("idempotency-key"))
    f = Fields(req.json())
    points = f.integer("points", minimum=-MAX_POINTS, maximum=MAX_POINTS)
    if points == 0:
        f.problems["points"] = "must not be 0"
    cmd = operators.Adjustment(
        member_id=member_id,
        points=points,
        reason=f.text("reason", max_length=500),
        actor=_operator(req),
        allow_debt=bool(f.boolean("allow_debt")),
        idempotency_key=key,
    )
    f.raise_if_invalid()
    status, body = operators.adjust(cmd, clock.now())
    return Response(status, body)


def _status_change(req: Request, change: Any) -> dict[str, Any]:
    member_id = _path_id(req, "member_id")
    f = Fields(req.json())
    reason = f.text("reason", max_length=500)
    f.raise_if_invalid()
    return change(member_id, reason, _operator(req), clock.now())


@app.operation("freeze_member")
def freeze_member(req: Request) -> dict[str, Any]:
    return _status_change(req, operators.freeze)


@app.operation("unfreeze_member")
def unfreeze_member(req: Request) -> dict[str, Any]:
    return _status_change(req, operators.unfreeze)


@logger.inject_lambda_context(clear_state=True)
def lambda_handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    return app.resolve(event, context)
