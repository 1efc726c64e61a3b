"""One contact, composed: its words rendered from the ledger, checked, and judged by the compliance
engine. The planner's writer, dispatch (again, at send time) and `amicable preview` all use this."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date, datetime
from typing import Any

from amicable.compliance.decision import Decision, Effect
from amicable.compliance.engine import decide
from amicable.compliance.packs.us_regf_content import first_communication
from amicable.compliance.scenario import parse_scenario
from amicable.messages.checks import ERROR, Finding, check_message
from amicable.messages.render import Rendered, TemplateError, render

from .context import message_context
from .facts import AccountFacts
from .scenario_db import scenario_for

MESSAGE_CHECK = "AMICABLE-MESSAGE-CHECK"
# The playbook name of a one-off message a person wrote from a template (cycle/one_off.py): it goes in
# the language they chose, at send time too.
ONE_OFF = "one_off"
SMS_SEGMENTS = (
    3  # the most segments a text may take (docs/messages.md)  # the id message problems are reported under
)


@dataclass(frozen=True, slots=True)
class Composed:
    rendered: Rendered | None  # None when the template could not be rendered
    status: str  # queued, deferred or blocked
    scheduled_at: datetime
    reasons: list[dict[str, Any]]
    scenario: dict[str, Any]
    decision: Decision | None
    findings: tuple[Finding, ...] = ()  # every message check's finding, warnings too


def reason_json(decision: Decision) -> list[dict[str, Any]]:
    return [
        {"rule": r.rule, "citation": r.citation, "effect": r.effect.value, "message": r.message}
        for r in decision.reasons
    ]


def _problem(message: str) -> dict[str, Any]:
    return {"rule": MESSAGE_CHECK, "citation": "docs/messages.md", "effect": "block", "message": message}


def envelope_text(facts: AccountFacts) -> str:
    """What shows on a letter's envelope: the return address alone, no name that could reveal a debt."""
    return " ".join(facts.account.creditor.postal_address.split())


def compose(
    facts: AccountFacts,
    *,
    channel: str,
    template: str,
    variant: str | None,
    purpose: str,
    today: date,
    at: datetime,
    reply_token: str,
    point,
    language: str | None = None,
) -> Composed:
    """`language`: a language a person chose for a one-off message; by default the customer's."""
    account = facts.account
    context = message_context(facts, today, reply_token)
    if language:
        context["language"] = language
    regulation_f = account.customer.country == "US" and (
        account.creditor.role == "debt_collector" or account.creditor.applies_regulation_f
    )
    use = "marketing" if purpose == "marketing" else "collection"
    # The call itself is judged; its voicemail's words are checked by the voicemail rules below.
    scenario = scenario_for(
        facts,
        now=at,
        channel=channel,
        content=None,
        point=point,
        use=use,
        envelope=envelope_text(facts) if channel == "letter" else None,
    )
    facts_judged = parse_scenario(scenario)
    # Whether this is the first communication about the debt, read by the Regulation F rule itself.
    first = first_communication(facts_judged)
    try:
        rendered = render(
            channel,
            template,
            context,
            language=context["language"],
            variant=variant,
            regulation_f=regulation_f,
            first=first,
        )
    except TemplateError as error:
        return Composed(None, "blocked", at, [_problem(str(error))], scenario, None)
    if channel == "call":
        content = rendered.voicemail
    else:
        content = "\n\n".join(filter(None, [rendered.subject, rendered.body]))
        scenario["contact"]["content"] = content
        facts_judged = replace(facts_judged, contact=replace(facts_judged.contact, content=content))
    decision = decide(facts_judged)
    reasons = reason_json(decision)
    if channel == "call" and rendered.voicemail:
        voicemail = decide(
            replace(facts_judged, contact=replace(facts_judged.contact, channel="voicemail", content=content))
        )
        reasons += [r for r in reason_json(voicemail) if r["effect"] != "allow" and r not in reasons]
        if voicemail.effect is Effect.BLOCK and decision.effect is not Effect.BLOCK:
            # The call may go ahead; only the voicemail may not be left. A person sees the flag.
            reasons = [
                {**r, "effect": "flag", "message": "voicemail: " + r["message"]}
                if r["effect"] == "block"
                else r
                for r in reasons
            ]
    consumer = account.customer.kind != "business"
    # The full disclosure Regulation F requires in a first message adds up to two segments.
    max_segments = SMS_SEGMENTS + (2 if regulation_f and first else 0)
    checked = _without_ref(content or "", account.external_ref)
    findings = check_message(
        channel, checked, rendered.language, consumer=consumer, max_segments=max_segments
    )
    errors = [f for f in findings if f.level == ERROR]
    reasons += [_problem(f"{f.check}: {f.message}") for f in errors]
    found = tuple(findings)
    if errors or decision.effect is Effect.BLOCK:
        return Composed(rendered, "blocked", at, reasons, scenario, decision, found)
    if decision.effect is Effect.DEFER:
        if decision.next_allowed_at is None:
            return Composed(rendered, "blocked", at, reasons, scenario, decision, found)
        return Composed(rendered, "deferred", decision.next_allowed_at, reasons, scenario, decision, found)
    return Composed(rendered, "queued", at, reasons, scenario, decision, found)


def _without_ref(text: str, ref: str) -> str:
    """The text the tone check reads: an account reference in capitals is not shouting."""
    return text.replace(ref, "") if ref else text
