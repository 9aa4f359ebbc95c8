"""One lazily built DynamoDB connection (one botocore client) shared by every model.

pynamodb gives each model class its own connection and client; creating a client costs
~0.1 s of cold start, so all models of the table share this one (see ``Item`` in models.py).
Nothing is created at import time; tests call :func:`reset` after changing the environment.
"""

from __future__ import annotations

import threading

from pynamodb.connection import Connection, TableConnection
from pynamodb.connection.base import MetaTable

from shared.dynamodb import botocore_data
from shared.settings import ENV_COUNTED_TABLE_NAME, SettingsMissing, settings
from shared.tables import COUNTED_TABLE, POINTS_TABLE, create_table_kwargs

_lock = threading.Lock()
_connection: Connection | None = None
_table: TableConnection | None = None
_counted: TableConnection | None = None

MAX_POOL_CONNECTIONS = 64


class _Connection(Connection):
    """pynamodb's connection with a session that loads lean botocore data (cold start)."""

    @property
    def session(self):  # type: ignore[override]
        if getattr(self._local, "session", None) is None:
            self._local.session = botocore_data.session()
        return self._local.session


def connection() -> Connection:
    if _connection is None:
        _build()
    assert _connection is not None
    return _connection


def table() -> TableConnection:
    if _table is None:
        _build()
    assert _table is not None
    return _table


def counted_table() -> TableConnection:
    """The counted-events table (shared/tables.py ``COUNTED_TABLE``), on the same client."""
    if _counted is None:
        _build()
    assert _counted is not None
    if not _counted.table_name:
        raise SettingsMissing(
            f"{ENV_COUNTED_TABLE_NAME} not set: the stack sets it on the functions granted the "
            "counted-events table (infra/permissions.py)"
        )
    return _counted


def _build() -> None:
    global _connection, _table, _counted
    with _lock:
        if _connection is not None:
            return
        cfg = settings()
        conn = _Connection(
            region=cfg.region,
            host=cfg.dynamodb_endpoint,
            max_pool_connections=MAX_POOL_CONNECTIONS,
        )
        schema = create_table_kwargs(POINTS_TABLE, cfg.table_name)
        conn.add_meta_table(MetaTable(schema))
        tbl = TableConnection(cfg.table_name, region=cfg.region, host=cfg.dynamodb_endpoint)
        tbl.connection = conn
        name = cfg.counted_table_name
        if name:
            conn.add_meta_table(MetaTable(create_table_kwargs(COUNTED_TABLE, name)))
        counted = TableConnection(name, region=cfg.region, host=cfg.dynamodb_endpoint)
        counted.connection = conn
        _table, _counted, _connection = tbl, counted, conn


def reset() -> None:
    """Forget the connection (tests, or the local server after it picks an endpoint)."""
    global _connection, _table, _counted
    with _lock:
        _connection = None
        _table = _counted = None
    settings.cache_clear()
