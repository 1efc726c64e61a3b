"""The rules added last: TCPA consent, safe harbours, workplace, envelopes, time-barred debts, passive
credit reporting, the validation-period date, the one-reply exception, the UK arrears and pre-action
rules, acts after a cease, switching rules off and the new scenario fields."""

import json
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from amicable.compliance.engine import as_json, decide
from amicable.compliance.scenario import ScenarioError, parse_scenario

LA = ZoneInfo("America/Los_Angeles")
CREDITOR = {"role": "creditor"}
MINI_MIRANDA = (
    " We are attempting to collect a debt and any information obtained will be used for that purpose."
)


def at(day: int, hour: int = 12, minute: int = 0, month: int = 3) -> str:
    return datetime(2025, month, day, hour, minute, tzinfo=LA).isoformat()


NOW = at(10)  # Monday 10 March 2025, noon in California
UK_NOW = "2025-03-10T12:00:00+00:00"  # the same Monday in England


def ago(days: int) -> str:
    return (datetime.fromisoformat(NOW) - timedelta(days=days)).isoformat()


def scenario(channel: str = "call", now: str = NOW, **extra) -> dict:
    """A debt collector contacting a Californian about debt A; dicts in `extra` are merged one level."""
    data = {
        "now": now,
        "debtor": {"jurisdictions": ["US", "US-CA"], "timezones": ["America/Los_Angeles"]},
        "creditor": {"role": "debt_collector"},
        "contact": {"channel": channel, "debts": ["A"], "purpose": "collection", "content": None},
    }
    for key, value in extra.items():
        data[key] = {**data[key], **value} if key in data and isinstance(value, dict) else value
    return data


def uk(channel: str = "sms", now: str = UK_NOW, debtor=None, creditor=None, **extra) -> dict:
    """A UK creditor contacting a consumer in England."""
    debtor = {"jurisdictions": ["GB", "GB-ENG"], "timezones": ["Europe/London"], **(debtor or {})}
    return scenario(channel, now, debtor=debtor, creditor={**CREDITOR, **(creditor or {})}, **extra)


def check(data: dict) -> dict:
    return as_json(decide(parse_scenario(data)))


def rules(result: dict) -> list[str]:
    return [r["rule"] for r in result["reasons"]]


def verdict(result: dict) -> tuple[str, list[str]]:
    return result["decision"], rules(result)


def blocked_by(rule: str | None) -> tuple[str, list[str]]:
    """What verdict() gives when `rule` alone blocks (None: allowed, nothing to say)."""
    return ("block", [rule]) if rule else ("allow", [])


def effects(result: dict) -> list[tuple[str, str]]:
    return [(r["rule"], r["effect"]) for r in result["reasons"]]


def sent(when: str, channel: str = "letter", outcome: str = "sent") -> dict:
    return {"at": when, "channel": channel, "direction": "outbound", "debts": ["A"], "outcome": outcome}


def inbound(when: str, channel: str = "sms", content: str = "Can we talk about my bill?") -> dict:
    return {"at": when, "channel": channel, "direction": "inbound", "debts": ["A"], "content": content}


def call(when: str, outcome: str = "no_answer", direction: str = "outbound") -> dict:
    return {"at": when, "channel": "call", "direction": direction, "debts": ["A"], "outcome": outcome}


# ------------------------------------------------------------------------------------ US-TCPA-CONSENT


@pytest.mark.parametrize(
    ("channel", "to", "blocked"),
    [
        ("sms", {"line_type": "mobile"}, True),
        ("sms", {"line_type": "unknown"}, True),
        ("voicemail", {"line_type": "mobile"}, True),
        ("call", {"line_type": "mobile", "automated": True}, True),
        ("sms", {"line_type": "landline"}, False),
        ("call", {"line_type": "mobile"}, False),
        ("call", {"line_type": "unknown", "automated": False}, False),
        ("voicemail", {"line_type": "mobile", "automated": False}, False),
        ("sms", {"line_type": "mobile", "debtor_provided": True}, False),
        ("sms", {"line_type": "unknown", "consented_at": ago(30)}, False),
        ("sms", {"debtor_provided": False}, False),
        ("sms", None, False),
    ],
)
def test_automated_contact_to_a_mobile_without_consent_is_blocked_even_for_a_creditor(channel, to, blocked):
    """An original creditor's platform text to a mobile the debtor never gave is blocked; a landline,
    a hand-dialled call, a number they gave or agreed to, or a number the scenario says nothing
    about, passes."""
    result = check(scenario(channel, creditor=CREDITOR, contact={"to": to}))
    assert verdict(result) == blocked_by("US-TCPA-CONSENT" if blocked else None)


