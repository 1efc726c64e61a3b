"""Playbooks and message templates as supervisors save them in the console: every save is a new
version, never an edit of an old one. The latest version of a name is in force and takes precedence
over the packaged file of the same name; a name amicable does not ship adds one (library.py)."""

from django.db import models
from django.utils import timezone

from amicable.ledger.models.append_only import AppendOnlyModel
from amicable.messages.render import CHANNELS


class Version(AppendOnlyModel):
    text = models.TextField()
    saved_by = models.CharField(
        max_length=100, help_text="Who saved it, as the audit log signs it (user:sam)."
    )
    saved_at = models.DateTimeField(default=timezone.now)
    note = models.CharField(max_length=300, blank=True, help_text="What changed and why, in a few words.")

    class Meta:
        abstract = True

    @property
    def saved_by_name(self) -> str:
        return self.saved_by.partition(":")[2] or self.saved_by


class PlaybookVersion(Version):
    name = models.CharField(max_length=64, help_text="The playbook's name (its `playbook:` field).")

    class Meta:
        ordering = ["name", "-id"]
        indexes = [models.Index(fields=["name", "id"])]

    def __str__(self) -> str:
        return f"playbook {self.name} #{self.pk}"


class TemplateVersion(Version):
    channel = models.CharField(max_length=10, choices=[(c, c) for c in CHANNELS])
    name = models.CharField(
        max_length=100,
        help_text="The file name without .j2: name[.variant].language (reminder_upcoming.warm.en).",
    )

    class Meta:
        ordering = ["channel", "name", "-id"]
        indexes = [models.Index(fields=["channel", "name", "id"])]

    def __str__(self) -> str:
        return f"template {self.channel}/{self.name} #{self.pk}"

    @property
    def path(self) -> str:
        return f"{self.channel}/{self.name}.j2"
