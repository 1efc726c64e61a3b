"""The itemised balance: derived from the journal alone, reductions allocated in the creditor's order."""

from __future__ import annotations

import random
from collections import defaultdict
from datetime import date, timedelta
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from amicable.ledger.balance import (
    AllocationOrder,
    Entry,
    EntryKind,
    Instalment,
    JournalError,
    arrears,
    check_entry,
    instalment_status,
    itemise,
    journal_balance,
    oldest_unpaid_due,
)
from amicable.ledger.money import Money, MoneyError

JAN = date(2024, 1, 1)
REDUCING = {EntryKind.PAYMENT, EntryKind.CREDIT, EntryKind.WRITE_OFF}


def on(day: int) -> date:
    """A day in January 2024 (or later, past 31)."""
    return JAN + timedelta(days=day - 1)


def entry(kind: EntryKind, amount: str, day: int, seq: int) -> Entry:
    return Entry(kind, Decimal(amount), on(day), seq)


def usd(amount: str) -> Money:
    return Money(Decimal(amount), "USD")


def allocated(itemisation) -> list[tuple[int, int, Decimal]]:
    return [(a.from_seq, a.to_seq, a.amount) for a in itemisation.allocations]


# --- worked examples --------------------------------------------------------------------------

CHARGE_FEE_PAYMENT = [
    entry(EntryKind.CHARGE, "100.00", 1, 1),
    entry(EntryKind.FEE, "20.00", 5, 2),
    entry(EntryKind.PAYMENT, "50.00", 10, 3),
]


def test_payment_is_allocated_to_oldest_charge_first():
    result = itemise(CHARGE_FEE_PAYMENT, "USD")
    assert result.principal == usd("50.00")
    assert result.fees == usd("20.00")
    assert result.interest == usd("0")
    assert result.unallocated_credit == usd("0")
    assert result.balance == usd("70.00")
    assert allocated(result) == [(3, 1, Decimal("50.00"))]


def test_fees_interest_first_clears_the_fee_before_the_older_charge():
    result = itemise(CHARGE_FEE_PAYMENT, "USD", AllocationOrder.FEES_INTEREST_FIRST)
    assert result.fees == usd("0")
    assert result.principal == usd("70.00")
    assert result.balance == usd("70.00")
    assert allocated(result) == [(3, 2, Decimal("20.00")), (3, 1, Decimal("30.00"))]


def test_allocation_order_can_be_given_by_its_name():
    by_name = itemise(CHARGE_FEE_PAYMENT, "USD", "fees_interest_first")
    assert by_name == itemise(CHARGE_FEE_PAYMENT, "USD", AllocationOrder.FEES_INTEREST_FIRST)


def test_unknown_allocation_order_is_refused():
    with pytest.raises(ValueError, match="newest_first"):
        itemise(CHARGE_FEE_PAYMENT, "USD", "newest_first")


def test_fees_interest_first_clears_fees_then_interest_then_principal():
    entries = [
        entry(EntryKind.CHARGE, "100.00", 1, 1),
        entry(EntryKind.INTEREST, "10.00", 2, 2),
        entry(EntryKind.FEE, "5.00", 3, 3),
        entry(EntryKind.PAYMENT, "12.00", 4, 4),
    ]
    result = itemise(entries, "USD", AllocationOrder.FEES_INTEREST_FIRST)
    assert (result.fees, result.interest, result.principal) == (usd("0"), usd("3.00"), usd("100.00"))
    assert allocated(result) == [(4, 3, Decimal("5.00")), (4, 2, Decimal("7.00"))]


def test_principal_first_clears_principal_then_interest_then_fees():
    entries = [
        entry(EntryKind.FEE, "5.00", 1, 1),
        entry(EntryKind.INTEREST, "10.00", 2, 2),
        entry(EntryKind.CHARGE, "100.00", 3, 3),
        entry(EntryKind.PAYMENT, "105.00", 4, 4),
    ]
    result = itemise(entries, "USD", AllocationOrder.PRINCIPAL_FIRST)
    assert (result.principal, result.interest, result.fees) == (usd("0"), usd("5.00"), usd("5.00"))
    assert allocated(result) == [(4, 3, Decimal("100.00")), (4, 2, Decimal("5.00"))]


