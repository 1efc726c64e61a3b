"""The playbooks and message templates in force: the packaged files, overlaid by the latest version
saved in the console of each name. Checking an edit, trying it on real accounts, and saving it.

The cycle takes its playbooks from `active_playbooks()` and hands the saved template texts to the
renderer with `load_saved_templates()` once per run, dispatch batch and preview (one query each,
never one per message). Saving checks first, so a saved version always parses and renders.
"""

from __future__ import annotations

import functools
import re
import secrets
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from zoneinfo import ZoneInfo

import yaml
from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from jinja2 import TemplateSyntaxError
from yaml.nodes import MappingNode, Node, SequenceNode

from amicable.ledger.audit import audit
from amicable.ledger.models import Account, Creditor
from amicable.messages.checks import ERROR
from amicable.messages.render import (
    TemplateError,
    drafting,
    environment,
    packaged_text,
    template_path,
    template_stems,
    use_templates,
)
from amicable.messages.sampled import check_with_samples
from amicable.playbooks.load import PlaybookError, default_playbooks, parse_playbook
from amicable.playbooks.model import Playbook

from .models import PlaybookVersion, TemplateVersion

EDITED = "the edited playbook"  # how errors in a text being edited name their source
NAME = re.compile(r"^[a-z0-9][a-z0-9_-]{0,63}$")  # a playbook's name: in URLs and creditors' lists
MAX_TEXT = 100_000  # characters: a playbook or template is a page or two, not a book
RESERVED = {"new", "one_off"}  # the console's "new playbook" page; one-off messages' playbook name


class AuthoringError(ValueError):
    """An edit that may not be saved; nothing was written. `field` names the input at fault and `line`
    the line of the text, when there is one."""

    def __init__(self, message: str, *, field: str = "text", line: int | None = None) -> None:
        super().__init__(message)
        self.field, self.line = field, line


# ------------------------------------------------------------------------------------------ playbooks


def _latest(model, *keys: str):
    newest = model.objects.values(*keys).annotate(newest=Max("id")).values("newest")
    return model.objects.filter(id__in=newest)


def saved_playbooks() -> dict[str, PlaybookVersion]:
    """The latest saved version of each playbook name (one query)."""
    return {v.name: v for v in _latest(PlaybookVersion, "name")}


def playbook_names() -> set[str]:
    """Every playbook a creditor or an account may name: packaged and saved."""
    return set(packaged_playbooks()) | set(PlaybookVersion.objects.values_list("name", flat=True).distinct())


def _source(version: PlaybookVersion) -> str:
    return f"saved/{version.name}.yaml (version {version.pk})"


# The packaged playbooks are part of the code: parsed once per process (they are frozen dataclasses,
# so sharing them is safe); the saved versions are read on every call.
packaged_playbooks = functools.cache(default_playbooks)


def active_playbooks(saved: Mapping[str, PlaybookVersion] | None = None) -> dict[str, Playbook]:
    """The playbooks in force, by name: the packaged defaults, each replaced by its latest saved
    version, and the saved names amicable does not ship."""
    books = dict(packaged_playbooks())
    for name, version in (saved_playbooks() if saved is None else saved).items():
        books[name] = parse_playbook(version.text, _source(version))
    return books


def playbook_text(name: str) -> tuple[str, PlaybookVersion | None] | None:
    """The text in force for a playbook and the saved version it comes from (None: the packaged file);
    None when there is no playbook of that name."""
    version = PlaybookVersion.objects.filter(name=name).order_by("-id").first()
    if version is not None:
        return version.text, version
    book = default_playbooks().get(name)
    if book is None:
        return None
    return packaged_playbook_text(book), None


def packaged_playbook_text(book: Playbook) -> str:
    from importlib.resources import files

    return files("amicable.playbooks").joinpath(book.source).read_text(encoding="utf-8")


