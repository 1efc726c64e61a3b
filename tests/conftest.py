"""Shared fixtures: a few named creditors, a CSV writer and a command-line runner."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest
from click.testing import CliRunner

from amicable.cli import main


@pytest.fixture
def northwind(db):
    """An original creditor collecting its own US utility debts."""
    from amicable.ledger.actions import create_creditor

    return create_creditor("Northwind Energy", role="creditor", actor="test:fixture")


@pytest.fixture
def fairway(db):
    """A debt collector: Regulation F applies to it."""
    from amicable.ledger.actions import create_creditor

    return create_creditor("Fairway Recoveries", role="debt_collector", actor="test:fixture")


@pytest.fixture
def write_csv(tmp_path: Path):
    """Write a CSV file from a dedented string (or bytes) and return its path."""

    def write(text: str | bytes, name: str = "file.csv") -> Path:
        path = tmp_path / name
        if isinstance(text, bytes):
            path.write_bytes(text)
        else:
            path.write_text(textwrap.dedent(text).lstrip("\n"), encoding="utf-8")
        return path

    return write


@pytest.fixture
def cli():
    """Run `amicable ARGS...` in-process; returns click's Result (exit_code, output, stderr)."""
    runner = CliRunner()

    def run(*args: str):
        return runner.invoke(main, [str(a) for a in args], catch_exceptions=False)

    return run
