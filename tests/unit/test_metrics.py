"""Business metrics: what each committed write the publisher reads from the stream counts
(records shaped as Lambda delivers them: DynamoDB JSON, keys, old and new images), and how
an invocation's metrics become one EMF line — or none."""

from __future__ import annotations

import os
import warnings
from collections.abc import Iterator
from typing import Any
from unittest import mock

import pytest
from aws_lambda_powertools.metrics import Metrics

from shared import metrics, stream_metrics
from shared.errors import InsufficientPoints, SoldOut
from shared.metrics import (
    DRAWS,
    HOLDS_CAPTURED,
    HOLDS_RELEASED,
    POINTS_EXPIRED,
    POINTS_ISSUED,
    POINTS_REDEEMED,
    REDEMPTIONS,
    SOLD_OUTS,
)
from tests.support import emf_lines

STREAM_ARN = "arn:aws:dynamodb:us-east-1:123456789012:table/Points/stream/2027-01-10T00:00:00"


def stream_record(
    name: str, pk: str, sk: str, new: dict | None = None, old: dict | None = None, seq: int = 1
) -> dict[str, Any]:
    """A record of the table's stream (NEW_AND_OLD_IMAGES) as the publisher receives it."""
    keys = {"pk": {"S": pk}, "sk": {"S": sk}}
    data: dict[str, Any] = {
        "ApproximateCreationDateTime": 1799560800,
        "Keys": keys,
        "SequenceNumber": f"{seq:021d}",
        "SizeBytes": 412,
        "StreamViewType": "NEW_AND_OLD_IMAGES",
    }
    if new is not None:
        data["NewImage"] = {**keys, **new}
    if old is not None:
        data["OldImage"] = {**keys, **old}
    return {
        "eventID": f"e{seq}",
        "eventName": name,
        "eventVersion": "1.1",
        "eventSource": "aws:dynamodb",
        "awsRegion": "us-east-1",
        "dynamodb": data,
        "eventSourceARN": STREAM_ARN,
    }


def entry(kind: str, points: int, source: str, ref: str, member: str = "m-1", seq: int = 1):
    """A new ledger entry as shared.dynamodb.ledger writes it (signed ``points``)."""
    new = {
        "member_id": {"S": member},
        "entry_id": {"S": f"{source}:{ref}"},
        "type": {"S": kind},
        "source": {"S": source},
        "ref": {"S": ref},
        "points": {"N": str(points)},
        "at": {"S": "2027-01-10T02:00:00Z"},
        "lsi1sk": {"S": f"LEDGER#2027-01-10T02:00:00Z#{source}:{ref}"},
    }
    return stream_record("INSERT", f"MEMBER#{member}", f"LEDGER#{source}#{ref}", new, seq=seq)


def hold(before: str, after: str, seq: int = 1, **more: dict) -> dict[str, Any]:
    """A hold's item changing from status ``before`` to ``after``."""
    base = {"hold_id": {"S": "h-1"}, "member_id": {"S": "m-1"}, "points": {"N": "600"}}
    old = {**base, "status": {"S": before}}
    new = {**base, "status": {"S": after}, "ended_at": {"S": "2027-01-10T02:05:00Z"}, **more}
    return stream_record("MODIFY", "HOLD#h-1", "HOLD", new, old, seq=seq)


ORDER = {"order_id": {"S": "o-9"}, "item_id": {"S": "cup"}, "points": {"N": "120"}}
DRAW = {"draw_id": {"S": "d1"}, "lottery_id": {"S": "spring"}, "cost": {"N": "50"}}


