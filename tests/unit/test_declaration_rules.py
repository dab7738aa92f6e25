"""The declaration's arithmetic and flags, on the shipped default policy."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from bot.domain.declaration import Answers, figures
from bot.domain.hours import rolling_average
from bot.domain.norms import share_of_norm
from bot.domain.policy import load_policy
from bot.domain.weeks import week_slots
from messages.render import render

POLICY = load_policy()


def _figures(answers: Answers, **extra: object) -> list[dict[str, object]]:
    args: dict[str, object] = {
        "norm_cents": 140_150,
        "earlier_costs": {},
        "known_hours": {},
        "year_hours_before": Decimal(0),
        "start_date": date(2026, 1, 1),
    }
    args.update(extra)
    return figures(POLICY, answers, **args).flags  # type: ignore[arg-type]


def test_seed_arithmetic_466_on_1141_shows_as_41_percent() -> None:
    share = share_of_norm(46_600, 114_100)
    assert share == 41
    assert (
        render(
            "declaration/overview",
            "nl",
            months=[
                {
                    "period": "2017-06",
                    "status": "sent",
                    "profit_cents": 46_600,
                    "share_pct": share,
                    "hours": Decimal(60),
                }
            ],
            next_period="2017-07",
            next_due="2017-08-10",
            open_count=0,
            overdue=False,
        ).count("41 %")
        == 1
    )


def test_profit_may_be_negative_but_share_does_not_go_below_zero() -> None:
    assert share_of_norm(-5_000, 140_150) == 0
    assert share_of_norm(10_000, None) is None


def test_weeks_of_november_2026_include_the_partial_ones() -> None:
    slots = week_slots("2026-11")
    assert next(s.key for s in slots) == "2026-W44"
    assert slots[0].first == slots[0].last == date(2026, 11, 1)
    assert [s.complete for s in slots] == [False, True, True, True, True, False]


def test_cost_over_yearly_cap_counts_earlier_months() -> None:
    answers = Answers("2026-11", worked=True, revenue_cents=100_000, costs={"telefoon": 5_000})
    flags = _figures(answers, earlier_costs={"telefoon": 27_000})
    over = [f for f in flags if f["code"] == "cost_over_cap"]
    assert over == [
        {
            "code": "cost_over_cap",
            "category": "telefoon",
            "names": {
                "nl": "Telefoon en internet",
                "en": "Phone and internet",
                "ar": "الهاتف والإنترنت",
                "tr": "Telefon ve internet",
            },
            "total_cents": 32_000,
            "cap_cents": 30_000,
        }
    ]
    assert not [f for f in _figures(answers) if f["code"] == "cost_over_cap"]


def test_investment_over_cap_and_prior_approval_are_flagged_not_blocked() -> None:
    answers = Answers(
        "2026-11", worked=True, revenue_cents=200_000, costs={"investering": 150_000}
    )
    codes = {f["code"] for f in _figures(answers)}
    assert {"needs_approval", "investment_over_cap"} <= codes


def test_one_busy_week_is_a_nudge_but_a_high_average_is_a_flag() -> None:
    slots = week_slots("2026-11")
    busy = {s.key: Decimal(10) for s in slots} | {"2026-W46": Decimal(30)}
    result = figures(
        POLICY,
        Answers("2026-11", worked=True, revenue_cents=50_000, weeks=busy),
        norm_cents=140_150,
        earlier_costs={},
        known_hours={},
        year_hours_before=Decimal(0),
        start_date=date(2026, 1, 1),
    )
    assert {"code": "week_over_cap", "week": "2026-W46", "hours": 30.0} in result.nudges
    assert "week_over_cap" not in {f["code"] for f in result.flags}  # weekly_averaged policy
    heavy = {s.key: Decimal(25) for s in slots}
    flags = _figures(Answers("2026-11", worked=True, revenue_cents=50_000, weeks=heavy))
    assert "average_over_cap" in {f["code"] for f in flags}


def test_rolling_average_over_known_weeks() -> None:
    hours = {"2026-W45": Decimal(10), "2026-W46": Decimal(20), "2026-W48": Decimal(30)}
    average = rolling_average(hours, "2026-W48", 4)
    assert average is not None
    assert average.hours == Decimal(20)
    assert rolling_average({}, "2026-W48", 4) is None


def test_year_pace_over_the_annual_cap_is_flagged() -> None:
    answers = Answers(
        "2026-11",
        worked=True,
        revenue_cents=50_000,
        weeks={s.key: Decimal(20) for s in week_slots("2026-11")},
    )
    flags = _figures(answers, year_hours_before=Decimal(1000))
    assert "year_pace_over_cap" in {f["code"] for f in flags}


def test_no_proof_and_unusual_amounts() -> None:
    answers = Answers(
        "2026-11", worked=True, revenue_cents=10_000, costs={"inkoop": 20_000}, no_proof=True
    )
    flags = _figures(answers)
    assert {"code": "no_proof"} in flags
    assert {"code": "amount_unusual", "reason": "costs_exceed_revenue"} in flags


def test_a_nil_declaration_has_no_flags() -> None:
    assert _figures(Answers("2026-11", worked=False)) == []


def test_every_flag_renders_as_one_line_in_both_languages() -> None:
    answers = Answers(
        "2026-11",
        worked=True,
        revenue_cents=10_000,
        costs={"telefoon": 40_000, "investering": 150_000},
        weeks={s.key: Decimal(40) for s in week_slots("2026-11")},
        no_proof=True,
    )
    flags = _figures(answers, year_hours_before=Decimal(900))
    for flag in flags:
        for locale in ("nl", "en"):
            params = {k: v for k, v in flag.items() if k != "code"}
            line = render(f"flags/{flag['code']}", locale, **params)
            assert line
            assert "\n" not in line
