"""One rule for dates people read: the Indian form DD-MM-YYYY, on the calendar of India.

Signed data keeps UTC times (``2026-12-01T18:45:00Z``). What a person reads, on the printed
certificate, the CLI's verdict and the phone page, is the date in India Standard Time (UTC+05:30,
no daylight saving), so an expiry at 18:45 UTC on 30 November reads 01-12-2026 everywhere.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, timezone

from inspector.crypto.canonical import parse_time

IST = timezone(timedelta(hours=5, minutes=30), "IST")

__all__ = ["IST", "indian_date", "ist_date"]


def ist_date(moment: str | datetime) -> date:
    """The calendar date in India of a UTC time (text or aware datetime)."""
    when = parse_time(moment) if isinstance(moment, str) else moment
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return when.astimezone(IST).date()


def indian_date(value: str | datetime | date) -> str:
    """``01-12-2026``: a date as printed, a UTC time converted to India's calendar first."""
    if isinstance(value, datetime):
        day = ist_date(value)
    elif isinstance(value, date):
        day = value
    elif len(value) == 10:  # an ISO calendar date (YYYY-MM-DD) is already a day: no time zone
        day = date.fromisoformat(value)
    else:
        day = ist_date(value)
    return day.strftime("%d-%m-%Y")
