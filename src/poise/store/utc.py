"""Wall-clock timestamps of the store: ISO 8601 in UTC, one fixed text form.

Every timestamp is written as ``YYYY-MM-DDTHH:MM:SS.mmmZ``, so text order is
time order and SQLite can sort and compare them as strings.
"""

from __future__ import annotations

from datetime import UTC, datetime


def utc_text(moment: datetime | None = None) -> str:
    """``moment`` (now by default; naive means UTC) in the store's form.

    >>> utc_text(datetime(2025, 3, 1, 9, 30, tzinfo=UTC))
    '2025-03-01T09:30:00.000Z'
    """
    moment = moment or datetime.now(UTC)
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def parse_utc(text: str, field: str = "timestamp") -> datetime:
    """An ISO 8601 timestamp with a time zone (``Z`` or an offset), as an aware datetime.

    Raises ValueError naming ``field`` for text that is not one.

    >>> parse_utc("2025-03-01T10:30:00+01:00").isoformat()
    '2025-03-01T09:30:00+00:00'
    """
    try:
        moment = datetime.fromisoformat(text)
    except (TypeError, ValueError):
        raise ValueError(f"{field} must be an ISO 8601 timestamp, not {text!r}") from None
    if moment.tzinfo is None:
        raise ValueError(f"{field} must say its time zone (e.g. end in Z for UTC), not {text!r}")
    return moment.astimezone(UTC)


def utc_or_now(text: str | None, field: str = "timestamp") -> str:
    """A given timestamp (see :func:`parse_utc`) in the store's form, or now when None.

    >>> utc_or_now("2025-03-01T09:30:00Z")
    '2025-03-01T09:30:00.000Z'
    """
    return utc_text(parse_utc(text, field) if text else None)
