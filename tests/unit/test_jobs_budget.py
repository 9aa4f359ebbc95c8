"""The jobs route does work within the time the deployed function has: a run given the jobs
function's deployed timeout processes members on its first call; one left too little time
answers ``complete: false, continues: true`` and its background continuation finishes the
work. Each run writes its job metrics (EMF lines on stdout), a schedule's last try its
missed deadline."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

import pytest

from functions.expire import handler as expire_handler
from local import gateway
from shared import clock
from shared.metrics import JOB_INCOMPLETE, JOB_MISSED_DEADLINE, JOB_PROCESSED
from tests.support import SHANGHAI, Api, register_member

MEMBERS = ("m-b1", "m-b2", "m-b3")  # each with the 100 welcome points of January
EXPIRY_DAY = datetime(2027, 7, 11, 3, 0, tzinfo=SHANGHAI)  # those points are due


@pytest.fixture
def metrics_on(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("POWERTOOLS_METRICS_NAMESPACE", "LoyaltyPoints/tests")
    monkeypatch.setenv("POWERTOOLS_SERVICE_NAME", "jobs")
    monkeypatch.delenv("POWERTOOLS_METRICS_DISABLED", raising=False)
    monkeypatch.delenv("POWERTOOLS_DEV", raising=False)


@pytest.fixture
def due(api: Api) -> Any:
    clock.pin(datetime(2027, 1, 10, 10, 0, tzinfo=SHANGHAI))
    for member_id in MEMBERS:
        register_member(api, member_id)
    clock.pin(EXPIRY_DAY)
    yield
    clock.release()


def job_metrics(out: str) -> list[dict[str, Any]]:
    """The job metrics' EMF lines in ``out``: {metric: value, "job", "service"} each."""
    lines = [json.loads(line) for line in out.splitlines() if line.startswith('{"_aws"')]
    names = (JOB_PROCESSED, JOB_INCOMPLETE, JOB_MISSED_DEADLINE)
    return [
        {"job": emf["job"], "service": emf["service"]}
        | {name: emf[name][0] for name in names if name in emf}
        for emf in lines
        if JOB_PROCESSED in emf
    ]


def balances(api: Api) -> list[int]:
    return [api.member(m, "GET", "/v1/me").body["balance"] for m in MEMBERS]


def test_a_run_with_the_deployed_timeout_does_the_work_in_the_request(
    api: Api, due: None, metrics_on: None, capsys: pytest.CaptureFixture[str]
) -> None:
    """The local gateway's context counts down from the jobs function's deployed timeout
    (``infra.timeouts``, which the catalog deploys: tests/infra/test_job_schedules.py)."""
    res = api.operator("POST", "/v1/admin/jobs/expire/runs")

    assert res.status == 200, res.body
    assert res.body["processed"] == len(MEMBERS) > 0  # no more "complete: false, processed: 0"
    assert (res.body["complete"], res.body["continues"]) == (True, False)
    assert balances(api) == [0, 0, 0]
    assert job_metrics(capsys.readouterr().out) == [
        {"job": "expire", "service": "jobs", JOB_PROCESSED: 3.0, JOB_INCOMPLETE: 0.0}
    ]


def test_a_run_out_of_time_continues_in_the_background_until_done(
    api: Api,
    due: None,
    metrics_on: None,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    """1.5 s left: under the margin at once. The continuation (BACKGROUND_JOBS=inline in the
    tests: it runs before the answer) resumes from the checkpoint and finishes."""
    monkeypatch.setattr(gateway, "timeout_of", lambda function: 1.5)

    res = api.operator("POST", "/v1/admin/jobs/expire/runs")

    assert res.status == 200, res.body
    assert res.body["job"] == "expire"
    assert (res.body["complete"], res.body["processed"], res.body["continues"]) == (False, 0, True)
    assert balances(api) == [0, 0, 0]  # the continuation expired them
    assert job_metrics(capsys.readouterr().out) == [
        {"job": "expire", "service": "jobs", JOB_PROCESSED: 0.0, JOB_INCOMPLETE: 1.0},
        {"job": "expire", "service": "jobs", JOB_PROCESSED: 3.0, JOB_INCOMPLETE: 0.0},
    ]
    entries = api.operator("GET", "/v1/admin/audit?target=job:expire").body["items"]
    runs = sorted((e["after"].get("continuation", 0), e["actor"], e["after"]) for e in entries)
    assert [(n, actor, a["complete"], a["continues"], a["processed"]) for n, actor, a in runs] == [
        (0, "op-1", False, True, 0),  # the request's run, answered as res
        (1, "op-1", True, False, 3),  # the background run it started, the operator's too
    ]


def test_a_schedules_last_try_that_ends_incomplete_missed_its_deadline(
    api: Api,
    due: None,
    metrics_on: None,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    caplog: pytest.LogCaptureFixture,
) -> None:
    monkeypatch.setenv("POWERTOOLS_SERVICE_NAME", "expire")

    def scheduled(event: dict[str, Any], seconds: float) -> dict[str, Any]:
        context = gateway.LambdaContext("expire", "r-1", timeout_s=seconds)
        return expire_handler.lambda_handler(event, context)

    retry = scheduled({"job": "expire"}, 1.5)
    last = scheduled({"job": "expire", "deadline": True}, 1.5)
    done = scheduled({"job": "expire", "deadline": True}, 60)

    assert [r["complete"] for r in (retry, last, done)] == [False, False, True]
    out = capsys.readouterr().out
    assert [m.get(JOB_MISSED_DEADLINE) for m in job_metrics(out)] == [None, 1.0, 0.0]
    assert {(m["service"], m["job"]) for m in job_metrics(out)} == {("expire", "expire")}
    errors = [r.getMessage() for r in caplog.records if r.levelname == "ERROR"]
    assert errors == ["job missed its deadline"]  # in the log too, once
