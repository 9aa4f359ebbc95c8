"""Operations of operators: reports, jobs, expiry, programme settings and member care."""

from __future__ import annotations

from shared.domain.activity import LIMITS as TASK_LIMITS
from shared.domain.ledger import (
    ADJUST,
)
from shared.schemas.base import (
    ANY_OBJECT,
    BOOL,
    INT,
    LIST_QUERY,
    MAX_POINTS,
    STRING,
    Operation,
    enum,
    integer,
    nullable,
    obj,
    ref,
    text,
)

CAMPAIGN_REQUEST = obj(
    {"name": text(200), "starts_at": ref("Timestamp"), "ends_at": ref("Timestamp")},
    {
        "multiplier": ref("Decimal"),
        "bonus_points": integer(1, MAX_POINTS),
        "categories": {"type": "array", "items": text(64), "minItems": 1, "maxItems": 100},
        "skus": {"type": "array", "items": text(64), "minItems": 1, "maxItems": 100},
        "channels": {"type": "array", "items": text(64), "minItems": 1, "maxItems": 100},
    },
)
ADMIN_MEMBER_VIEW = ref("Member")

OPERATIONS: dict[str, Operation] = {
    # Operators: reports, jobs, expiry ----------------------------------------------------------
    "reports.report_summary": Operation(
        "Points issued / redeemed / expired / clawed back / outstanding over a window.",
        {
            200: obj(
                {
                    "issued": INT,
                    "redeemed": INT,
                    "expired": INT,
                    "clawed_back": INT,
                    "outstanding": INT,
                    "members": INT,
                    "active_members": INT,
                    "redemption_rate": nullable(STRING),
                    "by_source": ANY_OBJECT,
                    "by_day": {"type": "array"},
                }
            )
        },
        (422,),
        query={"from": ref("Date"), "to": ref("Date")},
    ),
    "jobs.run_job": Operation(
        "Run a scheduled job now (the same code as its schedule).",
        {200: obj({"job": STRING})},
        (404, 503),
    ),
    "expire.extend_expiry": Operation(
        "Goodwill: move a member's expiring points to a later date.",
        {201: obj({"moved": {"type": "array", "items": ANY_OBJECT}})},
        (400, 404, 409, 413, 422, 503),
        request=obj(
            {"reason": text(500)},
            {"expires_on": ref("Date"), "to": ref("Date"), "days": integer(1, 366)},
        ),
        example={"reason": "store closed", "days": 30},
    ),
    # Operators: programme settings --------------------------------------------------------------
    "admin.get_rules": Operation("Every programme setting, defaults filled in.", {200: ANY_OBJECT}),
    "admin.put_rules": Operation(
        "Replace the programme settings' overrides; answers every setting.",
        {200: ANY_OBJECT},
        (400, 413, 422, 503),
        request=ANY_OBJECT,
        example={"checkin_points": 10},
    ),
    "admin.list_tasks": Operation(
        "Every task, active or retired.",
        {200: obj({"items": {"type": "array", "items": ref("Task")}})},
    ),
    "admin.put_task": Operation(
        "Create (201) or replace (200) a task.",
        {201: ref("Task"), 200: ref("Task")},
        (400, 413, 422, 503),
        request=obj(
            {"name": text(200), "points": integer(1, MAX_POINTS), "limit": enum(TASK_LIMITS)},
            {"active": BOOL},
        ),
        example={"name": "Survey", "points": 20, "limit": "daily"},
    ),
    "admin.list_campaigns": Operation(
        "Every campaign, with whether it is active now.",
        {200: obj({"items": {"type": "array", "items": ref("Campaign")}})},
    ),
    "admin.put_campaign": Operation(
        "Create (201) or replace (200) a campaign.",
        {201: ref("Campaign"), 200: ref("Campaign")},
        (400, 413, 422, 503),
        request=CAMPAIGN_REQUEST,
        example={
            "name": "Double days",
            "starts_at": "2027-01-01T00:00:00+08:00",
            "ends_at": "2027-02-01T00:00:00+08:00",
            "multiplier": "2",
        },
    ),
    # Operators: member care ----------------------------------------------------------------------
    "admin.get_member": Operation(
        "A member's file: the member view plus flags and the latest operator actions.",
        {200: ADMIN_MEMBER_VIEW},
        (404, 422),
    ),
    "admin.member_ledger": Operation(
        "A member's ledger, with each entry's actor.",
        {200: ref("LedgerPage")},
        (404, 422),
        query=LIST_QUERY,
    ),
    "admin.adjust_member": Operation(
        "Credit or debit a member's points with a reason (audited).",
        {
            201: obj(
                {
                    "adjustment_id": STRING,
                    "entry_id": STRING,
                    "member_id": STRING,
                    "type": enum((ADJUST,)),
                    "points": INT,
                    "reason": STRING,
                    "actor": STRING,
                    "at": ref("Timestamp"),
                }
            )
        },
        (400, 404, 409, 413, 422, 503),
        request=obj(
            {"points": integer(-MAX_POINTS, MAX_POINTS), "reason": text(500)},
            {"allow_debt": BOOL},
        ),
        example={"points": 25, "reason": "service recovery"},
        idempotency_key=True,
    ),
    "admin.freeze_member": Operation(
        "Freeze a member (no earning, no spending).",
        {200: obj({"member_id": STRING, "status": enum(("frozen",)), "changed": BOOL})},
        (400, 404, 413, 422, 503),
        request=obj({"reason": text(500)}),
        example={"reason": "abuse under review"},
    ),
    "admin.unfreeze_member": Operation(
        "Unfreeze a member.",
        {200: obj({"member_id": STRING, "status": enum(("active",)), "changed": BOOL})},
        (400, 404, 413, 422, 503),
        request=obj({"reason": text(500)}),
        example={"reason": "review done"},
    ),
}