def test_oldest_first_clears_an_older_fee_before_a_newer_charge():
    entries = [
        entry(EntryKind.FEE, "20.00", 1, 1),
        entry(EntryKind.CHARGE, "100.00", 2, 2),
        entry(EntryKind.PAYMENT, "30.00", 3, 3),
    ]
    result = itemise(entries, "USD", AllocationOrder.OLDEST_FIRST)
    assert result.fees == usd("0")
    assert result.principal == usd("90.00")


def test_within_a_bucket_the_oldest_amount_is_cleared_first_in_every_order():
    entries = [
        entry(EntryKind.FEE, "7.00", 2, 1),
        entry(EntryKind.FEE, "9.00", 1, 2),
        entry(EntryKind.PAYMENT, "9.00", 3, 3),
    ]
    for order in AllocationOrder:
        assert allocated(itemise(entries, "USD", order)) == [(3, 2, Decimal("9.00"))]


def test_entries_on_the_same_day_are_replayed_in_seq_order_whatever_order_they_are_given_in():
    entries = [
        entry(EntryKind.PAYMENT, "40.00", 1, 3),
        entry(EntryKind.CHARGE, "25.00", 1, 2),
        entry(EntryKind.CHARGE, "25.00", 1, 1),
    ]
    result = itemise(entries, "USD")
    assert allocated(result) == [(3, 1, Decimal("25.00")), (3, 2, Decimal("15.00"))]
    assert result.principal == usd("10.00")


def test_overpayment_becomes_unallocated_credit_and_a_negative_balance():
    entries = [entry(EntryKind.CHARGE, "100.00", 1, 1), entry(EntryKind.PAYMENT, "150.00", 2, 2)]
    result = itemise(entries, "USD")
    assert result.principal == usd("0")
    assert result.unallocated_credit == usd("50.00")
    assert result.balance == usd("-50.00")


def test_a_later_fee_consumes_unallocated_credit():
    entries = [
        entry(EntryKind.CHARGE, "100.00", 1, 1),
        entry(EntryKind.PAYMENT, "150.00", 2, 2),
        entry(EntryKind.FEE, "20.00", 3, 3),
    ]
    result = itemise(entries, "USD")
    assert result.fees == usd("0")
    assert result.unallocated_credit == usd("30.00")
    assert result.balance == usd("-30.00")
    assert allocated(result) == [(2, 1, Decimal("100.00")), (2, 3, Decimal("20.00"))]


def test_a_fee_larger_than_the_credit_uses_it_up_and_the_rest_is_owed():
    entries = [
        entry(EntryKind.PAYMENT, "50.00", 1, 1),
        entry(EntryKind.FEE, "80.00", 2, 2),
    ]
    result = itemise(entries, "USD")
    assert result.fees == usd("30.00")
    assert result.unallocated_credit == usd("0")
    assert result.balance == usd("30.00")


def test_credit_from_several_payments_is_consumed_oldest_payment_first():
    entries = [
        entry(EntryKind.PAYMENT, "10.00", 1, 1),
        entry(EntryKind.CREDIT, "15.00", 2, 2),
        entry(EntryKind.CHARGE, "20.00", 3, 3),
    ]
    result = itemise(entries, "USD")
    assert allocated(result) == [(1, 3, Decimal("10.00")), (2, 3, Decimal("10.00"))]
    assert result.unallocated_credit == usd("5.00")
    assert result.principal == usd("0")


def test_payment_dated_before_a_charge_is_applied_to_it_when_it_arrives():
    entries = [
        # Recorded after the charge (higher seq) but effective before it.
        entry(EntryKind.PAYMENT, "40.00", 1, 2),
        entry(EntryKind.CHARGE, "100.00", 5, 1),
    ]
    result = itemise(entries, "USD")
    assert result.principal == usd("60.00")
    assert result.unallocated_credit == usd("0")
    assert allocated(result) == [(2, 1, Decimal("40.00"))]


