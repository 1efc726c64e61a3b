"""Reading playbooks from YAML: the shipped defaults, a hand-written playbook, and every kind of error.

An error must name the file, the line and the field ("SOURCE, line N, FIELD: what is wrong"); line
numbers below are counted in the YAML text each case builds (BASE is lines 1-6).
"""

from __future__ import annotations

import re
from decimal import Decimal

import pytest

from amicable.playbooks.load import PlaybookError, default_playbooks, load_playbook, parse_playbook
from amicable.playbooks.model import Playbook, Range, Segment, Step, Variant

SOURCE = "test.yaml"
NOT_A_CHANNEL = "is not one of email, sms, letter, call"

# A valid playbook of one step, lines 1-6; error cases append to it from line 7.
BASE = """\
playbook: test
steps:
  - id: first
    day: 0
    channels: [email]
    template: t
"""


def parse_error(text: str, source: str = SOURCE) -> PlaybookError:
    with pytest.raises(PlaybookError) as caught:
        parse_playbook(text, source)
    return caught.value


# --- the shipped playbooks ---------------------------------------------------------------------------

DEFAULTS = default_playbooks()


def test_the_four_defaults_load_with_their_source_file():
    assert sorted(DEFAULTS) == ["aftercare", "arrangement", "business", "consumer"]
    for name, book in DEFAULTS.items():
        assert book.source == f"defaults/{name}.yaml"
        assert book.title and book.description


@pytest.mark.parametrize(
    ("name", "triggers"),
    [
        ("consumer", ["day -7", "day +0", "day +3", "day +10", "day +14", "day +21", "day +30"]),
        ("business", ["day -7", "day +0", "day +1", "day +7", "day +14", "day +14", "day +30"]),
        (
            "arrangement",
            ["instalment_due in 3 days", "promise_due in 3 days", "instalment_missed", "promise_broken"],
        ),
        ("aftercare", ["payment_received", "account_resolved", "account_resolved"]),
    ],
)
def test_default_playbook_triggers(name, triggers):
    assert [step.trigger for step in DEFAULTS[name].steps] == triggers


def test_consumer_reminds_a_week_before_then_calls_and_writes():
    book = DEFAULTS["consumer"]
    assert book.segment.customer_kinds == ("person",)
    reminder = next(step for step in book.steps if step.day == -7)
    assert [v.name for v in reminder.variants] == ["warm", "brief"]
    assert any(step.day > 0 for step in book.steps)
    assert any(step.channels == ("call",) and step.day > 0 for step in book.steps)
    assert any(step.channels == ("letter",) and step.day > 0 for step in book.steps)
    assert {step.purpose for step in book.steps} == {"collection"}


def test_business_covers_businesses_at_the_statement_days():
    book = DEFAULTS["business"]
    assert book.segment.customer_kinds == ("business",)
    assert sorted({step.day for step in book.steps}) == [-7, 0, 1, 7, 14, 30]
    assert any(step.channels == ("call",) for step in book.steps)


def test_arrangement_reminds_three_days_before_instalments_and_promises():
    steps = {step.event: step for step in DEFAULTS["arrangement"].steps}
    assert set(steps) == {"instalment_due", "promise_due", "instalment_missed", "promise_broken"}
    assert steps["instalment_due"].in_days == 3 and steps["promise_due"].in_days == 3
    assert steps["instalment_missed"].in_days is None
    assert steps["instalment_due"].stop_if == ("instalment_paid",)


def test_aftercare_thanks_and_only_the_newsletter_is_marketing():
    steps = DEFAULTS["aftercare"].steps
    assert {step.event for step in steps} == {"payment_received", "account_resolved"}
    assert [(s.id, s.template) for s in steps if s.purpose == "marketing"] == [
        ("newsletter", "newsletter_invitation")
    ]
    assert {s.purpose for s in steps if s.id != "newsletter"} == {"after_care"}


# --- a valid hand-written playbook -------------------------------------------------------------------

VALID = """\
playbook: small-debts
title: Small debts
description: For small balances.
segment:
  creditors: [northwind]
  jurisdictions: [us, gb-sct]
  customer_kinds: person
  balance: {min: "50.00", max: 5000}
  days_past_due: {min: 0, max: 120}
  schedule_types: single
  languages: [en, es]
steps:
  - id: reminder-7
    day: -7
    channels: [email, sms, letter]
    template: reminder_upcoming
    variants: {warm: 70, brief: 30}
    stop_if: [instalment_paid, promise_active]
  - id: promise-today
    event: promise_due
    in_days: 0
    channels: sms
    template: promise_reminder
  - id: thanks
    event: payment_received
    channels: email
    template: thanks_payment
    stop_if: disputed
    purpose: after_care
"""


