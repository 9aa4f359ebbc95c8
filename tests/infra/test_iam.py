from __future__ import annotations

import json
from typing import Any

import pytest

from infra.catalog import catalog
from infra.config import stage_config
from infra.permissions import (
    ACCESS,
    BATCH_GET,
    CONDITION_CHECK,
    COUNTED,
    DELETE,
    GET,
    LEADING_KEYS,
    PUT,
    PUT_EVENTS,
    QUERY,
    SCAN,
    UPDATE,
    WRITES,
    Access,
    statements,
    string_like,
)

pytestmark = pytest.mark.infra

DEV = stage_config({"stage": "dev"})
Grant = tuple[str, str]  # (action, "table" | "index/<name>" | "counted" | "bus" | other)
Tables = tuple[str, str]  # the logical ids of the points table and the counted-events table


def grants(*table: str, **indexes: tuple[str, ...]) -> set[Grant]:
    """``table`` actions on the table, and each index's actions on ``index/<name>``."""
    return {(a, "table") for a in table} | {
        (a, f"index/{index}") for index, actions in indexes.items() for a in actions
    }


def _as_list(value: Any) -> list:
    return value if isinstance(value, list) else [value]


def _logical_id(resources: dict, type_: str, prefix: str) -> str:
    (logical_id,) = [k for k, v in resources.items() if v["Type"] == type_ and k.startswith(prefix)]
    return logical_id


def _resource_name(resource: Any, tables: Tables, bus: str) -> str:
    table, counted = tables
    if resource == {"Fn::GetAtt": [table, "Arn"]}:
        return "table"
    if resource == {"Fn::GetAtt": [counted, "Arn"]}:
        return "counted"
    if resource == {"Fn::GetAtt": [bus, "Arn"]}:
        return "bus"
    if resource == {"Fn::GetAtt": [table, "StreamArn"]}:
        return "stream"
    if isinstance(resource, dict) and "Fn::Join" in resource:
        separator, parts = resource["Fn::Join"]
        if separator == "" and len(parts) == 2 and parts[0] == {"Fn::GetAtt": [table, "Arn"]}:
            return parts[1].lstrip("/")  # "index/<name>"
    return str(resource)


def _role_statements(resources: dict, role_id: str) -> list[dict]:
    role = resources[role_id]["Properties"]
    found = [s for p in role.get("Policies", []) for s in p["PolicyDocument"]["Statement"]]
    for resource in resources.values():
        if resource["Type"] == "AWS::IAM::Policy" and {"Ref": role_id} in resource[
            "Properties"
        ].get("Roles", []):
            found += resource["Properties"]["PolicyDocument"]["Statement"]
    return found


def _policy_documents(resources: dict) -> list[tuple[str, dict]]:
    """(the role or policy's logical id, its document) of every IAM role and policy."""
    found = [
        (logical_id, p["PolicyDocument"])
        for logical_id, r in resources.items()
        if r["Type"] == "AWS::IAM::Role"
        for p in r["Properties"].get("Policies", [])
    ]
    found += [
        (logical_id, r["Properties"]["PolicyDocument"])
        for logical_id, r in resources.items()
        if r["Type"] == "AWS::IAM::Policy"
    ]
    return found


def _tables(resources: dict) -> Tables:
    return (
        _logical_id(resources, "AWS::DynamoDB::GlobalTable", "Points"),
        _logical_id(resources, "AWS::DynamoDB::GlobalTable", "Counted"),
    )


def _function(resources: dict, function: str) -> dict:
    (fn,) = [
        r["Properties"]
        for r in resources.values()
        if r["Type"] == "AWS::Lambda::Function"
        and r["Properties"].get("FunctionName") == DEV.name(function)
    ]
    return fn


def _function_role(synth, function: str) -> tuple[list[dict], Tables, str]:
    """The dev function's role statements, the tables' and the bus's logical ids."""
    resources = synth.raw()["Resources"]
    bus = _logical_id(resources, "AWS::Events::EventBus", "Bus")
    fn = _function(resources, function)
    return _role_statements(resources, fn["Role"]["Fn::GetAtt"][0]), _tables(resources), bus


