"""Operators: programme rules, tasks and campaigns; a member's file, adjustments (and the
second approval of large ones), freeze."""

from __future__ import annotations

from typing import Any

from shared import adjustments, audit_log, clock, contacts, operators, programme_admin, tasks
from shared.domain.activity import Task
from shared.errors import AdjustmentNotFound
from shared.http import HttpApp, Request, Response
from shared.observability import logger
from shared.requests.audit import AUDIT_QUERY
from shared.requests.operators import (
    ADJUST_MEMBER,
    ADJUSTMENT_QUEUE,
    FIND_MEMBERS,
    MEMBER_FILE,
    PUT_CAMPAIGN,
    PUT_TASK,
    STATUS_CHANGE,
)
from shared.requests.reviews import DECIDE_REVIEW
from shared.validation import identifier, required_idempotency_key

app = HttpApp("admin")


def _path_id(req: Request, name: str) -> str:
    return identifier(name, req.path[name])


@app.operation("get_rules")
def get_rules(req: Request) -> dict[str, Any]:
    return programme_admin.get_rules()


@app.operation("put_rules")
def put_rules(req: Request) -> dict[str, Any]:
    return programme_admin.put_rules(req.json(), req.operator, clock.now())


@app.operation("list_tasks")
def list_tasks(req: Request) -> dict[str, Any]:
    return tasks.all_tasks()


@app.operation("put_task")
def put_task(req: Request) -> Response:
    task_id = _path_id(req, "task_id")
    cmd = Task(task_id=task_id, **PUT_TASK.parse(req.json()))
    return Response.upserted(tasks.put_task(cmd, req.operator, clock.now()))


@app.operation("list_campaigns")
def list_campaigns(req: Request) -> dict[str, Any]:
    return programme_admin.list_campaigns(clock.now())


@app.operation("put_campaign")
def put_campaign(req: Request) -> Response:
    campaign_id = _path_id(req, "campaign_id")
    cmd = programme_admin.campaign_of(campaign_id, PUT_CAMPAIGN.parse(req.json()))
    return Response.upserted(programme_admin.put_campaign(cmd, req.operator, clock.now()))


@app.operation("find_members")
def find_members(req: Request) -> dict[str, Any]:
    args = FIND_MEMBERS.parse(dict(req.query))
    cursor = req.query.get("cursor")
    return contacts.find_members(args["phone"], args["email"], req.limit(), cursor, clock.now())


@app.operation("get_member")
def get_member(req: Request) -> dict[str, Any]:
    member_id = _path_id(req, "member_id")
    args = MEMBER_FILE.parse(dict(req.query))
    if args["reveal"] == "true":
        return contacts.reveal(member_id, args["reason"], req.operator, clock.now())
    return operators.member_file(member_id, clock.now())


@app.operation("member_ledger")
def member_ledger(req: Request) -> dict[str, Any]:
    member_id = _path_id(req, "member_id")
    return operators.member_ledger(member_id, req.limit(), req.query.get("cursor"), req.locale())


@app.operation("adjust_member")
def adjust_member(req: Request) -> Response:
    member_id = _path_id(req, "member_id")
    key = required_idempotency_key(req.header("Idempotency-Key"))
    cmd = operators.Adjustment(
        member_id=member_id,
        **ADJUST_MEMBER.parse(req.json()),
        actor=req.operator,
        idempotency_key=key,
    )
    status, body = operators.adjust(cmd, clock.now())
    return Response(status, body)


@app.operation("list_adjustments")
def list_adjustments(req: Request) -> dict[str, Any]:
    status = ADJUSTMENT_QUEUE.parse({"status": req.query.get("status") or "pending"})["status"]
    return adjustments.list_adjustments(status, req.limit(), req.query.get("cursor"))


@app.operation("decide_adjustment")
def decide_adjustment(req: Request) -> dict[str, Any]:
    args = DECIDE_REVIEW.parse(req.json())  # the same decision body as a review's
    adjustment_id = req.path_id("adjustment_id", AdjustmentNotFound)
    return adjustments.decide(
        adjustment_id, args["decision"], args["reason"], req.operator, clock.now()
    )


def _status_change(req: Request, change: Any) -> dict[str, Any]:
    member_id = _path_id(req, "member_id")
    args = STATUS_CHANGE.parse(req.json())
    return change(member_id, args["reason"], req.operator, clock.now(), args["scope"])


@app.operation("freeze_member")
def freeze_member(req: Request) -> dict[str, Any]:
    return _status_change(req, operators.freeze)


@app.operation("unfreeze_member")
def unfreeze_member(req: Request) -> dict[str, Any]:
    return _status_change(req, operators.unfreeze)


@app.operation("list_audit")
def list_audit(req: Request) -> dict[str, Any]:
    args = AUDIT_QUERY.parse(dict(req.query))
    return audit_log.entries(
        actor=args["actor"],
        target=args["target"],
        start=args["from"],
        end=args["to"],
        limit=req.limit(),
        cursor=req.query.get("cursor"),
        now=clock.now(),
    )


@logger.inject_lambda_context(clear_state=True)
def lambda_handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    return app.resolve(event, context)