def _node(text: str, *path: str | int) -> Node | None:
    """The YAML node at `path` (keys and list positions), for the line an error is on."""
    try:
        node = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.YAMLError:
        return None
    for part in path:
        if isinstance(node, MappingNode):
            node = next((v for k, v in node.value if getattr(k, "value", None) == part), None)
        elif isinstance(node, SequenceNode) and isinstance(part, int) and part < len(node.value):
            node = node.value[part]
        else:
            return None
    return node


def _fail(text: str, path: tuple, field: str, message: str):
    raise PlaybookError(EDITED, _node(text, *path), field, message)


def normalise(text: str) -> str:
    """Browsers send a textarea's lines ending in CR LF; the text is kept with LF only."""
    return text.replace("\r\n", "\n").replace("\r", "\n")


def check_playbook(text: str, name: str | None = None) -> Playbook:
    """The playbook the text describes, or PlaybookError naming the line and field. `name`: the
    playbook being edited (the text must keep it); None for a new playbook (its name must be new).
    Every step's template must exist for each of its channels."""
    if len(text) > MAX_TEXT:
        raise PlaybookError(EDITED, None, "playbook", f"longer than {MAX_TEXT} characters")
    load_saved_templates()  # templates saved in another process since this one last looked
    book = parse_playbook(text, EDITED)
    if not NAME.match(book.name):
        _fail(text, ("playbook",), "playbook", "a name is lower-case letters, digits, - and _ (up to 64)")
    if book.name in RESERVED:
        _fail(
            text, ("playbook",), "playbook", f"{book.name!r} is kept for amicable's own use: choose another"
        )
    if name is not None and book.name != name:
        _fail(text, ("playbook",), "playbook", f"this is the {name!r} playbook: keep its name to edit it")
    if name is None and book.name in playbook_names():
        _fail(text, ("playbook",), "playbook", f"there is already a playbook named {book.name!r}")
    for i, step in enumerate(book.steps):
        for channel in step.channels:
            if not any(stem.split(".")[0] == step.template for stem in template_stems(channel)):
                _fail(
                    text,
                    ("steps", i, "template"),
                    f"steps[{i}].template",
                    f"there is no {channel} template named {step.template!r}",
                )
    return book


def playbook_error_message(error: PlaybookError) -> str:
    """The error without the source, line and field it names (the page shows those on their own)."""
    prefix = f"{error.source}, line {error.line}, {error.field}: "
    text = str(error)
    return text[len(prefix) :] if text.startswith(prefix) else text


@transaction.atomic
def save_playbook(
    text: str, *, actor: str, name: str | None = None, note: str = "", based_on: int | None = None
) -> PlaybookVersion:
    """Save a new version of playbook `name` (None: a new playbook), checked first. `based_on`: the
    version the editor started from (0: the packaged file), so a newer save is not overwritten."""
    text = normalise(text)
    try:
        book = check_playbook(text, name)
    except PlaybookError as error:
        raise AuthoringError(
            f"line {error.line}, {error.field}: {playbook_error_message(error)}", line=error.line
        ) from None
    latest = (
        PlaybookVersion.objects.filter(name=book.name).order_by("-id").values_list("id", flat=True).first()
    )
    if based_on is not None and (latest or 0) != based_on:
        raise AuthoringError(
            "someone saved a newer version since this one was opened: open it again", field="text"
        )
    version = PlaybookVersion.objects.create(name=book.name, text=text, saved_by=actor, note=note[:300])
    audit(
        actor,
        "save_playbook",
        version,
        f"Playbook {book.name} saved ({len(book.steps)} steps)" + (f": {note}" if note else ""),
        changes={"name": book.name, "version": version.pk, "replaces": latest, "note": note},
    )
    return version


def creditors_using(playbooks: Iterable[str]) -> set[int]:
    """The creditors that run any of these playbooks, or have an account pinned to one."""
    names = set(playbooks)
    ids = {pk for pk, chosen in Creditor.objects.values_list("pk", "playbooks") if names & set(chosen or [])}
    ids |= set(Account.objects.filter(playbook__in=names).values_list("creditor_id", flat=True).distinct())
    return ids


# ---------------------------------------------------------------------------------------- templates


