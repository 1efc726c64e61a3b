"""The call guide, decided from plain facts: what to check, say, ask and offer, and what voicemail."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from amicable.arrangements.options import plan_options
from amicable.arrangements.terms import parse_terms
from amicable.compliance.packs.us_regf_content import ATTEMPTING, FROM_COLLECTOR, USED_FOR
from amicable.guide.call import SAY, CallFacts, call_guide

COLLECTOR = frozenset({"GENERIC", "US-TCPA", "US-REGF"})
CREDITOR_US = frozenset({"GENERIC", "US-TCPA"})
UK = frozenset({"GENERIC", "UK"})


def facts(**changes) -> CallFacts:
    values = dict(
        packs=COLLECTOR,
        first_communication=True,
        debt_collector=True,
        language="en",
        creditor="Fairway",
        agent="Sam",
        phone="(617) 555-0100",
        identity_on_file=("date_of_birth", "postcode"),
        voicemail="Hello, this is Sam from Fairway. Please call me back at (617) 555-0100. Thank you.",
    )
    return CallFacts(**(values | changes))


def keys(points) -> list[str]:
    return [p.key for p in points]


def test_a_debt_collectors_first_call_gives_the_full_mini_miranda_and_a_validation_notice():
    guide = call_guide(facts())
    first, notice = guide.disclosures
    assert (first.key, first.rule, first.citation) == (
        "mini_miranda_first",
        "US-REGF-MINI-MIRANDA",
        "12 CFR 1006.18(e)",
    )
    assert "attempt to collect a debt" in first.says and first.says.startswith("This is Sam from Fairway.")
    assert notice.rule == "US-REGF-VALIDATION"
    assert "hide_collector" in keys(guide.not_before_identity)
    assert "no_overshadowing" in keys(guide.cautions)


def test_a_later_call_says_it_is_from_a_debt_collector():
    guide = call_guide(facts(first_communication=False, language="es"))
    assert keys(guide.disclosures) == ["who_we_are", "mini_miranda"]
    assert guide.disclosures[1].says == "Esta llamada es de un cobrador de deudas."


def test_an_original_creditor_gives_no_mini_miranda():
    guide = call_guide(facts(packs=CREDITOR_US, debt_collector=False))
    assert keys(guide.disclosures) == ["who_we_are"]
    assert all(p.rule != "US-REGF-MINI-MIRANDA" for p in guide.disclosures)
    assert "hide_collector" not in keys(guide.not_before_identity)
    assert guide.voicemail.rule == ""


@pytest.mark.parametrize("language", sorted(SAY))
def test_the_spoken_disclosures_are_what_the_rule_packs_accept(language):
    said = SAY[language]
    assert ATTEMPTING.search(said["mini_miranda_first"]) and USED_FOR.search(said["mini_miranda_first"])
    assert FROM_COLLECTOR.search(said["mini_miranda"])


def test_in_the_uk_we_say_who_we_are_signpost_advice_and_do_not_press():
    guide = call_guide(
        facts(
            packs=UK, advice=(("StepChange", "stepchange.org"),), language="en-GB", first_communication=False
        )
    )
    assert [(p.key, p.rule) for p in guide.disclosures] == [("who_we_are", "UK-CONC-CONTACT")]
    assert "a debt collection agency" in guide.disclosures[0].says
    assert "no_pressure" in keys(guide.cautions)
    advice = guide.help[0]
    assert (advice.rule, advice.params["name"]) == ("UK-CONC-ADVICE", "StepChange")
    assert "breathing_space" in keys(guide.help)
    assert guide.voicemail.rule == "UK-CONC-CONTACT"


def test_identity_comes_first_with_what_is_on_file():
    assert keys(call_guide(facts()).identity) == [
        "ask_for_customer",
        "confirm_date_of_birth",
        "confirm_postcode",
        "someone_else",
    ]
    assert keys(call_guide(facts(identity_on_file=(), is_business=True)).identity) == [
        "ask_for_customer_business",
        "confirm_address",
        "someone_else",
    ]


def test_open_questions_listening_and_texas_are_always_there():
    guide = call_guide(facts())
    assert keys(guide.questions)[0] == "challenges"
    assert "say_back" in keys(guide.listening)
    assert keys(guide.texas) == ["thank", "explain", "consent", "ask", "signpost"]
    assert keys(call_guide(facts(is_business=True)).questions)[0] == "business_hold_up"


def test_the_plans_that_fit_are_offered_with_their_schedule():
    today = date(2026, 3, 10)
    options = plan_options(Decimal("600.00"), "USD", today, parse_terms({"settlement_max_discount": "0.1"}))
    guide = call_guide(facts(options=options.options))
    kinds = [o.kind for o in guide.offers]
    assert kinds[:2] == ["full", "settlement"] and "monthly" in kinds
    monthly = next(o for o in guide.offers if o.kind == "monthly")
    assert monthly.payments * monthly.instalment >= Decimal("600.00") and monthly.first_due > today
    assert guide.may_ask_for_payment


def test_holds_say_what_the_call_must_not_do_and_stop_asking_for_payment():
    guide = call_guide(facts(holds=frozenset({"dispute"})))
    assert ("hold_dispute", "US-REGF-DISPUTE") in [(p.key, p.rule) for p in guide.cautions]
    assert not guide.may_ask_for_payment
    assert guide.voicemail.leave  # a disputed debt may still get a call back
    ceased = call_guide(facts(packs=CREDITOR_US, holds=frozenset({"cease"})))
    assert ("hold_cease", "GEN-HOLD-CEASE") in [(p.key, p.rule) for p in ceased.cautions]
    assert not ceased.voicemail.leave


def test_the_voicemail_is_limited_content_and_left_only_when_it_passes():
    guide = call_guide(facts())
    vm = guide.voicemail
    assert (vm.rule, vm.citation, vm.leave) == ("US-REGF-LCM", "12 CFR 1006.2(j)", True)
    assert vm.required == ("business_name", "request_reply", "person", "phone")
    flagged = call_guide(facts(voicemail_problems=("found 'Recoveries'",))).voicemail
    assert not flagged.leave and flagged.problems == ("found 'Recoveries'",)
    no_number = call_guide(facts(phone="")).voicemail
    assert not no_number.leave and keys(no_number.why_not) == ["no_phone"]
