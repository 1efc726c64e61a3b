"""Reading replies: the must-not-miss rules, the customer's own words, dates and amounts in the
customer's time zone, the classifier's held-out accuracy, and `amicable inbound classify`."""

from __future__ import annotations

import json
from datetime import date, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest

from amicable.understanding.clean import own_words
from amicable.understanding.entities import detect_language, extract
from amicable.understanding.model import INTENTS, classify, evaluate, load_examples
from amicable.understanding.rules import must_not_miss

UTC = ZoneInfo("UTC")
TUESDAY = datetime(2026, 11, 24, 15, 0, tzinfo=UTC)  # 10:00 in New York, 15:00 in London


@pytest.mark.parametrize(
    "text",
    [
        "STOP",
        "stop",
        "Stop.",
        "STOPALL",
        "unsubscribe",
        "Cancel",
        "BAJA",
        "alto",
        "can u stop txting me pls",
        "Please stop calling me",
        "Do not email me again.",
        "remove my number from your list",
        "take me off your list!!",
        "no more texts",
        "I want you to cease all contact with me",
        "no me llamen más",
        "Dejen de escribirme por favor",
        "quiero darme de baja",
        "no quiero recibir más mensajes",
        "Don\u2019t text me again",  # a phone's curly apostrophe
        "take me off your list",
    ],
)
def test_every_way_of_saying_stop_is_caught_by_the_rules(text):
    assert "opt_out" in must_not_miss(text)


@pytest.mark.parametrize(
    "text",
    [
        "I don't owe this",
        "i dont owe u anything",
        "This is not my debt",
        "that account isn't mine",
        "I never opened an account with you",
        "I dispute this debt, send me validation of the debt",
        "Someone used my name, this is identity theft",
        "the amount is wrong",
        "No debo nada",
        "no es mi deuda",
        "Esa deuda no es mía",
        "No reconozco esta deuda",
        "nunca tuve una cuenta con ustedes",
        "el importe está mal",
        "I don\u2019t owe you anything",
        "It isn\u2019t mine",
        "no le debo",
        "I never signed anything",
        "someone opened this in my name",
    ],
)
def test_every_way_of_saying_not_owed_is_caught_by_the_rules(text):
    assert "dispute" in must_not_miss(text)


@pytest.mark.parametrize(
    "text",
    [
        "I can pay 50 on Friday",
        "I'll stop by the branch to pay",
        "can you stop the interest while I pay?",
        "te pago el 15",
        "what is the balance?",
        "I owe you 50 and will pay it Friday",
        "thanks, got it",
        # past tenses, names and other senses of the same words
        "No me mandaron el link para pagar",
        "No me llamaron ayer",
        "Yo no me llamo Maria",
        "You never called me back",
        "Can you take me off autopay?",
        "remove me from the joint account",
        "quiero sacarme de deudas",
        "The loan is in my name, I'll pay friday",
        "La cuenta esta a mi nombre",
        "No debo atrasarme otra vez",
        "I didn't have the card with me yesterday",
        "I didn't open your letter yet",
        "I'm not disputing it",
        "Sorry it was a mistake, I forgot to pay",
    ],
)
def test_ordinary_replies_set_off_no_rule(text):
    assert must_not_miss(text) == []


def test_a_message_that_stops_and_disputes_is_both():
    assert must_not_miss("I don't owe this. Stop texting me.") == ["opt_out", "dispute"]


def test_quoted_history_and_signatures_are_not_the_customers_words():
    email = (
        "Hi,\n\nI will pay £40 on the 15th.\n\nThanks\nSam\n"
        "--\nSam Lee | Lee Plumbing\n"
        "On Mon, 3 Mar 2026 at 09:00, Northwind <care@example.com> wrote:\n"
        "> Your payment of £120.50 is due on Friday.\n> Reply STOP to opt out."
    )
    assert own_words(email) == "Hi,\n\nI will pay £40 on the 15th.\n\nThanks\nSam"
    spanish = (
        "Ya pagué ayer.\n\nEnviado desde mi iPhone\n\nEl lun, 3 mar 2026, Northwind escribió:\n> Pague hoy"
    )
    assert own_words(spanish) == "Ya pagué ayer."
    assert must_not_miss(own_words(email)) == []  # the quoted "Reply STOP" is ours, not theirs


OURS = "Northwind Energy <messages@localhost>"


