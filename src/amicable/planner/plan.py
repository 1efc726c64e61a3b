"""The planner: from a snapshot and the playbooks, today's candidate contacts and the decisions not to
contact, in one vectorized pass (no per-account loop anywhere).

    accounts x their playbooks, filtered by segment
      -> steps due today (a day relative to a due date, or an event)
      -> stop conditions -> a channel the customer can be reached on (their order first)
      -> a variant (deterministic per account) -> a send time inside their window, spread out
      -> the time and call-frequency rules (compliance.vectorized)

Accounts with an active hold are kept as candidates marked `held`: the cycle asks the one-contact
compliance engine about those, which gives the exact rule and citation.
"""

from __future__ import annotations

import zlib
from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import date, time

import polars as pl

from amicable.compliance.vectorized import decide_frame
from amicable.playbooks.model import EVENTS_WITH_DAYS, STOP_CONDITIONS, Playbook, Segment

from .snapshot import Snapshot

CLOSED = ("resolved", "written_off")
SKIP_SCHEMA = {
    "account_id": pl.Int64,
    "playbook": pl.String,
    "step_id": pl.String,
    "trigger_on": pl.Date,
    "reason": pl.String,
    "rule": pl.String,
}


class UnknownPlaybook(ValueError):
    pass


@dataclass(frozen=True, slots=True)
class Windows:
    """Local send windows (the rules' own hours, 08:00-21:00, always still apply)."""

    message: tuple[time, time] = (time(9), time(18))
    call: tuple[time, time] = (time(9), time(20))


@dataclass(frozen=True, slots=True)
class Plan:
    candidates: pl.DataFrame  # one row per contact to make
    # Contacts the time and frequency rules refused (same columns, plus decision and rule): the cycle
    # asks the one-contact engine for the full reasons and the next allowed time, and records them.
    refused: pl.DataFrame
    skips: pl.DataFrame  # one row per step due today that will not be taken, with the reason
    accounts: int  # accounts looked at
    without_step: int  # accounts with no step due today


def _steps_frame(playbooks: Mapping[str, Playbook]) -> pl.DataFrame:
    rows = [
        {
            "playbook": book.name,
            "step_id": step.id,
            "day": step.day,
            "event": step.event,
            "in_days": step.in_days,
            "channels": list(step.channels),
            "template": step.template,
            "variant_names": [v.name for v in step.variants],
            "variant_weights": [v.weight for v in step.variants],
            "stop_if": list(step.stop_if),
            "purpose": step.purpose,
            "step_hash": zlib.crc32(f"{book.name}/{step.id}".encode()),
        }
        for book in playbooks.values()
        for step in book.steps
    ]
    schema = {
        "playbook": pl.String,
        "step_id": pl.String,
        "day": pl.Int64,
        "event": pl.String,
        "in_days": pl.Int64,
        "channels": pl.List(pl.String),
        "template": pl.String,
        "variant_names": pl.List(pl.String),
        "variant_weights": pl.List(pl.Int64),
        "stop_if": pl.List(pl.String),
        "purpose": pl.String,
        "step_hash": pl.Int64,
    }
    return pl.DataFrame(rows, schema=schema)


def segment_filter(segment: Segment) -> pl.Expr:
    """A Polars predicate over account facts for one playbook's segment (empty fields match all)."""
    conditions = [pl.lit(True)]
    if segment.creditors:
        conditions.append(pl.col("creditor").is_in(segment.creditors))
    if segment.jurisdictions:
        countries = [j for j in segment.jurisdictions if "-" not in j]
        regions = [j for j in segment.jurisdictions if "-" in j]
        conditions.append(pl.col("country").is_in(countries) | pl.col("jurisdiction").is_in(regions))
    if segment.customer_kinds:
        conditions.append(pl.col("kind").is_in(segment.customer_kinds))
    if segment.schedule_types:
        conditions.append(pl.col("schedule_type").is_in(segment.schedule_types))
    if segment.languages:
        base = pl.col("language").str.split("-").list.first()
        conditions.append(pl.col("language").is_in(segment.languages) | base.is_in(segment.languages))
    for column, bounds in (("balance", segment.balance), ("days_past_due", segment.days_past_due)):
        if bounds.low is not None:
            conditions.append(pl.col(column) >= bounds.low)
        if bounds.high is not None:
            conditions.append(pl.col(column) <= bounds.high)
    return pl.all_horizontal(conditions).fill_null(False)