def _data_grants(synth, function: str) -> set[Grant]:
    """Every (DynamoDB or EventBridge action, resource) the function's role allows."""
    role, tables, bus = _function_role(synth, function)
    grants: set[Grant] = set()
    for statement in role:
        assert statement["Effect"] == "Allow"
        for action in _as_list(statement["Action"]):
            if action.startswith(("dynamodb:", "events:")):
                for resource in _as_list(statement["Resource"]):
                    grants.add((action, _resource_name(resource, tables, bus)))
    return grants


STREAM_READ = {
    "dynamodb:DescribeStream",
    "dynamodb:GetRecords",
    "dynamodb:GetShardIterator",
    "dynamodb:ListStreams",
}


def _declared(access: Access, table_stream: bool = False) -> set[Grant]:
    grants = {(action, "table") for action in access.table}
    grants |= {(action, "counted") for action in access.counted_table}
    if table_stream:  # granted by the event source mapping, on the stream ARN only
        grants |= {(action, "stream") for action in STREAM_READ}
    for index, actions in access.indexes.items():
        grants |= {(action, f"index/{index}") for action in actions}
    if access.put_events:
        grants.add((PUT_EVENTS, "bus"))
    return grants


def test_each_role_grants_exactly_the_declared_actions(synth) -> None:
    for spec in catalog():
        assert _data_grants(synth, spec.name) == _declared(spec.access, spec.table_stream), (
            spec.name
        )


def test_account_reads_the_table_and_its_ledger_index_only(synth) -> None:
    assert _data_grants(synth, "account") == grants(GET, QUERY, by_time=(QUERY,))


def test_earn_writes_through_conditions_and_finds_orders_by_index(synth) -> None:
    assert _data_grants(synth, "earn") == grants(
        GET, QUERY, PUT, UPDATE, CONDITION_CHECK, BATCH_GET, by_order=(QUERY,)
    )
    assert (DELETE, "table") not in _data_grants(synth, "earn")


def test_lottery_draws_update_and_check_the_member_and_delete_nothing(synth) -> None:
    """A draw is a transaction of updates and puts; an extra draw earned by spend that wins
    no points only checks the member's profile (ConditionCheck); a campaign's prizes won
    often have their stock in shards, read with it (BatchGetItem)."""
    assert _data_grants(synth, "lottery") == grants(
        GET, QUERY, BATCH_GET, PUT, UPDATE, CONDITION_CHECK
    )


def test_admin_reads_and_writes_the_table_and_reads_ledger_and_audit_indexes(synth) -> None:
    """BatchGetItem: the profiles of the members a phone or e-mail lookup found; by_status and
    by_order: the audit log by actor and by target; ConditionCheckItem: the member of an
    adjustment waiting for approval exists."""
    assert _data_grants(synth, "admin") == grants(
        GET,
        QUERY,
        PUT,
        UPDATE,
        CONDITION_CHECK,
        BATCH_GET,
        by_time=(QUERY,),
        by_status=(QUERY,),
        by_order=(QUERY,),
    )


def test_rebates_admin_writes_statements_and_payouts_but_deletes_nothing(synth) -> None:
    """Reviews and payouts are transactions of updates (statement, member) and puts (audit,
    ledger entry, lot, bank payout record); statements are read by status and by campaign."""
    assert _data_grants(synth, "rebates_admin") == grants(
        GET, QUERY, PUT, UPDATE, by_campaign=(QUERY,), by_status=(QUERY,)
    )


def test_reviews_reads_the_queue_by_status_and_decides_without_deleting(synth) -> None:
    """A decision is one transaction of updates (review, member) and puts (ledger entry, lot,
    audit entry); the queue is read by status; nothing is deleted or scanned."""
    assert _data_grants(synth, "reviews") == grants(GET, QUERY, PUT, UPDATE, by_status=(QUERY,))


def test_no_policy_uses_wildcard_dynamodb_actions_or_resources(synth) -> None:
    for _, document in _policy_documents(synth.raw()["Resources"]):
        for statement in document["Statement"]:
            actions = _as_list(statement["Action"])
            data_actions = [a for a in actions if a.startswith(("dynamodb:", "events:"))]
            assert not [a for a in data_actions if "*" in a], statement
            if data_actions:
                assert "*" not in _as_list(statement["Resource"]), statement


def test_roles_use_no_managed_policies(synth) -> None:
    for role in synth.template().find_resources("AWS::IAM::Role").values():
        assert "ManagedPolicyArns" not in role["Properties"]


