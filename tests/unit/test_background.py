"""Background jobs: how a request's job is started on AWS and locally."""

from __future__ import annotations

import json
import threading
from typing import Any

from shared.jobs import background


def test_only_background_events_are_claimed() -> None:
    assert background.claims(background.event_of({"export_id": "x1"}))
    assert not background.claims({"routeKey": "GET /v1/health"})
    assert not background.claims({"job": "expire"})
    assert not background.claims({"background": "not an object"})
    assert background.payload(background.event_of({"export_id": "x1"})) == {"export_id": "x1"}


def test_inline_mode_runs_the_job_before_start_returns(monkeypatch: Any) -> None:
    monkeypatch.delenv(background.ENV_FUNCTION, raising=False)
    monkeypatch.setenv(background.ENV_MODE, "inline")
    seen: list[dict[str, Any]] = []
    background.start({"export_id": "x1"}, seen.append)
    assert seen == [{"export_id": "x1"}]


def test_local_default_runs_the_job_in_another_thread(monkeypatch: Any) -> None:
    monkeypatch.delenv(background.ENV_FUNCTION, raising=False)
    monkeypatch.delenv(background.ENV_MODE, raising=False)
    done = threading.Event()
    threads: list[str] = []

    def run(payload: dict[str, Any]) -> None:
        threads.append(threading.current_thread().name)
        done.set()

    background.start({"import_id": "i1"}, run)
    assert done.wait(5)
    assert threads != [threading.current_thread().name]


def test_on_lambda_the_function_invokes_itself_asynchronously(monkeypatch: Any) -> None:
    calls: list[dict[str, Any]] = []

    class FakeLambda:
        def invoke(self, **kwargs: Any) -> None:
            calls.append(kwargs)

    monkeypatch.setenv(background.ENV_FUNCTION, "loyalty-dev-exports")
    monkeypatch.setattr(background, "_lambda", FakeLambda)
    background.start({"export_id": "x1"}, lambda payload: None)
    [call] = calls
    assert call["FunctionName"] == "loyalty-dev-exports"
    assert call["InvocationType"] == "Event"
    assert json.loads(call["Payload"]) == {"background": {"export_id": "x1"}}
