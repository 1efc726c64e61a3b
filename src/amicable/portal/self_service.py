"""What a signed-in customer does for themselves in the portal, beyond paying and plans: newsletter
sign-up, a dispute with a file, asking for help, downloading a statement. Each is one named action in
one transaction, on the customer's timeline; each reuses the action a message or a call would use
(record_consent, open_dispute, pause_for_hardship, record_vulnerability, create_task).

Errors are ActionErrors whose `field` names the form field at fault and whose words are for the
customer (translated), since the portal shows them as they are."""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from datetime import timedelta
from pathlib import PurePosixPath, PureWindowsPath

from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from amicable.conversations.actions import OPEN, TASK_DAYS
from amicable.conversations.disputes import open_dispute
from amicable.conversations.intents import pause_for_hardship, record_vulnerability
from amicable.conversations.models import TaskKind
from amicable.conversations.tasks import create_task
from amicable.ledger.actions import ActionError, record_consent
from amicable.ledger.audit import audit
from amicable.ledger.models import Account, ContactPoint, Customer, Dispute
from amicable.ledger.models.dispute import DisputeStatus

from .models import DisputeEvidence, HelpKind, HelpRequest

SOURCE = "portal"

# ------------------------------------------------------------------------------------------ consent


def masked(point: ContactPoint) -> str:
    """Enough of an address or number for its owner to know it, not enough to read it out."""
    if point.kind == "email":
        name, _at, domain = point.value.partition("@")
        return f"{name[:2]}***@{domain}"
    if point.kind == "postal":
        address = point.address or {}
        return ", ".join(p for p in (address.get("line1"), address.get("postcode")) if p) or point.value
    return f"***{point.value[-4:]}"


@transaction.atomic
def set_messages(point: ContactPoint, wanted: bool, *, actor: str) -> bool:
    """Messages about the debt to this address or number stop (or start again) at once. Returns
    whether anything changed: asking twice changes nothing and writes nothing."""
    point = ContactPoint.objects.select_for_update().get(pk=point.pk)
    state = "granted" if wanted else "revoked"
    if point.invalid or point.consent("collection") == state:
        return False
    record_consent(point, "collection", state, source=f"{SOURCE} preferences", actor=actor)
    return True


@transaction.atomic
def set_newsletter(customer: Customer, wanted: set[int], *, actor: str) -> list[tuple[ContactPoint, bool]]:
    """The newsletter goes to the email addresses ticked (`wanted`, contact point ids) and stops at
    the others that had it. Only the customer's own tick grants it (record_consent refuses any other
    actor). Returns what changed: (point, now wanted)."""
    changed = []
    points = ContactPoint.objects.select_for_update().filter(customer=customer, kind="email", invalid=False)
    for point in points.order_by("pk"):
        had = point.consent("marketing") == "granted"
        if (point.pk in wanted) != had:
            state = "revoked" if had else "granted"
            record_consent(point, "marketing", state, source=f"{SOURCE} preferences", actor=actor)
            changed.append((point, not had))
    return changed


# ------------------------------------------------------------------------------------------ dispute

MAX_UPLOAD = 10 * 1024 * 1024  # 10 MB: a phone photo of a letter, or a scanned bill
# What may be sent, by what the file starts with (its name can say anything).
UPLOAD_KINDS = (
    ("application/pdf", b"%PDF-", (".pdf",)),
    ("image/jpeg", b"\xff\xd8\xff", (".jpg", ".jpeg")),
    ("image/png", b"\x89PNG\r\n\x1a\n", (".png",)),
)
REASONS = {
    "paid": gettext_lazy("I have already paid this"),
    "amount": gettext_lazy("The amount is wrong"),
    "not_mine": gettext_lazy("This is not my debt"),
    "unknown": gettext_lazy("I don't recognise this debt"),
    "identity": gettext_lazy("Someone used my details without my permission"),
    "other": gettext_lazy("Something else"),
}
MAX_WORDS = 2000  # characters of free text