def test_payment_does_not_reach_past_its_own_date_to_a_preferred_bucket():
    # Fees first, but the fee is charged after the payment: the payment clears the charge it could
    # see, and only its leftover credit meets the later fee.
    entries = [
        entry(EntryKind.CHARGE, "30.00", 1, 1),
        entry(EntryKind.PAYMENT, "50.00", 2, 2),
        entry(EntryKind.FEE, "20.00", 3, 3),
    ]
    result = itemise(entries, "USD", AllocationOrder.FEES_INTEREST_FIRST)
    assert allocated(result) == [(2, 1, Decimal("30.00")), (2, 3, Decimal("20.00"))]
    assert result.balance == usd("0")


def test_negative_adjustment_reduces_what_is_owed_like_a_payment():
    entries = [entry(EntryKind.CHARGE, "100.00", 1, 1), entry(EntryKind.ADJUSTMENT, "-30.00", 2, 2)]
    result = itemise(entries, "USD")
    assert result.principal == usd("70.00")
    assert result.net_adjustments == usd("-30.00")
    assert result.total_paid == usd("0")
    assert result.total_charged == usd("100.00")
    assert allocated(result) == [(2, 1, Decimal("30.00"))]


def test_positive_adjustment_adds_to_principal_but_not_to_total_charged():
    entries = [entry(EntryKind.CHARGE, "100.00", 1, 1), entry(EntryKind.ADJUSTMENT, "25.00", 2, 2)]
    result = itemise(entries, "USD")
    assert result.principal == usd("125.00")
    assert result.total_charged == usd("100.00")
    assert result.net_adjustments == usd("25.00")


def test_negative_adjustment_with_nothing_owed_is_held_as_credit():
    entries = [entry(EntryKind.ADJUSTMENT, "-10.00", 1, 1), entry(EntryKind.INTEREST, "4.00", 2, 2)]
    result = itemise(entries, "USD")
    assert result.interest == usd("0")
    assert result.unallocated_credit == usd("6.00")
    assert result.balance == usd("-6.00")


def test_write_off_and_credit_reduce_the_balance_and_are_totalled_separately():
    entries = [
        entry(EntryKind.CHARGE, "100.00", 1, 1),
        entry(EntryKind.INTEREST, "8.00", 2, 2),
        entry(EntryKind.FEE, "12.00", 3, 3),
        entry(EntryKind.PAYMENT, "20.00", 4, 4),
        entry(EntryKind.CREDIT, "30.00", 5, 5),
        entry(EntryKind.WRITE_OFF, "70.00", 6, 6),
    ]
    result = itemise(entries, "USD")
    assert result.balance == usd("0")
    assert result.total_charged == usd("100.00")
    assert result.total_interest == usd("8.00")
    assert result.total_fees == usd("12.00")
    assert result.total_paid == usd("20.00")
    assert result.total_credited == usd("30.00")
    assert result.total_written_off == usd("70.00")
    assert result.net_adjustments == usd("0")


def test_empty_journal_owes_nothing_in_the_accounts_currency():
    result = itemise([], "gbp")
    assert result.currency == "GBP"
    assert result.balance == Money.zero("GBP")
    assert result.allocations == ()


def test_itemisation_in_an_unknown_currency_is_refused():
    with pytest.raises(MoneyError, match="'XYZ'"):
        itemise(CHARGE_FEE_PAYMENT, "XYZ")


def test_itemisation_is_in_the_requested_currency_with_three_minor_units():
    entries = [entry(EntryKind.CHARGE, "10.125", 1, 1), entry(EntryKind.PAYMENT, "0.125", 2, 2)]
    result = itemise(entries, "KWD")
    assert result.balance == Money(Decimal("10.000"), "KWD")


def test_itemise_refuses_a_journal_with_a_zero_payment():
    entries = [entry(EntryKind.CHARGE, "10.00", 1, 1), entry(EntryKind.PAYMENT, "0", 2, 2)]
    with pytest.raises(JournalError, match="payment"):
        itemise(entries, "USD")


