"""Benchmark the daily planner: seconds and peak memory for a synthetic portfolio, against a floor.

    amicable bench planner --accounts 1000000 [--json]

Builds N accounts (a customer each, one to six schedule items, one to three reachable channels, about
10 history events per account, holds on 1%), writes the frames to Parquet, then times:
- floor: reading the same Parquet files and one group-by over the history (what no planner can beat);
- planner: reading them and planning the day with the shipped playbooks.
"""

from __future__ import annotations

import argparse
import gc
import json
import multiprocessing
import shutil
import tempfile
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import polars as pl

from amicable.planner.plan import plan_day
from amicable.planner.snapshot import MONEY, SCHEMAS, Snapshot
from amicable.playbooks.load import default_playbooks
from memory import reset_peak, status_mb

ZONES = ["America/New_York", "America/Chicago", "America/Denver", "America/Los_Angeles", "Europe/London"]
TODAY = date(2026, 3, 10)


def _random(n: int, salt: int) -> pl.Series:
    """n pseudo-random unsigned integers, the same for the same salt (no numpy needed)."""
    return pl.int_range(0, n, eager=True).hash(seed=salt)


def _choice(options: list, n: int, salt: int) -> pl.Series:
    return pl.Series(options).gather(_random(n, salt) % len(options))


def _chance(share: float, n: int, salt: int) -> pl.Series:
    return (_random(n, salt) % 10_000) < int(share * 10_000)


