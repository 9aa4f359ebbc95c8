"""Fanned-out jobs (shared/jobs/fanout.py): one task per shard, each shard worked once to
completion from its own checkpoint, the run's item completed by the last shard, a retried
coordinator that doubles no work, the deadline metric while the workers are not done."""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import replace
from datetime import UTC, datetime
from typing import Any

import boto3
import pytest

from functions.expire import handler as expire_handler
from functions.jobs import handler as jobs_handler
from local import gateway
from shared import clock
from shared.domain.rules import DEFAULT_RULES
from shared.dynamodb import jobs as store
from shared.expiry import expiry_work
from shared.jobs import fanout
from shared.jobs.fanout import Task
from shared.jobs.runner import Budget, Partitions, fan_out
from shared.metrics import JOB_INCOMPLETE, JOB_MISSED_DEADLINE, JOB_PROCESSED
from tests.integration.test_expiry import release_with
from tests.support import SHANGHAI, Api, register_member

NOW = datetime(2027, 7, 11, 3, 0, tzinfo=UTC)
RUN = "2027-07-11"
STEP_SECONDS = 0.5  # what one member's work costs in these simulations
pytestmark = pytest.mark.usefixtures("moto_tables")


class Invocation:
    """Lambda's remaining time in a simulation: starts at the timeout, each step spends."""

    def __init__(self, timeout_s: float) -> None:
        self.left = timeout_s - 0.05

    def time_left(self) -> float:
        return self.left


class Queue:
    """What SQS holds: the tasks sent, run later by whoever calls :meth:`work`."""

    def __init__(self) -> None:
        self.tasks: list[Task] = []

    def dispatch(self, tasks: Any, run: Any) -> int:
        self.tasks += tasks
        return len(tasks)

    def work(self, work: Partitions) -> list[str]:
        outcomes = [fanout.run_shard(task, work).status for task in self.tasks]
        self.tasks = []
        return outcomes


