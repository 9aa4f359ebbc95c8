"""Every EventBridge schedule of the stack runs a registered job on a function that runs it,
and every registered job has a schedule (``shared.jobs.registry``); each checkpointed job's
window ends with its deadline try; the jobs route's function has the time its runs need."""

from __future__ import annotations

import importlib
import re

import pytest

from infra.catalog import SCHEDULED, catalog
from infra.permissions import INVOKE
from infra.timeouts import timeout_of
from shared.jobs import registry
from shared.jobs.runner import HTTP_BUDGET_S, margin_for
from shared.routes import functions as http_functions
from tests.infra.test_files_bucket import DEV, _as_list, _function, _statements

pytestmark = pytest.mark.infra

# What EventBridge sends a target whose schedule has no payload.
SCHEDULED_EVENT = {"source": "aws.events", "detail-type": "Scheduled Event", "detail": {}}
API_GATEWAY_S = 30  # an HTTP API's integration timeout (fixed)


def scheduled_jobs() -> list[tuple[str, str]]:
    """(function, job) of every schedule, as the function's handler reads its event."""
    runs = []
    for spec in SCHEDULED:
        for schedule in spec.all_schedules():
            handler = importlib.import_module(f"functions.{spec.name}.handler")
            event = dict(schedule.payload) if schedule.payload else SCHEDULED_EVENT
            runs.append((spec.name, handler.scheduled.job_of(event)))
    return runs


def test_every_schedule_runs_a_registered_job() -> None:
    assert all(job in registry.JOBS for _, job in scheduled_jobs())


def test_every_registered_job_runs_on_a_schedule() -> None:
    assert {job for _, job in scheduled_jobs()} == set(registry.JOBS)


# The jobs that keep a checkpoint per run and retry hourly until done: each window of
# retries ends with the deadline try (``"deadline": true``), which alarms if still
# incomplete. The others run every few minutes or hours, each run standing on its own.
CHECKPOINTED = {"expire", "expiry-reminders", "tiers", "birthdays", "rebate-settlement"}
CRON = re.compile(r"cron\((?P<minute>\S+) (?P<hours>\S+) (?P<rest>.+)\)")


def hours(field: str) -> list[int]:
    first, _, last = field.partition("-")
    return list(range(int(first), int(last or first) + 1))


def test_each_checkpointed_job_has_one_deadline_the_last_try_of_its_window() -> None:
    by_job: dict[str, list] = {}
    for spec in SCHEDULED:
        for schedule in spec.all_schedules():
            if schedule.payload:
                by_job.setdefault(schedule.payload["job"], []).append(schedule)

    deadlined = {j for j, runs in by_job.items() if any(r.payload.get("deadline") for r in runs)}
    assert deadlined == CHECKPOINTED
    for job in CHECKPOINTED:
        crons = [(s, CRON.fullmatch(s.expression)) for s in by_job[job]]
        assert all(match for _, match in crons), job
        (deadline,) = [m for s, m in crons if s.payload.get("deadline") is True]
        tries = [m for s, m in crons if not s.payload.get("deadline")]
        window = sorted(h for m in tries for h in hours(m["hours"]))
        assert hours(deadline["hours"]) == [window[-1] + 1], job  # the hour after the retries
        same_days = (deadline["minute"], deadline["rest"])
        assert all((m["minute"], m["rest"]) == same_days for m in tries), job


def test_the_jobs_function_runs_a_job_within_the_http_budget_and_continues_itself(
    synth,
) -> None:
    """Its timeout leaves the run in the request its HTTP budget beyond the jobs' safety
    margin, and the continuation it starts may invoke nothing but itself."""
    resources = synth.raw()["Resources"]
    fn = _function(resources, "jobs")
    timeout = fn["Timeout"]

    assert timeout - margin_for(timeout) >= HTTP_BUDGET_S
    assert HTTP_BUDGET_S + margin_for(HTTP_BUDGET_S) <= API_GATEWAY_S  # answered in time
    lambdas = [
        s
        for s in _statements(resources, fn)
        if any(a.startswith("lambda:") for a in _as_list(s["Action"]))
    ]
    assert [s["Action"] for s in lambdas] == [INVOKE]
    (arn,) = _as_list(lambdas[0]["Resource"])  # one ARN: this function's, by its name
    assert arn["Fn::Join"][1][-1] == f":function:{DEV.name('jobs')}"