def test_itemise_refuses_a_journal_with_a_negative_charge():
    with pytest.raises(JournalError, match="charge"):
        itemise([entry(EntryKind.CHARGE, "-10.00", 1, 1)], "USD")


# --- check_entry and Entry.signed ---------------------------------------------------------------


@pytest.mark.parametrize("kind", [k for k in EntryKind if k is not EntryKind.ADJUSTMENT])
@pytest.mark.parametrize("amount", ["0", "0.00", "-0.01", "-100"])
def test_non_adjustment_with_zero_or_negative_amount_is_rejected(kind, amount):
    with pytest.raises(JournalError) as error:
        check_entry(kind, Decimal(amount))
    assert str(kind) in str(error.value)
    assert amount in str(error.value)


@pytest.mark.parametrize("kind", list(EntryKind))
def test_any_kind_with_a_positive_amount_is_accepted(kind):
    check_entry(kind, Decimal("0.01"))


def test_zero_adjustment_is_rejected():
    with pytest.raises(JournalError, match="adjustment"):
        check_entry(EntryKind.ADJUSTMENT, Decimal(0))


def test_negative_adjustment_is_accepted():
    check_entry("adjustment", Decimal("-5.00"))


def test_unknown_entry_kind_is_rejected():
    with pytest.raises(ValueError, match="refund"):
        check_entry("refund", Decimal(1))


@pytest.mark.parametrize(
    ("kind", "sign"),
    [
        (EntryKind.CHARGE, 1),
        (EntryKind.INTEREST, 1),
        (EntryKind.FEE, 1),
        (EntryKind.ADJUSTMENT, 1),
        (EntryKind.PAYMENT, -1),
        (EntryKind.CREDIT, -1),
        (EntryKind.WRITE_OFF, -1),
    ],
)
def test_payments_credits_and_write_offs_reduce_the_balance_and_the_rest_increase_it(kind, sign):
    assert Entry(kind, Decimal("12.34"), JAN, 1).signed() == sign * Decimal("12.34")
    assert journal_balance([Entry(kind, Decimal("12.34"), JAN, 1)]) == sign * Decimal("12.34")


# --- properties over random journals ----------------------------------------------------------

_AMOUNT = st.decimals(min_value=Decimal("0.01"), max_value=Decimal("10000.00"), places=2)
# A short window, so that many entries share a date and seq decides their order.
_DAY = st.dates(min_value=JAN, max_value=on(20))


@st.composite
def journals(draw) -> list[Entry]:
    seqs = draw(st.lists(st.integers(min_value=1, max_value=10_000), max_size=30, unique=True))
    entries = []
    for seq in seqs:
        kind = draw(st.sampled_from(list(EntryKind)))
        amount = draw(_AMOUNT)
        if kind is EntryKind.ADJUSTMENT and draw(st.booleans()):
            amount = -amount
        entries.append(Entry(kind, amount, draw(_DAY), seq))
    return entries


_ORDERS = st.sampled_from(list(AllocationOrder))


@given(entries=journals(), order=_ORDERS)
def test_itemised_balance_always_equals_the_plain_sum_of_the_journal(entries, order):
    assert itemise(entries, "USD", order).balance.amount == journal_balance(entries)


@given(entries=journals(), order=_ORDERS)
def test_allocation_never_over_allocates(entries, order):
    result = itemise(entries, "USD", order)
    by_seq = {e.seq: e for e in entries}
    from_totals: dict[int, Decimal] = defaultdict(Decimal)
    to_totals: dict[int, Decimal] = defaultdict(Decimal)
    for allocation in result.allocations:
        assert allocation.amount > 0
        assert by_seq[allocation.from_seq].signed() < 0, "allocated from an entry that does not reduce"
        assert by_seq[allocation.to_seq].signed() > 0, "allocated to an entry that owes nothing"
        from_totals[allocation.from_seq] += allocation.amount
        to_totals[allocation.to_seq] += allocation.amount
    for seq, total in from_totals.items():
        assert total <= -by_seq[seq].signed()
    for seq, total in to_totals.items():
        assert total <= by_seq[seq].signed()


