"""Traffic protection in the synthesized templates: a throttle per route whose rates keep the
systems' reserve within the account's budget, reserved concurrency in prod only, and
timeouts and memory from the measured durations (infra/traffic.py, infra/catalog.py)."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import pytest

from infra.catalog import HTTP_LIMIT_S, MEASURED_P99_MS, SCHEDULED, catalog, timeout_floor
from infra.config import stage_config
from infra.traffic import PROD, SMALL, Throttle, audience
from shared.routes import ROUTES, Role, routes_for

pytestmark = pytest.mark.infra

STAGES = ("dev", "prod")
SYSTEM = Role.SYSTEM.value


def _stage(synth, stage: str) -> tuple[str, dict[str, Any]]:
    (found,) = synth.template(stage).find_resources("AWS::ApiGatewayV2::Stage").items()
    return found


def _route_settings(synth, stage: str) -> dict[str, dict[str, Any]]:
    return _stage(synth, stage)[1]["Properties"]["RouteSettings"]


def _functions(synth, stage: str) -> dict[str, dict[str, Any]]:
    """Function (catalog name) -> Properties, for the stage's functions of ours."""
    prefix = stage_config({"stage": stage}).name("")
    found = synth.template(stage).find_resources("AWS::Lambda::Function").values()
    return {
        r["Properties"]["FunctionName"].removeprefix(prefix): r["Properties"]
        for r in found
        if "FunctionName" in r["Properties"]
    }


@pytest.mark.parametrize("stage", STAGES)
def test_every_route_has_a_throttle_of_its_own(synth, stage: str) -> None:
    settings = _route_settings(synth, stage)
    traffic = stage_config({"stage": stage}).traffic

    assert set(settings) == {r.route_key for r in ROUTES}
    for route in ROUTES:
        expected = traffic.throttle(route)
        assert settings[route.route_key] == {
            "ThrottlingRateLimit": expected.rate,
            "ThrottlingBurstLimit": expected.burst,
        }, route.route_key


@pytest.mark.parametrize("stage", STAGES)
def test_the_stage_is_created_after_the_routes_its_settings_name(synth, stage: str) -> None:
    """Otherwise a first deployment fails: "Unable to find Route by key ..."."""
    routes = synth.template(stage).find_resources("AWS::ApiGatewayV2::Route")
    _, stage_resource = _stage(synth, stage)

    assert set(routes) <= set(stage_resource.get("DependsOn", []))


@pytest.mark.parametrize("stage", STAGES)
def test_members_cannot_spend_the_systems_reserve(synth, stage: str) -> None:
    settings = _route_settings(synth, stage)
    traffic = stage_config({"stage": stage}).traffic
    rates: dict[str, float] = {}
    for route in ROUTES:
        who = audience(route)
        rates[who] = rates.get(who, 0) + settings[route.route_key]["ThrottlingRateLimit"]

    others = sum(rate for who, rate in rates.items() if who != SYSTEM)
    assert rates[SYSTEM] >= traffic.system_reserve_rps
    assert others + rates[SYSTEM] <= traffic.account_rps
    assert others <= traffic.account_rps - traffic.system_reserve_rps
    # the systems' routes are those the shop's systems call with a scope, no one else
    assert {r.route_key for r in ROUTES if audience(r) == SYSTEM} == {
        r.route_key for r in ROUTES if r.scopes
    }


def test_prod_is_larger_and_hot_and_heavy_routes_have_their_own() -> None:
    me = next(r for r in ROUTES if r.route_key == "GET /v1/me")
    export = next(r for r in ROUTES if r.route_key == "POST /v1/admin/exports")

    assert PROD.account_rps > SMALL.account_rps
    for who in PROD.audiences:
        assert PROD.audiences[who].rate > SMALL.audiences[who].rate, who
    assert PROD.throttle(me).rate > PROD.audiences[Role.MEMBER.value].rate
    assert PROD.throttle(export).rate < PROD.audiences[Role.OPERATOR.value].rate


def test_a_plan_over_the_budget_or_short_of_the_reserve_is_refused() -> None:
    greedy = {**SMALL.audiences, Role.MEMBER.value: Throttle(100, 200)}  # 23 routes: 2 300/s
    with pytest.raises(ValueError, match="account budget"):
        replace(SMALL, audiences=greedy).plan(ROUTES)
    with pytest.raises(ValueError, match="reserve"):
        replace(SMALL, system_reserve_rps=201).plan(ROUTES)
    with pytest.raises(ValueError, match="do not exist"):
        replace(SMALL, routes={"GET /v1/nothing": Throttle(1, 1)}).plan(ROUTES)


def test_prod_reserves_concurrency_for_checkout_earn_and_the_publisher_dev_none(synth) -> None:
    reserved = {
        stage: {
            name: props["ReservedConcurrentExecutions"]
            for name, props in _functions(synth, stage).items()
            if "ReservedConcurrentExecutions" in props
        }
        for stage in STAGES
    }

    assert reserved["dev"] == {}
    assert set(reserved["prod"]) == {"checkout", "earn", "publisher"}
    assert reserved["prod"] == dict(PROD.reserved_concurrency)


def test_the_reservations_carry_the_routes_rates_and_leave_lambda_its_unreserved() -> None:
    """Little's law: executions at once = requests per second × seconds each (the p99)."""
    for name in ("checkout", "earn"):
        rate = sum(PROD.throttle(r).rate for r in routes_for(name))
        assert PROD.reserved_concurrency[name] >= rate * MEASURED_P99_MS[name] / 1000, name
    assert sum(PROD.reserved_concurrency.values()) <= PROD.account_concurrency - 100
    with pytest.raises(ValueError, match="unreserved"):
        replace(PROD, account_concurrency=500)


def test_a_stage_reserves_what_its_context_says() -> None:
    dev = stage_config({"stage": "dev", "reserved_concurrency": '{"dev": {"earn": 5}}'})
    prod = stage_config({"stage": "prod", "reserved_concurrency": {"prod": {}}})

    assert dict(dev.traffic.reserved_concurrency) == {"earn": 5}
    assert dict(prod.traffic.reserved_concurrency) == {}
    assert dev.traffic.audiences == SMALL.audiences


@pytest.mark.parametrize("stage", STAGES)
def test_timeouts_cover_the_measured_durations_within_api_gateways_limit(synth, stage: str) -> None:
    deployed = _functions(synth, stage)
    # functions that also run jobs (schedules, streams, queues, background runs) keep their
    # job's timeout: API Gateway answers their routes within 30 s regardless
    http_only = {spec.name for spec in catalog()} - {spec.name for spec in SCHEDULED}

    assert set(MEASURED_P99_MS) <= set(deployed)
    for name, props in deployed.items():
        if name == "jobs":  # its budget is the jobs route's (tests/infra/test_job_schedules.py)
            continue
        assert props["Timeout"] >= timeout_floor(name), name
        if name in http_only:
            assert props["Timeout"] <= HTTP_LIMIT_S, name
    assert deployed["earn"]["MemorySize"] == deployed["checkout"]["MemorySize"] == 1024