@dataclass(frozen=True, slots=True)
class Upload:
    name: str
    data: bytes
    content_type: str


def file_name(name: str) -> str:
    """The name without any folder a browser sent, and without control characters."""
    base = PureWindowsPath(PurePosixPath(name or "").name).name
    return re.sub(r"[\x00-\x1f\x7f]", "", base).strip()[:200] or "file"


def check_upload(name: str, size: int, data: bytes) -> Upload:
    """A PDF, JPEG or PNG of at most 10 MB, judged by its content as well as its name."""
    name = file_name(name)
    if size > MAX_UPLOAD:
        raise ActionError(
            _("%(name)s is %(size)s MB. The largest file we can take is 10 MB.")
            % {"name": name, "size": f"{size / 1024 / 1024:.1f}"},
            field="evidence",
        )
    if size == 0 or not data:
        raise ActionError(_("%(name)s is empty.") % {"name": name}, field="evidence")
    suffix = PurePosixPath(name.lower()).suffix
    for content_type, magic, suffixes in UPLOAD_KINDS:
        if data.startswith(magic) and suffix in suffixes:
            return Upload(name, data, content_type)
    raise ActionError(
        _("%(name)s is not a PDF, JPEG or PNG file. Send a PDF, JPEG or PNG instead.") % {"name": name},
        field="evidence",
    )


def open_dispute_of(account: Account) -> Dispute | None:
    return Dispute.objects.filter(account=account, status=DisputeStatus.OPEN).order_by("-received_at").first()


def dispute_reason(reason: str, details: str) -> str:
    """The dispute's reason as staff read it: the reason chosen (in English) and the customer's words."""
    if reason not in REASONS:
        raise ActionError(_("Choose why you think you don't owe this."), field="reason")
    details = details.strip()
    if reason == "other" and not details:
        raise ActionError(_("Tell us why you think you don't owe this."), field="details")
    if len(details) > MAX_WORDS:
        raise ActionError(
            _("Please keep it to %(most)s characters (you wrote %(count)s).")
            % {"most": MAX_WORDS, "count": len(details)},
            field="details",
        )
    with translation.override("en"):
        chosen = str(REASONS[reason])
    return f"{chosen}: {details}" if details else chosen


@transaction.atomic
def dispute_from_portal(
    account: Account, reason: str, details: str = "", *, upload: Upload | None = None, actor: str
) -> Dispute:
    """ "I don't owe this": the dispute (collection paused by its hold), the file kept with it, and a
    task for a person to verify the debt. Refused while a dispute on the account is still open."""
    text = dispute_reason(reason, details)
    Account.objects.select_for_update().filter(pk=account.pk).first()  # one dispute at a time
    if open_dispute_of(account) is not None:
        raise ActionError(_("You have already told us you dispute this debt. We are checking it."))
    now = timezone.now()
    evidence = f"file sent in the portal: {upload.name}" if upload else ""
    dispute = open_dispute(account, text, source=SOURCE, actor=actor, received_at=now, evidence=evidence)
    if upload is not None:
        stored = DisputeEvidence.objects.create(
            dispute=dispute,
            name=upload.name,
            content_type=upload.content_type,
            size=len(upload.data),
            sha256=hashlib.sha256(upload.data).hexdigest(),
            data=upload.data,
            uploaded_at=now,
        )
        audit(
            actor,
            "add_dispute_evidence",
            stored,
            f"File sent with the dispute on {account.external_ref}: {upload.name}",
            customer=account.customer,
            account=account,
            changes={"dispute": dispute.pk, "size": stored.size, "content_type": stored.content_type},
        )
    create_task(
        TaskKind.DISPUTE,
        f"Verify the debt on {account.external_ref} and send verification (disputed in the portal)",
        due_at=now + timedelta(days=TASK_DAYS[TaskKind.DISPUTE]),
        actor=actor,
        customer=account.customer,
        account=account,
    )
    return dispute


# ------------------------------------------------------------------------------------------- help

