"""Use cases of the member aggregate: registration, the member's view, the ledger."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from msgspec import Struct

from shared import programme, referrals
from shared.domain import ledger as kinds
from shared.domain.calendar import iso_local, local_date
from shared.domain.checkins import current_streak
from shared.domain.ledger import Credit, running_balances
from shared.domain.lots import Lot, expiring, expiry_date
from shared.domain.referrals import new_code
from shared.domain.rules import Rules
from shared.domain.tiers import month_key, qualifying_total, standing
from shared.dynamodb import members as repo
from shared.dynamodb import referrals as referral_repo
from shared.dynamodb import tiers as tiers_repo
from shared.dynamodb.models import LedgerItem, MemberItem, as_plain
from shared.errors import Contention, MemberExists


class Registration(Struct, frozen=True):
    """A new member, as the shop's system registers them."""

    member_id: str
    referral_code: str | None = None
    birthday: str | None = None
    joined_at: datetime | None = None


def register(cmd: Registration, now: datetime) -> tuple[dict[str, Any], bool]:
    """Register a member with the welcome points. Returns (member view, created)."""
    rules = programme.current()
    today = local_date(now, rules.zone)
    joined = cmd.joined_at.isoformat() if cmd.joined_at else None
    item = MemberItem(
        pk=repo.keys.member_pk(cmd.member_id),
        sk=repo.keys.PROFILE,
        member_id=cmd.member_id,
        registered_at=repo.utc_iso(now),
        joined_at=joined,
        birthday=cmd.birthday,
        referred_by_code=cmd.referral_code,
        qualifying={},
        qualifying_total=0,
        qualifying_month=month_key(today),
        holds={},
        **(tiers_repo.birthday_keys(cmd.member_id, cmd.birthday) if cmd.birthday else {}),
    )
    welcome = Credit(
        member_id=cmd.member_id,
        type=kinds.EARN,
        source="registration",
        ref=cmd.member_id,
        points=rules.welcome_points,
        at=now,
        earned_on=today,
        expires_on=expiry_date(today, rules.validity),
        description="Welcome points",
    )
    if cmd.referral_code is not None:
        referral = referrals.resolve(cmd.referral_code, cmd.member_id)
        item.referred_by, item.referrer_chain = referral.referred_by, referral.chain
        item.first_purchase_rewarded = False  # the bonuses wait for the first purchase
    for _ in range(5):  # a code already in use (odds: codes in use / 31^8) draws another
        item.referral_code = new_code()
        code = referral_repo.code_item(item.referral_code, cmd.member_id, item.referred_by)
        try:
            existing = repo.register(item, welcome, rules, code)
            break
        except repo.CodeTaken:
            continue
    else:  # pragma: no cover - astronomically unlikely
        raise Contention("could not draw a free referral code; retry the request")
    if existing is None:  # created: the view needs no read
        lots = [Lot(welcome.expires_on, welcome.points)] if welcome.points > 0 else []
        return view(item, now, rules, lots), True
    same = (
        existing.birthday == cmd.birthday
        and existing.joined_at == joined
        and existing.referred_by_code == cmd.referral_code
    )
    if not same:
        raise MemberExists(f"member {cmd.member_id!r} already exists with different data")
    return view(existing, now, rules), False


def qualifying_points(member: MemberItem, now: datetime, rules: Rules) -> int:
    """Points earned from qualifying sources in the window (this month and the 12 before
    it: ``shared.domain.tiers``), from the member's monthly buckets."""
    return qualifying_total(as_plain(member.qualifying) or {}, local_date(now, rules.zone))


def lapsed_hold_points(member: MemberItem, now: datetime) -> int:
    """Points of checkout holds past their time: never counted as held, even before the
    sweep releases them."""
    holds = as_plain(member.holds) or {}
    cutoff = repo.utc_iso(now)
    return sum(int(h["points"]) for h in holds.values() if str(h["expires_at"]) <= cutoff)


def view(
    member: MemberItem, now: datetime, rules: Rules | None = None, lots: list[Lot] | None = None
) -> dict[str, Any]:
    """``GET /v1/me``: balance, tier standing and the points expiring soonest first."""
    rules = rules or programme.current()
    if lots is None:
        lots = [
            Lot(datetime.fromisoformat(lot.expires_on).date(), int(lot.points))
            for lot in repo.lots(member.member_id)
        ]
    qualifying = qualifying_points(member, now, rules)
    tier = standing(member.tier, qualifying, rules.tiers)
    lapsed = lapsed_hold_points(member, now)
    return {
        "member_id": member.member_id,
        "status": member.status,
        "balance": int(member.balance),
        "held": int(member.held) - lapsed,
        "spendable": int(member.spendable) + lapsed,
        "tier": tier.tier,
        "qualifying_points": qualifying,
        "next_tier": tier.next_tier,
        "points_to_next_tier": tier.points_to_next_tier,
        "expiring": [
            {"points": lot.points, "expires_on": lot.expires_on.isoformat()}
            for lot in expiring(lots, int(member.consumed), int(member.settled))
        ],
        "checkin_streak": current_streak(
            date.fromisoformat(member.checkin_last) if member.checkin_last else None,
            int(member.checkin_streak or 0),
            local_date(now, rules.zone),
        ),
        "referral_code": member.referral_code,
        "birthday": member.birthday,
        "registered_at": iso_local(datetime.fromisoformat(member.registered_at), rules.zone),
    }


def get_view(member_id: str, now: datetime) -> dict[str, Any]:
    return view(repo.get(member_id), now)


def entry_view(entry: LedgerItem, balance_after: int, rules: Rules) -> dict[str, Any]:
    return {
        "entry_id": entry.entry_id,
        "at": iso_local(datetime.fromisoformat(entry.at), rules.zone),
        "type": entry.type,
        "points": int(entry.points),
        "balance_after": balance_after,
        "source": entry.source,
        "ref": entry.ref,
        "description": entry.description,
        "expires_on": entry.expires_on,
    }


def ledger(
    member_id: str, limit: int, cursor: str | None, *, with_actor: bool = False
) -> dict[str, Any]:
    """``GET /v1/me/ledger``: newest first, each entry with the balance after it.

    ``with_actor`` (operators' view) adds who made each operator adjustment.
    """
    rules = programme.current()
    items, balance, next_cursor = repo.ledger_page(member_id, limit, cursor)
    balances = running_balances(balance, [int(i.points) for i in items])
    views = [entry_view(i, b, rules) for i, b in zip(items, balances, strict=True)]
    if with_actor:
        for view_, item in zip(views, items, strict=True):
            view_["actor"] = item.actor
    return {"items": views, "next_cursor": next_cursor}
