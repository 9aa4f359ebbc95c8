"""Every EventBridge schedule of the stack runs a registered job on a function that runs it,
and every registered job has a schedule (``shared.jobs.registry``)."""

from __future__ import annotations

import importlib

import pytest

from infra.catalog import SCHEDULED
from shared.jobs import registry

pytestmark = pytest.mark.infra

# What EventBridge sends a target whose schedule has no payload.
SCHEDULED_EVENT = {"source": "aws.events", "detail-type": "Scheduled Event", "detail": {}}


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