# What the customer can choose, and the sensitive note's category for each ("other": as the words say).
SITUATIONS = {
    "illness": ("health", gettext_lazy("Illness or a health condition")),
    "bereavement": ("bereavement", gettext_lazy("Someone close to me has died")),
    "mental_health": ("mental_health", gettext_lazy("My mental health")),
    "other": ("", gettext_lazy("Something else")),
}


@transaction.atomic
def ask_for_help(
    customer: Customer, kind: str, *, situation: str = "", text: str = "", actor: str
) -> HelpRequest:
    """The same help a message telling of hardship or a vulnerability gets (conversations/intents.py).

    hardship: collection on each open account pauses for the creditor's hardship pause, and an agent
    follows up with what is affordable. situation: collection stops on every account until a
    specialist has reviewed; the customer's words go only into a restricted sensitive note."""
    text = text.strip()
    if kind not in HelpKind.values:
        raise ActionError(_("Choose what kind of help you need."), field="kind")
    if kind == HelpKind.SITUATION and situation not in SITUATIONS:
        raise ActionError(_("Choose what is happening, or “Something else”."), field="situation")
    if len(text) > MAX_WORDS:
        raise ActionError(
            _("Please keep it to %(most)s characters (you wrote %(count)s).")
            % {"most": MAX_WORDS, "count": len(text)},
            field="message",
        )
    accounts = list(Account.objects.filter(customer=customer).select_related("creditor", "customer"))
    open_accounts = [a for a in accounts if a.status in OPEN]
    now = timezone.now()
    request = HelpRequest.objects.create(
        customer=customer,
        kind=kind,
        situation=situation if kind == HelpKind.SITUATION else "",
        message=text if kind == HelpKind.HARDSHIP else "",
        received_at=now,
    )
    source = f"portal help request {request.pk}"
    refs = ", ".join(a.external_ref for a in open_accounts) or "no open account"
    if kind == HelpKind.HARDSHIP:
        untils = [pause_for_hardship(a, at=now, source=source, actor=actor) for a in open_accounts]
        request.paused_until = min(untils, default=None)
        request.task = create_task(
            TaskKind.REVIEW_MESSAGE,
            f"Hardship on {refs}: offer help (asked in the portal, see help request {request.pk})",
            due_at=now + timedelta(days=TASK_DAYS[TaskKind.REVIEW_MESSAGE]),
            actor=actor,
            customer=customer,
        )
        summary = "Asked for help in the portal: money is tight"
    else:
        about = (open_accounts or accounts or [None])[0]
        if about is None:
            raise ActionError(_("We could not find an account to attach this to. Please call us."))
        category, label = SITUATIONS[situation]
        if not text:
            with translation.override("en"):
                text = f"(No message. Chose in the portal: {label}.)"
        request.sensitive_note = record_vulnerability(
            about, text, category=category or None, at=now, source=source, actor=actor
        )
        request.task = create_task(
            TaskKind.VULNERABILITY,
            f"Specialist review for {customer}: see the restricted note",
            due_at=now + timedelta(days=TASK_DAYS.get(TaskKind.VULNERABILITY, 1)),
            actor=actor,
            customer=customer,
            account=about,
            role="specialist",
        )
        summary = "Asked for help in the portal: a difficult situation (details restricted)"
    request.save(update_fields=["paused_until", "sensitive_note", "task"])
    audit(
        actor,
        "ask_for_help",
        request,
        summary,
        customer=customer,
        changes={"kind": kind, "accounts": [a.pk for a in open_accounts], "task": request.task_id},
    )
    return request


# -------------------------------------------------------------------------------------- statement


@transaction.atomic
def record_statement(account: Account, *, actor: str) -> None:
    """A statement was downloaded: on the timeline, so an agent knows the customer has one."""
    audit(
        actor,
        "download_statement",
        account,
        f"Downloaded a statement of {account.external_ref} from the portal",
        customer=account.customer,
        account=account,
    )
