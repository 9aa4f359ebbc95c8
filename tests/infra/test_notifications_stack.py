"""Reaching members (issue 20): the bus rule → the notices queue → the notifier → the sends
queue → the sender, their dead-letter queues, and the SMS / e-mail grants a stage gets only
when it configures the channel (tests/infra/conftest.py: prod sends both, dev neither)."""

from __future__ import annotations

import ast
import json
import re
from typing import Any

import pytest

from infra.catalog import NOTICE_EVENTS as RULE_EVENTS
from infra.catalog import catalog
from infra.config import ROOT, Notifications, stage_config
from shared import events
from shared.notifications.aws import ENV_EMAIL_FROM, ENV_SENDS_QUEUE_URL, ENV_SMS_ENABLED
from shared.tables import POINTS_TABLE
from tests.infra.conftest import NOTIFICATIONS
from tests.infra.test_iam import _as_list, _role_statements

pytestmark = pytest.mark.infra

# The member-facing detail-types, spelled out (not read from infra/catalog.py).
NOTICE_EVENTS = [
    "LotteryPrizeWon.v1",
    "OrderPlaced.v1",
    "OrderStatusChanged.v1",
    "PointsEarned.v1",
    "PointsExpiringSoon.v1",
    "PointsReceived.v1",
    "RebatePaid.v1",
    "RebateStatementIssued.v1",
    "TierChanged.v1",
]
# What an SQS event source grants on its queue (CDK's grantConsumeMessages).
CONSUME = {
    "sqs:ReceiveMessage",
    "sqs:ChangeMessageVisibility",
    "sqs:GetQueueUrl",
    "sqs:DeleteMessage",
    "sqs:GetQueueAttributes",
}
FOURTEEN_DAYS = 14 * 24 * 3600


def _resources(synth, stage: str) -> dict[str, Any]:
    return synth.raw(stage)["Resources"]


def _named(resources: dict, type_: str, key: str, name: str) -> str:
    (found,) = [
        k for k, r in resources.items() if r["Type"] == type_ and r["Properties"].get(key) == name
    ]
    return found


def _function_id(resources: dict, stage: str, name: str) -> str:
    full = stage_config({"stage": stage}).name(name)
    return _named(resources, "AWS::Lambda::Function", "FunctionName", full)


def _queue_id(resources: dict, stage: str, name: str) -> str:
    full = stage_config({"stage": stage}).name(name)
    return _named(resources, "AWS::SQS::Queue", "QueueName", full)


def _grants(synth, stage: str, function: str) -> set[tuple[str, str, str]]:
    """(effect, action, resource) of every statement of the function's role but logs and
    X-Ray; a resource of ours by logical id, a condition appended to its resource."""
    resources = _resources(synth, stage)
    role = resources[_function_id(resources, stage, function)]["Properties"]["Role"]
    found = set()
    for statement in _role_statements(resources, role["Fn::GetAtt"][0]):
        for action in _as_list(statement["Action"]):
            if action.startswith(("logs:", "xray:")):
                continue
            for resource in _as_list(statement["Resource"]):
                name = _name(resource)
                # DynamoDB's LeadingKeys conditions: tests/infra/test_iam.py
                if "Condition" in statement and not action.startswith("dynamodb:"):
                    name += " if " + json.dumps(statement["Condition"], sort_keys=True)
                found.add((statement["Effect"], action, name))
    return found


def _name(resource: Any) -> str:
    if isinstance(resource, dict) and set(resource) == {"Fn::GetAtt"}:
        return ".".join(resource["Fn::GetAtt"])
    if isinstance(resource, dict) and set(resource) == {"Fn::Join"}:
        return "".join(p if isinstance(p, str) else _ref(p) for p in resource["Fn::Join"][1])
    return str(resource)


def _ref(part: dict) -> str:
    return "<" + (part.get("Ref") or ".".join(part["Fn::GetAtt"])) + ">"


def _table(resources: dict) -> str:
    (table,) = [
        k
        for k, r in resources.items()
        if r["Type"] == "AWS::DynamoDB::GlobalTable" and k.startswith(POINTS_TABLE.logical_id)
    ]
    return f"{table}.Arn"


def _dynamodb(table: str, *actions: str) -> set[tuple[str, str, str]]:
    return {("Allow", f"dynamodb:{a}", table) for a in actions}