@pytest.mark.parametrize("stage", ["dev", "prod"])
def test_only_xray_and_sms_are_granted_on_star(synth, stage: str) -> None:
    """X-Ray has no resource-level permissions; SNS Publish to a phone number names no
    resource (the sender, where the stage sends SMS: tests/infra/test_notifications_stack.py)."""
    resources = synth.raw(stage)["Resources"]
    on_star = set()
    for policy in resources.values():
        if policy["Type"] == "AWS::IAM::Role":
            documents = [p["PolicyDocument"] for p in policy["Properties"].get("Policies", [])]
        elif policy["Type"] == "AWS::IAM::Policy":
            documents = [policy["Properties"]["PolicyDocument"]]
        else:
            continue
        for document in documents:
            for statement in document["Statement"]:
                if "*" in _as_list(statement["Resource"]) and statement["Effect"] == "Allow":
                    on_star |= set(_as_list(statement["Action"]))
    expected = {"xray:PutTraceSegments", "xray:PutTelemetryRecords"}
    assert on_star == (expected | {"sns:Publish"} if stage == "prod" else expected)


def test_declared_put_events_becomes_one_statement_on_the_bus() -> None:
    rendered = statements(Access(put_events=True), "arn:table", "arn:bus")

    assert [
        (s.to_statement_json()["Action"], s.to_statement_json()["Resource"]) for s in rendered
    ] == [(PUT_EVENTS, "arn:bus")]


def test_declarations_reject_wildcards_and_unknown_indexes() -> None:
    with pytest.raises(ValueError, match="wildcards"):
        Access(table=("dynamodb:*",))
    with pytest.raises(ValueError, match="unknown index"):
        Access(indexes={"by_nothing": (QUERY,)})


def test_every_http_function_has_declared_grants() -> None:
    assert {spec.name for spec in catalog()} <= set(ACCESS)


def test_rebates_members_only_read_their_rebate_items(synth) -> None:
    """Progress is one Query of the member's partition (and the programme's); a statement
    one GetItem. No write, no index."""
    assert _data_grants(synth, "rebates") == grants(GET, QUERY)


def test_rebate_settlement_reads_participants_by_campaign_and_updates_statements(synth) -> None:
    """Participants come from by_campaign only (never a scan of members); each statement is
    one conditional UpdateItem; GetItem/PutItem are the re-read and the run checkpoints."""
    assert _data_grants(synth, "rebate_settlement") == grants(
        GET, QUERY, PUT, UPDATE, by_campaign=(QUERY,)
    )


def test_imports_writes_rows_and_finds_stalled_imports_but_deletes_nothing(synth) -> None:
    assert _data_grants(synth, "imports") == grants(
        GET, QUERY, PUT, UPDATE, BATCH_GET, "dynamodb:BatchWriteItem", by_status=(QUERY,)
    )


# --- dynamodb:LeadingKeys: the partitions each role reaches (issue 21) ------------------------

Partitions = dict[Grant, frozenset[str]]


def _partitions(synth, function: str) -> Partitions:
    """Each (DynamoDB action, table or index) the role allows, with the ``LeadingKeys``
    patterns it is allowed on (``*`` alone: no condition)."""
    role, tables, bus = _function_role(synth, function)
    found: Partitions = {}
    for statement in role:
        actions = [a for a in _as_list(statement["Action"]) if a.startswith("dynamodb:")]
        targets = [_resource_name(r, tables, bus) for r in _as_list(statement["Resource"])]
        if not actions or targets == ["stream"]:
            continue
        condition = statement.get("Condition")
        if condition is None:
            patterns = frozenset({"*"})
        else:
            assert list(condition) == ["ForAllValues:StringLike"], statement
            assert list(condition["ForAllValues:StringLike"]) == [LEADING_KEYS], statement
            patterns = frozenset(_as_list(condition["ForAllValues:StringLike"][LEADING_KEYS]))
        for action in actions:
            for target in targets:
                assert (action, target) not in found, f"{function}: {action} twice on {target}"
                found[(action, target)] = patterns
    return found


def _declared_partitions(access: Access) -> Partitions:
    found: Partitions = {}
    for action in access.table:
        if action == SCAN:
            found[(action, "table")] = frozenset({"*"})
        elif action in WRITES:
            found[(action, "table")] = frozenset(access.writes)
        else:
            found[(action, "table")] = frozenset((*access.reads, *access.writes))
    for index, actions in access.indexes.items():
        for action in actions:
            found[(action, f"index/{index}")] = frozenset(access.index_keys[index])
    for action in access.counted_table:
        found[(action, "counted")] = frozenset({COUNTED})
    return found


