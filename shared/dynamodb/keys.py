"""Every key and index key of the table is built here, and nowhere else."""

from __future__ import annotations

import hashlib
from datetime import date

MEMBER = "MEMBER#"
PROFILE = "PROFILE"
LEDGER = "LEDGER#"
LOT = "LOT#"
ORDER = "ORDER#"
EXPIRY = "EXPIRY#"


def member_pk(member_id: str) -> str:
    return f"{MEMBER}{member_id}"


def member_id_of(pk: str) -> str:
    return pk.removeprefix(MEMBER)


def ledger_sk(source: str, ref: str) -> str:
    """A ledger entry's key is its business key, so a retry collides instead of repeating."""
    return f"{LEDGER}{source}#{ref}"


def entry_id(source: str, ref: str) -> str:
    return f"{source}:{ref}"


def ledger_time_key(at_utc: str, entry: str) -> str:
    """LSI ``by_time`` sort key: newest-first listing of a member's ledger."""
    return f"{LEDGER}{at_utc}#{entry}"


def lot_sk(expires_on: date, source: str, ref: str) -> str:
    return f"{LOT}{expires_on.isoformat()}#{source}#{ref}"


def order_pk(order_id: str) -> str:
    """GSI ``by_order``: the shop's order id → its purchase ledger entry."""
    return f"{ORDER}{order_id}"


def shard_of(member_id: str, shards: int) -> int:
    digest = hashlib.blake2b(member_id.encode(), digest_size=4).digest()
    return int.from_bytes(digest, "big") % shards


def expiry_pk(expires_on: date, shard: int) -> str:
    """GSI ``by_expiry`` partition: lots due on one day, spread over ``shards`` partitions."""
    return f"{EXPIRY}{expires_on.isoformat()}#{shard:02d}"


def expiry_sk(member_id: str, lot: str) -> str:
    return f"{member_pk(member_id)}#{lot}"