def _instalments(snapshot: Snapshot) -> pl.DataFrame:
    """Schedule rows with whether each is paid. Payments clear the oldest amounts first, so what is
    still owed sits in the newest instalments: an instalment is paid when the balance is covered by
    the instalments due after it (the ledger's own reading, ledger.balance.oldest_unpaid_due). Payments
    made before the schedule was set do not count twice."""
    return (
        snapshot.schedule.sort("account_id", "due_on")
        .with_columns(
            (pl.col("amount").cum_sum(reverse=True).over("account_id") - pl.col("amount")).alias("due_after")
        )
        .join(snapshot.accounts.select("account_id", "balance"), on="account_id", how="inner")
        .with_columns(
            (pl.col("balance") <= pl.col("due_after")).alias("instalment_paid"),
            pl.len().over("account_id").alias("items"),
        )
        .select("account_id", "due_on", "instalment_paid", "items")
    )


def _facts(snapshot: Snapshot, instalments: pl.DataFrame, today: date) -> pl.DataFrame:
    """One row per account with what segments and stop conditions look at."""
    oldest_unpaid = (
        instalments.filter(~pl.col("instalment_paid"))
        .group_by("account_id")
        .agg(pl.col("due_on").min().alias("oldest_unpaid"), pl.col("items").first())
    )
    items = instalments.group_by("account_id").agg(pl.len().alias("schedule_items"))
    return (
        snapshot.accounts.join(snapshot.customers, on="customer_id", how="inner")
        .join(oldest_unpaid.drop("items"), on="account_id", how="left")
        .join(items, on="account_id", how="left")
        .with_columns(
            (pl.lit(today) - pl.col("oldest_unpaid")).dt.total_days().alias("days_past_due"),
            # Regulation F is US law: a debt collector's UK debtors are not under it.
            (pl.col("regulation_f") & (pl.col("country") == "US")).alias("regulation_f"),
            pl.when(pl.col("schedule_items").fill_null(0) >= 2)
            .then(pl.lit("instalments"))
            .otherwise(pl.lit("single"))
            .alias("schedule_type"),
            pl.when(pl.col("region").fill_null("") != "")
            .then(pl.col("country") + "-" + pl.col("region"))
            .otherwise(pl.col("country"))
            .alias("jurisdiction"),
        )
    )


def _check_names(snapshot: Snapshot, playbooks: Mapping[str, Playbook]) -> None:
    named = set(snapshot.creditor_playbooks["playbook"].unique().to_list())
    named |= set(snapshot.accounts["pinned_playbook"].drop_nulls().unique().to_list())
    unknown = named - set(playbooks)
    if unknown:
        raise UnknownPlaybook(
            f"no playbook named {', '.join(sorted(unknown))} (known: {', '.join(sorted(playbooks))})"
        )


def _assigned(rows: pl.DataFrame, snapshot: Snapshot, playbooks: Mapping[str, Playbook]) -> pl.DataFrame:
    """Keep the steps of playbooks that cover each account: the creditor's, where the segment matches.
    A pinned playbook replaces the creditor's dated (collection) playbooks, whatever its segment says
    (a pin is a person's choice for this account); event-only playbooks still run."""
    dated = [name for name, book in playbooks.items() if any(s.day is not None for s in book.steps)]
    chosen = snapshot.creditor_playbooks.unique().with_columns(pl.lit(True).alias("by_creditor"))
    rows = rows.join(chosen, on=["creditor", "playbook"], how="left").with_columns(
        (pl.col("pinned_playbook") == pl.col("playbook")).fill_null(False).alias("pinned")
    )
    unpinned = pl.col("by_creditor").fill_null(False) & (
        pl.col("pinned_playbook").is_null() | ~pl.col("playbook").is_in(dated)
    )
    in_segment = pl.lit(False)
    for name, book in playbooks.items():
        in_segment = in_segment | ((pl.col("playbook") == name) & segment_filter(book.segment))
    return rows.filter(pl.col("pinned") | (unpinned & in_segment)).drop("by_creditor", "pinned")