def test_each_role_reaches_exactly_the_declared_partitions(synth) -> None:
    """Every DynamoDB statement but the exports' Scan is conditioned on LeadingKeys, with the
    patterns infra/permissions.py declares (writes on ``writes``, reads on both, each index
    on its own partition key's)."""
    for spec in catalog():
        assert _partitions(synth, spec.name) == _declared_partitions(spec.access), spec.name


def test_only_exports_scans_and_says_why(synth) -> None:
    """A Scan names no partition (``ForAllValues`` over no leading keys is true): it is
    granted apart, to the function that declares why it must scan."""
    scanning = {spec.name for spec in catalog() if (SCAN, "table") in _partitions(synth, spec.name)}
    assert scanning == {"exports"}
    assert ACCESS["exports"].scan_reason


MEMBER_FACING = ("activity", "transfers", "redeem", "lottery", "inbox", "account", "rebates")


@pytest.mark.parametrize("function", ["earn", *MEMBER_FACING])
def test_earn_and_member_facing_functions_cannot_write_the_programme(synth, function) -> None:
    writes = _partitions(synth, function)
    for action in (PUT, UPDATE, DELETE):
        allowed = string_like(writes.get((action, "table"), frozenset()))
        for key in ("PROGRAMME", "TASKS", "CATALOG", "REPORTS", "AUDITLOG#2027-01", "JOB#expire"):
            assert not allowed.fullmatch(key), (function, action, key)


def test_earn_writes_members_and_their_lookups_and_no_idempotency_record(synth) -> None:
    """The systems' point-minting routes are idempotent by business key: earn's role writes
    no idempotency record (another caller's, nor any), only members, their contact lookup
    rows and referral codes, the review queue and the holds (a refund releases the member's
    lapsed holds)."""
    found = _partitions(synth, "earn")
    assert (
        found[(PUT, "table")]
        == found[(UPDATE, "table")]
        == frozenset({"MEMBER#*", "CONTACT#*", "REFCODE#*", "REVIEW#*", "HOLD#*"})
    )
    for action in (PUT, UPDATE):
        assert not string_like(found[(action, "table")]).fullmatch("IDEMPOTENCY#m-1#key-1")
        assert string_like(found[(action, "table")]).fullmatch("MEMBER#m-1")


def test_activity_writes_only_members_and_reads_the_programme(synth) -> None:
    """Members' check-ins and tasks: their own function, apart from the systems' earn."""
    found = _partitions(synth, "activity")
    assert found[(PUT, "table")] == found[(UPDATE, "table")] == frozenset({"MEMBER#*"})
    assert found[(QUERY, "table")] == frozenset({"MEMBER#*", "PROGRAMME", "TASKS"})
    assert not {key for key in found if key[1] != "table"}  # no index
    assert not ACCESS["activity"].pii_key


def test_idempotency_records_are_written_only_by_the_functions_taking_keys(synth) -> None:
    writers = {
        spec.name
        for spec in catalog()
        if string_like(_partitions(synth, spec.name).get((PUT, "table"), frozenset())).fullmatch(
            "IDEMPOTENCY#caller#key"
        )
    }
    assert writers == {"admin", "transfers", "redeem", "lottery"}


def test_declarations_refuse_unconditioned_or_unexplained_grants() -> None:
    with pytest.raises(ValueError, match="scan_reason"):
        Access(table=(SCAN,), reads=("EXPORT#*",))
    with pytest.raises(ValueError, match="writes"):
        Access(table=(GET, PUT), reads=("MEMBER#*",))
    with pytest.raises(ValueError, match="partitions they read"):
        Access(table=(GET,))
    with pytest.raises(ValueError, match="index_keys"):
        Access(indexes={"by_order": (QUERY,)})
    with pytest.raises(ValueError, match="prefix"):
        Access(table=(GET,), reads=("*",))