@given(entries=journals(), order=_ORDERS)
def test_outstanding_figures_are_never_negative_and_never_coexist_with_unallocated_credit(entries, order):
    result = itemise(entries, "USD", order)
    for figure in (result.principal, result.interest, result.fees, result.unallocated_credit):
        assert figure.amount >= 0
    outstanding = result.principal + result.interest + result.fees
    assert not (outstanding and result.unallocated_credit)


@given(entries=journals(), order=_ORDERS)
def test_what_is_outstanding_is_exactly_what_was_owed_less_what_was_allocated(entries, order):
    result = itemise(entries, "USD", order)
    to_totals: dict[int, Decimal] = defaultdict(Decimal)
    from_totals: dict[int, Decimal] = defaultdict(Decimal)
    for allocation in result.allocations:
        to_totals[allocation.to_seq] += allocation.amount
        from_totals[allocation.from_seq] += allocation.amount
    bucket_of = {
        EntryKind.CHARGE: "principal",
        EntryKind.ADJUSTMENT: "principal",
        EntryKind.INTEREST: "interest",
        EntryKind.FEE: "fees",
    }
    expected = {"principal": Decimal(0), "interest": Decimal(0), "fees": Decimal(0)}
    credit = Decimal(0)
    for e in entries:
        if e.signed() > 0:
            expected[bucket_of[e.kind]] += e.signed() - to_totals[e.seq]
        else:
            credit += -e.signed() - from_totals[e.seq]
    assert result.principal.amount == expected["principal"]
    assert result.interest.amount == expected["interest"]
    assert result.fees.amount == expected["fees"]
    assert result.unallocated_credit.amount == credit


@given(entries=journals(), order=_ORDERS)
def test_gross_totals_are_the_sums_of_each_kind_of_entry(entries, order):
    result = itemise(entries, "USD", order)

    def total(kind: EntryKind) -> Decimal:
        return sum((e.amount for e in entries if e.kind is kind), Decimal(0))

    assert result.total_charged.amount == total(EntryKind.CHARGE)
    assert result.total_interest.amount == total(EntryKind.INTEREST)
    assert result.total_fees.amount == total(EntryKind.FEE)
    assert result.total_paid.amount == total(EntryKind.PAYMENT)
    assert result.total_credited.amount == total(EntryKind.CREDIT)
    assert result.total_written_off.amount == total(EntryKind.WRITE_OFF)
    assert result.net_adjustments.amount == total(EntryKind.ADJUSTMENT)


@given(entries=journals(), order=_ORDERS, shuffle_seed=st.integers())
def test_itemisation_does_not_depend_on_the_order_entries_are_given_in(entries, order, shuffle_seed):
    shuffled = list(entries)
    random.Random(shuffle_seed).shuffle(shuffled)
    assert itemise(shuffled, "USD", order) == itemise(entries, "USD", order)


@given(entries=journals())
def test_allocation_order_changes_the_itemisation_but_never_the_balance(entries):
    balances = {itemise(entries, "USD", order).balance for order in AllocationOrder}
    assert len(balances) == 1


# --- instalments ------------------------------------------------------------------------------

SCHEDULE = [
    Instalment(date(2024, 1, 1), Decimal("100.00")),
    Instalment(date(2024, 2, 1), Decimal("100.00")),
    Instalment(date(2024, 3, 1), Decimal("100.00")),
]


def test_payments_fill_the_oldest_instalment_first_and_unpaid_past_instalments_are_overdue():
    statuses = instalment_status(SCHEDULE, Decimal("150.00"), as_of=date(2024, 2, 15))
    assert [(s.due, s.paid, s.outstanding, s.overdue) for s in statuses] == [
        (date(2024, 1, 1), Decimal("100.00"), Decimal("0.00"), False),
        (date(2024, 2, 1), Decimal("50.00"), Decimal("50.00"), True),
        (date(2024, 3, 1), Decimal("0.00"), Decimal("100.00"), False),
    ]
    assert arrears(statuses) == Decimal("50.00")