def _consume(queue: str) -> set[tuple[str, str, str]]:
    return {("Allow", action, f"{queue}.Arn") for action in CONSUME}


def _queue_policy(resources: dict, queue_id: str) -> dict:
    (policy,) = [
        r["Properties"]["PolicyDocument"]
        for r in resources.values()
        if r["Type"] == "AWS::SQS::QueuePolicy" and {"Ref": queue_id} in r["Properties"]["Queues"]
    ]
    return policy


def _mapping(resources: dict, function_id: str) -> dict:
    (mapping,) = [
        r["Properties"]
        for r in resources.values()
        if r["Type"] == "AWS::Lambda::EventSourceMapping"
        and r["Properties"]["FunctionName"] == {"Ref": function_id}
    ]
    return mapping


# --- the rule and the queues ----------------------------------------------------------------


@pytest.mark.parametrize("stage", ["dev", "prod"])
def test_the_member_facing_events_on_the_stage_bus_go_to_the_notices_queue(synth, stage) -> None:
    resources = _resources(synth, stage)
    notices = _queue_id(resources, stage, "notices")
    (rule,) = [
        r["Properties"]
        for r in resources.values()
        if r["Type"] == "AWS::Events::Rule"
        and any(t["Arn"] == {"Fn::GetAtt": [notices, "Arn"]} for t in r["Properties"]["Targets"])
    ]
    pattern = rule["EventPattern"]
    assert pattern["source"] == ["loyalty.points"]
    assert sorted(pattern["detail-type"]) == NOTICE_EVENTS
    assert set(pattern) == {"source", "detail-type"}
    (bus,) = [k for k, r in resources.items() if r["Type"] == "AWS::Events::EventBus"]
    assert rule["EventBusName"] == {"Ref": bus}
    (target,) = rule["Targets"]
    # An event SQS refuses is retried, then kept in the notices queue's own DLQ.
    dlq = resources[notices]["Properties"]["RedrivePolicy"]["deadLetterTargetArn"]
    assert target["DeadLetterConfig"] == {"Arn": dlq}
    assert target["RetryPolicy"]["MaximumRetryAttempts"] == 20


@pytest.mark.parametrize(
    ("queue", "max_receives", "function"), [("notices", 5, "notifier"), ("sends", 6, "sender")]
)
def test_each_queue_is_encrypted_tls_only_and_dead_letters_after_its_receives(
    synth, queue: str, max_receives: int, function: str
) -> None:
    resources = _resources(synth, "dev")
    queue_id = _queue_id(resources, "dev", queue)
    props = resources[queue_id]["Properties"]
    assert props["SqsManagedSseEnabled"] is True
    assert props["MessageRetentionPeriod"] == FOURTEEN_DAYS
    redrive = props["RedrivePolicy"]
    assert redrive["maxReceiveCount"] == max_receives
    dlq_id = redrive["deadLetterTargetArn"]["Fn::GetAtt"][0]
    dlq = resources[dlq_id]["Properties"]
    assert dlq["QueueName"] == f"loyalty-points-dev-{queue}-dlq"
    assert dlq["SqsManagedSseEnabled"] is True
    assert dlq["MessageRetentionPeriod"] == FOURTEEN_DAYS
    # AWS: a Lambda event source's queue keeps a batch invisible for 6x the timeout.
    timeout = resources[_function_id(resources, "dev", function)]["Properties"]["Timeout"]
    assert props["VisibilityTimeout"] >= 6 * timeout
    for secured in (queue_id, dlq_id):
        assert {
            "Action": "sqs:*",
            "Condition": {"Bool": {"aws:SecureTransport": "false"}},
            "Effect": "Deny",
            "Principal": {"AWS": "*"},
            "Resource": {"Fn::GetAtt": [secured, "Arn"]},
        } in _queue_policy(resources, secured)["Statement"]


def test_only_the_rule_may_put_events_on_the_notices_queue(synth) -> None:
    resources = _resources(synth, "dev")
    policy = _queue_policy(resources, _queue_id(resources, "dev", "notices"))
    allows = [s for s in policy["Statement"] if s["Effect"] == "Allow"]
    (allow,) = allows
    assert allow["Principal"] == {"Service": "events.amazonaws.com"}
    assert "sqs:SendMessage" in allow["Action"]
    assert not [a for a in allow["Action"] if "*" in a or a.startswith("sqs:Delete")]
    rules = [k for k, r in resources.items() if r["Type"] == "AWS::Events::Rule"]
    assert allow["Condition"]["ArnEquals"]["aws:SourceArn"]["Fn::GetAtt"][0] in rules