def _triggered(
    snapshot: Snapshot, instalments: pl.DataFrame, steps: pl.DataFrame, today: date
) -> pl.DataFrame:
    """account_id, playbook, step_id, trigger_on, instalment_paid: every step whose moment is today."""
    columns = ["account_id", "playbook", "step_id", "trigger_on", "instalment_paid"]
    day_steps = steps.filter(pl.col("day").is_not_null()).with_columns(
        (pl.lit(today) - pl.duration(days=pl.col("day"))).cast(pl.Date).alias("due_on")
    )
    by_day = instalments.join(day_steps, on="due_on", how="inner").rename({"due_on": "trigger_on"})
    # Instalment events are for accounts paid in instalments.
    plan_items = instalments.filter(pl.col("items") >= 2)
    due_soon = (
        steps.filter(pl.col("event") == "instalment_due")
        .with_columns((pl.lit(today) + pl.duration(days=pl.col("in_days"))).cast(pl.Date).alias("due_on"))
        .join(plan_items, on="due_on", how="inner")
        .rename({"due_on": "trigger_on"})
    )
    missed = (
        steps.filter(pl.col("event") == "instalment_missed")
        .join(plan_items.filter(pl.col("due_on") == pl.lit(today) - pl.duration(days=1)), how="cross")
        .filter(~pl.col("instalment_paid"))
        .rename({"due_on": "trigger_on"})
    )
    # Other events come from the snapshot; "due" events fire in_days before their date.
    happened = (
        snapshot.events.join(steps.filter(pl.col("event").is_not_null()), on="event", how="inner")
        .filter(~pl.col("event").is_in(["instalment_due", "instalment_missed"]))
        .filter(
            pl.when(pl.col("event").is_in(list(EVENTS_WITH_DAYS)))
            .then(pl.col("on") - pl.duration(days=pl.col("in_days")) == pl.lit(today))
            .otherwise(pl.col("on") == pl.lit(today))
        )
        .rename({"on": "trigger_on"})
        .with_columns(pl.lit(False).alias("instalment_paid"))
    )
    return pl.concat([frame.select(columns) for frame in (by_day, due_soon, missed, happened)])


def _stop_reason() -> pl.Expr:
    flags = {
        "instalment_paid": pl.col("instalment_paid"),
        "account_resolved": pl.col("status").is_in(CLOSED),
        "promise_active": pl.col("promise_active"),
        "plan_active": pl.col("plan_active"),
        "disputed": pl.col("status") == "disputed",
    }
    assert set(flags) == set(STOP_CONDITIONS)
    expression = pl.when(pl.lit(False)).then(pl.lit(None, dtype=pl.String))
    for name, holds in flags.items():
        expression = expression.when(pl.col("stop_if").list.contains(name) & holds.fill_null(False)).then(
            pl.lit(name)
        )
    return expression.otherwise(pl.lit(None, dtype=pl.String))


def _choose_channel(rows: pl.DataFrame, snapshot: Snapshot) -> pl.DataFrame:
    """The first channel of the step the customer can be reached on for the step's use, the customer's
    own order first. Rows with no such channel get channel null."""
    preferences = (
        snapshot.customers.select("customer_id", "channel_order")
        .join(rows.select("customer_id").unique(), on="customer_id", how="semi")
        .explode("channel_order")
        .with_columns(pl.int_range(pl.len()).over("customer_id").alias("preference"))
        .rename({"channel_order": "channel"})
        .drop_nulls("channel")
    )
    options = (
        rows.select("row", "customer_id", "channels", "use")
        .explode("channels")
        .rename({"channels": "channel"})
        .with_columns(pl.int_range(pl.len()).over("row").alias("position"))
        .join(snapshot.reachable, on=["customer_id", "channel", "use"], how="inner")
        .join(preferences, on=["customer_id", "channel"], how="left")
        .with_columns((pl.col("preference").fill_null(100) * 1000 + pl.col("position")).alias("rank"))
        .sort("row", "rank", "contact_point_id")
        .unique("row", keep="first")
        .select("row", "channel", "contact_point_id")
    )
    return rows.join(options, on="row", how="left")


