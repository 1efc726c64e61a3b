"""The compliance engine's helpers: contact windows, the validation period, opt-out words, combining."""

import json
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from amicable.compliance.decision import Effect, Reason, combine
from amicable.compliance.late_payment import (
    LatePaymentError,
    fixed_compensation,
    reference_date,
    statutory_interest,
)
from amicable.compliance.optout import recognise_opt_out
from amicable.compliance.time_window import DailyWindow, Interval, is_convenient, next_convenient
from amicable.compliance.validation_period import assumed_receipt, validation_period_end
from amicable.ledger.money import Money

PACIFIC = "America/Los_Angeles"
EASTERN = "America/New_York"
LA = ZoneInfo(PACIFIC)


def pacific(day: int, hour: int, minute: int = 0, second: int = 0, month: int = 3) -> datetime:
    return datetime(2025, month, day, hour, minute, second, tzinfo=LA)


# ------------------------------------------------------------------------------- time windows


def test_worked_example_3_a_call_at_0730_pacific_is_not_convenient_but_0800_is():
    assert not is_convenient(pacific(10, 7, 30), [PACIFIC])
    assert is_convenient(pacific(10, 8, 0), [PACIFIC])


@pytest.mark.parametrize(
    ("hour", "minute", "second", "convenient"),
    [(7, 59, 59, False), (8, 0, 0, True), (20, 59, 0, True), (21, 0, 0, True), (21, 0, 1, False)],
)
def test_window_edges_are_08_00_and_21_00_local(hour, minute, second, convenient):
    assert is_convenient(pacific(10, hour, minute, second), [PACIFIC]) is convenient


def test_a_debtor_in_two_zones_is_contacted_only_when_both_are_inside_the_window():
    # 08:30 in Los Angeles is 11:30 in New York; 19:00 in Los Angeles is 22:00 in New York.
    assert is_convenient(pacific(10, 8, 30), [PACIFIC, EASTERN])
    assert not is_convenient(pacific(10, 19, 0), [PACIFIC, EASTERN])
    assert next_convenient(pacific(10, 19, 0), [PACIFIC, EASTERN]) == pacific(11, 8, 0)


def test_next_convenient_time_after_too_early_is_0800_the_same_day():
    assert next_convenient(pacific(10, 6, 15), [PACIFIC]) == pacific(10, 8, 0)


def test_next_convenient_time_after_too_late_is_0800_next_day():
    assert next_convenient(pacific(10, 21, 30), [PACIFIC]) == pacific(11, 8, 0)


def test_inconvenient_times_the_debtor_named_are_skipped():
    evenings = [Interval(time(18, 0), time(21, 0))]
    assert not is_convenient(pacific(10, 18, 0), [PACIFIC], inconvenient=evenings)
    assert is_convenient(pacific(10, 17, 59), [PACIFIC], inconvenient=evenings)
    # 21:00 ends the inconvenient time and is still inside the legal window.
    assert next_convenient(pacific(10, 18, 30), [PACIFIC], inconvenient=evenings) == pacific(10, 21, 0)


def test_an_inconvenient_time_across_midnight():
    nights_and_mornings = [Interval(time(20, 0), time(10, 0))]
    assert not is_convenient(pacific(10, 9, 0), [PACIFIC], inconvenient=nights_and_mornings)
    assert next_convenient(pacific(10, 20, 30), [PACIFIC], inconvenient=nights_and_mornings) == pacific(
        11, 10, 0
    )


def test_a_creditor_may_narrow_the_window():
    office_hours = DailyWindow(time(9, 0), time(18, 0))
    assert not is_convenient(pacific(10, 8, 30), [PACIFIC], office_hours)
    assert next_convenient(pacific(10, 18, 30), [PACIFIC], office_hours) == pacific(11, 9, 0)


def test_the_window_follows_daylight_saving_time():
    # Clocks went forward on 9 March 2025 in the US: 08:00 local is 16:00 UTC before, 15:00 after.
    assert next_convenient(datetime(2025, 3, 8, 12, tzinfo=UTC), [PACIFIC]) == datetime(
        2025, 3, 8, 16, tzinfo=UTC
    )
    assert next_convenient(datetime(2025, 3, 10, 12, tzinfo=UTC), [PACIFIC]) == datetime(
        2025, 3, 10, 15, tzinfo=UTC
    )


