"""The pure core stays pure: importing it must not import Django (or anything that needs a database)."""

import subprocess
import sys

PURE_MODULES = [
    "amicable.ledger.money",
    "amicable.ledger.balance",
    "amicable.ledger.status",
    "amicable.ledger.jurisdictions",
    "amicable.compliance.decision",
    "amicable.compliance.time_window",
    "amicable.compliance.validation_period",
    "amicable.compliance.optout",
    "amicable.compliance.scenario",
    "amicable.compliance.engine",
    "amicable.compliance.late_payment",
    "amicable.compliance.vectorized",
    "amicable.demo.portfolio",
    "amicable.playbooks.load",
    "amicable.planner.plan",
    "amicable.messages.render",
    "amicable.messages.checks",
    "amicable.messages.sample",
    "amicable.messages.sampled",
    "amicable.understanding.clean",
    "amicable.understanding.rules",
    "amicable.understanding.entities",
    "amicable.understanding.model",
    "amicable.arrangements.terms",
    "amicable.arrangements.affordability",
    "amicable.arrangements.options",
    "amicable.arrangements.tracking",
    "amicable.charts",
    "amicable.guide.call",
    "amicable.outlook",
    "amicable.outlook.limits",
    "amicable.outlook.model",
    "amicable.outlook.rules",
    "amicable.outlook.timeline",
    "amicable.ledger.opening",
    "amicable.portal.identity",
]


def test_pure_modules_import_without_django():
    code = (
        "import sys\n"
        + "".join(f"import {m}\n" for m in PURE_MODULES)
        + (
            "bad = sorted(m for m in sys.modules if m == 'django' or m.startswith('django.'))\n"
            "print(' '.join(bad))\n"
        )
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert result.stdout.strip() == ""