def test_a_debt_collectors_text_without_consent_is_blocked_and_flagged():
    result = check(scenario("sms", contact={"to": {"line_type": "mobile"}}))
    assert result["decision"] == "block"
    assert effects(result) == [("US-REGF-SMS-SAFE-HARBOR", "flag"), ("US-TCPA-CONSENT", "block")]


def test_a_consent_given_after_the_contact_does_not_cover_it():
    """Replaying last week's text against today's record must not treat later consent as prior."""
    later = {"to": {"line_type": "mobile", "consented_at": at(20)}}
    assert rules(check(scenario("sms", creditor=CREDITOR, contact=later))) == ["US-TCPA-CONSENT"]


# ------------------------------------------------------------------------------------ safe harbours


@pytest.mark.parametrize(
    ("to", "history", "flagged"),
    [
        ({}, [], True),
        ({"debtor_used_at": ago(10)}, [], False),
        ({"debtor_used_at": ago(60)}, [], False),
        ({"debtor_used_at": ago(61)}, [], True),
        ({}, [inbound(ago(3))], False),
        ({"consented_at": ago(300), "reassigned_checked_at": ago(10)}, [], False),
        ({"consented_at": ago(300)}, [], True),
        ({"consented_at": ago(300), "reassigned_checked_at": ago(61)}, [], True),
    ],
)
def test_a_text_outside_the_safe_harbour_is_flagged_but_still_allowed(to, history, flagged):
    """The debtor texted within 60 days, or agreed and the number was checked for reassignment
    within 60 days: no flag. Otherwise a person is asked to look; the text is not stopped."""
    result = check(scenario("sms", contact={"to": to}, history=history))
    assert result["decision"] == "allow"
    assert rules(result) == (["US-REGF-SMS-SAFE-HARBOR"] if flagged else [])


@pytest.mark.parametrize(
    ("to", "history", "flagged"),
    [
        ({}, [], True),
        ({"notice_and_opt_out": False}, [], True),
        ({"debtor_used_at": ago(200)}, [], False),
        ({}, [inbound(ago(5), "email")], False),
        ({}, [inbound(ago(5), "sms")], True),
        ({"consented_at": ago(5)}, [], False),
        ({"notice_and_opt_out": True}, [], False),
    ],
)
def test_an_email_to_an_address_the_debtor_never_used_or_agreed_to_is_flagged(to, history, flagged):
    result = check(scenario("email", contact={"to": to}, history=history))
    assert result["decision"] == "allow"
    assert rules(result) == (["US-REGF-EMAIL-SAFE-HARBOR"] if flagged else [])


@pytest.mark.parametrize(
    ("channel", "rule"), [("sms", "US-REGF-SMS-SAFE-HARBOR"), ("email", "US-REGF-EMAIL-SAFE-HARBOR")]
)
def test_the_safe_harbours_judge_a_creditor_only_when_it_adopts_regulation_f(channel, rule):
    plain = check(scenario(channel, creditor=CREDITOR, contact={"to": {}}))
    assert rules(plain) == []
    adopted = {"role": "creditor", "settings": {"regulation_f": True}}
    assert rules(check(scenario(channel, creditor=adopted, contact={"to": {}}))) == [rule]


# ------------------------------------------------------------------------ workplace and envelopes


@pytest.mark.parametrize(
    ("channel", "to", "blocked"),
    [
        ("call", {"workplace": True, "employer_prohibits": True}, True),
        ("letter", {"workplace": True, "employer_prohibits": True}, True),
        ("call", {"workplace": True}, False),
        ("call", {"employer_prohibits": True}, False),
    ],
)
def test_contact_at_work_is_blocked_only_when_the_employer_prohibits_it(channel, to, blocked):
    result = check(scenario(channel, contact={"to": to}))
    assert verdict(result) == blocked_by("US-REGF-WORKPLACE" if blocked else None)


ADDRESSES = "Fairway, PO Box 1, Austin TX\nAna Diaz, 12 Elm St, Fresno CA\nAddress correction requested"


