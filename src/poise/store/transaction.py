"""One write transaction on an SQLite connection: all of it commits, or none of it.

Connections are opened with ``isolation_level=None`` (no implicit
transactions), so every write goes through :func:`transaction`. ``BEGIN
IMMEDIATE`` takes the write lock at the start, so a busy store makes the
transaction wait (up to the busy timeout) before any work instead of failing
half-way at its first write. A transaction that fails, its COMMIT included (a
full disk), is rolled back, so the connection is ready for the next one.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def transaction(conn: sqlite3.Connection) -> Iterator[sqlite3.Connection]:
    """``with transaction(conn): ...`` commits on success, rolls back on any exception.

    >>> conn = sqlite3.connect(":memory:", isolation_level=None)
    >>> _ = conn.execute("CREATE TABLE t (x)")
    >>> try:
    ...     with transaction(conn):
    ...         _ = conn.execute("INSERT INTO t VALUES (1)")
    ...         raise RuntimeError("killed half-way")
    ... except RuntimeError:
    ...     pass
    >>> conn.execute("SELECT count(*) FROM t").fetchone()[0]
    0
    """
    conn.execute("BEGIN IMMEDIATE")
    try:
        yield conn
        conn.execute("COMMIT")
    except BaseException:
        # SQLite may have rolled back already (SQLITE_FULL can end the transaction), and a
        # failed COMMIT leaves it open: either way nothing of it stays, and the error is kept.
        if conn.in_transaction:
            conn.execute("ROLLBACK")
        raise
