from django.db import models

from .append_only import AppendOnlyModel


class AuditLog(AppendOnlyModel):
    """Who or what did which named action, when, to what, and what changed. Append-only.

    Rows that name a customer make up that customer's timeline.
    """

    at = models.DateTimeField(db_index=True)
    actor = models.CharField(max_length=100, help_text="user:alice, system:import, cli:root ...")
    action = models.CharField(max_length=64, help_text="The named action, e.g. record_payment.")
    # No database constraint and no cascade: the log outlives what it describes, and deleting a
    # customer must not rewrite (or empty) the history of what was done to them.
    customer = models.ForeignKey(  # indexed by (customer, at) below
        "ledger.Customer",
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        db_index=False,
        null=True,
        blank=True,
        related_name="+",
    )
    account = models.ForeignKey(
        "ledger.Account",
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        null=True,
        blank=True,
        related_name="+",
    )
    object_type = models.CharField(max_length=64)
    object_id = models.CharField(max_length=64)
    summary = models.CharField(
        max_length=300, help_text="One plain sentence for people reading the timeline."
    )
    changes = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["-at", "-id"]
        indexes = [
            models.Index(fields=["customer", "at"]),
            models.Index(fields=["object_type", "object_id"]),
            # Counting one kind of action over a period (the dashboard's opt-outs per week).
            models.Index(fields=["action", "at"], name="audit_action_at"),
        ]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.actor} {self.action}"