@pytest.mark.parametrize(
    ("outside", "blocked"),
    [
        ({"postcard": True}, True),
        ({"envelope": "PAST DUE\nAna Diaz, 12 Elm St, Fresno CA 93650"}, True),
        ({"envelope": "Final notice for Ana Diaz"}, True),
        ({"envelope": ADDRESSES}, False),
        ({"postcard": False}, False),
    ],
)
def test_postcards_and_envelopes_that_give_the_debt_away_are_blocked(outside, blocked):
    result = check(scenario("letter", contact=outside))
    assert verdict(result) == blocked_by("US-REGF-ENVELOPE" if blocked else None)


def test_a_business_name_saying_recoveries_gives_the_debt_away_on_an_envelope():
    result = check(scenario("letter", contact={"envelope": "Fairway Recoveries, PO Box 1, Austin TX"}))
    assert rules(result) == ["US-REGF-ENVELOPE"]


# ------------------------------------------------------------------------------- time-barred debts


@pytest.mark.parametrize(
    ("purpose", "content", "barred", "blocked"),
    [
        ("legal_action", None, True, True),
        ("collection", "Pay the balance or we will sue you." + MINI_MIRANDA, True, True),
        ("collection", "We may take you to court." + MINI_MIRANDA, True, True),
        ("collection", "Pay the balance or we will sue you." + MINI_MIRANDA, False, False),
        ("legal_action", None, False, False),
        ("collection", "A reminder about your account." + MINI_MIRANDA, True, False),
    ],
)
def test_never_sue_or_threaten_to_sue_on_a_time_barred_debt(purpose, content, barred, blocked):
    contact, debts = {"purpose": purpose, "content": content}, {"A": {"time_barred": barred}}
    result = check(scenario("letter", contact=contact, debts=debts))
    assert verdict(result) == blocked_by("US-REGF-TIME-BARRED" if blocked else None)


def test_the_time_barred_disclosure_itself_is_not_a_threat():
    disclosure = (
        "The law limits how long you can be sued on a debt. Because of the age of your debt, "
        "we will not sue you for it." + MINI_MIRANDA
    )
    data = scenario("letter", contact={"content": disclosure}, debts={"A": {"time_barred": True}})
    assert check(data)["decision"] == "allow"


# ------------------------------------------------------------------------------- passive reporting


CREDIT_REPORT = {"purpose": "credit_reporting"}


def report(now: str, history=(), creditor=None) -> dict:
    """A debt collector proposing to report debt A to a credit bureau."""
    return scenario("letter", now, contact=CREDIT_REPORT, history=list(history), creditor=creditor or {})


@pytest.mark.parametrize(
    ("now", "history", "decision", "next_allowed_at"),
    [
        (at(21), [], "block", None),
        (at(20), [sent(at(15))], "defer", "2025-03-29T00:00:00-07:00"),
        (at(28, 23), [sent(at(15))], "defer", "2025-03-29T00:00:00-07:00"),
        (at(29, 0), [sent(at(15))], "allow", None),
        (at(21), [sent(at(1))], "allow", None),
        (at(21), [sent(at(1)), sent(at(5), outcome="failed")], "block", None),
        (at(21), [sent(at(1)), sent(at(5), "email", outcome="failed")], "allow", None),
        (at(21), [sent(at(1), "email")], "allow", None),
        (at(21), [call(at(1), "conversation")], "allow", None),
        (at(21), [call(at(1))], "block", None),
    ],
)
def test_credit_reporting_waits_fourteen_days_after_the_debtor_was_told(
    now, history, decision, next_allowed_at
):
    """No report before a letter, message or conversation that did not come back; then 14 days."""
    result = check(report(now, history))
    assert (result["decision"], result["next_allowed_at"]) == (decision, next_allowed_at)
    assert rules(result) == ([] if decision == "allow" else ["US-REGF-PASSIVE-REPORTING"])


@pytest.mark.parametrize(
    ("wait_days", "next_allowed_at"), [(30, "2025-04-14T00:00:00-07:00"), (7, "2025-03-29T00:00:00-07:00")]
)
def test_a_creditor_may_wait_longer_before_reporting_but_not_less(wait_days, next_allowed_at):
    creditor = {"settings": {"US-REGF-PASSIVE-REPORTING": {"wait_days": wait_days}}}
    result = check(report(at(23), [sent(at(15))], creditor))
    assert (result["decision"], result["next_allowed_at"]) == ("defer", next_allowed_at)