def synthetic(n: int, seed: int) -> dict[str, pl.DataFrame]:
    ids = pl.int_range(1, n + 1, eager=True)
    cents = (_random(n, seed) % 499_000 + 1_000).cast(pl.Int64)
    items = _choice([1, 1, 1, 3, 6], n, seed + 1)
    paid_items = (_random(n, seed + 2) % items).cast(pl.Int64)
    accounts = pl.DataFrame(
        {
            "account_id": ids,
            "account_ref": ids.cast(pl.String),
            "creditor": _choice(["northwind", "fairway"], n, seed + 3),
            "customer_id": ids,
            "balance": cents.cast(MONEY) / 100,
            "paid_total": (cents * paid_items // items).cast(MONEY) / 100,
            "status": _choice(["current", "overdue", "overdue", "in_arrangement"], n, seed + 4),
            "pinned_playbook": pl.Series([None] * n, dtype=pl.String),
            "promise_active": _chance(0.03, n, seed + 5),
            "plan_active": items > 1,
            "regulation_f": _chance(0.5, n, seed + 6),
        }
    )
    # Item k of an account falls due 30 days after the one before; the first around today.
    first_due = (_random(n, seed + 7) % 120).cast(pl.Int64) - 60
    schedule = (
        pl.DataFrame({"account_id": ids, "items": items, "first": first_due, "cents": cents})
        .with_columns(pl.int_ranges(0, pl.col("items")).alias("k"))
        .explode("k")
        .select(
            "account_id",
            (pl.lit(TODAY) + pl.duration(days=pl.col("first") + pl.col("k") * 30))
            .cast(pl.Date)
            .alias("due_on"),
            ((pl.col("cents") // pl.col("items")).cast(MONEY) / 100).alias("amount"),
        )
    )
    customers = pl.DataFrame(
        {
            "customer_id": ids,
            "kind": _choice(["person"] * 9 + ["business"], n, seed + 8),
            "language": _choice(["en-US", "en-US", "es-US", "en-GB"], n, seed + 9),
            "timezone": _choice(ZONES, n, seed + 10),
            "country": pl.Series(["US"] * n),
            "region": _choice(["NY", "CA", "TX", "MA"], n, seed + 11),
            "channel_order": pl.Series([[]] * n, dtype=pl.List(pl.String)),
        }
    )
    reachable = pl.concat(
        pl.DataFrame({"customer_id": ids.filter(_chance(share, n, seed + 12 + k))}).with_columns(
            pl.lit(channel).alias("channel"),
            pl.lit("collection").alias("use"),
            (pl.col("customer_id") * 4 + k).alias("contact_point_id"),
        )
        for k, (channel, share) in enumerate((("email", 0.8), ("sms", 0.6), ("letter", 0.95), ("call", 0.7)))
    )
    held = ids.filter(_chance(0.01, n, seed + 20))
    holds = pl.DataFrame({"customer_id": held, "account_id": pl.Series([None] * len(held), dtype=pl.Int64)})
    holds = holds.with_columns(pl.lit("dispute").alias("kind"))
    events = pl.DataFrame({"account_id": ids.filter(_chance(0.01, n, seed + 21))}).with_columns(
        pl.lit("payment_received").alias("event"), pl.lit(TODAY).alias("on")
    )
    per_account = 10
    h = n * per_account
    start = datetime.combine(TODAY - timedelta(days=60), datetime.min.time(), tzinfo=UTC)
    owner = pl.int_range(0, h, eager=True) // per_account + 1
    history = pl.DataFrame(
        {
            "customer_id": owner,
            "account_id": owner,
            "channel": _choice(["call", "sms", "email", "letter"], h, seed + 30),
            "direction": _choice(["outbound"] * 4 + ["inbound"], h, seed + 31),
            "outcome": _choice(["no_answer", "voicemail", "conversation", "delivered", "busy"], h, seed + 32),
            "seconds": (_random(h, seed + 33) % (60 * 86_400)).cast(pl.Int64),
        }
    ).select(
        "customer_id",
        "account_id",
        "channel",
        "direction",
        "outcome",
        (pl.lit(start) + pl.duration(seconds=pl.col("seconds"))).dt.cast_time_unit("us").alias("at"),
    )
    creditor_playbooks = pl.DataFrame(
        {
            "creditor": ["northwind"] * 4 + ["fairway"] * 4,
            "playbook": ["consumer", "business", "arrangement", "aftercare"] * 2,
        }
    )
    frames = {
        "accounts": accounts,
        "schedule": schedule,
        "customers": customers,
        "reachable": reachable,
        "holds": holds,
        "events": events,
        "history": history,
        "creditor_playbooks": creditor_playbooks,
    }
    return {name: frame.select(list(SCHEMAS[name])).cast(SCHEMAS[name]) for name, frame in frames.items()}


def _time_floor(folder: Path) -> float:
    """Reading the frames and one group-by over the history: the floor no planner can beat."""
    started = time.perf_counter()
    frames = _read(folder)
    frames["history"].group_by("account_id").agg(pl.len(), pl.col("at").max())
    return time.perf_counter() - started


def _write(accounts: int, seed: int, folder: Path) -> None:
    for name, frame in synthetic(accounts, seed).items():
        frame.write_parquet(folder / f"{name}.parquet")


def _read(folder: Path) -> dict[str, pl.DataFrame]:
    return {name: pl.read_parquet(folder / f"{name}.parquet") for name in SCHEMAS}


def main() -> None:
    parser = argparse.ArgumentParser(prog="amicable bench planner", description=__doc__.split("\n")[0])
    parser.add_argument("--accounts", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--json", action="store_true", help="print the figures as JSON")
    args = parser.parse_args()
    folder = Path(tempfile.mkdtemp(prefix="amicable-bench-planner-"))
    try:
        # Generate in a child process, so this one's memory is the planner's alone.
        child = multiprocessing.get_context("spawn").Process(
            target=_write, args=(args.accounts, args.seed, folder)
        )
        child.start()
        child.join()
        if child.exitcode != 0:
            raise SystemExit(f"generating the portfolio failed (exit {child.exitcode})")
        history_rows = pl.scan_parquet(folder / "history.parquet").select(pl.len()).collect().item()

        # Best of two runs each, so both see the files in the page cache.
        floor_seconds = min(_time_floor(folder) for _ in range(2))
        gc.collect()
        playbooks = default_playbooks()
        reset_peak()
        seconds = float("inf")
        for _ in range(2):
            started = time.perf_counter()
            plan = plan_day(Snapshot(**_read(folder)), playbooks, TODAY)
            seconds = min(seconds, time.perf_counter() - started)
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    result = {
        "accounts": args.accounts,
        "history_events": history_rows,
        "seconds": round(seconds, 2),
        "peak_rss_mb": round(status_mb("VmHWM")),
        "floor_seconds": round(floor_seconds, 2),
        "ratio_to_floor": round(seconds / floor_seconds, 1) if floor_seconds else None,
        "candidates": plan.candidates.height,
        "skips": plan.skips.height,
        "without_step": plan.without_step,
        "by_channel": dict(plan.candidates.group_by("channel").len().sort("channel").rows()),
    }
    if args.json:
        print(json.dumps(result, indent=2))
    else:
        for key, value in result.items():
            print(f"{key:>16}: {value}")


if __name__ == "__main__":
    main()
