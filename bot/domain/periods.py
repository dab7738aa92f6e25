"""Declaration periods: calendar months as 'YYYY-MM', their days, and months as people type them.

The deadline of a period lives in bot.domain.timeliness, its ISO weeks in bot.domain.weeks.
"""

from __future__ import annotations

from datetime import date, timedelta

from bot.domain.words import latin_digits, month_number


def period_of(day: date) -> str:
    """The period a day belongs to."""
    return f"{day.year:04d}-{day.month:02d}"


def parse_period(text: str) -> tuple[int, int]:
    """'2026-11' → (2026, 11); raises ValueError for anything else."""
    year_text, _, month_text = text.partition("-")
    if len(year_text) != 4 or len(month_text) != 2 or not (year_text + month_text).isdigit():
        raise ValueError(f"not a period (YYYY-MM): {text!r}")
    year, month = int(year_text), int(month_text)
    if not 1 <= month <= 12:
        raise ValueError(f"not a period (YYYY-MM): {text!r}")
    return year, month


def first_day(period: str) -> date:
    """The first day of the period."""
    year, month = parse_period(period)
    return date(year, month, 1)


def last_day(period: str) -> date:
    """The last day of the period."""
    return first_day(next_period(period)) - timedelta(days=1)


def next_period(period: str) -> str:
    """The month after."""
    year, month = parse_period(period)
    return f"{year + month // 12:04d}-{month % 12 + 1:02d}"


def previous_period(period: str) -> str:
    """The month before."""
    year, month = parse_period(period)
    return f"{year - (month == 1):04d}-{(month - 2) % 12 + 1:02d}"


def periods_between(first: str, last: str) -> list[str]:
    """All periods from `first` to `last`, both included."""
    result = []
    current = first
    while current <= last:
        result.append(current)
        current = next_period(current)
    return result


def add_months(day: date, months: int) -> date:
    """The same day `months` later, clamped to the month's end."""
    year, month0 = divmod(day.month - 1 + months, 12)
    target = date(day.year + year, month0 + 1, 1)
    end = last_day(period_of(target))
    return target.replace(day=min(day.day, end.day))


def period_from_text(text: str, today: date) -> str | None:
    """What people type after /opgave: '2026-11', '11-2026', 'november', 'nov 2026', 'oct',
    in any language ('Kasım 2026', 'نوفمبر', '١١-٢٠٢٦', 'تشرين الثاني').

    A month without a year is the most recent month of that name that has ended or is running:
    'november' on 30 November 2026 is November 2026, 'december' that day is December 2025.
    """
    words = latin_digits(text).strip().replace("/", " ").replace("-", " ").split()
    if not words or len(words) > 3:
        return None
    years = [int(w) for w in words if w.isascii() and w.isdigit() and len(w) == 4]
    rest = " ".join(w for w in words if not (w.isascii() and w.isdigit() and len(w) == 4))
    if len(years) > 1 or not rest:
        return None
    year = years[0] if years else None
    if rest.isascii() and rest.isdigit() and len(rest) <= 2:
        month: int | None = int(rest) if 1 <= int(rest) <= 12 else None
    elif len(words) - len(years) <= 2:  # a name: 'nov', 'Kasım', 'تشرين الثاني'
        month = month_number(rest)
    else:
        month = None
    if month is None:
        return None
    if year is None:
        year = today.year if month <= today.month else today.year - 1
    if not 2000 <= year <= 2100:
        return None
    return f"{year:04d}-{month:02d}"