def test_a_conversation_the_debtor_started_counts_as_speaking_to_them():
    """1006.30(a)(1)(i): speaking to the consumer about the debt by telephone, whoever dialled."""
    assert check(report(at(21), [call(at(1), "conversation", direction="inbound")]))["decision"] == "allow"


def test_a_wait_given_as_text_is_refused_naming_the_setting():
    creditor = {"settings": {"US-REGF-PASSIVE-REPORTING": {"wait_days": "30"}}}
    with pytest.raises(ScenarioError):
        decide(parse_scenario(report(at(23), [sent(at(15))], creditor)))


# ------------------------------------------------------------------------ validation-period date


@pytest.mark.parametrize(
    ("now", "content", "blocked"),
    [
        (at(10), "Dispute by April 16, 2025.", False),
        (at(10), "Dispute by 16 April 2025.", False),
        (at(10), "Dispute by 04/16/2025.", False),
        (at(10), "Dispute by 2025-04-16.", False),
        (at(10), "Dispute by Apr 16, 2025.", False),
        (at(10), "Dispute by April 15, 2025.", True),
        (at(10), "Dispute by April 17, 2025.", True),
        (at(10), "Dispute within 30 days.", True),
        # Memorial Day (Mon 26 May) is not a receipt day: 2 June + 30 days.
        (at(23, month=5), "Dispute by July 2, 2025.", False),
        (at(23, month=5), "Dispute by June 29, 2025.", True),
        # Independence Day (Fri 4 July) likewise: 10 July + 30 days.
        (at(2, month=7), "Dispute by August 9, 2025.", False),
        (at(2, month=7), "Dispute by August 8, 2025.", True),
    ],
)
def test_a_validation_notice_must_give_the_end_of_its_validation_period(now, content, blocked):
    result = check(scenario("letter", now, contact={"purpose": "validation_notice", "content": content}))
    assert verdict(result) == blocked_by("US-REGF-VALIDATION-PERIOD" if blocked else None)


def test_a_wrong_validation_date_is_blocked_with_the_right_one_in_the_message():
    wrong = {"purpose": "validation_notice", "content": "Dispute by April 1, 2025."}
    (reason,) = check(scenario("letter", contact=wrong))["reasons"]
    assert "April 16, 2025" in reason["message"]


# --------------------------------------------------------------------- calls excluded from limits


DAILY_CALLS = [call(at(day, 9)) for day in range(3, 10)]  # Mon 3 to Sun 9 March


@pytest.mark.parametrize(
    ("extra", "excluded"),
    [
        ({"consents": [{"channel": "call", "given_at": at(9, 11), "for_time": at(9, 16)}]}, True),
        ({"contact": {"purpose": "adviser_contact"}}, True),
        ({}, False),
    ],
)
def test_an_excluded_call_says_why_the_call_limits_do_not_apply(extra, excluded):
    """An eighth call in 7 days is allowed when the debtor asked for it or it goes to their adviser,
    and the reason says so."""
    result = check(scenario(now=at(9, 16), history=DAILY_CALLS, **extra))
    if excluded:
        assert (result["decision"], effects(result)) == ("allow", [("US-REGF-CALL-EXCLUDED", "allow")])
    else:
        assert (result["decision"], rules(result)) == ("block", ["US-REGF-CALL-7IN7"])


def test_the_rules_command_lists_what_counts_as_a_call_as_a_definition(cli):
    result = cli("compliance", "rules", "--json")
    assert result.exit_code == 0, result.output
    by_id = {r["id"]: r for r in json.loads(result.stdout)}
    assert by_id["US-REGF-CALL-CONNECTED"]["kind"] == "definition"
    assert by_id["US-REGF-CALL-EXCLUDED"]["kind"] == "rule"
    assert by_id["US-TCPA-CONSENT"]["pack"] == "US-TCPA"
    assert by_id["US-REGF-PASSIVE-REPORTING"]["parameters"] == {"wait_days": 14}


# ------------------------------------------------------------------------------ the one reply


INCONVENIENT = {"inconvenient_times": [{"from": "18:00", "to": "21:00"}]}
THEIR_TEXT = inbound(at(10, 17))
REPLY = {"purpose": "reply_to_debtor"}