@pytest.mark.parametrize(
    "history",
    [
        f"On Mon, 9 Mar 2026 at 10:15, {OURS} wrote:\n\n> Reply STOP to stop\n> STOP",
        # Gmail wraps a long attribution line.
        "On Mon, Mar 9, 2026 at 10:15\u202fAM Northwind Energy <\nmessages@localhost> wrote:\n> STOP",
        f"Sent from my iPhone\n\n> On 9 Mar 2026, at 10:15, {OURS} wrote:\n>\n> STOP",
        "-----Original Message-----\nFrom: Northwind Energy [mailto:messages@localhost]\n"
        "Sent: Monday, March 9, 2026 10:15 AM\nTo: Ann\nSubject: Reminder\n\nReply STOP",
        f"________________________________\nFrom: {OURS}\nSent: Monday, March 9, 2026 10:15 AM\n"
        "To: Ann Lee <ann@example.com>\nSubject: Reminder\n\nSTOP",
        f"From: {OURS}\nSent: Monday, March 9, 2026 10:15 AM\nTo: Ann Lee\nSubject: Reminder\n\nSTOP",
        f"From: {OURS}\nDate: Monday, 9 March 2026 at 10:15\nTo: Ann Lee\n\nSTOP",  # Outlook for Mac
        "---------- Forwarded message ---------\nFrom: Northwind Energy\nDate: Mon, 9 Mar 2026\n\nSTOP",
        "-- \nAnn Lee\nSTOP Plumbing Ltd",  # a signature
        "Get Outlook for iOS<https://aka.ms/o0ukef>\n________________________________\nFrom: Northwind\nSTOP",
        "El lun, 9 mar 2026 a las 10:15, Northwind Energy (<\nmessages@localhost>) escribió:\n> STOP",
        f"De: {OURS}\nEnviado: lunes, 9 de marzo de 2026 10:15\nPara: Ann\nAsunto: Recordatorio\n\nSTOP",
        "-----Mensaje original-----\nDe: Northwind\n\nSTOP",
    ],
)
def test_typical_email_replies_keep_only_the_customers_words(history):
    reply = f"I can pay 50 on Friday\n\n{history}".replace("\n", "\r\n")  # as mail is sent
    assert own_words(reply) == "I can pay 50 on Friday"
    assert must_not_miss(own_words(reply)) == []


def test_a_from_line_of_the_customers_own_is_not_a_quoted_header():
    text = "I will pay 40 on Friday.\nFrom: my husband's account\nPlease stop emailing me"
    assert own_words(text) == text  # the request to stop is theirs and must be read
    assert "opt_out" in must_not_miss(own_words(text))


@pytest.mark.parametrize(
    ("text", "expected_date", "amount", "currency"),
    [
        ("I can pay 50 on Friday", date(2026, 11, 27), "50", None),
        ("te pago el 15", date(2026, 12, 15), None, None),
        ("gonna send $20 tmrw", date(2026, 11, 25), "20", "USD"),
        ("I'll pay £75 next Monday", date(2026, 11, 30), "75", "GBP"),
        ("el viernes pago 50", date(2026, 11, 27), "50", None),
        ("deposito 100 pesos el lunes", date(2026, 11, 30), "100", "MXN"),
        ("paying 30 quid end of month", date(2026, 11, 30), "30", "GBP"),
        ("I can pay 1,200.50 on 12/3", date(2026, 12, 3), "1200.50", None),  # US: month first
        ("te pago 50,50 el 15 de diciembre", date(2026, 12, 15), "50.50", None),
        ("can pay fifty on fri", date(2026, 11, 27), "50", None),
        ("call me after 6pm", None, None, None),
        ("I will pay on Tuesday", date(2026, 12, 1), None, None),  # said on a Tuesday: next week's
        ("I can pay 10.05 on friday", date(2026, 11, 27), "10.05", None),  # an amount, not 5 October
        ("pay 20.50", None, "20.50", None),
        ("I will pay 40 in 2 weeks", date(2026, 12, 8), "40", None),
        ("STOP. Born 1/1/0000", None, None, None),  # no year 0, and no crash
        ("", None, None, None),
    ],
)
def test_dates_and_amounts_are_read_from_the_day_the_message_arrived(text, expected_date, amount, currency):
    found = extract(text, received_at=TUESDAY, timezone="America/New_York", country="US")
    assert found.date == expected_date
    assert found.amount == (Decimal(amount) if amount else None)
    assert found.currency == currency