def test_a_hand_written_playbook_parses_to_the_expected_dataclasses():
    book = parse_playbook(VALID, SOURCE)
    assert book == Playbook(
        name="small-debts",
        title="Small debts",
        description="For small balances.",
        segment=Segment(
            creditors=("northwind",),
            jurisdictions=("US", "GB-SCT"),
            customer_kinds=("person",),
            balance=Range(Decimal("50.00"), Decimal("5000")),
            days_past_due=Range(0, 120),
            schedule_types=("single",),
            languages=("en", "es"),
        ),
        steps=(
            Step(
                id="reminder-7",
                channels=("email", "sms", "letter"),
                template="reminder_upcoming",
                day=-7,
                variants=(Variant("warm", 70), Variant("brief", 30)),
                stop_if=("instalment_paid", "promise_active"),
            ),
            Step("promise-today", ("sms",), "promise_reminder", event="promise_due", in_days=0),
            Step(
                id="thanks",
                channels=("email",),
                template="thanks_payment",
                event="payment_received",
                stop_if=("disputed",),
                purpose="after_care",
            ),
        ),
        source=SOURCE,
    )
    balance, days = book.segment.balance, book.segment.days_past_due
    assert all(type(v) is Decimal for v in (balance.low, balance.high)) and str(balance.low) == "50.00"
    assert all(type(v) is int for v in (days.low, days.high))
    assert [Decimal(x) in balance for x in ("49.99", "50.00", "5000.01")] == [False, True, False]
    assert [step.trigger for step in book.steps] == ["day -7", "promise_due in 0 days", "payment_received"]


def test_title_and_segment_are_optional():
    book = parse_playbook(BASE, SOURCE)
    assert (book.title, book.description, book.segment) == ("test", "", Segment())
    assert book.steps[0].purpose == "collection" and book.steps[0].variants == ()


# --- errors: each names the file, the line and the field ---------------------------------------------

S2 = "  - id: second\n    day: 1\n"  # lines 7-8; the case adds lines from 9
CT = "    channels: email\n    template: t\n"
ND = "  - id: second\n" + CT  # lines 7-9, no day; the case adds lines from 10
F2 = S2 + CT  # lines 7-10; the case adds lines from 11
SEG = "segment:\n"  # line 7

ERRORS = [  # (appended to BASE, what the user reads after "test.yaml, ")
    ("titel: T\n", "line 7, titel: unknown field; expected one of playbook"),
    (ND + "    chanel: sms\n", "line 10, steps[1].chanel: unknown field; expected one of id"),
    ("  - {day: 1, channels: email, template: t}\n", "line 7, steps[1].id: required"),
    ("  - {id: second, day: 1, template: t}\n", "line 7, steps[1].channels: required"),
    ("  - {id: second, day: 1, channels: sms}\n", "line 7, steps[1].template: required"),
    (ND + "    day: 1\n    event: promise_made\n", "line 7, steps[1]: give either day"),
    (ND, "line 7, steps[1]: give either day (relative to each due date) or event"),
    (
        S2 + "    template: t\n    channels: [email, sms, fax]\n",
        "line 10, steps[1].channels[2]: 'fax' is not one of email, sms",
    ),
    (ND + "    event: paid\n", "line 10, steps[1].event: 'paid' is not one of payment_received"),
    (
        ND + "    event: promise_made\n    in_days: 2\n",
        "line 11, steps[1].in_days: only with the events promise_due",
    ),
    (F2 + "    in_days: 2\n", "line 11, steps[1].in_days: only with the events"),
    (ND + "    event: promise_due\n", "line 10, steps[1].in_days: promise_due needs in_days"),
    (ND + "    event: instalment_due\n    in_days: -3\n", "line 11, steps[1].in_days: must be 0"),
    (ND + "    day: seven\n", "line 10, steps[1].day: 'seven' is not a whole number"),
    (ND + "    day: 1.5\n", "line 10, steps[1].day: '1.5' is not a whole number"),
    (ND + "    day: '3'\n", "line 10, steps[1].day: '3' is not a whole number"),
    (
        F2 + "    variants:\n      warm: 50\n      brief: 0\n",
        "line 13, steps[1].variants.brief: a weight must be 1 or more",
    ),
    (F2 + "    variants: [warm, brief]\n", "line 11, steps[1].variants: expected names with"),
    (
        F2 + "  - {id: first, day: 2, channels: sms, template: t}\n",
        "line 11, steps[2].id: 'first' is also steps[0]",
    ),
    (S2 + "    template: t\n    channels: [sms, email, sms]\n", "line 10, steps[1].channels: a channel"),
    (SEG + "  balance: {min: 500, max: 50}\n", "line 8, segment.balance: min 500 is above max 50"),
    (SEG + "  balance:\n    max: lots\n", "line 9, segment.balance.max: 'lots' is not an amount"),
    (SEG + "  days_past_due: {min: 0.5}\n", "line 8, segment.days_past_due.min: '0.5'"),
    (SEG + "  customer_kinds: robot\n", "line 8, segment.customer_kinds: 'robot' is not"),
    (
        F2 + "    stop_if:\n      - instalment_paid\n      - paid_off\n",
        "line 13, steps[1].stop_if[1]: 'paid_off' is not one of",
    ),
    (F2 + "    purpose: sales\n", "line 11, steps[1].purpose: 'sales' is not one of collection"),
    ("playbook: again\n", "line 7, playbook: given twice"),
    (F2 + "    day: 2\n", "line 11, steps[1].day: given twice"),
]