@pytest.mark.parametrize(
    ("now", "channel", "history", "contact", "decision", "next_allowed_at"),
    [
        (at(10, 18, 30), "sms", [THEIR_TEXT], {}, "defer", at(10, 21)),
        (at(10, 18, 30), "sms", [THEIR_TEXT], REPLY, "allow", None),
        (at(10, 18, 45), "sms", [THEIR_TEXT, sent(at(10, 18, 31), "sms")], REPLY, "defer", at(10, 21)),
        (at(10, 18, 30), "email", [THEIR_TEXT], REPLY, "defer", at(10, 21)),
        (at(10, 18, 30), "sms", [], REPLY, "defer", at(10, 21)),
        (at(10, 21, 30), "sms", [THEIR_TEXT], REPLY, "defer", at(11, 8)),
    ],
)
def test_one_reply_in_the_same_medium_may_go_at_a_time_the_debtor_called_inconvenient(
    now, channel, history, contact, decision, next_allowed_at
):
    """Only the first reply, on the channel they wrote on, inside 08:00-21:00."""
    data = scenario(channel, now, debtor=INCONVENIENT, history=history, contact=contact)
    result = check(data)
    assert (result["decision"], result["next_allowed_at"]) == (decision, next_allowed_at)
    assert effects(result) == [("US-REGF-TIME", "allow" if decision == "allow" else "defer")]


# ------------------------------------------------------------------------------------- UK-PAP-DEBT


def claim(now: str, notices, kind: str) -> dict:
    return uk("letter", now, contact={"purpose": "legal_action"}, notices=notices, debtor={"kind": kind})


LETTER_OF_CLAIM = {"kind": "letter_of_claim", "sent_at": "2025-02-08"}
SEEKING_ADVICE = {"kind": "reply_form", "sent_at": "2025-02-20", "seeking_advice": True}
DOCUMENTS = {"kind": "documents", "sent_at": "2025-03-01"}
SUNDAY, MAR_25 = "2025-03-09T12:00:00+00:00", "2025-03-25T12:00:00+00:00"


@pytest.mark.parametrize(
    ("now", "notices", "kind", "decision", "next_allowed_at"),
    [
        (UK_NOW, [], "individual", "block", None),
        (UK_NOW, [], "sole_trader", "block", None),
        (UK_NOW, [], "company", "allow", None),
        (SUNDAY, [LETTER_OF_CLAIM], "individual", "defer", "2025-03-10T00:00:00+00:00"),
        (UK_NOW, [LETTER_OF_CLAIM], "individual", "allow", None),
        (UK_NOW, [LETTER_OF_CLAIM, SEEKING_ADVICE], "individual", "defer", "2025-03-22T00:00:00+00:00"),
        (UK_NOW, [LETTER_OF_CLAIM, {**SEEKING_ADVICE, "seeking_advice": False}], "individual", "allow", None),
        # Documents sent later push it further (and the clocks go forward on 30 March).
        (
            MAR_25,
            [LETTER_OF_CLAIM, SEEKING_ADVICE, DOCUMENTS],
            "individual",
            "defer",
            "2025-03-31T00:00:00+01:00",
        ),
    ],
)
def test_no_claim_without_a_letter_of_claim_and_thirty_days(now, notices, kind, decision, next_allowed_at):
    result = check(claim(now, notices, kind))
    assert (result["decision"], result["next_allowed_at"]) == (decision, next_allowed_at)
    assert rules(result) == ([] if decision == "allow" else ["UK-PAP-DEBT"])


# ------------------------------------------------------------------------ UK arrears and policies


def offer(amount=None, status: str = "refused", made_at: str = "2025-03-01T10:00:00+00:00", **extra) -> dict:
    made = {"made_at": made_at, "status": status, **extra}
    return made if amount is None else {**made, "monthly_amount": amount}


SURPLUS_150 = {"income": "1850.00", "expenditure": "1700.00"}
NOTHING_OVER = {"income": "1850.00", "expenditure": "1900.00"}
LATER = "2025-03-05T10:00:00+00:00"