def test_allows_mirrors_string_like_on_the_leading_key() -> None:
    access = Access(
        table=(GET, PUT),
        indexes={"by_status": (QUERY,)},
        reads=("PROGRAMME",),
        writes=("MEMBER#*",),
        index_keys={"by_status": ("ORDERS#*",)},
    )
    assert access.allows(PUT, "table", "MEMBER#m-1")
    assert not access.allows(PUT, "table", "PROGRAMME")  # read only
    assert access.allows(GET, "table", "PROGRAMME") and access.allows(GET, "table", "MEMBER#x")
    assert not access.allows(GET, "table", "PROGRAMMES")  # a literal is the whole key
    assert not access.allows(QUERY, "table", "MEMBER#m-1")  # no Query granted on the table
    assert access.allows(QUERY, "index/by_status", "ORDERS#placed")
    assert not access.allows(QUERY, "index/by_status", "MEMBER#m-1")
    assert not access.allows(SCAN, "table", "SCAN")


# --- the counted-events table (shared/tables.py COUNTED_TABLE, issue 23) ----------------------


def test_only_the_reports_role_reaches_the_counted_table(synth) -> None:
    """No role nor policy of the stack but the reports function's names the counted-events
    table (nor its name: no other function is told it)."""
    resources = synth.raw()["Resources"]
    _, counted = _tables(resources)
    reports_role = _function(resources, "reports")["Role"]["Fn::GetAtt"][0]
    reaching = {
        logical_id
        for logical_id, document in _policy_documents(resources)
        if f'"{counted}"' in json.dumps(document)
    }
    assert reaching == {reports_role}


def test_reports_puts_counted_events_markers_only_under_their_prefix(synth) -> None:
    """Each event's marker is one conditional PutItem in the counted-events table, inside the
    reports' transaction: PutItem only, on ``AGG#*`` only; no read, update or delete there."""
    found = _partitions(synth, "reports")
    counted = {grant: keys for grant, keys in found.items() if grant[1] == "counted"}
    assert counted == {(PUT, "counted"): frozenset({"AGG#*"})}
    assert string_like(counted[(PUT, "counted")]).fullmatch("AGG#evt-1")
    assert not string_like(counted[(PUT, "counted")]).fullmatch("MEMBER#m-1")


def test_reports_writes_only_its_shards_and_reads_the_old_markers_in_the_points_table(
    synth,
) -> None:
    """The markers written in the points table before the counted-events table are read
    (BatchGetItem), never written there again; the counters' shards are the only writes."""
    assert _data_grants(synth, "reports") == grants(
        GET, QUERY, PUT, UPDATE, CONDITION_CHECK, BATCH_GET
    ) | {(PUT, "counted")}
    found = _partitions(synth, "reports")
    for action in (PUT, UPDATE):
        allowed = string_like(found[(action, "table")])
        assert allowed.fullmatch("REPORTS#07")
        assert not allowed.fullmatch("AGG#evt-1")
        assert not allowed.fullmatch("REPORTS")
    assert string_like(found[(BATCH_GET, "table")]).fullmatch("AGG#evt-1")


def test_counted_table_grants_are_conditioned_and_need_the_table() -> None:
    access = Access(counted_table=(PUT,))
    with pytest.raises(ValueError, match="counted-events table"):
        statements(access, "arn:table", "arn:bus")

    (rendered,) = statements(access, "arn:table", "arn:bus", counted_table_arn="arn:counted")

    assert rendered.to_statement_json() == {
        "Action": PUT,
        "Effect": "Allow",
        "Resource": "arn:counted",
        "Condition": {"ForAllValues:StringLike": {LEADING_KEYS: [COUNTED]}},
    }


def test_declarations_refuse_wildcards_and_scans_on_the_counted_table() -> None:
    with pytest.raises(ValueError, match="wildcards"):
        Access(counted_table=("dynamodb:*",))
    with pytest.raises(ValueError, match="Scan"):
        Access(counted_table=(SCAN,))


def test_allows_the_counted_table_only_its_actions_on_counted_events() -> None:
    access = Access(counted_table=(PUT,))
    assert access.allows(PUT, "counted", "AGG#evt-1")
    assert not access.allows(PUT, "counted", "MEMBER#m-1")  # the markers' partitions only
    assert not access.allows(GET, "counted", "AGG#evt-1")  # not granted
    assert not access.allows(PUT, "table", "AGG#evt-1")  # the points table is another resource
    assert not Access(table=(PUT,), writes=("AGG#*",)).allows(PUT, "counted", "AGG#evt-1")