def saved_templates() -> dict[str, TemplateVersion]:
    """The latest saved version of each template file, by relative path (one query)."""
    return {v.path: v for v in _latest(TemplateVersion, "channel", "name")}


def load_saved_templates() -> dict[str, TemplateVersion]:
    """Give the saved texts precedence over the packaged files in this process, from now on."""
    saved = saved_templates()
    use_templates({path: version.text for path, version in saved.items()})
    return saved


def template_text(channel: str, stem: str) -> tuple[str, TemplateVersion | None] | None:
    version = TemplateVersion.objects.filter(channel=channel, name=stem).order_by("-id").first()
    if version is not None:
        return version.text, version
    try:
        text = packaged_text(channel, stem)
    except TemplateError:
        return None
    return (text, None) if text is not None else None


def parts(stem: str) -> tuple[str, str | None, str]:
    """reminder_upcoming.warm.en -> (reminder_upcoming, warm, en)."""
    name, *middle, language = stem.split(".")
    return name, (middle[0] if middle else None), language


@dataclass
class TemplateCheck:
    errors: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    sample: object | None = None  # the message rendered with the sample context (messages.render.Rendered)

    @property
    def ok(self) -> bool:
        return not self.errors


def check_template(channel: str, stem: str, text: str, *, max_segments: int = 3) -> TemplateCheck:
    """As `amicable templates check` checks a file (docs/messages.md): it compiles, has the blocks its
    channel needs, renders with the sample context (with and without the optional facts, as from a
    creditor and from a debt collector) without an undefined variable, and passes the tone,
    reading-grade and SMS checks."""
    result = TemplateCheck()
    try:
        path = template_path(channel, stem)
    except TemplateError as error:
        result.errors.append(str(error))
        return result
    text = normalise(text)
    if len(text) > MAX_TEXT:
        result.errors.append(f"longer than {MAX_TEXT} characters")
        return result
    try:
        environment().parse(text)
    except TemplateSyntaxError as error:
        result.errors.append(f"line {error.lineno}: {error.message}")
        return result
    name, variant, language = parts(stem)
    load_saved_templates()
    with drafting({path: text}):
        checked = check_with_samples(channel, name, language, variant, max_segments=max_segments)
    result.errors += [said.removeprefix(f"{path}: ") for said in checked.render_errors]
    result.sample = checked.first
    for finding in checked.findings:
        said = f"{finding.check}: {finding.message}"
        (result.errors if finding.level == ERROR else result.warnings).append(said)
    return result


@transaction.atomic
def save_template(
    channel: str, stem: str, text: str, *, actor: str, note: str = "", based_on: int | None = None
) -> TemplateVersion:
    """Save a new version of a template file, checked first (AuthoringError naming the problems)."""
    text = normalise(text)
    checked = check_template(channel, stem, text)
    if not checked.ok:
        raise AuthoringError("; ".join(checked.errors))
    latest = (
        TemplateVersion.objects.filter(channel=channel, name=stem)
        .order_by("-id")
        .values_list("id", flat=True)
        .first()
    )
    if based_on is not None and (latest or 0) != based_on:
        raise AuthoringError("someone saved a newer version since this one was opened: open it again")
    version = TemplateVersion.objects.create(
        channel=channel, name=stem, text=text, saved_by=actor, note=note[:300]
    )
    audit(
        actor,
        "save_template",
        version,
        f"Template {version.path} saved" + (f": {note}" if note else ""),
        changes={"path": version.path, "version": version.pk, "replaces": latest, "note": note},
    )
    # This process renders with it from now on; the cycle and the workers load it at their next run.
    load_saved_templates()
    return version


def creditors_using_template(channel: str, stem: str) -> set[int]:
    """The creditors whose playbooks send this template on this channel."""
    name = parts(stem)[0]
    books = active_playbooks()
    users = [
        book.name
        for book in books.values()
        if any(step.template == name and channel in step.channels for step in book.steps)
    ]
    return creditors_using(users) if users else set()


