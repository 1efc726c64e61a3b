"""What every message must carry, added when a template leaves it out (docs/messages.md):

- SMS: how to opt out by text (US-REGF-OPTOUT-NOTICE; TCPA);
- email: an opt-out link;
- where Regulation F applies, the debt-collector disclosure (US-REGF-MINI-MIRANDA): in full in a first
  communication about a debt, the short form in later ones.

The checks that look for these are the compliance engine's own patterns, so what is added is what
the rules accept.
"""

from __future__ import annotations

from amicable.compliance.packs.us_regf import EMAIL_OPT_OUT, SMS_OPT_OUT
from amicable.compliance.packs.us_regf_content import ATTEMPTING, FROM_COLLECTOR, USED_FOR

_SMS_STOP = {
    "en": "Reply STOP to stop texts to this number.",
    "es": "Responda STOP para dejar de recibir textos.",
}
_EMAIL_OPT_OUT = {
    "en": "To stop emails to this address, unsubscribe here: {url}",
    "es": "Para no recibir más correos en esta dirección, cancele la suscripción aquí: {url}",
}
_FIRST_DISCLOSURE = {
    "en": "This is an attempt to collect a debt by a debt collector. Any information obtained will be used "
    "for that purpose.",
    "es": "Este es un intento de cobrar una deuda por parte de un cobrador de deudas. Cualquier información "
    "obtenida se utilizará con ese fin.",
}
_DISCLOSURE = {
    "en": "This communication is from a debt collector.",
    "es": "Mensaje de un cobrador de deudas.",
}
# The compliance engine's own patterns: what is added is what the rules accept.
_HAS_SMS_STOP = SMS_OPT_OUT
_HAS_OPT_OUT_LINK = EMAIL_OPT_OUT


def _has_disclosure(body: str) -> bool:
    return bool(FROM_COLLECTOR.search(body) or ATTEMPTING.search(body))


def _lang(language: str) -> str:
    return "es" if language.split("-")[0] == "es" else "en"


def add_required(
    channel: str,
    body: str,
    language: str,
    regulation_f: bool,
    opt_out_url: str | None,
    first: bool = False,
) -> str:
    """`first`: the first communication about the debt, which needs the full disclosure."""
    lang = _lang(language)
    additions = []
    if regulation_f and channel in {"email", "sms", "letter"}:
        if first and not (ATTEMPTING.search(body) and USED_FOR.search(body)):
            additions.append(_FIRST_DISCLOSURE[lang])
        elif not first and not _has_disclosure(body):
            additions.append(_DISCLOSURE[lang])
    if channel == "sms" and not _HAS_SMS_STOP.search(body):
        additions.append(_SMS_STOP[lang])
    if channel == "email" and not _HAS_OPT_OUT_LINK.search(body):
        if not opt_out_url:
            raise ValueError("an email needs links.opt_out for its opt-out line")
        additions.append(_EMAIL_OPT_OUT[lang].format(url=opt_out_url))
    if not additions:
        return body
    joiner = " " if channel == "sms" else "\n\n"
    return body + joiner + joiner.join(additions)