def test_instalment_due_today_is_not_yet_overdue():
    statuses = instalment_status(SCHEDULE, Decimal(0), as_of=date(2024, 1, 1))
    assert [s.overdue for s in statuses] == [False, False, False]
    assert arrears(statuses) == 0


def test_instalment_due_yesterday_and_unpaid_is_overdue():
    statuses = instalment_status(SCHEDULE, Decimal(0), as_of=date(2024, 1, 2))
    assert [s.overdue for s in statuses] == [True, False, False]
    assert arrears(statuses) == Decimal("100.00")


def test_instalments_are_filled_in_due_order_whatever_order_they_are_given_in():
    statuses = instalment_status(list(reversed(SCHEDULE)), Decimal("120.00"), as_of=date(2024, 6, 1))
    assert [s.due for s in statuses] == [i.due for i in SCHEDULE]
    assert [s.paid for s in statuses] == [Decimal("100.00"), Decimal("20.00"), Decimal(0)]
    assert arrears(statuses) == Decimal("180.00")


def test_paying_more_than_the_schedule_leaves_nothing_overdue():
    statuses = instalment_status(SCHEDULE, Decimal("500.00"), as_of=date(2024, 12, 31))
    assert all(s.outstanding == 0 and not s.overdue for s in statuses)
    assert arrears(statuses) == 0


def test_negative_amount_paid_towards_a_schedule_is_refused():
    with pytest.raises(MoneyError, match="negative"):
        instalment_status(SCHEDULE, Decimal("-0.01"), as_of=date(2024, 1, 1))


_SCHEDULES = st.lists(
    st.builds(Instalment, due=st.dates(min_value=JAN, max_value=date(2025, 12, 31)), amount=_AMOUNT),
    min_size=1,
    max_size=12,
)


@given(schedule=_SCHEDULES, paid=_AMOUNT | st.just(Decimal(0)), as_of=st.dates(JAN, date(2026, 6, 30)))
def test_instalment_status_spreads_exactly_what_was_paid_up_to_the_total(schedule, paid, as_of):
    statuses = instalment_status(schedule, paid, as_of)
    total = sum((i.amount for i in schedule), Decimal(0))
    assert sum((s.paid for s in statuses), Decimal(0)) == min(paid, total)
    for status in statuses:
        assert status.paid >= 0
        assert status.outstanding >= 0
        assert status.paid + status.outstanding == status.amount
        assert status.overdue == (status.due < as_of and status.outstanding > 0)
    # Oldest first: nothing is paid towards an instalment while an earlier one is still short.
    short_seen = False
    for status in statuses:
        if short_seen:
            assert status.paid == 0
        short_seen = short_seen or status.outstanding > 0
    assert 0 <= arrears(statuses) <= total - min(paid, total)


# --- oldest unpaid due date -------------------------------------------------------------------

DUES = [(i.due, i.amount) for i in SCHEDULE]


@pytest.mark.parametrize(
    ("balance", "expected"),
    [
        ("0", None),
        ("-10.00", None),
        ("100.00", date(2024, 3, 1)),
        ("100.01", date(2024, 2, 1)),
        ("150.00", date(2024, 2, 1)),
        ("300.00", date(2024, 1, 1)),
        ("450.00", date(2024, 1, 1)),
    ],
)
def test_oldest_unpaid_due_date_is_found_by_walking_back_from_the_newest(balance, expected):
    assert oldest_unpaid_due(DUES, Decimal(balance)) == expected


def test_oldest_unpaid_due_date_does_not_depend_on_schedule_order():
    assert oldest_unpaid_due(list(reversed(DUES)), Decimal("150.00")) == date(2024, 2, 1)


@given(schedule=_SCHEDULES, data=st.data())
def test_oldest_unpaid_due_agrees_with_the_first_instalment_still_owing(schedule, data):
    total = sum((i.amount for i in schedule), Decimal(0))
    paid = data.draw(st.decimals(min_value=0, max_value=total, places=2))
    statuses = instalment_status(schedule, paid, as_of=JAN)
    first_owing = next((s.due for s in statuses if s.outstanding > 0), None)
    assert oldest_unpaid_due([(i.due, i.amount) for i in schedule], total - paid) == first_owing
