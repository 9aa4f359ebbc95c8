"""The job runner: a time budget that scales with the function's timeout, checkpoints that
resume, and one registry that the route, the schedules and the handlers agree on."""

from __future__ import annotations

import math
from datetime import UTC, datetime
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from shared import clock
from shared.dynamodb.jobs import Checkpoint
from shared.jobs import registry
from shared.jobs.runner import Budget, Partitions, margin_for, run_partitions, within_budget
from tests.support import Api

NOW = datetime(2027, 7, 11, 3, 0, tzinfo=UTC)
SHANGHAI = ZoneInfo("Asia/Shanghai")
STEP_SECONDS = 0.5  # what one member's work costs in these simulations


class Invocation:
    """Lambda's remaining time in a simulation: starts at the timeout, each step spends."""

    def __init__(self, timeout_s: float) -> None:
        self.left = timeout_s - 0.05  # the handler starts a little after the invocation

    def time_left(self) -> float:
        return self.left

    def spend(self, seconds: float = STEP_SECONDS) -> None:
        self.left -= seconds


class Store:
    """Checkpoints in memory (``shared.dynamodb.jobs`` has the same two calls)."""

    def __init__(self) -> None:
        self.runs: dict[tuple[str, str], Checkpoint] = {}
        self.saves = 0

    def get_run(self, job: str, run: str) -> Checkpoint | None:
        return self.runs.get((job, run))

    def save_run(self, job: str, run: str, checkpoint: Checkpoint, at: datetime) -> None:
        self.runs[(job, run)] = checkpoint
        self.saves += 1