def test_the_day_is_the_customers_own():
    # 02:00 UTC on Wednesday is still Tuesday evening in Los Angeles: "tomorrow" is Wednesday there.
    late = datetime(2026, 11, 25, 2, 0, tzinfo=UTC)
    assert extract("pay tmrw", received_at=late, timezone="America/Los_Angeles").date == date(2026, 11, 25)
    assert extract("pay tmrw", received_at=late, timezone="Europe/London").date == date(2026, 11, 26)
    # Outside the US a numeric date is day first.
    assert extract("pay on 12/3", received_at=TUESDAY, timezone="Europe/London", country="GB").date == date(
        2027, 3, 12
    )


def test_a_payment_already_made_is_dated_in_the_past():
    found = extract("I paid on the 20th", received_at=TUESDAY, timezone="UTC", past=True)
    assert found.date == date(2026, 11, 20)
    assert classify("I already paid this on Friday", received_at=TUESDAY).entities.date == date(2026, 11, 20)


def test_language_is_told_from_the_words_and_falls_back_when_too_short():
    assert detect_language("no me llamen más por favor") == "es"
    assert detect_language("I will pay next week") == "en"
    assert detect_language("ok", default="es") == "es"


def test_classify_puts_the_rules_first_and_reports_the_rest():
    stop = classify("I don't owe this. Stop texting me.", received_at=TUESDAY)
    assert (stop.intent, stop.confidence, stop.source, stop.also) == ("opt_out", 1.0, "rule", ("dispute",))
    promise = classify("I can pay 50 on Friday", received_at=TUESDAY, timezone="America/New_York")
    assert promise.intent == "promise_to_pay" and promise.source == "model"
    assert promise.entities.date == date(2026, 11, 27) and promise.entities.amount == Decimal("50")


def test_the_labelled_set_covers_every_intent_in_both_languages():
    examples = load_examples()
    assert len(examples) >= 600
    for intent in INTENTS:
        for language in ("en", "es"):
            assert sum(e.intent == intent and e.language == language for e in examples) >= 10, (
                intent,
                language,
            )
    assert sum(e.form == "email" for e in examples) >= 100
    assert len({e.text for e in examples}) == len(examples)


def test_held_out_accuracy_and_the_rules_recall():
    figures = evaluate()
    assert figures["held_out"] >= 120
    assert figures["accuracy"] >= 0.75
    assert figures["rules"]["opt_out"]["caught"] >= 0.95 * figures["rules"]["opt_out"]["of"]
    assert figures["rules"]["dispute"]["caught"] >= 0.95 * figures["rules"]["dispute"]["of"]
    assert sum(map(sum, figures["confusion"])) == figures["held_out"]


def test_inbound_classify_prints_the_json_the_integrations_read(cli):
    result = cli(
        "inbound",
        "classify",
        "I can pay 50 on Friday",
        "--at",
        "2026-11-24T10:00:00-05:00",
        "--timezone",
        "America/New_York",
        "--json",
    )
    assert result.exit_code == 0, result.output
    answer = json.loads(result.output)
    assert answer["intent"] == "promise_to_pay"
    assert answer["entities"] == {"date": "2026-11-27", "amount": "50", "currency": None}
    assert answer["language"] == "en" and 0 < answer["confidence"] <= 1


def test_inbound_classify_names_a_bad_time_zone_or_time(cli):
    result = cli("inbound", "classify", "STOP", "--timezone", "Mars/Olympus")
    assert result.exit_code == 2 and "'Mars/Olympus' is not an IANA time zone" in result.output
    result = cli("inbound", "classify", "STOP", "--at", "2026-11-24T10:00")
    assert result.exit_code == 2 and "has no UTC offset" in result.output


@pytest.mark.parametrize(
    "text, day, at",
    [
        ("call me tomorrow at 3pm", "2026-11-25", "15:00"),
        ("llámame mañana a las 5 de la tarde", "2026-11-25", "17:00"),
        ("can you ring me at 5", None, "17:00"),  # a bare 5 is in the afternoon
        ("call me after 6:30 p.m.", None, "18:30"),
        ("ring me this afternoon", None, "14:00"),
        ("I will pay $20 at 10am friday", "2026-11-27", "10:00"),
    ],
)
def test_the_time_of_day_asked_for_is_read_and_not_taken_for_an_amount(text, day, at):
    found = extract(
        text, received_at=datetime(2026, 11, 24, 15, tzinfo=UTC), timezone="America/New_York", country="US"
    )
    assert (found.date.isoformat() if found.date else None) == day
    assert found.time.strftime("%H:%M") == at
    assert found.amount in (None, Decimal("20"))
