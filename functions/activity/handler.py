"""Members' own activity: the daily check-in, the task list and completing a task. Apart
from ``earn`` (the shop's systems minting points) so each role reaches only its partitions:
this one the member's and the programme's (infra/permissions.py)."""

from __future__ import annotations

from typing import Any

from shared import checkins, clock, tasks
from shared.http import HttpApp, Request, Response
from shared.observability import logger

app = HttpApp("activity")


@app.operation("check_in")
def check_in(req: Request) -> Response:
    return Response(201, checkins.check_in(req.member_id, clock.now()))


@app.operation("list_tasks")
def list_tasks(req: Request) -> dict[str, Any]:
    return tasks.for_member(req.member_id, clock.now())


@app.operation("complete_task")
def complete_task(req: Request) -> Response:
    result = tasks.complete(req.member_id, req.path["task_id"], clock.now())
    return Response(201, result)


@logger.inject_lambda_context(clear_state=True)
def lambda_handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    return app.resolve(event, context)
