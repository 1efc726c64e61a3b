"""Reading playbooks from YAML: the shipped defaults, a hand-written playbook, and every kind of error.

An error must name the file, the line and the field ("SOURCE, line N, FIELD: what is wrong"); line
numbers below are counted in the YAML text each case builds (BASE is lines 1-6).
"""

from __future__ import annotations

from decimal import Decimal

import pytest

from amicable.playbooks.load import PlaybookError, default_playbooks, load_playbook, parse_playbook
from amicable.playbooks.model import Playbook, Range, Segment, Step, Variant

SOURCE = "test.yaml"

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
            Step(id="promise-today", channels=("sms",), template="promise_reminder", event="promise_due", in_days=0),
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
    assert Decimal("49.99") not in balance and Decimal("50.00") in balance and Decimal("5000.01") not in balance
    assert [step.trigger for step in book.steps] == ["day -7", "promise_due in 0 days", "payment_received"]


def test_title_and_segment_are_optional():
    book = parse_playbook(BASE, SOURCE)
    assert (book.title, book.description, book.segment) == ("test", "", Segment())
    assert book.steps[0].purpose == "collection" and book.steps[0].variants == ()


# --- errors: each names the file, the line and the field ---------------------------------------------

STEP_2 = "  - id: second\n    day: 1\n"  # lines 7-8; the case adds lines from 9
NO_DAY = "  - id: second\n    channels: email\n    template: t\n"  # lines 7-9; the case adds lines from 10

ERRORS = [
    # (what is wrong, appended to BASE, line, field, part of the message)
    ("unknown top-level field", "titel: Test\n", 7, "titel", "unknown field; expected one of playbook"),
    ("unknown step field", STEP_2 + "    chanel: [email]\n    template: t\n", 9, "steps[1].chanel", "unknown field"),
    ("missing id", "  - {day: 1, channels: email, template: t}\n", 7, "steps[1].id", "required"),
    ("missing channels", "  - {id: second, day: 1, template: t}\n", 7, "steps[1].channels", "required"),
    ("missing template", "  - {id: second, day: 1, channels: email}\n", 7, "steps[1].template", "required"),
    (
        "day and event",
        "  - {id: second, day: 1, event: promise_made, channels: email, template: t}\n",
        7,
        "steps[1]",
        "give either day (relative to each due date) or event, not both or neither",
    ),
    ("neither day nor event", "  - {id: second, channels: email, template: t}\n", 7, "steps[1]", "not both or neither"),
    (
        "unknown channel in a list",
        STEP_2 + "    template: t\n    channels: [email, sms, fax]\n",
        10,
        "steps[1].channels[2]",
        "'fax' is not one of email, sms, letter, call",
    ),
    (
        "unknown event",
        "  - id: second\n    event: payment_recieved\n    channels: email\n    template: t\n",
        8,
        "steps[1].event",
        "'payment_recieved' is not one of payment_received, account_resolved",
    ),
    (
        "in_days on an event without days",
        "  - id: second\n    event: payment_received\n    in_days: 2\n    channels: email\n    template: t\n",
        9,
        "steps[1].in_days",
        "only with the events promise_due, instalment_due",
    ),
    (
        "in_days on a day step",
        STEP_2 + "    in_days: 2\n    channels: email\n    template: t\n",
        9,
        "steps[1].in_days",
        "only with the events",
    ),
    (
        "promise_due without in_days",
        "  - id: second\n    channels: email\n    template: t\n    event: promise_due\n",
        10,
        "steps[1].in_days",
        "promise_due needs in_days (0 for the day itself)",
    ),
    (
        "negative in_days",
        "  - id: second\n    event: instalment_due\n    in_days: -3\n    channels: email\n    template: t\n",
        9,
        "steps[1].in_days",
        "must be 0 or more",
    ),
    ("day in words", NO_DAY + "    day: seven\n", 10, "steps[1].day", "'seven' is not a whole number"),
    ("fractional day", NO_DAY + "    day: 1.5\n", 10, "steps[1].day", "'1.5' is not a whole number"),
    ("quoted day", NO_DAY + "    day: '3'\n", 10, "steps[1].day", "'3' is not a whole number"),
    (
        "variant weight of 0",
        STEP_2 + "    channels: email\n    template: t\n    variants:\n      warm: 50\n      brief: 0\n",
        13,
        "steps[1].variants.brief",
        "a weight must be 1 or more",
    ),
    (
        "variants not a mapping",
        STEP_2 + "    channels: email\n    template: t\n    variants: [warm, brief]\n",
        11,
        "steps[1].variants",
        "expected names with weights",
    ),
    (
        "duplicate step id",
        NO_DAY + "    day: 1\n  - {id: first, day: 2, channels: sms, template: t}\n",
        11,
        "steps[2].id",
        "'first' is also steps[0]",
    ),
    (
        "channel listed twice",
        STEP_2 + "    template: t\n    channels: [email, sms, email]\n",
        10,
        "steps[1].channels",
        "a channel is listed twice",
    ),
    ("balance min above max", "segment:\n  balance: {min: 500, max: 50}\n", 8, "segment.balance", "min 500 is above max 50"),
    ("amount in words", "segment:\n  balance:\n    max: lots\n", 9, "segment.balance.max", "'lots' is not an amount"),
    ("days_past_due fractional", "segment:\n  days_past_due: {min: 0.5}\n", 8, "segment.days_past_due.min", "whole"),
    ("unknown customer kind", "segment:\n  customer_kinds: robot\n", 8, "segment.customer_kinds", "'robot' is not one"),
    (
        "unknown stop_if condition",
        STEP_2 + "    channels: email\n    template: t\n    stop_if:\n      - instalment_paid\n      - paid_off\n",
        13,
        "steps[1].stop_if[1]",
        "'paid_off' is not one of instalment_paid, account_resolved",
    ),
    (
        "unknown purpose",
        STEP_2 + "    channels: email\n    template: t\n    purpose: sales\n",
        11,
        "steps[1].purpose",
        "'sales' is not one of collection, after_care, marketing",
    ),
    ("top-level key twice", "playbook: again\n", 7, "playbook", "given twice"),
    ("step key twice", STEP_2 + "    channels: email\n    template: t\n    day: 2\n", 11, "steps[1].day", "given twice"),
]


