"""The words of our answers to what customers send, in English and Spanish (pure).

The opt-out confirmation says only that: the FCC's TCPA rules allow one confirming text after a
revocation, with nothing else in it. The other replies get what every message must carry from the
same place every template does (messages/required.py): the opt-out line, and the debt-collector
disclosure where Regulation F applies (1006.18(e)). Each fits in three text segments. By email
(channel="email") the opt-out line is the unsubscribe link, and the answer has a subject.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from babel.dates import format_date
from babel.numbers import format_currency

from amicable.messages.render import babel_locale
from amicable.messages.required import add_required

OPT_OUT = {
    "en": "{creditor}: you're unsubscribed and won't get any more texts from us on this number.",
    "es": "{creditor}: se ha dado de baja y no recibirá más mensajes nuestros en este número.",
}
DISPUTE = {
    "en": "{creditor}: we've received your dispute about account {ref}. We've paused collection on it "
    "while we look into it, and will send you what we find in writing.",
    "es": "{creditor}: recibimos su disputa sobre la cuenta {ref}. Pausamos el cobro mientras la "
    "revisamos y le responderemos por escrito.",
}
OPT_OUT_EMAIL = {
    "en": "{creditor}: you're unsubscribed and won't get any more emails from us at this address.",
    "es": "{creditor}: se ha dado de baja y no recibirá más correos nuestros en esta dirección.",
}
SUBJECT = {"en": "Your message to {creditor}", "es": "Su mensaje a {creditor}"}
PROMISE = {
    "en": "{creditor}: thank you. We've noted your payment of {amount} on {date} for account {ref}.",
    "es": "{creditor}: gracias. Anotamos su pago de {amount} el {date} (cuenta {ref}).",
}


def _language(language: str) -> str:
    return "es" if language.startswith("es") else "en"


def opt_out_confirmation(language: str, *, creditor: str, channel: str = "sms") -> str:
    words = OPT_OUT_EMAIL if channel == "email" else OPT_OUT
    return words[_language(language)].format(creditor=creditor)


def subject(language: str, *, creditor: str, theirs: str = "") -> str:
    """An email answer's subject: "Re: " and the customer's own subject, so it threads in their mail
    program; without one, a plain one in their language."""
    theirs = " ".join(theirs.split())
    if not theirs:
        return SUBJECT[_language(language)].format(creditor=creditor)
    if theirs.lower().startswith(("re:", "aw:", "sv:")):
        return theirs[:300]
    return f"Re: {theirs}"[:300]


def dispute_acknowledgement(
    language: str,
    *,
    creditor: str,
    ref: str,
    debt_collector: bool,
    channel: str = "sms",
    opt_out_url: str | None = None,
) -> str:
    lang = _language(language)
    text = DISPUTE[lang].format(creditor=creditor, ref=ref)
    return _with_lines(text, lang, debt_collector, channel, opt_out_url)


def promise_confirmation(
    language: str,
    *,
    creditor: str,
    ref: str,
    amount: Decimal,
    currency: str,
    on: date,
    debt_collector: bool,
    channel: str = "sms",
    opt_out_url: str | None = None,
) -> str:
    lang = _language(language)
    locale = babel_locale(language)
    text = PROMISE[lang].format(
        creditor=creditor,
        ref=ref,
        amount=format_currency(amount, currency, locale=locale),
        date=format_date(on, format="long", locale=locale),
    )
    return _with_lines(text, lang, debt_collector, channel, opt_out_url)


def _with_lines(
    text: str, language: str, debt_collector: bool, channel: str = "sms", opt_out_url: str | None = None
) -> str:
    return add_required(channel, text, language, regulation_f=debt_collector, opt_out_url=opt_out_url)
