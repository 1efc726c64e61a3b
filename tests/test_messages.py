"""Messages: the checks on what a message says, and what amicable adds to every message."""

from __future__ import annotations

import pytest

from amicable.compliance.engine import as_json, decide
from amicable.compliance.scenario import parse_scenario
from amicable.messages.checks import ERROR, reading_grade, sms_size, tone
from amicable.messages.required import add_required

OPT_OUT = "https://pay.example/p/abc/stop"


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
    body = add_required(channel, bare, language, True, OPT_OUT)
    assert body.startswith(bare)
    result = as_json(decide(parse_scenario(scenario(channel, body))))
    assert result["decision"] == "allow", result
    bare_result = as_json(decide(parse_scenario(scenario(channel, bare))))
    assert bare_result["decision"] == "block"


def test_nothing_is_added_twice():
    text = "Hi Ana. This is from a debt collector. Reply STOP to stop texts to this number."
    assert add_required("sms", text, "en", True, OPT_OUT) == text


def test_an_email_without_an_opt_out_link_cannot_be_completed():
    with pytest.raises(ValueError, match=r"links\.opt_out"):
        add_required("email", "Hi", "en", False, None)


def test_a_letter_gets_the_disclosure_but_no_opt_out_line():
    body = add_required("letter", "Dear Ana,", "en", True, OPT_OUT)
    assert body == "Dear Ana,\n\nThis communication is from a debt collector."
    assert add_required("letter", "Dear Ana,", "en", False, OPT_OUT) == "Dear Ana,"


# ------------------------------------------------------------------------------------------- render


@pytest.fixture
def template_dir(tmp_path, monkeypatch):
    """A templates folder of the test's own, for templates with mistakes in them."""
    from amicable.messages import render as render_module

    monkeypatch.setattr(render_module, "TEMPLATES", tmp_path)
    render_module.environment.cache_clear()
    yield tmp_path
    render_module.environment.cache_clear()


def write(folder, relative: str, text: str) -> None:
    path = folder / relative
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")


def test_a_missing_variable_is_an_error_naming_the_file_never_a_blank(template_dir):
    from amicable.messages.render import TemplateError, render
    from amicable.messages.sample import sample_context

    write(template_dir, "sms/hello.en.j2", "{% block body %}Hi {{ customer.nickname }}{% endblock %}")
    with pytest.raises(TemplateError, match=r"sms/hello\.en\.j2: .*nickname"):
        render("sms", "hello", sample_context("en"), language="en")


def test_the_sandbox_refuses_to_reach_outside_the_context(template_dir):
    from amicable.messages.render import TemplateError, render
    from amicable.messages.sample import sample_context

    write(template_dir, "sms/sneaky.en.j2", "{% block body %}{{ customer.__class__.__mro__ }}{% endblock %}")
    with pytest.raises(TemplateError, match="sneaky"):
        render("sms", "sneaky", sample_context("en"), language="en")


def test_language_and_variant_fall_back_in_order(template_dir):
    """The customer's language first, then the variant: a British customer is not sent American
    wording for the sake of an experiment (the variant actually used is what is recorded)."""
    from amicable.messages.render import render
    from amicable.messages.sample import sample_context

    write(template_dir, "sms/note.en.j2", "{% block body %}Hello{% endblock %}")
    write(template_dir, "sms/note.en-GB.j2", "{% block body %}Hello from Britain{% endblock %}")
    write(template_dir, "sms/note.brief.en.j2", "{% block body %}Hi{% endblock %}")
    write(template_dir, "sms/note.es.j2", "{% block body %}Hola{% endblock %}")
    cases = [
        ("en-US", None, "sms/note.en.j2"),
        ("en-GB", None, "sms/note.en-GB.j2"),
        ("en-GB", "brief", "sms/note.en-GB.j2"),  # the customer's own wording first
        ("es-MX", "brief", "sms/note.es.j2"),
        ("fr", None, "sms/note.en.j2"),
    ]
    for language, variant, path in cases:
        message = render("sms", "note", sample_context("en"), language=language, variant=variant)
        assert message.path == path, (language, variant)


def test_money_and_dates_follow_the_customers_locale(template_dir):
    from amicable.messages.render import render
    from amicable.messages.sample import sample_context

    write(
        template_dir,
        "sms/due.en.j2",
        "{% block body %}{{ next_due.amount|money }} on {{ next_due.date|long_date }}{% endblock %}",
    )
    write(
        template_dir,
        "sms/due.es.j2",
        "{% block body %}{{ next_due.amount|money }} el {{ next_due.date|long_date }}{% endblock %}",
    )
    us = render("sms", "due", sample_context("en-US"), language="en-US").body
    gb = render("sms", "due", sample_context("en-GB"), language="en-GB").body
    es = render("sms", "due", sample_context("es"), language="es").body
    assert us.startswith("$61.40 on March 17, 2026")
    assert gb.startswith("£61.40 on 17 March 2026")
    assert es.startswith("61,40\xa0US$ el 17 de marzo de 2026")


def test_every_shipped_template_passes_its_checks(cli):
    """`amicable templates check` over the shipped templates: no errors (warnings are allowed)."""
    import json

    result = cli("templates", "check", "--json")
    assert result.exit_code == 0, result.output
    rows = json.loads(result.stdout)
    assert len(rows) >= 40
    assert all(not row["errors"] for row in rows)
    assert {row["template"].split("/")[0] for row in rows} == {"call", "email", "letter", "sms"}


def test_a_shipped_reminder_reads_well_in_english_and_spanish():
    from amicable.messages.render import render
    from amicable.messages.sample import sample_context

    for language in ("en", "es"):
        message = render(
            "sms", "reminder_upcoming", sample_context(language), language=language, regulation_f=True
        )
        assert "Northwind Energy" in message.body
        assert "STOP" in message.body
        assert (
            ("debt collector" in message.body) if language == "en" else ("cobrador de deudas" in message.body)
        )


@pytest.mark.parametrize(
    ("relative", "text", "context_change", "found"),
    [
        ("sms/bad.en.j2", "{% block body %}{{ account.ref|money }}{% endblock %}", {}, "is not an amount"),
        ("sms/bad.en.j2", "{% block body %}{{ balance + 1 }}{% endblock %}", {}, "bad.en.j2"),
        ("sms/bad.en.j2", "{% block subject %}Hi{% endblock %}", {}, "no {% block body %}"),
        (
            "email/bad.en.j2",
            "{% block subject %}Hi{% endblock %}{% block body %}Hi{% endblock %}",
            {"links": {}},
            "links.opt_out",
        ),
    ],
)
def test_every_template_mistake_is_reported_against_its_file(
    template_dir, relative, text, context_change, found
):
    from amicable.messages.render import TemplateError, render
    from amicable.messages.sample import sample_context

    write(template_dir, relative, text)
    channel = relative.split("/")[0]
    with pytest.raises(TemplateError) as caught:
        render(channel, "bad", sample_context("en") | context_change, language="en")
    assert str(caught.value).startswith(f"{relative}: ")
    assert found in str(caught.value)


def test_links_are_not_read_for_tone():
    # Personal links carry random tokens: capitals or a word such as "sue" inside one are not the message.
    text = "Pay here: https://pay.example/p/xQ-sue-ABCDEF/pay or write to LEGAL-ACTION@example.com"
    assert tone(text) == []
    assert tone("PAYMENT OVERDUE, see https://pay.example/p/abc") != []