@pytest.mark.parametrize(("text", "line", "field", "message"), [c[1:] for c in ERRORS], ids=[c[0] for c in ERRORS])
def test_error_names_file_line_and_field(text, line, field, message):
    error = parse_error(BASE + text)
    assert (error.source, error.line, error.field) == (SOURCE, line, field)
    assert str(error).startswith(f"{SOURCE}, line {line}, {field}: ")
    assert message in str(error)


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
    assert str(error).startswith(f"{SOURCE}, line ") and ", yaml: line 6: " in str(error)


@pytest.mark.xfail(strict=True, reason="BUG: a YAML syntax error reports line 1 in .line and the message prefix")
def test_yaml_syntax_error_carries_its_own_line():
    error = parse_error(BASE.replace("[email]", "[email") + "  - id: x\n")
    assert error.line == 6 and str(error).startswith(f"{SOURCE}, line 6, yaml")


@pytest.mark.xfail(strict=True, reason="BUG: duplicate variant names are accepted; other duplicate keys are errors")
def test_variant_named_twice_is_an_error():
    error = parse_error(BASE + "    variants: {warm: 50, warm: 30}\n")
    assert (error.line, error.field) == (7, "steps[0].variants.warm")


@pytest.mark.xfail(strict=True, reason="BUG: a file that is not a mapping gets an empty field ('line 1, : ...')")
def test_a_list_instead_of_a_playbook_names_a_field():
    error = parse_error("- id: first\n- id: second\n")
    assert error.field and ", : " not in str(error)


@pytest.mark.xfail(strict=True, reason="BUG: these inputs escape as ValueError/ReaderError without the file or line")
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
    assert str(caught.value) == f"{path}, line 5, steps[0].channels[1]: 'fax' is not one of email, sms, letter, call"


@pytest.mark.xfail(strict=True, reason="BUG: a file not in UTF-8 raises UnicodeDecodeError without the path")
def test_load_playbook_non_utf8_file_names_the_path(tmp_path):
    path = tmp_path / "latin1.yaml"
    path.write_bytes((BASE + "description: Café\n").encode("latin-1"))
    with pytest.raises(PlaybookError) as caught:
        load_playbook(path)
    assert caught.value.source == str(path)
