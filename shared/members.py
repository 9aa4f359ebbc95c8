"""Use cases of the member aggregate: registration, the member's view, the ledger."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime
from typing import Any

from msgspec import Struct

from shared import programme, referrals
from shared.clock import utc_iso
from shared.domain import ledger as kinds
from shared.domain.calendar import iso_local, local_date
from shared.domain.checkins import current_streak
from shared.domain.lots import Lot, expiring
from shared.domain.members import Member, frozen_scope, shown_status
from shared.domain.referrals import new_code
from shared.domain.rules import Rules
from shared.domain.tiers import month_key, qualifying_total, standing
from shared.dynamodb import members as members_repo
from shared.errors import Contention, MemberExists


class Registration(Struct, frozen=True):
    """A new member, as the shop's system registers them."""

    member_id: str
    referral_code: str | None = None
    birthday: str | None = None
    joined_at: datetime | None = None
    # Contact details, normalised (shared/domain/contacts.py); personal data.
    phone: str | None = None
    email: str | None = None
    name: str | None = None


def register(cmd: Registration, now: datetime) -> tuple[dict[str, Any], bool]:
    """Register a member with the welcome points and the lookup rows of its phone and e-mail
    (one transaction). Returns (member view, created); the same data again is a replay (the
    first registration stands), other data for the same id is ``member_exists``."""
    rules = programme.current()
    today = local_date(now, rules.zone)
    joined = cmd.joined_at.isoformat() if cmd.joined_at else None
    welcome = kinds.credit(
        cmd.member_id,
        "registration",
        cmd.member_id,
        rules.welcome_points,
        "welcome",
        at=now,
        rules=rules,
    )
    referral = None
    if cmd.referral_code is not None:
        referral = referrals.resolve(cmd.referral_code, cmd.member_id)
    for _ in range(5):  # a code already in use (odds: codes in use / 31^8) draws another
        member = Member(
            member_id=cmd.member_id,
            registered_at=utc_iso(now),
            joined_at=joined,
            birthday=cmd.birthday,
            referral_code=new_code(),
            referred_by_code=cmd.referral_code,
            referred_by=referral.referred_by if referral else None,
            referrer_chain=referral.chain if referral else None,
            first_purchase_rewarded=False if referral else None,  # bonuses wait for it
            qualifying_total=0,
            qualifying_month=month_key(today),
            phone=cmd.phone,
            email=cmd.email,
            name=cmd.name,
        )
        try:
            stored, created = members_repo.register(member, welcome, rules)
            break
        except members_repo.CodeTaken:
            continue
    else:  # pragma: no cover - astronomically unlikely
        raise Contention("could not draw a free referral code; retry the request")
    if created:  # the view needs no read
        lots = [Lot(welcome.expires_on, welcome.points)] if welcome.points > 0 else []
        return view(stored, now, rules, lots), True
    same = (
        stored.birthday == cmd.birthday
        and stored.joined_at == joined
        and stored.referred_by_code == cmd.referral_code
        and (stored.phone, stored.email, stored.name) == (cmd.phone, cmd.email, cmd.name)
    )
    if not same:
        raise MemberExists(f"member {cmd.member_id!r} already exists with different data")
    return view(stored, now, rules), False


def qualifying_points(member: Member, now: datetime, rules: Rules) -> int:
    """Points earned from qualifying sources in the window (this month and the 12 before
    it: ``shared.domain.tiers``), from the member's monthly buckets."""
    return qualifying_total(member.qualifying, local_date(now, rules.zone))


def lapsed_hold_points(member: Member, now: datetime) -> int:
    """Points of checkout holds past their time: never counted as held, even before the
    sweep releases them."""
    cutoff = utc_iso(now)
    return sum(int(h["points"]) for h in member.holds.values() if str(h["expires_at"]) <= cutoff)


def view(
    member: Member, now: datetime, rules: Rules | None = None, lots: list[Lot] | None = None
) -> dict[str, Any]:
    """``GET /v1/me``: balance, tier standing and the points expiring soonest first."""
    rules = rules or programme.current()
    if lots is None:
        lots = members_repo.lots(member.member_id)
    qualifying = qualifying_points(member, now, rules)
    tier = standing(member.tier, qualifying, rules.tiers)
    lapsed = lapsed_hold_points(member, now)
    return {
        "member_id": member.member_id,
        "status": shown_status(member.status),
        "frozen_scope": frozen_scope(member.status),
        "balance": member.balance,
        "pending_review": member.pending_review or 0,
        "held": member.held - lapsed,
        "spendable": member.spendable + lapsed,
        "tier": tier.tier,
        "qualifying_points": qualifying,
        "next_tier": tier.next_tier,
        "points_to_next_tier": tier.points_to_next_tier,
        "expiring": [
            {"points": lot.points, "expires_on": lot.expires_on.isoformat()}
            for lot in expiring(lots, member.consumed, member.settled)
        ],
        "checkin_streak": current_streak(
            date.fromisoformat(member.checkin_last) if member.checkin_last else None,
            member.checkin_streak or 0,
            local_date(now, rules.zone),
        ),
        "referral_code": member.referral_code,
        "birthday": member.birthday,
        "registered_at": iso_local(datetime.fromisoformat(member.registered_at), rules.zone),
    }


def get_view(member_id: str, now: datetime) -> dict[str, Any]:
    return view(members_repo.load(member_id), now)


def entry_view(entry: kinds.Entry, balance_after: int, rules: Rules, locale: str) -> dict[str, Any]:
    code, description = kinds.shown_text(entry, locale)
    return {
        "entry_id": entry.entry_id,
        "at": iso_local(datetime.fromisoformat(entry.at), rules.zone),
        "type": entry.type,
        "code": code,
        "points": entry.points,
        "balance_after": balance_after,
        "source": entry.source,
        "ref": entry.ref,
        "description": description,
        "expires_on": entry.expires_on,
    }


def ledger(
    member_id: str,
    limit: int,
    cursor: str | None,
    locale: Callable[[str | None], str],
    *,
    with_actor: bool = False,
) -> dict[str, Any]:
    """``GET /v1/me/ledger``: newest first, each entry with the balance after it and its
    description in ``locale(saved)`` (``Request.locale``; ``saved`` is the member's saved
    locale, which the page reads with the balance: operators' views pass a chooser that
    ignores it).

    ``with_actor`` (operators' view) adds who made each operator adjustment.
    """
    rules = programme.current()
    page = members_repo.ledger_page(member_id, limit, cursor)
    entries, balance, next_cursor = page.entries, page.balance, page.next_cursor
    balances = kinds.running_balances(balance, [e.points for e in entries])
    shown = locale(page.saved_locale)
    views = [entry_view(e, b, rules, shown) for e, b in zip(entries, balances, strict=True)]
    if with_actor:
        for view_, entry in zip(views, entries, strict=True):
            view_["actor"] = entry.actor
    return {"items": views, "next_cursor": next_cursor}
