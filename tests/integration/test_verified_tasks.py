"""Verified tasks: only a trusted system reports their completion (risk, SPEC §9d)."""

from __future__ import annotations

import pytest

from tests.support import Api, register_member

pytestmark = pytest.mark.usefixtures("frozen_clock")

SURVEY = {"name": "In-store survey", "points": 30, "limit": "daily", "verified": True}


@pytest.fixture
def member(api: Api) -> str:
    member_id = register_member(api)
    assert api.operator("PUT", "/v1/admin/tasks/survey", SURVEY).status == 201
    return member_id


def test_a_member_cannot_claim_a_verified_task(api: Api, member: str) -> None:
    claimed = api.member(member, "POST", "/v1/me/tasks/survey/completions")

    assert (claimed.status, claimed.code) == (403, "verification_required")
    assert api.member(member, "GET", "/v1/me").body["balance"] == 100


def test_a_trusted_system_reports_a_verified_completion_once_a_period(
    api: Api, member: str
) -> None:
    path = f"/v1/members/{member}/tasks/survey/completions"

    reported = api.system("POST", path)
    again = api.system("POST", path)

    assert (reported.status, reported.body["points"]) == (201, 30)
    assert (again.status, again.code) == (409, "task_limit_reached")
    tasks = api.member(member, "GET", "/v1/tasks").body["items"]
    assert [(t["task_id"], t["verified"], t["completed_in_period"]) for t in tasks] == [
        ("survey", True, True)
    ]
    assert api.member(member, "GET", "/v1/me").body["balance"] == 130


def test_only_systems_report_completions_and_unknown_members_or_tasks_are_404(
    api: Api, member: str
) -> None:
    path = f"/v1/members/{member}/tasks/survey/completions"

    assert api.member(member, "POST", path).status == 403
    assert api.operator("POST", path).status == 403
    assert api.system("POST", "/v1/members/m-none/tasks/survey/completions").code == (
        "member_not_found"
    )
    assert api.system("POST", f"/v1/members/{member}/tasks/none/completions").code == (
        "task_not_found"
    )


def test_an_ordinary_task_can_also_be_reported_by_a_system(api: Api, member: str) -> None:
    api.operator("PUT", "/v1/admin/tasks/share", {"name": "Share", "points": 5, "limit": "once"})

    assert api.member(member, "POST", "/v1/me/tasks/share/completions").status == 201
    reported = api.system("POST", f"/v1/members/{member}/tasks/share/completions")
    assert (reported.status, reported.code) == (409, "task_limit_reached")
