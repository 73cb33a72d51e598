"""Visits as stored: one run of a test battery for an athlete, and its sessions.

A visit keeps the battery as it was run (:func:`poise.batteries.battery_to_dict`),
the involved side, when it started and ended (no end while it can be resumed),
and which of its sessions ran which of the battery's conditions. What the
visit scored is computed from its trials (:mod:`poise.visits`).
"""

from __future__ import annotations

import json
import sqlite3
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Visit:
    """A visit as stored.

    Args:
        id, uuid: the visit's.
        athlete: whose.
        number: its place among the athlete's visits of this battery, from 1.
        battery: the battery's name, and ``battery_fields`` the battery as it was run.
        involved: the injured or operated side, or None.
        started_utc, ended_utc: ISO 8601 UTC; ``ended_utc`` is None while it is open.
        sessions: session id to the battery's condition it ran (from 1).
    """

    id: int
    uuid: str
    athlete: str
    number: int
    battery: str
    battery_fields: dict[str, Any]
    involved: str | None
    started_utc: str
    ended_utc: str | None
    sessions: dict[int, int]

    @property
    def open(self) -> bool:
        return self.ended_utc is None


def read_visits(conn: sqlite3.Connection, athlete: str | None = None) -> list[Visit]:
    """Every visit on ``conn`` (of ``athlete``), in start order; none in a store older
    than visits."""
    has_visits = conn.execute(
        "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = 'visits'"
    ).fetchone()[0]
    if not has_visits:
        return []
    where, args = ("WHERE a.name = ?", (athlete,)) if athlete is not None else ("", ())
    rows = conn.execute(
        "SELECT v.id, v.uuid, a.name, v.battery, v.battery_json, v.involved, v.started_utc,"
        f" v.ended_utc FROM visits v JOIN athletes a ON a.id = v.athlete_id {where}"
        " ORDER BY v.started_utc, v.id",
        args,
    ).fetchall()
    sessions: dict[int, dict[int, int]] = {}
    for session_id, visit_id, condition in conn.execute(
        "SELECT id, visit_id, condition FROM sessions WHERE visit_id IS NOT NULL"
    ):
        sessions.setdefault(visit_id, {})[session_id] = condition
    counted: dict[tuple[str, str], int] = {}
    visits = []
    for visit_id, uuid, name, battery, fields, involved, started, ended in rows:
        number = counted[(name, battery)] = counted.get((name, battery), 0) + 1
        visits.append(
            Visit(
                id=visit_id,
                uuid=uuid,
                athlete=name,
                number=number,
                battery=battery,
                battery_fields=json.loads(fields),
                involved=involved,
                started_utc=started,
                ended_utc=ended,
                sessions=sessions.get(visit_id, {}),
            )
        )
    return visits