def _choose_variant(rows: pl.DataFrame) -> pl.DataFrame:
    """Weighted and deterministic per account and step: the same account always gets the same one."""
    bucket = (pl.col("account_id") * 2654435761 + pl.col("step_hash")) % 1_000_003
    with_variants = rows.filter(pl.col("variant_names").list.len() > 0)
    chosen = (
        with_variants.select("row", "variant_names", "variant_weights", bucket.alias("bucket"))
        .explode("variant_names", "variant_weights")
        .with_columns(
            pl.col("variant_weights").cum_sum().over("row").alias("upto"),
            pl.col("variant_weights").sum().over("row").alias("total"),
        )
        .filter(pl.col("bucket") % pl.col("total") < pl.col("upto"))
        .unique("row", keep="first", maintain_order=True)
        .select("row", pl.col("variant_names").alias("variant"))
    )
    return rows.join(chosen, on="row", how="left")


def _send_times(rows: pl.DataFrame, today: date, windows: Windows) -> pl.DataFrame:
    """A send time in the customer's own zone, spread across the window by account so a day's messages
    do not all leave at 09:00."""

    def minutes(t: time) -> int:
        return t.hour * 60 + t.minute

    is_call = pl.col("channel") == "call"
    start = pl.when(is_call).then(minutes(windows.call[0])).otherwise(minutes(windows.message[0]))
    length = (
        pl.when(is_call)
        .then(minutes(windows.call[1]) - minutes(windows.call[0]))
        .otherwise(minutes(windows.message[1]) - minutes(windows.message[0]))
    )
    offset = (pl.col("account_id") * 40503 + pl.col("step_hash")) % length
    local = pl.lit(today).cast(pl.Datetime("us")) + pl.duration(minutes=start + offset)
    parts = [
        group.with_columns(
            local.dt.replace_time_zone(zone, ambiguous="earliest", non_existent="null")
            .dt.convert_time_zone("UTC")
            .alias("scheduled_at")
        )
        for (zone,), group in rows.group_by("timezone")
    ]
    if not parts:
        return rows.with_columns(pl.lit(None, dtype=pl.Datetime("us", "UTC")).alias("scheduled_at"))
    return pl.concat(parts)


def assigned_steps(snapshot: Snapshot, playbooks: Mapping[str, Playbook], today: date) -> pl.DataFrame:
    """Every step of the playbooks that cover each account today, whenever the step would fire, with
    the channel it would use: account_id, playbook, step_id, channel (null: no usable contact point).
    The same assignment and channel choice as plan_day, for looking ahead (the portal's outlook)."""
    snapshot.check()
    _check_names(snapshot, playbooks)
    steps = _steps_frame(playbooks)
    facts = _facts(snapshot, _instalments(snapshot), today)
    rows = _assigned(facts.join(steps.select("playbook").unique(), how="cross"), snapshot, playbooks)
    rows = (
        rows.select("account_id", "customer_id", "playbook")
        .join(steps, on="playbook", how="inner")
        .with_row_index("row")
        .with_columns(
            pl.when(pl.col("purpose") == "marketing")
            .then(pl.lit("marketing"))
            .otherwise(pl.lit("collection"))
            .alias("use")
        )
    )
    return _choose_channel(rows, snapshot).sort("row").select("account_id", "playbook", "step_id", "channel")