@pytest.mark.parametrize(
    ("statement", "proposals", "flags"),
    [
        (None, [offer(affordable=True)], ["UK-CONC-FORBEARANCE"]),
        (SURPLUS_150, [offer("100.00")], ["UK-CONC-FORBEARANCE"]),
        (SURPLUS_150, [offer("150.00")], ["UK-CONC-FORBEARANCE"]),
        (SURPLUS_150, [offer("200.00")], []),
        (SURPLUS_150, [offer("100.00", affordable=False)], []),
        (SURPLUS_150, [offer("100.00", status="pending")], []),
        (NOTHING_OVER, [offer("1.00")], ["UK-CONC-FORBEARANCE", "UK-SFS"]),
        (NOTHING_OVER, [offer("5.00")], ["UK-SFS"]),
        (NOTHING_OVER, [offer("1.00"), offer("1.00", "accepted", LATER)], ["UK-SFS"]),
        (SURPLUS_150, [offer("80.00", "accepted"), offer("100.00", made_at=LATER)], ["UK-CONC-FORBEARANCE"]),
        ({"income": "1850.00", "expenditure": "1850.00"}, [], ["UK-SFS"]),
        (SURPLUS_150, [], []),
    ],
)
def test_refusing_a_reasonable_offer_or_asking_when_nothing_is_left_over_is_flagged(
    statement, proposals, flags
):
    debtor = {} if statement is None else {"financial_statement": statement}
    result = check(uk(debtor=debtor, proposals=proposals))
    assert result["decision"] == "allow"
    assert sorted(rules(result)) == flags


@pytest.mark.parametrize(
    ("settings", "flagged"),
    [
        ({}, False),
        ({"UK-CONC-POLICY": {}}, True),
        ({"UK-CONC-POLICY": {"arrears_policy": "AP-2024"}}, True),
        ({"UK-CONC-POLICY": {"vulnerability_policy": "VP-2024"}}, True),
        ({"UK-CONC-POLICY": {"arrears_policy": "AP-2024", "vulnerability_policy": "VP-2024"}}, False),
    ],
)
def test_collection_is_flagged_when_the_creditors_policy_record_lacks_a_policy(settings, flagged):
    result = check(uk(creditor={"settings": settings}))
    assert (result["decision"], rules(result)) == ("allow", ["UK-CONC-POLICY"] if flagged else [])


@pytest.mark.parametrize(
    ("kind", "content", "blocked"),
    [
        ("individual", "We have added statutory interest to your balance.", True),
        ("individual", "Late payment compensation of 40 pounds applies.", True),
        ("individual", "Your balance is 120 pounds.", False),
        ("company", "We have added statutory interest to your balance.", False),
        ("sole_trader", "We have added statutory interest to your balance.", False),
    ],
)
def test_statutory_late_payment_interest_is_never_claimed_from_a_consumer(kind, content, blocked):
    result = check(uk(debtor={"kind": kind}, contact={"content": content}))
    assert verdict(result) == blocked_by("UK-LATE-PAYMENT" if blocked else None)


SPACE = "UK-BREATHING-SPACE"
BREATHING_SPACE = [{"kind": "breathing_space", "debts": None, "since": "2025-03-01", "until": None}]


@pytest.mark.parametrize(
    ("channel", "purpose", "expected"),
    [
        ("sms", "reply_to_debtor", ("allow", [(SPACE, "allow")], None)),
        ("email", "adviser_contact", ("allow", [(SPACE, "allow")], None)),
        ("letter", "credit_reporting", ("block", [(SPACE, "block")], "2025-04-30T00:00:00+01:00")),
        ("letter", "legal_action", ("block", [(SPACE, "block"), ("UK-PAP-DEBT", "block")], None)),
    ],
)
def test_a_breathing_space_explains_an_allowed_reply_and_stops_claims_and_reports(channel, purpose, expected):
    """With no end given it lasts 60 days: a report may follow from 30 April."""
    result = check(uk(channel, contact={"purpose": purpose}, holds=BREATHING_SPACE))
    assert (result["decision"], effects(result), result["next_allowed_at"]) == expected


# ------------------------------------------------------------------ acts after a cease or an opt-out


TOLD = sent(at(20, month=2))  # a letter about the debt, long enough ago for credit reporting
CEASE = {"holds": [{"kind": "cease", "debts": None, "since": "2025-03-01", "until": None}]}
DISPUTE = {"holds": [{"kind": "dispute", "debts": ["A"], "since": "2025-03-01", "until": None}]}
TEXT_STOP = {"history": [TOLD, inbound(at(5), content="STOP")]}
STOP_ALL = {"history": [TOLD, inbound(at(5), "email", "Stop contacting me")]}