def test_no_window_left_is_none():
    always = [Interval(time(0, 0), time(23, 59, 59))]
    assert next_convenient(pacific(10, 12), [PACIFIC], inconvenient=always) is None


def test_naive_times_are_refused():
    with pytest.raises(ValueError, match="timezone-aware"):
        is_convenient(datetime(2025, 3, 10, 12), [PACIFIC])  # noqa: DTZ001 - naive on purpose


ZONES = ["America/Los_Angeles", "America/New_York", "America/Chicago", "Pacific/Honolulu", "Europe/London"]


@settings(max_examples=60, deadline=None)
@given(
    at=st.datetimes(min_value=datetime(2024, 1, 1), max_value=datetime(2026, 12, 31), timezones=st.just(UTC)),  # noqa: DTZ001 - hypothesis bounds are naive
    zones=st.lists(st.sampled_from(ZONES), min_size=1, max_size=3, unique=True),
)
def test_next_convenient_is_convenient_in_every_zone_and_nothing_earlier_is(at, zones):
    found = next_convenient(at, zones)
    if found is None:  # e.g. London and Honolulu share no waking hours
        return
    assert found >= at
    for zone in zones:
        local = found.astimezone(ZoneInfo(zone)).time()
        assert time(8, 0) <= local <= time(21, 0)
    probe = at
    while probe < found:  # minute by minute: nothing convenient was skipped
        assert not is_convenient(probe, zones)
        probe += timedelta(minutes=1)


# ---------------------------------------------------------------------------- validation period


def test_receipt_is_assumed_five_business_days_after_sending():
    # Thu 20 Feb 2025 -> Fri 21, Mon 24, Tue 25, Wed 26, Thu 27.
    assert assumed_receipt(date(2025, 2, 20)) == date(2025, 2, 27)
    assert validation_period_end(date(2025, 2, 20)) == date(2025, 3, 29)


def test_federal_holidays_are_not_counted():
    # Fri 14 Feb 2025; Mon 17 Feb is Washington's Birthday: 18, 19, 20, 21, 24.
    assert assumed_receipt(date(2025, 2, 14)) == date(2025, 2, 24)


def test_an_actual_receipt_date_wins_over_the_assumed_one():
    assert validation_period_end(date(2025, 2, 20), received=date(2025, 2, 22)) == date(2025, 3, 24)


# ------------------------------------------------------------------------------------ opt-outs


@pytest.mark.parametrize(
    "text",
    [
        "STOP",
        "stop.",
        "Stop all",
        "STOPALL",
        "unsubscribe",
        "CANCEL",
        "end",
        "Quit",
        "revoke",
        "OPT OUT",
        "opt-out",
        "please stop texting me",
        "Stop calling me!!",
        "don't email me again",
        "Remove me from your list",
        "leave me alone",
        "BAJA",
        "alto",
        "No me llamen más",
        "deje de escribirme",
        "no más mensajes por favor",
    ],
)
def test_opt_out_words_and_requests_are_recognised(text):
    assert recognise_opt_out(text) is not None


@pytest.mark.parametrize(
    "text",
    [
        "I will pay at the end of the month",
        "Can I pay 50 on Friday?",
        "I can't stop worrying about this",
        "te pago el 15",
        "No puedo pagar hasta el viernes",
        "What is my balance?",
    ],
)
def test_ordinary_replies_are_not_opt_outs(text):
    assert recognise_opt_out(text) is None


@pytest.mark.parametrize(
    ("text", "medium"),
    [
        ("please stop texting me", "sms"),
        ("stop calling me", "call"),
        ("no more emails", "email"),
        ("stop contacting me", "any"),
        ("STOP", None),
    ],
)
def test_the_medium_named_in_an_opt_out_is_kept(text, medium):
    assert recognise_opt_out(text).medium == medium


# ------------------------------------------------------------------------------------ combining


