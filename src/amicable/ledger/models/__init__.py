from .account import Account, AccountStatus, ScheduleItem
from .arrangement import Arrangement, ArrangementStatus, InstalmentStatus, PlanInstalment
from .audit import AuditLog
from .call_consent import CallConsent
from .contact import ConsentState, ContactKind, ContactPoint, ContactUse
from .creditor import Creditor, CreditorRole
from .customer import Customer, CustomerKind
from .dispute import Dispute, DisputeStatus
from .hold import Hold, HoldKind
from .journal import JournalEntry
from .promise import Promise, PromiseStatus
from .sensitive import SensitiveCategory, SensitiveNote

__all__ = [
    "Account",
    "AccountStatus",
    "Arrangement",
    "ArrangementStatus",
    "AuditLog",
    "CallConsent",
    "ConsentState",
    "ContactKind",
    "ContactPoint",
    "ContactUse",
    "Creditor",
    "CreditorRole",
    "Customer",
    "CustomerKind",
    "Dispute",
    "DisputeStatus",
    "Hold",
    "HoldKind",
    "InstalmentStatus",
    "JournalEntry",
    "PlanInstalment",
    "Promise",
    "PromiseStatus",
    "ScheduleItem",
    "SensitiveCategory",
    "SensitiveNote",
]