@pytest.mark.parametrize(
    ("role", "facts", "purpose", "rule"),
    [
        ("debt_collector", CEASE, "legal_action", None),
        ("debt_collector", CEASE, "credit_reporting", None),
        ("debt_collector", CEASE, "collection", "US-REGF-CEASE"),
        ("debt_collector", TEXT_STOP, "legal_action", None),
        ("debt_collector", STOP_ALL, "credit_reporting", None),
        ("debt_collector", STOP_ALL, "collection", "US-REGF-MEDIUM-OPTOUT"),
        ("creditor", CEASE, "legal_action", None),
        ("creditor", CEASE, "collection", "GEN-HOLD-CEASE"),
        ("creditor", STOP_ALL, "credit_reporting", None),
        ("debt_collector", DISPUTE, "legal_action", "US-REGF-DISPUTE"),
        ("debt_collector", DISPUTE, "credit_reporting", "US-REGF-DISPUTE"),
    ],
)
def test_a_cease_or_opt_out_does_not_stop_a_claim_or_report_but_a_dispute_does(role, facts, purpose, rule):
    """Suing or reporting is not a message: only a dispute (or a stay) stops it."""
    data = scenario(
        "letter", creditor={"role": role}, contact={"purpose": purpose}, **{"history": [TOLD], **facts}
    )
    assert verdict(check(data)) == blocked_by(rule)


# --------------------------------------------------------------------------- switching rules off


@pytest.mark.parametrize(
    ("disabled", "expected"), [([], ("defer", ["GEN-QUIET-HOURS"])), (["GEN-QUIET-HOURS"], ("allow", []))]
)
def test_a_creditor_may_switch_off_amicables_own_quiet_hours(disabled, expected):
    """A 07:30 call from an original creditor waits for 08:00 unless it switched the policy off."""
    creditor = {**CREDITOR, "settings": {"disabled_rules": disabled}}
    assert verdict(check(scenario(now=at(10, 7, 30), creditor=creditor))) == expected


@pytest.mark.parametrize(
    ("disabled", "field"),
    [
        (["US-REGF-CALL-7IN7"], "creditor.settings.disabled_rules[0]"),
        (["GEN-QUIET-HOURS", "UK-PAP-DEBT"], "creditor.settings.disabled_rules[1]"),
        ("GEN-QUIET-HOURS", "creditor.settings.disabled_rules"),
    ],
)
def test_the_law_cannot_be_switched_off_and_the_checker_exits_2_naming_disabled_rules(
    cli, tmp_path, disabled, field
):
    path = tmp_path / "scenario.json"
    path.write_text(json.dumps(scenario(creditor={"settings": {"disabled_rules": disabled}})))
    result = cli("compliance", "check", path)
    assert result.exit_code == 2
    assert f"Error: {field}:" in result.stderr


# ------------------------------------------------------------------------ the new scenario fields


REFUSED = {"made_at": NOW, "status": "refused"}


@pytest.mark.parametrize(
    ("mutate", "field"),
    [
        (lambda s: s["contact"].update(to={"line_type": "cell"}), "contact.to.line_type"),
        (lambda s: s["contact"].update(to={"unknown_field": True}), "contact.to.unknown_field"),
        (lambda s: s["contact"].update(to={"automated": "yes"}), "contact.to.automated"),
        (lambda s: s["contact"].update(to={"consented_at": "2025-03-01"}), "contact.to.consented_at"),
        (lambda s: s["contact"].update(postcard="no"), "contact.postcard"),
        (lambda s: s.update(debts={"A": {"time_barred": "yes"}}), "debts.A.time_barred"),
        (lambda s: s.update(proposals=[{**REFUSED, "monthly_amount": 12.5}]), "proposals[0].monthly_amount"),
        (lambda s: s.update(proposals=[{**REFUSED, "status": "declined"}]), "proposals[0].status"),
        (lambda s: s["debtor"].update(kind="llc"), "debtor.kind"),
        (
            lambda s: s["debtor"].update(financial_statement={"income": "-1"}),
            "debtor.financial_statement.income",
        ),
    ],
)
def test_bad_values_in_the_new_fields_name_the_field(mutate, field):
    data = scenario()
    mutate(data)
    with pytest.raises(ScenarioError) as error:
        parse_scenario(data)
    assert error.value.field == field