def test_the_notifier_takes_up_to_100_notices_gathered_for_5_seconds(synth) -> None:
    resources = _resources(synth, "dev")
    mapping = _mapping(resources, _function_id(resources, "dev", "notifier"))
    notices = _queue_id(resources, "dev", "notices")
    assert mapping["EventSourceArn"] == {"Fn::GetAtt": [notices, "Arn"]}
    assert mapping["BatchSize"] == 100
    assert mapping["MaximumBatchingWindowInSeconds"] == 5
    assert mapping["FunctionResponseTypes"] == ["ReportBatchItemFailures"]
    assert "ScalingConfig" not in mapping  # a burst of events scales out


def test_the_sender_takes_10_sends_two_batches_at_a_time_and_reports_each_failure(
    synth,
) -> None:
    resources = _resources(synth, "dev")
    mapping = _mapping(resources, _function_id(resources, "dev", "sender"))
    sends = _queue_id(resources, "dev", "sends")
    assert mapping["EventSourceArn"] == {"Fn::GetAtt": [sends, "Arn"]}
    assert mapping["BatchSize"] == 10
    assert "MaximumBatchingWindowInSeconds" not in mapping
    assert mapping["FunctionResponseTypes"] == ["ReportBatchItemFailures"]
    # SMS/e-mail rates are per account: sends wait in the queue rather than be throttled
    assert mapping["ScalingConfig"] == {"MaximumConcurrency": 2}


def _of_events(node: ast.AST) -> Any:
    """What ``events.X`` names in shared/events.py; None for any other expression."""
    if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name):
        return getattr(events, node.attr) if node.value.id == "events" else None
    return None


def _detail_types_read_by_notices() -> set[str]:
    """Every detail-type shared/domain/notices.py names (``events.X`` or
    ``events.LEDGER_EVENTS["key"]``): the events it may turn into a message."""
    tree = ast.parse((ROOT / "shared" / "domain" / "notices.py").read_text())
    found = set()
    for node in ast.walk(tree):
        value = _of_events(node)
        if isinstance(node, ast.Subscript) and isinstance(node.slice, ast.Constant):
            mapping = _of_events(node.value)
            value = mapping.get(node.slice.value) if isinstance(mapping, dict) else None
        if isinstance(value, str) and re.fullmatch(r"[A-Z]\w+\.v\d+", value):
            found.add(value)
    return found


def test_the_rule_carries_every_event_the_notifier_turns_into_a_message() -> None:
    read = _detail_types_read_by_notices()
    assert read  # the parse found the notifier's events at all
    assert sorted(read) == sorted(RULE_EVENTS) == NOTICE_EVENTS


# --- grants and configuration ---------------------------------------------------------------


@pytest.mark.parametrize("stage", ["dev", "prod"])
def test_the_notifier_writes_messages_and_queues_sends_but_never_sends_itself(synth, stage) -> None:
    resources = _resources(synth, stage)
    notices = _queue_id(resources, stage, "notices")
    sends = _queue_id(resources, stage, "sends")
    assert _grants(synth, stage, "notifier") == (
        _dynamodb(_table(resources), "GetItem", "Query", "PutItem", "BatchGetItem")
        | _consume(notices)
        | {("Allow", "sqs:SendMessage", f"{sends}.Arn")}
    )


def test_the_sender_of_an_in_app_only_stage_has_no_sns_or_ses_grant(synth) -> None:
    resources = _resources(synth, "dev")
    sends = _queue_id(resources, "dev", "sends")
    assert _grants(synth, "dev", "sender") == (
        _dynamodb(_table(resources), "GetItem", "Query", "UpdateItem") | _consume(sends)
    )