def members_job(
    members: int = 40, *, once: bool = True, invocation: Invocation | None = None
) -> tuple[Partitions, list[str]]:
    """``members`` members over 4 shards; each step spends STEP_SECONDS of ``invocation``."""
    visits: list[str] = []

    def shard(p: int, after: str | None = None) -> Iterator[tuple[str, str]]:
        for member_id in (f"m-{p}-{i:02d}" for i in range(members // 4)):
            if after is None or member_id > after:
                yield member_id, member_id  # its position: the id (a keys-only index's key)

    def step(member_id: str) -> dict[str, int]:
        if invocation is not None:
            invocation.left -= STEP_SECONDS
        visits.append(member_id)
        return {"processed": 1, "done": 1}

    partitions = [(p,) for p in range(4)]
    return Partitions(
        "demo", RUN, partitions, shard, step, ("processed", "done"), once=once
    ), visits


def test_every_shard_runs_exactly_once_to_completion() -> None:
    work, visits = members_job()

    result = fan_out(work, NOW)

    assert (result["complete"], result["processed"], result["done"]) == (True, 40, 40)
    assert sorted(visits) == sorted(set(visits)) and len(visits) == 40
    run = store.fan_out_state("demo", RUN)
    assert run is not None and (run.complete, run.done, run.stats) == (
        True,
        frozenset(range(4)),
        {"processed": 40, "done": 40},
    )


def test_a_shard_stopped_for_time_resumes_where_it_stopped() -> None:
    """A 10 s invocation works 8 s (16 steps of 0.5 s): the second shard stops after 6 of
    its 10 members; the next try goes on from its checkpoint, visiting nobody twice."""
    visits: list[str] = []
    answers = []
    for _ in range(4):
        invocation = Invocation(10)
        work, visited = members_job(invocation=invocation)
        answers.append(fan_out(work, NOW, invocation.time_left))
        visits += visited
        if answers[-1]["complete"]:
            break

    assert [(a["complete"], a["processed"]) for a in answers] == [
        (False, 16),
        (False, 32),
        (True, 40),
    ]
    assert len(visits) == len(set(visits)) == 40  # the cursor: no member visited again


def test_a_complete_run_answers_at_once_and_a_rescan_starts_the_next_round() -> None:
    work, visits = members_job()
    fan_out(work, NOW)

    again = fan_out(work, NOW)

    assert again == {
        "job": "demo",
        "run": RUN,
        "complete": True,
        "processed": 0,
        "done": 0,
        "already_complete": True,
    }
    assert len(visits) == 40
    rescan, visits = members_job(once=False)
    assert fan_out(rescan, NOW)["processed"] == 40  # a fresh round: every shard again
    assert len(visits) == 40


def test_a_retried_coordinator_doubles_no_work() -> None:
    """The schedule's retry sends the pending shards again (a task lost in the queue would
    leave the run incomplete otherwise): a shard done or leased to a running task is
    skipped, so each member is visited once and counted once."""
    queue = Queue()
    work, visits = members_job()

    first = fan_out(work, NOW, dispatcher=queue)
    retry = fan_out(work, NOW, dispatcher=queue)

    assert (first["complete"], first["queued"], retry["queued"]) == (False, 4, 4)
    round_no = store.fan_out_state("demo", RUN).round_no  # type: ignore[union-attr]
    # shard 3's first task is still running (holds its lease): its duplicate steps aside
    assert store.take_shard("demo", RUN, round_no, 3, 4e9, 0, NOW, "task-3") is not None
    outcomes = queue.work(work)
    assert outcomes == ["done", "done", "done", "skipped"] + ["skipped"] * 4
    assert len(visits) == 30 and not store.fan_out_state("demo", RUN).complete  # type: ignore
    store.save_shard("demo", RUN, round_no, 3, store.ShardState(), 0, NOW)  # it crashed
    fan_out(work, NOW, dispatcher=queue)
    assert queue.work(work) == ["done"]
    assert len(visits) == len(set(visits)) == 40
    run = store.fan_out_state("demo", RUN)
    assert run is not None and (run.complete, run.stats["done"]) == (True, 40)


def test_a_task_overtaken_by_a_later_round_stops_and_the_later_round_answers() -> None:
    """A rescanning job: while shard 0's task works its members, another task of the shard
    finds it empty (its members done meanwhile: expired lots drop out of the index) and
    counts it done without a lease, the round completes, and a later try's round takes
    shard 0 and completes. The first task's checkpoint is refused: it stops there (nothing
    raised, nothing of the later round's overwritten), and its coordinator answers the
    later round's complete run."""
    work, visits = members_job(once=False)
    later, later_visits = members_job(once=False)
    overtaken: list[dict[str, Any]] = []

    def step(member_id: str) -> dict[str, int]:
        if member_id == "m-0-03" and not overtaken:
            run = store.fan_out_state("demo", RUN)
            assert run is not None
            for shard in range(4):  # the other tasks, shard 0's finding it empty
                store.shard_done("demo", RUN, run.round_no, shard, NOW)
            store.complete_fan_out("demo", RUN, run.round_no, {}, NOW)
            overtaken.append(fan_out(later, NOW))  # the later try: a round of its own
        return work.step(member_id)

    answer = fan_out(replace(work, step=step), NOW)

    assert overtaken and overtaken[0]["complete"] and overtaken[0]["processed"] == 40
    run = store.fan_out_state("demo", RUN)
    assert run is not None and run.complete and run.stats["processed"] == 40
    assert store.shard_states("demo", RUN, run.round_no)[0].finished  # the later round's
    assert (answer["complete"], answer["processed"]) == (True, 40)
    assert sorted(set(visits)) == sorted(later_visits)[:10]  # shard 0, then it stopped
    assert len(later_visits) == 40


def test_a_task_failing_on_its_last_checkpoint_lets_its_shard_go(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The write that marks shard 0 finished fails: the task lets the shard go on its way
    out (the lease would otherwise hold the shard for LEASE_S), so the run's next try works
    it at once and completes, visiting no member twice (its checkpoint on the way out)."""
    work, visits = members_job()
    save_shard = store.save_shard
    failures: list[int] = []

    def failing(*args: Any) -> bool:
        if args[4].finished and not failures:
            failures.append(args[3])
            raise RuntimeError("lost connection")
        return save_shard(*args)

    monkeypatch.setattr(store, "save_shard", failing)
    with pytest.raises(RuntimeError):
        fan_out(work, NOW)
    monkeypatch.setattr(store, "save_shard", save_shard)

    again = fan_out(work, NOW)

    assert failures == [0]
    assert (again["complete"], again["processed"]) == (True, 40)
    assert len(visits) == len(set(visits)) == 40


def test_a_lease_is_its_holders_again_and_no_one_elses() -> None:
    """A task's take whose answer was lost is sent again by the SDK and meets the lease it
    took: that task gets the shard (from scratch, as the first take left it), another task
    does not until the lease is let go."""
    fan_out(members_job()[0], NOW, dispatcher=Queue())
    round_no = store.fan_out_state("demo", RUN).round_no  # type: ignore[union-attr]
    now = 1_000.0

    first = store.take_shard("demo", RUN, round_no, 2, now + 960, now, NOW, "task-a")
    again = store.take_shard("demo", RUN, round_no, 2, now + 960, now + 1, NOW, "task-a")
    other = store.take_shard("demo", RUN, round_no, 2, now + 960, now + 2, NOW, "task-b")
    store.save_shard("demo", RUN, round_no, 2, store.ShardState("m-2-04"), 0, NOW)
    after = store.take_shard("demo", RUN, round_no, 2, now + 960, now + 3, NOW, "task-b")

    assert first == again == store.ShardState()
    assert other is None
    assert after == store.ShardState("m-2-04")


def test_a_sequential_runs_checkpoint_goes_on_after_its_partitions() -> None:
    """A run checkpointed before fan-out (``next_shard`` 2 of 4, its counters) is continued:
    only shards 2 and 3 are worked, its counters carried."""
    store.save_run("demo", RUN, store.Checkpoint(2, False, {"processed": 20, "done": 20}), NOW)
    work, visits = members_job()

    result = fan_out(work, NOW)

    assert (result["complete"], result["processed"]) == (True, 40)
    assert sorted({v[:3] for v in visits}) == ["m-2", "m-3"]


def test_a_round_begun_under_10_expiry_shards_completes_with_them_after_the_raise(
    api: Api,
) -> None:
    """An expiry round queued by the release before the raise (10 shards on its item) is
    finished by this one's workers (64 partitions) with its 10 shards: none waits for shards
    10..63 that were never sent, and every lot (all in shards 0..9) is expired."""
    clock.pin(datetime(2027, 1, 10, 10, 0, tzinfo=SHANGHAI))
    now = datetime(2027, 7, 11, 3, 5, tzinfo=SHANGHAI)
    queue = Queue()
    with release_with(10):
        members = [register_member(api, f"m-k{i}") for i in range(6)]
        first = fan_out(expiry_work(now), now, dispatcher=queue)  # queued, not yet worked
    try:
        work = expiry_work(now)
        outcomes = queue.work(work)
    finally:
        clock.release()

    assert (first["complete"], first["queued"]) == (False, 10)
    assert len(work.partitions) == DEFAULT_RULES.expiry_shards == 64
    assert outcomes == ["done"] * 10
    run = store.fan_out_state("expire", "2027-07-11")
    assert run is not None and (run.complete, run.shards, run.stats["members"]) == (True, 10, 6)
    assert [api.member(m, "GET", "/v1/me").body["balance"] for m in members] == [0] * 6


# The expiry on AWS: its schedule's coordinator, the job-shards queue, the jobs function ---------


def job_metrics(out: str) -> list[dict[str, Any]]:
    lines = [json.loads(line) for line in out.splitlines() if line.startswith('{"_aws"')]
    names = (JOB_PROCESSED, JOB_INCOMPLETE, JOB_MISSED_DEADLINE)
    return [
        {"service": emf["service"]} | {n: emf[n][0] for n in names if n in emf}
        for emf in lines
        if JOB_PROCESSED in emf and emf.get("job") == "expire"
    ]


@pytest.fixture
def shards_queue(monkeypatch: pytest.MonkeyPatch) -> str:
    sqs = boto3.client("sqs", region_name="us-east-1")
    url = sqs.create_queue(QueueName="loyalty-points-test-job-shards")["QueueUrl"]
    monkeypatch.setenv(fanout.ENV_QUEUE_URL, url)
    monkeypatch.setenv("POWERTOOLS_SERVICE_NAME", "expire")
    return url


def received(url: str) -> list[dict[str, Any]]:
    """Every message the queue holds now (SQS hands out at most 10 a call), deleted."""
    sqs = boto3.client("sqs", region_name="us-east-1")
    records = []
    while messages := sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10).get("Messages"):
        for m in messages:
            sqs.delete_message(QueueUrl=url, ReceiptHandle=m["ReceiptHandle"])
        records += [
            {"messageId": m["MessageId"], "body": m["Body"], "eventSource": "aws:sqs"}
            for m in messages
        ]
    return records


def test_the_expiry_fans_out_on_the_queue_and_its_deadline_waits_for_the_workers(
    api: Api, shards_queue: str, capsys: pytest.CaptureFixture[str]
) -> None:
    clock.pin(datetime(2027, 1, 10, 10, 0, tzinfo=SHANGHAI))
    members = [register_member(api, f"m-f{i}") for i in range(6)]  # 100 points each, due
    clock.pin(datetime(2027, 7, 11, 6, 5, tzinfo=SHANGHAI))
    capsys.readouterr()

    def scheduled(event: dict[str, Any]) -> dict[str, Any]:
        context = gateway.LambdaContext("expire", "r-1", timeout_s=900)
        return expire_handler.lambda_handler(event, context)

    try:
        last = scheduled({"job": "expire", "deadline": True})  # the workers have not run
        tasks = received(shards_queue)
        context = gateway.LambdaContext("jobs", "r-2", timeout_s=900)
        answers = [jobs_handler.lambda_handler({"Records": [t]}, context) for t in tasks]
        after = scheduled({"job": "expire", "deadline": True})
    finally:
        clock.release()

    shards = DEFAULT_RULES.expiry_shards  # a task per shard
    assert (last["complete"], last["queued"], len(tasks)) == (False, shards, shards)
    assert answers == [{"batchItemFailures": []}] * shards
    assert after["complete"] is True  # (and it scans again: the expiry's hourly retries do)
    run = store.fan_out_state("expire", "2027-07-11")
    assert run is not None and run.completed_before
    assert [api.member(m, "GET", "/v1/me").body["balance"] for m in members] == [0] * 6
    metrics = job_metrics(capsys.readouterr().out)
    assert metrics[0] == {  # the coordinator: not done, not stopped for time, nothing itself
        "service": "expire",
        JOB_PROCESSED: 0.0,
        JOB_INCOMPLETE: 0.0,
        JOB_MISSED_DEADLINE: 1.0,
    }
    workers = metrics[1:-1]  # one line per task, in the coordinating function's name
    assert {m["service"] for m in workers} == {"expire"}
    assert sum(m[JOB_PROCESSED] for m in workers) == 6
    assert metrics[-1][JOB_MISSED_DEADLINE] == 0.0


def test_a_task_out_of_time_sends_itself_again_and_goes_on(
    api: Api, shards_queue: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    clock.pin(datetime(2027, 1, 10, 10, 0, tzinfo=SHANGHAI))
    members = [register_member(api, f"m-g{i:02d}") for i in range(30)]
    clock.pin(datetime(2027, 7, 11, 3, 5, tzinfo=SHANGHAI))
    steps = iter(range(10_000))
    # each invocation may settle 2 members before its budget is spent
    monkeypatch.setattr(Budget, "spent", lambda self: next(steps) % 3 == 2)
    try:
        expire_handler.lambda_handler({"job": "expire"}, gateway.LambdaContext("expire", "r"))
        invocations = 0
        while tasks := received(shards_queue):
            for task in tasks:
                jobs_handler.lambda_handler({"Records": [task]}, gateway.LambdaContext("jobs", "r"))
                invocations += 1
    finally:
        clock.release()

    run = store.fan_out_state("expire", "2027-07-11")
    assert run is not None and run.complete and run.stats["members"] == 30
    assert invocations > DEFAULT_RULES.expiry_shards  # shards went on in later invocations
    assert [api.member(m, "GET", "/v1/me").body["balance"] for m in members] == [0] * 30