def reason(effect: Effect, rule: str = "R", until: datetime | None = None) -> Reason:
    return Reason(rule, "cite", effect, "because", until)


def test_any_block_blocks_and_every_reason_is_kept():
    decision = combine([reason(Effect.ALLOW), reason(Effect.FLAG, "F"), reason(Effect.BLOCK, "B")])
    assert decision.effect is Effect.BLOCK
    assert [r.rule for r in decision.reasons] == ["R", "F", "B"]
    assert decision.next_allowed_at is None


def test_the_latest_defer_wins():
    early, late = pacific(11, 8), pacific(12, 8)
    decision = combine([reason(Effect.DEFER, "A", early), reason(Effect.DEFER, "B", late)])
    assert (decision.effect, decision.next_allowed_at) == (Effect.DEFER, late)


def test_flags_alone_allow():
    assert combine([reason(Effect.FLAG)]).allowed
    assert combine([]).allowed


def test_a_defer_must_say_until_when():
    with pytest.raises(ValueError, match="needs the time it ends"):
        Reason("X", "cite", Effect.DEFER, "later")


def test_validation_period_command_prints_receipt_and_end(cli):
    result = cli("compliance", "validation-period", "--sent", "2025-02-20", "--json")

    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout) == {
        "sent": "2025-02-20",
        "received": "2025-02-27",
        "received_assumed": True,
        "validation_period_ends": "2025-03-29",
        "rule": "US-REGF-VALIDATION-PERIOD",
        "citation": "12 CFR 1006.34(b)(5)",
    }


def test_validation_period_command_refuses_a_bad_date(cli):
    result = cli("compliance", "validation-period", "--sent", "20/02/2025")
    assert result.exit_code == 2
    assert "--sent" in result.stderr


# ---------------------------------------------------------------------------------- late payment


@pytest.mark.parametrize(
    ("amount", "compensation"),
    [
        ("850", "40"),
        ("999.99", "40"),
        ("1000", "70"),
        ("5000", "70"),
        ("9999.99", "70"),
        ("10000", "100"),
        ("12000", "100"),
    ],
)
def test_example_7_fixed_compensation_bands(amount, compensation):
    assert fixed_compensation(Money.of(amount, "GBP")) == Money.of(compensation, "GBP")


def test_statutory_interest_is_eight_percent_over_the_bank_rate_fixed_by_when_it_starts():
    # Interest from 1 April 2024 uses the rate on 31 December 2023: 5.25%, so 13.25% a year.
    interest = statutory_interest(Money.of("5000", "GBP"), date(2024, 3, 31), date(2024, 5, 30))
    assert (interest.reference_rate, interest.annual_rate, interest.days) == (
        Decimal("5.25"),
        Decimal("13.25"),
        60,
    )
    assert interest.total == Money.of("108.90", "GBP")
    # Interest from 1 July 2024 uses the rate on 30 June 2024 (still 5.25%); from 1 January 2025 the
    # rate on 31 December 2024 (4.75%).
    assert reference_date(date(2024, 7, 1)) == date(2024, 6, 30)
    assert statutory_interest(
        Money.of("100", "GBP"), date(2024, 12, 31), date(2025, 1, 1)
    ).reference_rate == Decimal("4.75")


def test_a_rate_the_shipped_history_does_not_cover_is_refused_not_guessed():
    with pytest.raises(LatePaymentError, match="not in the shipped history"):
        statutory_interest(Money.of("100", "GBP"), date(2026, 1, 31), date(2026, 3, 1))


def test_late_payment_is_for_pounds():
    with pytest.raises(LatePaymentError, match="GBP"):
        fixed_compensation(Money.of("850", "USD"))


def test_late_payment_command(cli):
    result = cli(
        "compliance",
        "late-payment",
        "--amount",
        "12000",
        "--due",
        "2024-03-31",
        "--paid",
        "2024-04-30",
        "--json",
    )
    assert result.exit_code == 0, result.output
    payload = json.loads(result.stdout)
    assert payload["fixed_compensation"] == "100"
    assert payload["annual_rate_percent"] == "13.25"
    assert payload["days"] == 30