def test_the_sender_publishes_sms_to_phones_only_and_mails_from_the_stage_identity(
    synth,
) -> None:
    resources = _resources(synth, "prod")
    sends = _queue_id(resources, "prod", "sends")
    identity = "arn:<AWS::Partition>:ses:<AWS::Region>:<AWS::AccountId>:identity/mail.example.com"
    from_address = json.dumps(
        {"StringEquals": {"ses:FromAddress": "no-reply@mail.example.com"}}, sort_keys=True
    )
    assert _grants(synth, "prod", "sender") == (
        _dynamodb(_table(resources), "GetItem", "Query", "UpdateItem")
        | _consume(sends)
        | {
            ("Allow", "sns:Publish", "*"),
            ("Deny", "sns:Publish", "arn:<AWS::Partition>:sns:*:*:*"),
            ("Allow", "ses:SendEmail", f"{identity} if {from_address}"),
        }
    )


def test_only_the_sender_may_publish_or_mail(synth) -> None:
    for stage in ("dev", "prod"):
        for spec in catalog():
            if spec.name == "sender":
                continue
            actions = {action for _, action, _ in _grants(synth, stage, spec.name)}
            assert not {a for a in actions if a.startswith(("sns:", "ses:"))}, (stage, spec.name)


def test_the_inbox_reads_and_marks_messages_and_preferences_only(synth) -> None:
    if "inbox" not in {spec.name for spec in catalog()}:
        pytest.skip("no inbox routes yet")
    resources = _resources(synth, "dev")
    grants = _grants(synth, "dev", "inbox")
    table = {g for g in grants if g[1].startswith("dynamodb:")}
    assert table == _dynamodb(_table(resources), "GetItem", "Query", "UpdateItem")
    # Beside the table only the cursor key (its pages' cursors are signed): no queue, no PII.
    others = grants - table
    assert {action for _, action, _ in others} == {"secretsmanager:GetSecretValue"}
    assert all("CursorKey" in resource for _, _, resource in others), others


@pytest.mark.parametrize("stage", ["dev", "prod"])
def test_the_channels_and_the_sends_queue_reach_the_functions_as_environment(synth, stage) -> None:
    resources = _resources(synth, stage)

    def env(name: str) -> dict[str, Any]:
        return resources[_function_id(resources, stage, name)]["Properties"]["Environment"][
            "Variables"
        ]

    channels = (
        {ENV_SMS_ENABLED: "true", ENV_EMAIL_FROM: "no-reply@mail.example.com"}
        if stage in NOTIFICATIONS
        else {}
    )
    sends = {ENV_SENDS_QUEUE_URL: {"Ref": _queue_id(resources, stage, "sends")}}
    names = (ENV_SMS_ENABLED, ENV_EMAIL_FROM, ENV_SENDS_QUEUE_URL)
    assert {k: v for k, v in env("notifier").items() if k in names} == channels | sends
    assert {k: v for k, v in env("sender").items() if k in names} == channels
    assert not {k for k in env("account") if k in names}


# --- per-stage configuration ----------------------------------------------------------------


def test_a_stage_sends_in_app_only_unless_configured() -> None:
    assert stage_config({"stage": "prod"}).notifications == Notifications()
    config = stage_config({"stage": "dev", "notifications": {"prod": {"sms": True}}})
    assert config.notifications == Notifications()


def test_channels_come_per_stage_from_context_also_as_cli_strings() -> None:
    cli = json.dumps({"staging": {"sms": "true", "email_from": "hi@shop.example.cn"}})
    config = stage_config({"stage": "staging", "notifications": cli})
    assert config.notifications == Notifications(
        sms=True, email_from="hi@shop.example.cn", email_identity="shop.example.cn"
    )
    assert config.notifications.email


@pytest.mark.parametrize(
    ("settings", "problem"),
    [
        ({"email_from": "Shop <hi@shop.example.cn>"}, "plain e-mail address"),
        ({"email_from": "hi@shop.example.cn", "email_identity": "other.cn"}, "does not belong"),
        ({"email_from": "hi@shop.example.cn", "email_identity": "p.example.cn"}, "not belong"),
        ({"email_identity": "shop.example.cn"}, "without email_from"),
        ({"sms": True, "sender_id": "SHOP"}, "unknown setting"),
    ],
)
def test_channel_settings_that_could_not_send_stop_synthesis(settings, problem) -> None:
    with pytest.raises(ValueError, match=problem):
        stage_config({"stage": "prod", "notifications": {"prod": settings}})


def test_an_address_may_send_under_its_own_or_a_parent_domain_identity() -> None:
    for identity in ("hi@shop.example.cn", "shop.example.cn", "example.cn"):
        settings = Notifications(email_from="hi@shop.example.cn", email_identity=identity)
        assert settings.email_identity == identity
