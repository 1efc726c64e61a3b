"""The frequency and time-window rules over a whole day's candidate contacts at once (Polars).

The planner proposes hundreds of thousands of contacts a day; asking the one-contact engine about each
would be slow. This form evaluates the rules that depend only on time and contact history, frame in,
frame out, and gives the same answers as engine.decide for them (a property test checks this):

- US-REGF-TIME, or GEN-QUIET-HOURS where Regulation F does not apply: 08:00-21:00 in every zone;
- US-REGF-CALL-7IN7 and US-REGF-CALL-AFTER-CONVERSATION for calls (voicemails included), except to
  the debtor's adviser.

Holds, consents, opt-outs, content and debtor-named inconvenient times are per-contact facts that the
planner filters, or sends through engine.decide, before and after this pass.

Frames (datetimes are timezone-aware UTC):
  candidates: contact_id, debtor_id, debt, channel, purpose, at, regulation_f (bool), home_timezone
  zones:      debtor_id, timezone   (one row per zone a debtor may be in)
  history:    debtor_id, debt, channel, direction, outcome, at
Result: candidates with time_ok, calls_7d, talked_recently, decision (allow/block/defer) and rule.
"""

from __future__ import annotations

from datetime import time

import polars as pl

from .packs import us_regf

WINDOW_START, WINDOW_END = time(8, 0), time(21, 0)
MAX_CALLS, DAYS = 7, 7
TIMED_CHANNELS = ["call", "sms", "email", "voicemail"]
NOT_CONNECTED = list(us_regf.NOT_CONNECTED)
CALL_CHANNELS = ["call", "voicemail"]  # a call that reaches voicemail is a call


def _local(frame: pl.DataFrame, zone_column: str, at_column: str, *, day: str | None, clock: str | None):
    """Add the local date and/or time of `at_column` in each row's own zone (Polars converts one zone
    at a time, so rows are grouped by zone and put back together)."""
    parts = []
    for (zone,), rows in frame.group_by(zone_column):
        local = pl.col(at_column).dt.convert_time_zone(zone)
        columns = []
        if day:
            columns.append(local.dt.date().alias(day))
        if clock:
            columns.append(local.dt.time().alias(clock))
        parts.append(rows.with_columns(columns))
    if not parts:
        schema = {day: pl.Date} if day else {}
        schema |= {clock: pl.Time} if clock else {}
        return frame.with_columns([pl.lit(None, dtype=t).alias(n) for n, t in schema.items()])
    return pl.concat(parts)


def time_window_ok(candidates: pl.DataFrame, zones: pl.DataFrame) -> pl.DataFrame:
    """contact_id, time_ok: inside 08:00-21:00 in every zone of the debtor."""
    joined = candidates.select("contact_id", "debtor_id", "at").join(zones, on="debtor_id", how="left")
    local = _local(joined, "timezone", "at", day=None, clock="local_time")
    return local.group_by("contact_id").agg(
        pl.col("local_time").is_between(WINDOW_START, WINDOW_END, closed="both").all().alias("time_ok")
    )


def call_counts(candidates: pl.DataFrame, history: pl.DataFrame) -> pl.DataFrame:
    """contact_id, calls_7d (counted calls about the debt in the 7 local days to the candidate's day,
    not after it), talked_recently (a conversation about the debt in those 7 days)."""
    calls = history.filter(pl.col("channel").is_in(CALL_CHANNELS)).select(
        "debtor_id", "debt", pl.col("at").alias("call_at"), "direction", "outcome"
    )
    base = candidates.select("contact_id", "debtor_id", "debt", "at", "home_timezone")
    base = _local(base, "home_timezone", "at", day="today", clock=None)
    joined = base.join(calls, on=["debtor_id", "debt"], how="inner")
    joined = _local(joined, "home_timezone", "call_at", day="call_day", clock=None)
    in_window = joined.filter(
        (pl.col("call_at") <= pl.col("at"))
        & (pl.col("call_day") > pl.col("today") - pl.duration(days=DAYS))
        & (pl.col("call_day") <= pl.col("today"))
    )
    counts = in_window.group_by("contact_id").agg(
        ((pl.col("direction") == "outbound") & ~pl.col("outcome").is_in(NOT_CONNECTED).fill_null(False))
        .sum()
        .alias("calls_7d"),
        (pl.col("outcome") == "conversation").any().alias("talked_recently"),
    )
    return (
        candidates.select("contact_id")
        .join(counts, on="contact_id", how="left")
        .with_columns(pl.col("calls_7d").fill_null(0), pl.col("talked_recently").fill_null(False))
    )


def decide_frame(candidates: pl.DataFrame, zones: pl.DataFrame, history: pl.DataFrame) -> pl.DataFrame:
    """Every candidate with its decision from the time and frequency rules, and the deciding rule."""
    result = candidates.join(time_window_ok(candidates, zones), on="contact_id", how="left").join(
        call_counts(candidates, history), on="contact_id", how="left"
    )
    limited_call = (
        pl.col("channel").is_in(CALL_CHANNELS)
        & (pl.col("purpose") != "adviser_contact")
        & pl.col("regulation_f")
    )
    timed = pl.col("channel").is_in(TIMED_CHANNELS)
    seven = limited_call & (pl.col("calls_7d") >= MAX_CALLS)
    talked = limited_call & pl.col("talked_recently")
    late = timed & ~pl.col("time_ok")
    time_rule = (
        pl.when(pl.col("regulation_f")).then(pl.lit("US-REGF-TIME")).otherwise(pl.lit("GEN-QUIET-HOURS"))
    )
    return result.with_columns(
        pl.when(seven | talked)
        .then(pl.lit("block"))
        .when(late)
        .then(pl.lit("defer"))
        .otherwise(pl.lit("allow"))
        .alias("decision"),
        pl.when(seven)
        .then(pl.lit("US-REGF-CALL-7IN7"))
        .when(talked)
        .then(pl.lit("US-REGF-CALL-AFTER-CONVERSATION"))
        .when(late)
        .then(time_rule)
        .otherwise(pl.lit(None, dtype=pl.String))
        .alias("rule"),
    )