def test_local_mode_never_gives_a_function_more_time_than_it_deploys() -> None:
    """Its stand-in for Lambda's context counts down from ``infra.timeouts`` (local must not
    import the CDK); the catalog deploys the jobs function's from there too."""
    deployed = {spec.name: spec.timeout_s for spec in catalog()}

    assert deployed["jobs"] == timeout_of("jobs")
    assert all(timeout_of(name) <= deployed[name] for name in http_functions())


# The partitioned jobs fan out (shared/jobs/fanout.py) on the job-shards queue -----------------


def test_the_shard_tasks_queue_feeds_the_jobs_function_one_task_at_a_time(synth) -> None:
    """One task per invocation (its whole 15 minutes), at most SHARD_WORKERS at once; a task
    failing SHARD_TASK_RECEIVES times is dead-lettered (the monitoring alarms on it)."""
    from infra.catalog import SHARD_QUEUE, SHARD_TASK_RECEIVES, SHARD_WORKERS
    from shared.jobs import fanout
    from tests.infra.test_notifications_stack import _function_id, _mapping, _queue_id

    resources = synth.raw()["Resources"]
    queue = _queue_id(resources, "dev", SHARD_QUEUE)
    jobs = _function_id(resources, "dev", "jobs")
    mapping = _mapping(resources, jobs)

    assert SHARD_QUEUE == fanout.QUEUE
    assert mapping["EventSourceArn"] == {"Fn::GetAtt": [queue, "Arn"]}
    assert mapping["BatchSize"] == 1
    assert mapping["ScalingConfig"] == {"MaximumConcurrency": SHARD_WORKERS}
    assert mapping["FunctionResponseTypes"] == ["ReportBatchItemFailures"]
    props = resources[queue]["Properties"]
    assert props["RedrivePolicy"]["maxReceiveCount"] == SHARD_TASK_RECEIVES
    assert props["VisibilityTimeout"] >= 6 * resources[jobs]["Properties"]["Timeout"]


def test_as_many_shard_workers_as_expiry_shards_within_the_unreserved_concurrency(synth) -> None:
    """A worker per expiry shard (fewer leave shards waiting on the expiry's night, more
    idle), deployed as the event source's cap; the workers take executions from the
    account's unreserved pool, which must still keep Lambda's minimum in every stage."""
    from infra.catalog import SHARD_WORKERS
    from infra.traffic import PROD, SMALL, UNRESERVED_MINIMUM
    from shared.domain.rules import DEFAULT_RULES
    from tests.infra.test_notifications_stack import _function_id, _mapping

    resources = synth.raw()["Resources"]
    mapping = _mapping(resources, _function_id(resources, "dev", "jobs"))

    assert mapping["ScalingConfig"]["MaximumConcurrency"] == DEFAULT_RULES.expiry_shards
    assert 2 <= SHARD_WORKERS <= 1000  # what an SQS event source accepts
    for traffic in (PROD, SMALL):
        reserved = sum(traffic.reserved_concurrency.values())
        assert reserved + SHARD_WORKERS <= traffic.account_concurrency - UNRESERVED_MINIMUM


@pytest.mark.parametrize("function", ["expire", "tiers", "jobs"])
def test_the_coordinators_send_shard_tasks_to_that_queue_only(synth, function: str) -> None:
    """The schedules' functions and the jobs route coordinate (the jobs function also sends a
    task out of time again): SendMessage on the job-shards queue, its URL in the
    environment; nothing else of SQS but the worker's own consumption."""
    from shared.jobs import fanout
    from tests.infra.test_notifications_stack import _function_id, _grants, _queue_id

    resources = synth.raw()["Resources"]
    queue = _queue_id(resources, "dev", fanout.QUEUE)
    fn = resources[_function_id(resources, "dev", function)]["Properties"]
    grants = _grants(synth, "dev", function)
    queues = {res for _, action, res in grants if action.startswith("sqs:")}

    assert fn["Environment"]["Variables"][fanout.ENV_QUEUE_URL] == {"Ref": queue}
    assert ("Allow", "sqs:SendMessage", f"{queue}.Arn") in grants
    # besides it, only the function's own failed-invocations queue (its on-failure destination)
    assert {q for q in queues if not q.startswith("AsyncDlq")} == {f"{queue}.Arn"}
