"""One template file checked as `amicable templates check` and the console's editor check it: rendered
with the sample context four ways (with and without the optional facts, as from a creditor and as
from a debt collector), and each rendering put through the tone, reading-grade and SMS checks. Pure."""

from __future__ import annotations

from dataclasses import dataclass, field

from .checks import Finding, check_message, sms_size
from .render import Rendered, TemplateError, render
from .sample import sample_context


@dataclass
class SampledCheck:
    findings: list[Finding] = field(default_factory=list)  # each once, in the order first found
    render_errors: list[str] = field(default_factory=list)  # each once: "path: what went wrong"
    first: Rendered | None = None  # the first rendering that worked, to show
    sms: tuple[int, str] | None = None  # the most segments any rendering took, and their encoding


def check_with_samples(
    channel: str, name: str, language: str, variant: str | None = None, *, max_segments: int = 3
) -> SampledCheck:
    business = name.startswith("b2b_")
    result = SampledCheck()
    findings: list[Finding] = []
    for optional_facts in (True, False):
        for regulation_f in (False, True):
            context = sample_context(language, business=business, optional_facts=optional_facts)
            try:
                message = render(
                    channel, name, context, language=language, variant=variant, regulation_f=regulation_f
                )
            except TemplateError as error:
                if str(error) not in result.render_errors:
                    result.render_errors.append(str(error))
                continue
            result.first = result.first or message
            text = "\n\n".join(t for t in (message.subject, message.body, message.voicemail) if t)
            findings += check_message(
                channel, text, language, consumer=not business, max_segments=max_segments
            )
            if channel == "sms":
                size = sms_size(message.body)
                result.sms = max(result.sms or (0, ""), (size.segments, size.encoding))
    result.findings = list(dict.fromkeys(findings))
    return result