POINT_KINDS = {"email": ("email",), "sms": ("mobile",), "letter": ("postal",), "call": ("mobile", "landline")}


def preview_template(account: Account, channel: str, stem: str, text: str, *, now: datetime | None = None):
    """The edited text rendered for a real account as the cycle would compose it now (its real
    context, the disclosures the rules add, the message checks): cycle.compose.Composed."""
    from amicable.cycle.compose import compose
    from amicable.cycle.facts import load_facts

    now = now or timezone.now()
    path = template_path(channel, stem)
    name, variant, language = parts(stem)
    load_saved_templates()
    facts = load_facts([account.pk], now)[account.pk]
    points = sorted((p for p in facts.points.values() if p.kind in POINT_KINDS[channel]), key=lambda p: p.pk)
    with drafting({path: normalise(text)}):
        return compose(
            facts,
            channel=channel,
            template=name,
            variant=variant,
            purpose="collection",
            today=now.astimezone(ZoneInfo(facts.account.customer.timezone)).date(),
            at=now,
            reply_token=secrets.token_urlsafe(12),
            point=points[0] if points else None,
            language=language,
        )


# ------------------------------------------------------------------------------------------ dry run


@dataclass
class Forecast:
    """One day's cycle as it would run: contacts that would be made (queued or deferred) by channel
    and by step, contacts the rules would block by the first rule, steps not taken by reason."""

    accounts: int = 0
    by_channel: Counter = field(default_factory=Counter)
    by_step: Counter = field(default_factory=Counter)
    blocked: Counter = field(default_factory=Counter)
    skipped: Counter = field(default_factory=Counter)


@dataclass
class Row:
    key: str
    current: int
    edited: int
    label: str = ""  # how a page shows the key, when not as it is

    @property
    def difference(self) -> int:
        return self.edited - self.current


@dataclass
class DryRun:
    day: date
    playbook: str
    current: Forecast
    edited: Forecast

    def _rows(self, attribute: str, only: str | None = None) -> list[Row]:
        now, then = getattr(self.current, attribute), getattr(self.edited, attribute)
        keys = sorted(k for k in set(now) | set(then) if only is None or k.startswith(only))
        return [Row(k, now[k], then[k]) for k in keys]

    @property
    def channels(self) -> list[Row]:
        return self._rows("by_channel")

    @property
    def rules(self) -> list[Row]:
        return self._rows("blocked")

    @property
    def steps(self) -> list[Row]:
        return self._rows("by_step", f"{self.playbook}/")

    @property
    def skips(self) -> list[Row]:
        return self._rows("skipped")


def forecast(
    playbooks: Mapping[str, Playbook], account_ids: list[int] | None, day: date, now: datetime
) -> Forecast:
    """Plan `day` for these accounts (None: every account) and compose every contact, writing nothing."""
    from amicable.cycle.snapshot_db import build_snapshot
    from amicable.cycle.write import write_plan
    from amicable.planner.plan import plan_day

    if account_ids is not None and not account_ids:
        return Forecast()
    plan = plan_day(build_snapshot(day, account_ids=account_ids), playbooks, day)
    written = write_plan(plan, day, dry_run=True, now=now)
    result = Forecast(accounts=plan.accounts, blocked=written.blocked, skipped=written.skipped)
    for contact in written.contacts:
        if contact.status != "blocked":
            result.by_channel[contact.channel] += 1
            result.by_step[f"{contact.playbook}/{contact.step}"] += 1
    return result


def dry_run(
    book: Playbook, account_ids: Iterable[int] | None, day: date, *, now: datetime | None = None
) -> DryRun:
    """`day`'s cycle for these accounts (None: every account) with the playbooks in force, and again
    with `book` in place of the one of its name. Nothing is written or sent."""
    now = now or timezone.now()
    ids = None if account_ids is None else sorted(set(account_ids))
    load_saved_templates()
    books = active_playbooks()
    current = forecast(books, ids, day, now)
    edited = forecast({**books, book.name: book}, ids, day, now)
    return DryRun(day, book.name, current, edited)
