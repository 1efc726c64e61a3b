"""The frames the planner reads: what the portfolio looks like this morning.

Every frame is plain columns; the Django side (cycle/snapshot_db.py) fills them with a few bulk
queries, and tests and the benchmark build them directly. Money is Decimal(scale 4); datetimes are UTC.
"""

from __future__ import annotations

from dataclasses import dataclass

import polars as pl

MONEY = pl.Decimal(precision=19, scale=4)

SCHEMAS: dict[str, dict[str, pl.DataType]] = {
    # One row per open or recently resolved account. paid_total: payments and credits so far, positive.
    "accounts": {
        "account_id": pl.Int64,
        "account_ref": pl.String,
        "creditor": pl.String,
        "customer_id": pl.Int64,
        "balance": MONEY,
        "paid_total": MONEY,
        "status": pl.String,
        "pinned_playbook": pl.String,
        "promise_active": pl.Boolean,
        "plan_active": pl.Boolean,
        "regulation_f": pl.Boolean,  # a debt collector, or a creditor opting in (US debtors only)
    },
    "schedule": {"account_id": pl.Int64, "due_on": pl.Date, "amount": MONEY},
    "customers": {
        "customer_id": pl.Int64,
        "kind": pl.String,  # person, business
        "language": pl.String,
        "timezone": pl.String,
        "country": pl.String,
        "region": pl.String,
        "channel_order": pl.List(pl.String),
    },
    # One row per channel a customer can be reached on for each use (collection, marketing).
    "reachable": {
        "customer_id": pl.Int64,
        "channel": pl.String,  # email, sms, letter, call
        "use": pl.String,
        "contact_point_id": pl.Int64,
    },
    # Holds active today; account_id null: every account of the customer.
    "holds": {"customer_id": pl.Int64, "account_id": pl.Int64, "kind": pl.String},
    # Things that happened, for event steps: payment_received, account_resolved, promise_made, ...
    "events": {"account_id": pl.Int64, "event": pl.String, "on": pl.Date},
    # Contact history for the frequency rules (one row per attempt or message).
    "history": {
        "customer_id": pl.Int64,
        "account_id": pl.Int64,
        "channel": pl.String,
        "direction": pl.String,
        "outcome": pl.String,
        "at": pl.Datetime("us", "UTC"),
    },
    # Which playbooks each creditor runs, in order.
    "creditor_playbooks": {"creditor": pl.String, "playbook": pl.String},
}


@dataclass(frozen=True, slots=True)
class Snapshot:
    accounts: pl.DataFrame
    schedule: pl.DataFrame
    customers: pl.DataFrame
    reachable: pl.DataFrame
    holds: pl.DataFrame
    events: pl.DataFrame
    history: pl.DataFrame
    creditor_playbooks: pl.DataFrame

    @classmethod
    def from_rows(cls, **rows: list[dict]) -> Snapshot:
        """A snapshot from lists of dicts (tests, small portfolios); missing frames are empty."""
        return cls(
            **{name: pl.DataFrame(rows.get(name, []), schema=schema) for name, schema in SCHEMAS.items()}
        )

    def check(self) -> None:
        """Every frame has the columns and types the planner expects (a clear error, not a wrong plan)."""
        for name, schema in SCHEMAS.items():
            frame: pl.DataFrame = getattr(self, name)
            for column, dtype in schema.items():
                if column not in frame.columns:
                    raise ValueError(f"snapshot.{name}: missing column {column!r}")
                if frame.schema[column] != dtype:
                    raise ValueError(f"snapshot.{name}.{column}: {frame.schema[column]} is not {dtype}")
