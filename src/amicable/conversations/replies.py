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

from babel.dates import format_date, format_time
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


PLAN = {
    "en": "{creditor}: you can pay {ref} in instalments, from {offer}. Choose yours at {link}, or reply.",
    "es": "{creditor}: puede pagar la cuenta {ref} a plazos, desde {offer}. Elija en {link} o responda.",
}
HARDSHIP = {
    "en": "{creditor}: thank you for telling us. We've paused collection on {ref} until {until}. {plans}"
    "Free debt advice: {advice}.",
    "es": "{creditor}: gracias por contarnos. Pausamos el cobro de {ref} hasta el {until}. {plans}"
    "Ayuda gratuita: {advice}.",
}
HARDSHIP_PLANS = {
    "en": "Plans from {lowest}: {link}. ",
    "es": "Plazos desde {lowest}: {link}. ",
}
VULNERABILITY = {
    "en": "{creditor}: thank you for telling us, and we're sorry. We've paused collection, and a specialist "
    "will be in touch to see how we can help.",
    "es": "{creditor}: gracias por contarnos, y lo sentimos mucho. Pausamos el cobro y una persona "
    "especializada le va a contactar para ayudarle.",
}
PAYMENT_FOUND = {
    "en": "{creditor}: thank you, we have your payment of {amount} from {date} on account {ref}.",
    "es": "{creditor}: gracias, recibimos su pago de {amount} del {date} (cuenta {ref}).",
}
PAYMENT_REFERENCE = {
    "en": "{creditor}: thank you. We can't see that payment on {ref} yet. Please reply with the date, the "
    "amount and how you paid (and any reference), and we'll check.",
    "es": "{creditor}: gracias. No vemos ese pago en {ref} por ahora. Responda con la fecha, el importe, la "
    "forma de pago y la referencia, y lo revisamos.",
}
COMPLAINT = {
    "en": "{creditor}: we're sorry about your experience. A supervisor will look into your complaint and "
    "answer you by {date}.",
    "es": "{creditor}: lamentamos lo ocurrido. Un supervisor va a revisar su queja y le va a responder antes "
    "del {date}.",
}
CALLBACK = {
    "en": "{creditor}: we'll call you on {date} at {time}, as you asked.",
    "es": "{creditor}: le vamos a llamar el {date} a las {time}. Gracias.",
}
EVERY = {
    "en": {"weekly": "a week", "fortnightly": "a fortnight", "monthly": "a month"},
    "es": {"weekly": "a la semana", "fortnightly": "cada dos semanas", "monthly": "al mes"},
}


def plan_options(
    language: str, *, creditor: str, ref: str, options, link: str, debt_collector: bool, **lines
) -> str:
    """The lowest instalment on offer, and the portal to see and choose every plan: a text has room
    for one figure, and the portal shows the rest with their schedules."""
    lang = _language(language)
    text = PLAN[lang].format(creditor=creditor, ref=ref, offer=_lowest(options, language), link=link)
    return _with_lines(text, lang, debt_collector, **lines)


def _lowest(options, language: str) -> str:
    """The smallest regular payment on offer ("$5.00 a week"), preferring a monthly one."""
    lang = _language(language)
    chosen = next((o for o in options if o.kind == "monthly"), None) or min(
        options, key=lambda o: o.instalment
    )
    return f"{_money(chosen.instalment, chosen.currency, language)} {EVERY[lang][chosen.kind]}"


def hardship_support(
    language: str,
    *,
    creditor: str,
    ref: str,
    until: date,
    options,
    link: str,
    advice: list[tuple[str, str]],
    debt_collector: bool,
    **lines,
) -> str:
    lang = _language(language)
    plans = ""
    if options:
        plans = HARDSHIP_PLANS[lang].format(lowest=_lowest(options, language), link=link)
    # Two places at most fit in a text; the portal and the letters name them all.
    where = ", ".join(site for _, site in advice[:2]) or (
        "a free, independent adviser" if lang == "en" else "un asesor gratuito"
    )
    text = HARDSHIP[lang].format(
        creditor=creditor, ref=ref, until=_day(until, language), plans=plans, advice=where
    )
    return _with_lines(text, lang, debt_collector, **lines)


def vulnerability_acknowledgement(language: str, *, creditor: str, debt_collector: bool, **lines) -> str:
    lang = _language(language)
    return _with_lines(VULNERABILITY[lang].format(creditor=creditor), lang, debt_collector, **lines)


def payment_found(
    language: str,
    *,
    creditor: str,
    ref: str,
    amount: Decimal,
    currency: str,
    on: date,
    debt_collector: bool,
    **lines,
) -> str:
    lang = _language(language)
    text = PAYMENT_FOUND[lang].format(
        creditor=creditor, ref=ref, amount=_money(amount, currency, language), date=_day(on, language)
    )
    return _with_lines(text, lang, debt_collector, **lines)


def payment_reference_request(
    language: str, *, creditor: str, ref: str, debt_collector: bool, **lines
) -> str:
    lang = _language(language)
    return _with_lines(
        PAYMENT_REFERENCE[lang].format(creditor=creditor, ref=ref), lang, debt_collector, **lines
    )


def complaint_acknowledgement(
    language: str, *, creditor: str, respond_by: date, debt_collector: bool, **lines
) -> str:
    lang = _language(language)
    text = COMPLAINT[lang].format(creditor=creditor, date=_day(respond_by, language))
    return _with_lines(text, lang, debt_collector, **lines)


def callback_confirmation(language: str, *, creditor: str, when, debt_collector: bool, **lines) -> str:
    """`when` in the customer's own zone."""
    lang = _language(language)
    locale = babel_locale(language)
    text = CALLBACK[lang].format(
        creditor=creditor,
        # English names the weekday; Spanish ones carry accents, which would double a text's size.
        date=format_date(when.date(), format="full" if lang == "en" else "long", locale=locale),
        time=format_time(when.time(), format="short", locale=locale),
    )
    return _with_lines(text, lang, debt_collector, **lines)


def _money(amount: Decimal, currency: str, language: str) -> str:
    # Babel puts a no-break space between the number and the sign in Spanish ("5,00\xa0US$"), which is
    # not in the GSM alphabet: a plain space keeps the text in GSM where its words allow.
    return format_currency(amount, currency, locale=babel_locale(language)).replace("\xa0", " ")


def _day(on: date, language: str) -> str:
    return format_date(on, format="long", locale=babel_locale(language))