@pytest.mark.parametrize(("text", "expected"), ERRORS, ids=[e for _, e in ERRORS])
def test_error_names_file_line_and_field(text, expected):
    error = parse_error(BASE + text)
    assert str(error).startswith(f"{SOURCE}, {expected}")
    line, field = re.match(r"line (\d+), ([^:]+): ", expected).groups()
    assert (error.source, error.line, error.field) == (SOURCE, int(line), field)


@pytest.mark.parametrize(
    ("text", "line", "field", "message"),
    [
        ("", 1, "playbook", "the file is empty"),
        ("# nothing here yet\n\n", 1, "playbook", "the file is empty"),
        ("playbook: test\nsteps: []\n", 2, "steps", "expected a list with at least one step"),
        ("playbook: test\nsteps:\n", 2, "steps", "expected a list with at least one step"),
        ("title: T\nplaybook: test\n", 1, "steps", "required"),
        ("title: T\n" + BASE.replace("playbook: test\n", ""), 1, "playbook", "required"),
    ],
    ids=["empty", "only a comment", "steps empty", "steps null", "steps missing", "playbook missing"],
)
def test_whole_file_errors(text, line, field, message):
    error = parse_error(text)
    assert str(error) == f"{SOURCE}, line {line}, {field}: {message}"


def test_yaml_that_does_not_parse_names_the_line_in_the_message():
    error = parse_error(BASE.replace("[email]", "[email") + "  - id: x\n")  # the open list runs on
    assert error.field == "yaml"
    assert str(error).startswith(f"{SOURCE}, line 6, yaml: ")


def test_yaml_syntax_error_carries_its_own_line():
    error = parse_error(BASE.replace("[email]", "[email") + "  - id: x\n")
    assert error.line == 6 and str(error).startswith(f"{SOURCE}, line 6, yaml")


def test_variant_named_twice_is_an_error():
    error = parse_error(BASE + "    variants: {warm: 50, warm: 30}\n")
    assert (error.line, error.field) == (7, "steps[0].variants.warm")


def test_a_list_instead_of_a_playbook_names_a_field():
    error = parse_error("- id: first\n- id: second\n")
    assert error.field and ", : " not in str(error)


@pytest.mark.parametrize(
    "text",
    [
        BASE.replace("day: 0", "day: 0x10"),  # YAML 1.1 hex int: int('0x10') raises ValueError
        BASE.replace("day: 0", "day: 1:30"),  # YAML 1.1 base-60 int
        BASE.replace("template: t", "template: t\x07"),  # a control character pasted from a terminal
    ],
    ids=["hex day", "base-60 day", "control character"],
)
def test_odd_input_still_gives_a_playbook_error(text):
    try:
        parse_playbook(text, SOURCE)
    except PlaybookError as error:
        assert error.source == SOURCE


# --- reading from a file -----------------------------------------------------------------------------


def test_load_playbook_reads_a_file_and_records_its_path(tmp_path):
    path = tmp_path / "small.yaml"
    path.write_text(VALID.replace("For small balances.", "Für kleine Beträge."), encoding="utf-8")
    book = load_playbook(path)
    assert (book.name, book.source, book.description) == ("small-debts", str(path), "Für kleine Beträge.")
    assert book.segment.jurisdictions == ("US", "GB-SCT")


def test_load_playbook_error_carries_the_path(tmp_path):
    path = tmp_path / "broken.yaml"
    path.write_text(BASE.replace("[email]", "[email, fax]"), encoding="utf-8")
    with pytest.raises(PlaybookError) as caught:
        load_playbook(path)
    assert caught.value.source == str(path)
    assert str(caught.value) == f"{path}, line 5, steps[0].channels[1]: 'fax' " + NOT_A_CHANNEL


def test_load_playbook_non_utf8_file_names_the_path(tmp_path):
    path = tmp_path / "latin1.yaml"
    path.write_bytes((BASE + "description: Café\n").encode("latin-1"))
    with pytest.raises(PlaybookError) as caught:
        load_playbook(path)
    assert caught.value.source == str(path)
