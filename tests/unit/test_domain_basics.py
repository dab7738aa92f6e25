"""Pure rules of the foundation: periods, deadlines, policy validation, BSN, invites, config."""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from pathlib import Path

import pytest

from bot.config import ConfigError, load_settings
from bot.domain import bsn, invites, periods, weeks
from bot.domain.models import Household
from bot.domain.policy import PolicyError, default_policy_text, load_policy
from bot.domain.timeliness import due_date


def test_periods_walk_over_year_ends() -> None:
    assert periods.next_period("2026-12") == "2027-01"
    assert periods.previous_period("2027-01") == "2026-12"
    assert periods.last_day("2028-02") == date(2028, 2, 29)
    assert periods.periods_between("2026-11", "2027-02") == [
        "2026-11",
        "2026-12",
        "2027-01",
        "2027-02",
    ]
    with pytest.raises(ValueError, match="YYYY-MM"):
        periods.parse_period("2026-13")


def test_due_day_moves_past_weekends_and_holidays() -> None:
    policy = load_policy()
    assert due_date(policy, "2026-11") == date(2026, 12, 10)  # a Thursday
    assert due_date(policy, "2027-03") == date(2027, 4, 12)  # Saturday → Monday
    on_25th, on_27th = replace(policy, due_day=25), replace(policy, due_day=27)
    assert due_date(on_25th, "2026-11") == date(2026, 12, 28)  # Christmas days + weekend
    assert due_date(on_27th, "2027-03") == date(2027, 4, 28)  # Koningsdag, Tuesday


def test_iso_weeks_cover_the_month_exactly() -> None:
    slots = weeks.week_slots("2026-12")
    assert (slots[0].key, slots[0].week, slots[0].first, slots[0].last) == (
        "2026-W49",
        49,
        date(2026, 12, 1),
        date(2026, 12, 6),
    )
    assert slots[-1].last == date(2026, 12, 31)
    assert sum((s.last - s.first).days + 1 for s in slots) == 31


def test_default_policy_has_the_domain_defaults() -> None:
    policy = load_policy()
    assert policy.hour_cap_per_week == 20
    assert policy.due_day == 10
    assert policy.investment_cap_cents == 100_000
    assert policy.norm_cents(Household.ALLEENSTAANDE, date(2025, 8, 1)) == 136_906
    assert policy.norm_cents(Household.GEHUWDEN, date(2026, 2, 1)) == 200_213
    assert policy.norm_cents(Household.GEHUWDEN, date(2024, 2, 1)) is None


@pytest.mark.parametrize(
    ("old", "new", "field"),
    [
        ("due_day = 10", "due_day = 31", "declaration.due_day"),
        ('mode = "weekly_averaged"', 'mode = "sometimes"', "hours.mode"),
        ("yearly_cap = 300.00", "yearly_cap = -5", "costs[1].yearly_cap"),
        ('start = "21:00"', 'start = "late"', "quiet_hours.start"),
        ("alleenstaande = 1345.45", "alleenstaande = 1345.456", "norms[0].alleenstaande"),
        ('"bevrijdingsdag",', '"bevrijding",', "deadline.feestdagen[4]"),
    ],
)
def test_invalid_policy_names_the_field(tmp_path: Path, old: str, new: str, field: str) -> None:
    text = default_policy_text()
    assert old in text
    path = tmp_path / "policy.toml"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    with pytest.raises(PolicyError, match=field.replace("[", r"\[").replace("]", r"\]")):
        load_policy(path)


def test_missing_policy_file_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(PolicyError, match="PTO_POLICY"):
        load_policy(tmp_path / "nope.toml")


def test_bsn_eleven_test_and_masking() -> None:
    assert bsn.is_bsn("111222333")
    assert not bsn.is_bsn("123456789")
    text, found = bsn.mask_bsn("mijn bsn is 111 222 333, bedrag 1250")
    assert found
    assert "111" not in text
    assert "1250" in text
    assert bsn.mask_bsn("factuur 123456789") == ("factuur 123456789", False)


def test_invite_codes_are_long_random_and_hashed() -> None:
    codes = {invites.new_code() for _ in range(100)}
    assert len(codes) == 100
    code = codes.pop()
    assert len(code) * 6 >= 128
    assert invites.hash_code(code) != code
    assert len(invites.hash_code(code)) == 64
    assert invites.deep_link("pto_bot", code) == f"https://t.me/pto_bot?start={code}"


def test_settings_from_environment() -> None:
    settings = load_settings(
        {
            "TELEGRAM_BOT_TOKEN": "123:abc",
            "DATABASE_URL": "sqlite:///x/y.db",
            "TELEGRAM_BASE_URL": "http://127.0.0.1:9/bot",
        }
    )
    assert settings.database_path == Path("x/y.db")
    assert settings.file_base_url == "http://127.0.0.1:9/file/bot"
    assert "123:abc" not in repr(settings)
    with pytest.raises(ConfigError, match="TELEGRAM_WEBHOOK_SECRET"):
        load_settings({"TELEGRAM_WEBHOOK_URL": "https://example.org/hook"})
    with pytest.raises(ConfigError, match="PTO_INVITE_TTL_DAYS"):
        load_settings({"PTO_INVITE_TTL_DAYS": "soon"})
    assert settings.telegram_http_client == "aiohttp"
    assert load_settings({"TELEGRAM_HTTP_CLIENT": "HTTPX"}).telegram_http_client == "httpx"
    with pytest.raises(ConfigError, match="TELEGRAM_HTTP_CLIENT"):
        load_settings({"TELEGRAM_HTTP_CLIENT": "requests"})


def test_months_as_people_type_them_after_opgave() -> None:
    today = date(2026, 12, 3)
    cases = {
        "2026-11": "2026-11",
        "11-2026": "2026-11",
        "november": "2026-11",
        "November 2025": "2025-11",
        "okt": "2026-10",
        "oct.": "2026-10",
        "december": "2026-12",  # the running month: this year's
        "jan": "2026-01",
        "mrt 2026": "2026-03",
        "3": "2026-03",
    }
    for typed, period in cases.items():
        assert periods.period_from_text(typed, today) == period, typed
    for nonsense in ("", "soon", "13", "2026", "nov nov nov", "²", "november 1850"):
        assert periods.period_from_text(nonsense, today) is None, nonsense


def test_a_month_word_means_the_most_recent_such_month_ended_or_running() -> None:
    last_of_november = date(2026, 11, 30)
    assert periods.period_from_text("november", last_of_november) == "2026-11"  # running
    assert periods.period_from_text("November", last_of_november) == "2026-11"
    assert periods.period_from_text("nov", last_of_november) == "2026-11"
    assert periods.period_from_text("11", last_of_november) == "2026-11"
    assert periods.period_from_text("december", last_of_november) == "2025-12"  # not begun yet
    assert periods.period_from_text("oktober", last_of_november) == "2026-10"  # ended
    assert periods.period_from_text("2026-11", last_of_november) == "2026-11"  # unchanged
    assert periods.period_from_text("2026-12", last_of_november) == "2026-12"
    assert periods.period_from_text("januari", date(2027, 1, 1)) == "2027-01"
    assert periods.period_from_text("december", date(2027, 1, 1)) == "2026-12"