def members_job(
    invocation: Invocation, members: int = 40, *, once: bool = True
) -> tuple[Partitions, list]:
    """``members`` members over 4 partitions; each step spends STEP_SECONDS of the invocation."""
    visits: list[str] = []

    def step(member_id: str) -> dict[str, int]:
        invocation.spend()
        visits.append(member_id)
        return {"processed": 1, "done": 1}

    partitions = [(p,) for p in range(4)]
    work = Partitions(
        "demo",
        "2027-07-11",
        partitions,
        lambda p: [f"m-{p}-{i:02d}" for i in range(members // 4)],
        step,
        ("processed", "done"),
        once=once,
    )
    return work, visits


def test_the_margin_is_a_tenth_of_the_functions_time_with_a_floor() -> None:
    assert margin_for(10) == 2.0  # the floor: the jobs function's default timeout
    assert margin_for(60) == 6.0
    assert margin_for(900) == 90.0
    assert margin_for(math.inf) == 2.0  # no deadline: the budget never runs out
    assert not Budget().spent()


@pytest.mark.parametrize("timeout_s", [10, 60])
def test_a_job_does_work_on_its_first_call_whatever_the_timeout(timeout_s: int) -> None:
    invocation = Invocation(timeout_s)
    work, _ = members_job(invocation)

    first = run_partitions(work, NOW, invocation.time_left, Store())

    assert first["processed"] > 0  # no more "complete: false, processed: 0"
    assert invocation.left >= margin_for(timeout_s) - STEP_SECONDS  # stopped inside the budget
    if timeout_s == 10:
        assert (first["complete"], first["processed"]) == (False, 16)  # 8 s of 0.5 s steps
    else:
        assert (first["complete"], first["processed"]) == (True, 40)


def test_the_jobs_function_with_the_default_10_s_timeout_runs_a_job_now(
    api: Api, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Lambda's default 10 s (the ``jobs`` function's until issue 22; 900 s now, see
    tests/unit/test_jobs_budget.py): a fixed 10 s margin left it nothing to do; the budget
    leaves it 8 s."""
    from local.gateway import LambdaContext

    monkeypatch.setattr(LambdaContext, "get_remaining_time_in_millis", lambda _: 9_950)
    clock.pin(datetime(2027, 1, 10, 10, 0, tzinfo=SHANGHAI))
    api.system("POST", "/v1/members", {"member_id": "m-j"})  # 100 welcome points
    clock.pin(datetime(2027, 7, 11, 3, 0, tzinfo=SHANGHAI))
    try:
        res = api.operator("POST", "/v1/admin/jobs/expire/runs")
    finally:
        clock.release()

    assert res.status == 200, res.body
    assert (res.body["job"], res.body["complete"], res.body["processed"]) == ("expire", True, 1)
    assert res.body["expired_points"] == 100


def test_a_run_stopped_for_time_resumes_at_its_checkpoint_with_its_counters() -> None:
    store = Store()
    calls = []
    for _ in range(5):
        invocation = Invocation(10)
        work, _ = members_job(invocation)
        calls.append(run_partitions(work, NOW, invocation.time_left, store))
        if calls[-1]["complete"]:
            break

    assert [c["complete"] for c in calls] == [False, False, False, True]
    # counters carried over; each stop left 6 of a partition's 10 visited, visited again
    # from the partition's start on resume (steps are idempotent); done ones never again
    assert calls[-1]["done"] == calls[-1]["processed"] == 40 + 3 * 6


def test_a_completed_run_answers_at_once_unless_it_starts_over() -> None:
    store = Store()
    work, visits = members_job(Invocation(900))
    run_partitions(work, NOW, store=store)

    again = run_partitions(work, NOW, store=store)

    assert again == {
        "job": "demo",
        "run": "2027-07-11",
        "complete": True,
        "processed": 0,
        "done": 0,
        "already_complete": True,
    }
    assert len(visits) == 40
    work, visits = members_job(Invocation(900), once=False)
    assert run_partitions(work, NOW, store=store)["processed"] == 40
    assert len(visits) == 40


def test_a_checkpoint_is_written_only_after_a_partition_with_work() -> None:
    empty, full = Store(), Store()

    run_partitions(members_job(Invocation(900), members=0)[0], NOW, store=empty)
    run_partitions(members_job(Invocation(900))[0], NOW, store=full)

    assert empty.saves == 1  # the final one: nothing to resume
    assert empty.runs[("demo", "2027-07-11")] == Checkpoint(4, True, {"processed": 0, "done": 0})
    assert full.saves == 4  # after each of the first three partitions, then the final one


def test_a_sweep_with_its_own_threshold_stops_when_the_budget_is_spent() -> None:
    """checkout.sweep and mall.sweep_unpaid_orders stop at ``time_left() < 5``: run through
    the runner, a 10 s function works 8 s (not 5), a 900 s one 810 s (not 895)."""

    def sweep(now: datetime, time_left: Any) -> dict[str, int]:
        swept = 0
        while time_left() >= 5:
            invocation.spend()
            swept += 1
        return {"processed": swept}

    for timeout_s, swept in ((10, 16), (900, 1620)):
        invocation = Invocation(timeout_s)
        assert within_budget(sweep)(NOW, invocation.time_left)["processed"] == swept


def test_the_routes_job_names_are_the_registry() -> None:
    from shared.openapi import document

    op = document()["paths"]["/v1/admin/jobs/{job}/runs"]["post"]
    (param,) = [p for p in op["parameters"] if p["name"] == "job"]
    assert param["schema"]["enum"] == sorted(registry.JOBS)
    assert {"expire", "expiry-reminders", "tiers", "birthdays"} <= set(registry.JOBS)


@pytest.mark.parametrize(
    ("function", "event", "job"),
    [
        ("expire", {"job": "expire"}, "expire"),
        ("expire", {"job": "expiry-reminders"}, "expiry-reminders"),
        ("tiers", {"job": "tiers"}, "tiers"),
        ("tiers", {"job": "birthdays"}, "birthdays"),
        ("checkout", {"job": "holds"}, "holds"),
        ("mall_sweep", {"detail-type": "Scheduled Event", "source": "aws.events"}, "unpaid-orders"),
        ("mall_sweep", {"job": "unpaid-orders"}, "unpaid-orders"),
    ],
)
def test_each_scheduled_function_runs_its_registered_jobs(
    function: str, event: dict, job: str
) -> None:
    import importlib

    handler = importlib.import_module(f"functions.{function}.handler")

    assert handler.scheduled.job_of(event) == job
    assert job in registry.JOBS
    with pytest.raises(ValueError):
        handler.scheduled.job_of({"job": "no-such-job"})


def test_a_function_cannot_declare_a_job_the_registry_lacks() -> None:
    with pytest.raises(ValueError):
        registry.Scheduled(("expire", "nightly"))
    with pytest.raises(ValueError):
        registry.Scheduled(("expire",), default="tiers")


def test_a_schedules_event_is_told_from_an_http_one_by_what_it_is() -> None:
    http_event = {"version": "2.0", "routeKey": "POST /v1/admin/jobs/{job}/runs", "body": "{}"}

    assert registry.Scheduled.claims({"job": "expire"})
    assert registry.Scheduled.claims({"source": "aws.events", "detail-type": "Scheduled Event"})
    assert not registry.Scheduled.claims(http_event)