def plan_day(
    snapshot: Snapshot, playbooks: Mapping[str, Playbook], today: date, windows: Windows = Windows()
) -> Plan:
    snapshot.check()
    _check_names(snapshot, playbooks)
    steps = _steps_frame(playbooks)
    instalments = _instalments(snapshot)
    triggered = _triggered(snapshot, instalments, steps, today)
    # From here on only the accounts with a step today (a few percent) are carried along.
    today_accounts = triggered.select("account_id").unique()
    facts = _facts(
        replace(snapshot, accounts=snapshot.accounts.join(today_accounts, on="account_id", how="semi")),
        instalments.join(today_accounts, on="account_id", how="semi"),
        today,
    )
    rows = triggered.join(facts, on="account_id", how="inner")
    rows = (
        _assigned(rows, snapshot, playbooks)
        .join(steps, on=["playbook", "step_id"], how="inner")
        .with_columns(_stop_reason().alias("stop"))
        .with_row_index("row")
    )
    skips = [
        rows.filter(pl.col("stop").is_not_null()).with_columns(("stopped: " + pl.col("stop")).alias("reason"))
    ]
    rows = rows.filter(pl.col("stop").is_null()).with_columns(
        pl.when(pl.col("purpose") == "marketing")
        .then(pl.lit("marketing"))
        .otherwise(pl.lit("collection"))
        .alias("use")
    )
    rows = _choose_channel(rows, snapshot)
    skips.append(
        rows.filter(pl.col("channel").is_null()).with_columns(
            pl.lit("no usable contact point").alias("reason")
        )
    )
    rows = _choose_variant(rows.filter(pl.col("channel").is_not_null()))
    rows = _send_times(rows, today, windows)
    held = snapshot.holds.join(
        snapshot.accounts.select("account_id", "customer_id"), on="customer_id"
    ).filter(pl.col("account_id").is_null() | (pl.col("account_id") == pl.col("account_id_right")))
    held = held.group_by("account_id_right").agg(pl.col("kind").unique().sort().alias("hold_kinds"))
    rows = rows.join(
        held.rename({"account_id_right": "account_id"}), on="account_id", how="left"
    ).with_columns(
        pl.col("hold_kinds").fill_null(pl.lit([], dtype=pl.List(pl.String))),
    )
    rows = rows.with_columns(
        (pl.col("hold_kinds").list.set_difference(["vulnerability_review"]).list.len() > 0).alias("held")
    )
    # The time and call-frequency rules, for the whole day at once.
    judged = decide_frame(
        rows.select(
            pl.col("row").alias("contact_id"),
            pl.col("customer_id").alias("debtor_id"),
            pl.col("account_id").alias("debt"),
            "channel",
            pl.lit("collection").alias("purpose"),
            pl.col("scheduled_at").alias("at"),
            "regulation_f",
            pl.col("timezone").alias("home_timezone"),
        ),
        rows.select(pl.col("customer_id").alias("debtor_id"), "timezone").unique(),
        snapshot.history.select(
            pl.col("customer_id").alias("debtor_id"),
            pl.col("account_id").alias("debt"),
            "channel",
            "direction",
            "outcome",
            "at",
        ),
    ).select(pl.col("contact_id").alias("row"), "decision", "rule")
    rows = rows.join(judged, on="row", how="left")
    skips.append(
        rows.filter(pl.col("decision") != "allow").with_columns(
            ("compliance: " + pl.col("decision")).alias("reason")
        )
    )
    columns = [
        "account_id",
        "account_ref",
        "customer_id",
        "creditor",
        "playbook",
        "step_id",
        "trigger_on",
        "channel",
        "contact_point_id",
        "template",
        "variant",
        "purpose",
        "scheduled_at",
        "held",
        "hold_kinds",
        "language",
        "regulation_f",
        pl.format("{}:{}:{}:{}", "account_id", "playbook", "step_id", "trigger_on").alias("key"),
    ]
    candidates = rows.filter(pl.col("decision") == "allow").select(columns)
    refused = rows.filter(pl.col("decision") != "allow").select(*columns, "decision", "rule")
    skip_frame = pl.concat(
        [
            frame.with_columns(
                pl.col("rule") if "rule" in frame.columns else pl.lit(None, dtype=pl.String).alias("rule")
            )
            .select(list(SKIP_SCHEMA))
            .cast(SKIP_SCHEMA)
            for frame in skips
        ]
    )
    touched = pl.concat([candidates.select("account_id"), skip_frame.select("account_id")]).n_unique()
    total = snapshot.accounts.height
    return Plan(
        candidates.sort("scheduled_at", "account_id"),
        refused.sort("scheduled_at", "account_id"),
        skip_frame,
        total,
        total - touched,
    )