@pytest.fixture(autouse=True)
def fresh_metrics(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.setenv("POWERTOOLS_METRICS_NAMESPACE", "LoyaltyPoints/dev")
    monkeypatch.setenv("POWERTOOLS_SERVICE_NAME", "publisher")
    monkeypatch.delenv("POWERTOOLS_METRICS_DISABLED", raising=False)
    monkeypatch.delenv("POWERTOOLS_DEV", raising=False)
    Metrics().clear_metrics()
    yield
    Metrics().clear_metrics()


def test_a_redemption_counts_one_redemption_and_its_points() -> None:
    committed = [
        entry("redeem", -120, "spend", "o-9"),
        stream_record("INSERT", "MEMBER#m-1", "ORDER#o-9", ORDER),
        stream_record("MODIFY", "ITEM#cup", "ITEM", {"stock": {"N": "4"}}, {"stock": {"N": "5"}}),
    ]
    assert stream_metrics.tally(committed) == {REDEMPTIONS: 1, POINTS_REDEEMED: 120}


@pytest.mark.parametrize(
    ("kind", "points", "source"),
    [
        ("earn", 90, "purchase"),
        ("earn", 5, "checkin"),
        ("earn", 100, "registration"),
        ("lottery_prize", 10, "lottery-prize"),
        ("adjust", 25, "adjust"),
    ],
)
def test_credits_count_as_points_issued(kind: str, points: int, source: str) -> None:
    assert stream_metrics.facts(entry(kind, points, source, "r-1")) == {POINTS_ISSUED: points}


def test_the_expiry_job_counts_points_expired() -> None:
    expired = [entry("expire", -40, "expiry", "2027-07-12", m) for m in ("m-1", "m-2")]
    assert stream_metrics.tally(expired) == {POINTS_EXPIRED: 80}


def test_a_draw_counts_one_draw_and_its_cost_as_points_redeemed() -> None:
    committed = [
        entry("lottery_cost", -50, "lottery", "d1"),
        entry("lottery_prize", 10, "lottery-prize", "d1"),
        stream_record("INSERT", "MEMBER#m-1", "DRAW#d1", DRAW),
    ]
    assert stream_metrics.tally(committed) == {DRAWS: 1, POINTS_REDEEMED: 50, POINTS_ISSUED: 10}


def test_a_captured_hold_counts_a_capture_and_the_points_spent() -> None:
    captured = [hold("active", "captured"), entry("checkout", -600, "checkout", "h-1")]
    assert stream_metrics.tally(captured) == {HOLDS_CAPTURED: 1, POINTS_REDEEMED: 600}


@pytest.mark.parametrize("end", ["released", "expired"])
def test_a_hold_released_by_the_shop_or_by_time_counts_a_release(end: str) -> None:
    assert stream_metrics.facts(hold("active", end)) == {HOLDS_RELEASED: 1}


def test_later_changes_of_an_ended_hold_count_nothing() -> None:
    refunded = hold("captured", "captured", refunded={"S": "20.00"}, returned={"N": "120"})
    assert stream_metrics.facts(refunded) == {}
    assert stream_metrics.facts(stream_record("INSERT", "HOLD#h-1", "HOLD", {})) == {}


def test_points_given_back_are_a_negative_redemption_never_an_issue() -> None:
    returned = [entry("refund", 120, "return", "o-9"), entry("refund", 60, "checkout-refund", "r")]
    assert stream_metrics.tally(returned) == {POINTS_REDEEMED: -180}


def test_clawbacks_transfers_and_operator_debits_issue_and_redeem_nothing_new() -> None:
    committed = [
        entry("clawback", -30, "clawback", "r-1"),
        entry("transfer_out", -30, "transfer", "t-1", "m-1"),
        entry("transfer_in", 30, "transfer", "t-1", "m-2"),
        entry("adjust", -25, "adjust", "a-2"),
    ]
    assert stream_metrics.tally(committed) == {POINTS_ISSUED: -25}


def test_changes_and_removals_of_entries_count_nothing() -> None:
    purchase = entry("earn", 90, "purchase", "o-1")["dynamodb"]["NewImage"]
    refunded = {**purchase, "refunded": {"S": "100.00"}, "clawed_back": {"N": "30"}}
    changed = stream_record("MODIFY", "MEMBER#m-1", "LEDGER#purchase#o-1", refunded, purchase)
    removed = stream_record("REMOVE", "MEMBER#m-1", "LEDGER#purchase#o-1", old=purchase)
    profile = stream_record("MODIFY", "MEMBER#m-1", "PROFILE", {"balance": {"N": "1"}}, {})
    assert stream_metrics.tally([changed, removed, profile]) == {}


def test_only_records_before_the_first_failed_one_are_counted(
    capsys: pytest.CaptureFixture[str],
) -> None:
    batch = [entry("earn", p, "purchase", f"o-{p}", seq=p) for p in (10, 20, 30)]
    failed = {batch[1]["dynamodb"]["SequenceNumber"]}  # retried from there: counted then

    assert stream_metrics.count_settled(batch, failed) == {POINTS_ISSUED: 10}
    assert stream_metrics.count_settled(batch[1:], set()) == {POINTS_ISSUED: 50}  # the retry
    metrics.flush()

    (line,) = emf_lines(capsys.readouterr().out)
    assert line[POINTS_ISSUED] == [10, 50]  # 60 in all: each record once


def test_an_invocation_prints_one_emf_line_in_the_namespace_with_the_service(
    capsys: pytest.CaptureFixture[str],
) -> None:
    metrics.count(REDEMPTIONS)
    metrics.count(POINTS_REDEEMED, 120)
    metrics.flush()

    (line,) = emf_lines(capsys.readouterr().out)
    (directive,) = line["_aws"]["CloudWatchMetrics"]
    assert directive["Namespace"] == "LoyaltyPoints/dev"
    assert directive["Dimensions"] == [["service"]]
    assert {m["Name"]: m["Unit"] for m in directive["Metrics"]} == {
        REDEMPTIONS: "Count",
        POINTS_REDEEMED: "Count",
    }
    assert (line["service"], line[REDEMPTIONS], line[POINTS_REDEEMED]) == ("publisher", [1], [120])


def test_nothing_counted_prints_nothing_and_warns_nothing(
    capsys: pytest.CaptureFixture[str],
) -> None:
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        metrics.flushed(lambda event, context: {"ok": True})({}, None)
    assert capsys.readouterr().out == ""
    assert caught == []


def test_disabled_metrics_print_nothing_and_do_not_pile_up(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("POWERTOOLS_METRICS_DISABLED", "true")  # local mode
    metrics.count(SOLD_OUTS)
    metrics.flush()
    assert capsys.readouterr().out == ""

    monkeypatch.setenv("POWERTOOLS_METRICS_DISABLED", "false")
    metrics.count(SOLD_OUTS)
    metrics.flush()
    (line,) = emf_lines(capsys.readouterr().out)
    assert line[SOLD_OUTS] == [1]  # only this invocation's


def test_local_mode_prints_no_metrics(capsys: pytest.CaptureFixture[str]) -> None:
    from local.server import configure_environment
    from shared.settings import ENV_CURSOR_HMAC_KEY, ENV_PII_HMAC_KEY

    keys = {ENV_PII_HMAC_KEY: "k" * 32, ENV_CURSOR_HMAC_KEY: "k" * 32}  # no key files written
    with mock.patch.dict(os.environ, keys):
        configure_environment("http://127.0.0.1:1", "points-local")
        metrics.flushed(lambda: metrics.count(SOLD_OUTS))()

    assert capsys.readouterr().out == ""


def test_a_metric_never_fails_the_work_it_counts(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("POWERTOOLS_METRICS_NAMESPACE")  # misconfigured: cannot serialize

    answer = metrics.flushed(lambda: metrics.count(DRAWS) or "done")()

    assert answer == "done"
    assert emf_lines(capsys.readouterr().out) == []
    assert not Metrics().metric_set  # dropped, not carried into the next invocation


def test_a_refusal_is_counted_once_and_still_raised() -> None:
    @metrics.counts_refusal(SoldOut, SOLD_OUTS)
    def redeem(outcome: Exception | None) -> str:
        if outcome is not None:
            raise outcome
        return "placed"

    assert redeem(None) == "placed"
    with pytest.raises(InsufficientPoints):
        redeem(InsufficientPoints("not enough"))
    assert not Metrics().metric_set
    with pytest.raises(SoldOut):
        redeem(SoldOut("cup is sold out"))

    assert Metrics().metric_set[SOLD_OUTS]["Value"] == [1]


def test_the_publisher_reports_the_earliest_failed_record_in_stream_order(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Sequence numbers are decimal strings of any length: "99" precedes "100" in the
    stream although it sorts after it as text. The mapping retries from the reported record,
    so reporting the later one would drop the earlier event."""
    from functions.publisher import handler
    from local.gateway import LambdaContext

    class Bus:
        def put_events(self, Entries: list[dict[str, Any]]) -> dict[str, Any]:
            return {"Entries": [{"ErrorCode": "ThrottlingException"} for _ in Entries]}

    monkeypatch.setattr(handler, "_events_client", Bus)
    records = [
        entry("earn", 10, "purchase", "o-1", seq=1),
        entry("earn", 20, "purchase", "o-2", seq=2),
    ]
    records[0]["dynamodb"]["SequenceNumber"] = "99"
    records[1]["dynamodb"]["SequenceNumber"] = "100"

    answer = handler.lambda_handler({"Records": records}, LambdaContext("publisher", "r"))

    assert answer == {"batchItemFailures": [{"itemIdentifier": "99"}]}
