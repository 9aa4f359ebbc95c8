"""Notices: every member-facing event becomes the right kind of message, every template renders
in both languages with the same fields, and SMS quiet hours delay (never drop) a send."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest

from shared.domain import notices
from shared.domain.notices import EMAIL, IN_APP, KINDS, SMS, Prefs, notice_of, render
from shared.domain.rules import DEFAULT_RULES, Notifications, Rules
from shared.i18n import EN, LOCALES, ZH_CN, fields
from shared.i18n.catalogs import notices as catalog

AT = datetime(2027, 3, 1, 2, 0, tzinfo=UTC)  # 10:00 in Shanghai


def ledger(entry_type: str, **extra: Any) -> dict[str, Any]:
    return {"event_id": "MEMBER#m-1|LEDGER#x", "member_id": "m-1", "type": entry_type, **extra}


# (detail-type, detail) -> (kind, params)
EVENTS: list[tuple[str, dict[str, Any], str, dict[str, Any]]] = [
    (
        "PointsExpiringSoon.v1",
        {"event_id": "e", "member_id": "m-1", "points": 120, "expires_on": "2027-03-31"},
        "points_expiring",
        {"points": 120, "expires_on": "2027-03-31"},
    ),
    (
        "OrderStatusChanged.v1",
        {
            "event_id": "e",
            "member_id": "m-1",
            "order_id": "o-1",
            "item_id": "tea-1",
            "status": "shipped",
            "carrier": "SF Express",
            "tracking_no": "SF123",
        },
        "order_shipped",
        {"order_id": "o-1", "item": "tea-1", "carrier": "SF Express", "tracking_no": "SF123"},
    ),
    (
        "OrderStatusChanged.v1",
        {
            "event_id": "e",
            "member_id": "m-1",
            "order_id": "o-1",
            "item_id": "tea-1",
            "item_name": "龙井茶",
            "status": "delivered",
        },
        "order_delivered",
        {"order_id": "o-1", "item": "龙井茶"},
    ),
    (
        "TierChanged.v1",
        {
            "event_id": "e",
            "member_id": "m-1",
            "from": "bronze",
            "to": "silver",
            "change": "promotion",
        },
        "tier_promoted",
        {"tier": "silver"},
    ),
    (
        "TierChanged.v1",
        {"event_id": "e", "member_id": "m-1", "from": "gold", "to": "silver", "change": "demotion"},
        "tier_demoted",
        {"tier": "silver"},
    ),
    (
        "LotteryPrizeWon.v1",
        ledger("lottery_prize", source="lottery-prize", points=88),
        "prize_won",
        {"prize": "", "points": 88},
    ),
    (
        "OrderPlaced.v1",
        {
            "event_id": "e",
            "member_id": "m-1",
            "order_id": "o-2",
            "item_id": "speaker",
            "kind": "gift",
            "status": "awaiting_address",
        },
        "prize_won",
        {"prize": "speaker", "points": 0},
    ),
    (
        "RebateStatementIssued.v1",
        {"event_id": "e", "member_id": "m-1", "campaign_id": "spring", "total": "128.50"},
        "rebate_statement",
        {"campaign_id": "spring", "total": "128.50", "currency": "CNY"},
    ),
    (
        "RebatePaid.v1",
        {"event_id": "e", "member_id": "m-1", "campaign_id": "spring", "payable": "128.50"},
        "rebate_paid",
        {"campaign_id": "spring", "amount": "128.50", "currency": "CNY"},
    ),
    (
        "PointsEarned.v1",
        ledger("earn", source="birthday", points=200),
        "birthday_points",
        {"points": 200},
    ),
    (
        "PointsReceived.v1",
        ledger("transfer_in", source="transfer", points=300),
        "points_received",
        {"points": 300},
    ),
]


@pytest.mark.parametrize(("detail_type", "detail", "kind", "params"), EVENTS)
def test_each_member_facing_event_becomes_its_kind_of_notice(
    detail_type: str, detail: dict[str, Any], kind: str, params: dict[str, Any]
) -> None:
    notice = notice_of(detail_type, detail, AT, DEFAULT_RULES)

    assert notice is not None
    assert (notice.member_id, notice.kind, notice.params) == ("m-1", kind, params)
    assert notice.event_id == detail["event_id"]
    assert notice.message_id == f"2027-03-01.{kind}"


def test_every_kind_has_an_event() -> None:
    assert {kind for _, _, kind, _ in EVENTS} == set(KINDS)


@pytest.mark.parametrize(
    ("detail_type", "detail"),
    [
        ("PointsEarned.v1", ledger("earn", source="purchase", points=50)),
        ("PointsRedeemed.v1", ledger("redeem", source="mall", points=-50)),
        ("OrderStatusChanged.v1", {"event_id": "e", "member_id": "m-1", "status": "approved"}),
        ("OrderPlaced.v1", {"event_id": "e", "member_id": "m-1", "status": "placed"}),
        ("TierChanged.v1", {"event_id": "e", "member_id": "m-1", "from": "gold", "to": "gold"}),
        ("MemberRegistered.v1", {"event_id": "e", "member_id": "m-1"}),
        ("PointsExpiringSoon.v1", {"member_id": "m-1", "points": 1, "expires_on": "2027-03-31"}),
        ("PointsExpiringSoon.v1", {"event_id": "e", "points": 1, "expires_on": "2027-03-31"}),
    ],
)
def test_events_a_member_is_not_told_about_give_no_notice(
    detail_type: str, detail: dict[str, Any]
) -> None:
    assert notice_of(detail_type, detail, AT, DEFAULT_RULES) is None


def test_a_tier_change_without_its_direction_compares_the_tiers() -> None:
    up = {"event_id": "e", "member_id": "m-1", "from": "silver", "to": "platinum"}
    down = {"event_id": "e", "member_id": "m-1", "from": "platinum", "to": "bronze"}

    assert notice_of("TierChanged.v1", up, AT, DEFAULT_RULES).kind == "tier_promoted"
    assert notice_of("TierChanged.v1", down, AT, DEFAULT_RULES).kind == "tier_demoted"


def test_the_day_is_the_programme_day_of_the_event() -> None:
    late_utc = datetime(2027, 3, 1, 17, 30, tzinfo=UTC)  # 01:30 on 2 March in Shanghai
    detail = {"event_id": "e", "member_id": "m-1", "points": 5, "expires_on": "2027-03-31"}

    in_shanghai = notice_of("PointsExpiringSoon.v1", detail, late_utc, DEFAULT_RULES)
    in_london = notice_of(
        "PointsExpiringSoon.v1", detail, late_utc, Rules(timezone="Europe/London")
    )

    assert in_shanghai.message_id == "2027-03-02.points_expiring"
    assert in_london.message_id == "2027-03-01.points_expiring"


# --- text ---------------------------------------------------------------------------------------

PARTS = ("title", "body", "sms", "email_subject", "email_body")


def test_both_locales_have_the_same_keys_with_the_same_fields() -> None:
    assert set(catalog.EN) == set(catalog.ZH_CN)
    for key, template in catalog.EN.items():
        assert fields(template) == fields(catalog.ZH_CN[key]), key


@pytest.mark.parametrize("kind", KINDS)
def test_every_kind_has_every_part_in_both_locales(kind: str) -> None:
    for part in PARTS:
        assert f"{kind}.{part}" in catalog.EN
        assert catalog.EN[f"{kind}.{part}"] != catalog.ZH_CN[f"{kind}.{part}"]


@pytest.mark.parametrize(("detail_type", "detail", "kind", "params"), EVENTS)
@pytest.mark.parametrize("locale", LOCALES)
@pytest.mark.parametrize("channel", (IN_APP, SMS, EMAIL))
def test_every_template_renders_with_every_field_it_names(
    detail_type: str,
    detail: dict[str, Any],
    kind: str,
    params: dict[str, Any],
    locale: str,
    channel: str,
) -> None:
    shown = notices.shown(kind, params, locale)
    used = {name for part in PARTS for name in fields(catalog.EN[f"{kind}.{part}"])}
    assert used <= set(shown), f"{kind} lacks {used - set(shown)}"
    assert all(str(shown[name]) for name in used), (kind, shown)

    title, body = render(kind, params, locale, channel)

    assert body and "{" not in body and "}" not in body
    assert bool(title) == (channel != SMS)


def test_the_text_follows_the_locale() -> None:
    params = {"points": 120, "expires_on": "2027-03-31"}

    assert render("points_expiring", params, ZH_CN) == (
        "积分即将过期",
        "您有 120 积分将于 2027年3月31日 过期，请尽快到积分商城兑换。",
    )
    assert render("points_expiring", params, EN)[1].startswith(
        "120 of your points expire on 31 Mar 2027."
    )
    assert render("points_expiring", params, "zh-Hans-CN") == render(
        "points_expiring", params, ZH_CN
    )


def test_tier_names_and_points_prizes_read_in_the_reader_s_language() -> None:
    assert render("tier_promoted", {"tier": "gold"}, ZH_CN)[0] == "恭喜升级为黄金会员"
    assert render("tier_promoted", {"tier": "gold"}, EN)[0] == "Welcome to Gold"
    assert render("tier_promoted", {"tier": "vip"}, EN)[0] == "Welcome to vip"  # own tier name
    assert "88 积分" in render("prize_won", {"prize": "", "points": 88}, ZH_CN)[1]
    assert "88 points" in render("prize_won", {"prize": "", "points": 88}, EN)[1]
    assert "蓝牙音箱" in render("prize_won", {"prize": "蓝牙音箱", "points": 0}, ZH_CN)[1]


def test_an_email_ends_with_how_to_turn_emails_off() -> None:
    subject, body = render("birthday_points", {"points": 200}, ZH_CN, EMAIL)

    assert subject == "生日快乐：200 积分送给您"
    assert body.endswith(catalog.ZH_CN["email_footer"])


# --- quiet hours ----------------------------------------------------------------------------------


def shanghai(hour: int, minute: int = 0, day: int = 1) -> datetime:
    return datetime(2027, 3, day, hour, minute, tzinfo=DEFAULT_RULES.zone)


@pytest.mark.parametrize(
    ("now", "until"),
    [
        (shanghai(20, 59), None),
        (shanghai(21, 0), shanghai(9, 0, day=2)),
        (shanghai(23, 30), shanghai(9, 0, day=2)),
        (shanghai(0, 10), shanghai(9, 0)),  # after midnight: this morning
        (shanghai(8, 59), shanghai(9, 0)),
        (shanghai(9, 0), None),
        (shanghai(14, 0), None),
    ],
)
def test_sms_quiet_hours_cross_midnight(now: datetime, until: datetime | None) -> None:
    assert notices.not_before(now.astimezone(UTC), DEFAULT_RULES) == until


def test_quiet_hours_are_programme_time() -> None:
    rules = Rules(timezone="Europe/London")
    at_22_in_london = datetime(2027, 1, 15, 22, 0, tzinfo=UTC)  # 06:00 next day in Shanghai

    nine_in_shanghai = datetime(2027, 1, 16, 9, 0, tzinfo=DEFAULT_RULES.zone)

    assert notices.not_before(at_22_in_london, DEFAULT_RULES) == nine_in_shanghai
    assert notices.not_before(at_22_in_london, rules) == datetime(2027, 1, 16, 9, 0, tzinfo=UTC)


def test_a_window_within_one_day_and_an_empty_one() -> None:
    lunch = Rules(notifications=Notifications(quiet_start="12:00", quiet_end="14:00"))
    never = Rules(notifications=Notifications(quiet_start="00:00", quiet_end="00:00"))

    assert notices.not_before(shanghai(13, 0), lunch) == shanghai(14, 0)
    assert notices.not_before(shanghai(23, 0), lunch) is None
    assert notices.not_before(shanghai(23, 0), never) is None


# --- sends ----------------------------------------------------------------------------------------

NOTICE = notices.Notice("m-1", "birthday_points", {"points": 200}, AT, AT.date(), "e-1")
BOTH = frozenset({SMS, EMAIL})


def prefs(**changes: Any) -> Prefs:
    base = {"sms": True, "email": True, "has_phone": True, "has_email": True}
    return Prefs("m-1", **{**base, **changes})


def channels(sends: list[notices.Send]) -> list[str]:
    return [s.channel for s in sends]


def test_a_member_gets_what_they_opted_into_and_the_stage_offers() -> None:
    assert channels(notices.sends_for(NOTICE, prefs(), BOTH)) == [SMS, EMAIL]
    assert channels(notices.sends_for(NOTICE, prefs(email=False), BOTH)) == [SMS]
    assert channels(notices.sends_for(NOTICE, prefs(), frozenset({EMAIL}))) == [EMAIL]
    assert notices.sends_for(NOTICE, prefs(), frozenset()) == []
    assert notices.sends_for(NOTICE, Prefs("m-1"), BOTH) == []  # never opted in


def test_no_send_without_a_phone_or_an_address() -> None:
    assert channels(notices.sends_for(NOTICE, prefs(has_phone=False), BOTH)) == [EMAIL]
    assert notices.sends_for(NOTICE, prefs(has_phone=False, has_email=False), BOTH) == []


def test_frozen_entirely_means_the_inbox_only() -> None:
    assert notices.sends_for(NOTICE, prefs(status="frozen"), BOTH) == []
    assert len(notices.sends_for(NOTICE, prefs(status="earning_frozen"), BOTH)) == 2


def test_only_an_sms_waits_for_quiet_hours_and_a_send_carries_no_contact() -> None:
    until = shanghai(9, 0, day=2).astimezone(UTC)

    sms, email = notices.sends_for(NOTICE, prefs(), BOTH, quiet_until=until)

    assert sms.not_before == "2027-03-02T01:00:00+00:00"
    assert email.not_before is None
    assert (sms.message_id, sms.kind, sms.params) == (NOTICE.message_id, NOTICE.kind, NOTICE.params)
    assert not {"phone", "email", "to"} & set(notices.Send.__struct_fields__)
