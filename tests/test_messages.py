"""Messages: the checks on what a message says, and what amicable adds to every message."""

from __future__ import annotations

import pytest

from amicable.compliance.engine import as_json, decide
from amicable.compliance.scenario import parse_scenario
from amicable.messages.checks import ERROR, reading_grade, sms_size, tone
from amicable.messages.required import add_required

LINKS = {"opt_out": "https://pay.example/p/abc/stop"}


@pytest.mark.parametrize(
    ("text", "kind"),
    [
        ("If you do not pay we will take legal action.", "threatening"),
        ("We may sue you for this.", "threatening"),
        ("Your employer will hear about this.", "shaming"),
        ("FINAL NOTICE: pay now.", "false urgency"),
        ("Please pay within 7 days.", "false urgency"),
        ("Failure to pay will have consequences.", "legal-sounding"),
        ("You must pay the balance.", "legal-sounding"),
        ("Tomamos acción legal si no paga.", "threatening"),
    ],
)
def test_tone_blocks_threats_shame_rush_and_legal_phrasing(text, kind):
    findings = tone(text)
    assert findings and all(f.level == ERROR for f in findings)
    assert any(kind in f.message for f in findings), findings


def test_shouting_in_capitals_is_caught_but_acronyms_are_not():
    assert any("capitals" in f.message for f in tone("Your PAYMENT is OVERDUE"))
    assert tone("Reply STOP to stop texts. Amounts in USD.") == []


def test_a_kind_message_passes_the_tone_check():
    assert tone("Hi Ana, a friendly reminder that 61.40 is due on 17 March. Thank you!") == []


def test_reading_grade_is_low_for_plain_words_and_high_for_dense_ones():
    plain = "Hi Ana. Your bill is due next week. You can pay online. Call us if you need help."
    dense = (
        "Notwithstanding the aforementioned considerations, remittance of the outstanding indebtedness "
        "necessitates immediate consideration of alternative repayment methodologies."
    )
    assert reading_grade(plain) < 6
    assert reading_grade(dense) > 12


@pytest.mark.parametrize(
    ("text", "encoding", "segments"),
    [
        ("a" * 160, "GSM-7", 1),
        ("a" * 161, "GSM-7", 2),
        ("a" * 306, "GSM-7", 2),
        ("a" * 307, "GSM-7", 3),
        ("€" * 80, "GSM-7", 1),  # an extended character takes two septets
        ("€" * 81, "GSM-7", 2),
        ("Hola, ¿cómo está?", "UCS-2", 1),  # ó is not in GSM-7
        ("ó" * 71, "UCS-2", 2),
        ("It\u2019s due", "UCS-2", 1),  # a curly apostrophe forces UCS-2
    ],
)
def test_sms_encoding_and_segments(text, encoding, segments):
    size = sms_size(text)
    assert (size.encoding, size.segments) == (encoding, segments)


def scenario(channel: str, content: str, language_text: str = "") -> dict:
    return {
        "now": "2026-03-10T12:00:00-05:00",
        "debtor": {"jurisdictions": ["US", "US-NY"], "timezones": ["America/New_York"]},
        "creditor": {"role": "debt_collector"},
        "contact": {"channel": channel, "debts": ["A"], "purpose": "collection", "content": content},
        "history": [
            {
                "at": "2026-03-01T12:00:00-05:00",
                "channel": "letter",
                "direction": "outbound",
                "debts": ["A"],
                "outcome": "sent",
            }
        ],
    }


@pytest.mark.parametrize("language", ["en", "en-GB", "es"])
@pytest.mark.parametrize("channel", ["sms", "email"])
def test_what_amicable_adds_is_what_the_rules_accept(channel, language):
    """A template without an opt-out line or a disclosure gets them, in the message's language, and the
    compliance engine then allows the message."""
    bare = "Hola Ana, le recordamos su pago." if language == "es" else "Hi Ana, a reminder about your bill."
    body = add_required(channel, bare, language, True, LINKS)
    assert body.startswith(bare)
    result = as_json(decide(parse_scenario(scenario(channel, body))))
    assert result["decision"] == "allow", result
    bare_result = as_json(decide(parse_scenario(scenario(channel, bare))))
    assert bare_result["decision"] == "block"


def test_nothing_is_added_twice():
    text = "Hi Ana. This is from a debt collector. Reply STOP to stop texts to this number."
    assert add_required("sms", text, "en", True, LINKS) == text


def test_an_email_without_an_opt_out_link_cannot_be_completed():
    with pytest.raises(ValueError, match=r"links\.opt_out"):
        add_required("email", "Hi", "en", False, {})


def test_a_letter_gets_the_disclosure_but_no_opt_out_line():
    body = add_required("letter", "Dear Ana,", "en", True, LINKS)
    assert body == "Dear Ana,\n\nThis communication is from a debt collector."
    assert add_required("letter", "Dear Ana,", "en", False, LINKS) == "Dear Ana,"
