from django.db import models

from ..balance import Entry, EntryKind
from .append_only import AppendOnlyModel


class JournalEntry(AppendOnlyModel):
    """One line of an account's append-only journal. The balance is derived from these alone.

    `amount` is positive for every kind except adjustments, which are signed.
    `external_ref` is the creditor's own reference (a payment_ref): unique per creditor when given,
    which is what makes re-importing the same payment change nothing.
    """

    # Indexed through journal_ref_per_creditor and the (account, effective_on) index below; journals
    # are the largest table, and every index is paid for on each insert.
    creditor = models.ForeignKey(
        "ledger.Creditor", on_delete=models.PROTECT, related_name="+", db_index=False
    )
    account = models.ForeignKey(
        "ledger.Account", on_delete=models.PROTECT, related_name="journal", db_index=False
    )
    kind = models.CharField(max_length=12, choices=[(k.value, k.value.replace("_", " ")) for k in EntryKind])
    amount = models.DecimalField(max_digits=19, decimal_places=4)
    effective_on = models.DateField()
    source = models.CharField(
        max_length=200, help_text="Where the entry came from, e.g. import:file.csv line 7."
    )
    external_ref = models.CharField(max_length=100, blank=True)
    recorded_at = models.DateTimeField()
    recorded_by = models.CharField(max_length=100)

    class Meta:
        verbose_name_plural = "journal entries"
        ordering = ["account", "effective_on", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["creditor", "external_ref"],
                condition=~models.Q(external_ref=""),
                name="journal_ref_per_creditor",
            ),
            models.CheckConstraint(
                condition=models.Q(kind="adjustment", amount__lt=0)
                | models.Q(kind="adjustment", amount__gt=0)
                | (~models.Q(kind="adjustment") & models.Q(amount__gt=0)),
                name="journal_amount_sign",
            ),
        ]
        indexes = [
            models.Index(fields=["account", "effective_on"]),
            # The dashboard's payments per week, per creditor, without reading other kinds of entry.
            models.Index(
                fields=["creditor", "effective_on"],
                condition=models.Q(kind="payment"),
                name="journal_payments_by_day",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.amount.normalize():f} on {self.effective_on}"

    def as_entry(self) -> Entry:
        return Entry(EntryKind(self.kind), self.amount, self.effective_on, self.pk)
