"""`amicable import accounts|payments FILE.csv`."""

from __future__ import annotations

import sys
from collections import Counter
from pathlib import Path

import click

from .django_setup import actor, database_label, setup_django
from .output import emit_json, steps


def _options(function):
    for decorator in reversed(
        [
            click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path)),
            click.option(
                "--creditor", metavar="NAME", help="Creditor for every row (default: the creditor column)."
            ),
            click.option(
                "--dry-run", is_flag=True, help="Validate and report what would change; write nothing."
            ),
            click.option(
                "--partial", is_flag=True, help="Write the valid rows even if some rows are invalid."
            ),
            click.option("--decimal-comma", is_flag=True, help="Amounts use a decimal comma: 1.234,56."),
            click.option("--ignore-unknown", is_flag=True, help="Ignore columns amicable does not know."),
            click.option(
                "--errors",
                "errors_file",
                type=click.Path(dir_okay=False, path_type=Path),
                help="Write the rejected rows' errors to this CSV file.",
            ),
            click.option("--json", "as_json", is_flag=True, help="Print the result as JSON."),
        ]
    ):
        function = decorator(function)
    return function


@click.group("import", short_help="Import accounts or payments from CSV.")
def import_group() -> None:
    """Import accounts or payments from CSV files (formats in docs/import.md)."""


@import_group.command("accounts")
@_options
def import_accounts_command(**kwargs) -> None:
    """Customers, contact points and accounts from FILE.csv; all-or-nothing unless --partial."""
    _run("accounts", **kwargs)


@import_group.command("payments")
@_options
def import_payments_command(**kwargs) -> None:
    """Payments against existing accounts from FILE.csv; a payment_ref is only ever posted once."""
    _run("payments", **kwargs)


def _run(kind, file, creditor, dry_run, partial, decimal_comma, ignore_unknown, errors_file, as_json) -> None:
    setup_django()
    from amicable.ledger.importing.accounts import import_accounts
    from amicable.ledger.importing.common import IMPORT_STEPS, ImportOptions
    from amicable.ledger.importing.errors import FileError, write_error_report
    from amicable.ledger.importing.payments import import_payments

    options = ImportOptions(
        creditor=creditor,
        dry_run=dry_run,
        partial=partial,
        decimal_comma=decimal_comma,
        ignore_unknown=ignore_unknown,
        actor=actor(),
    )
    if errors_file is not None and not errors_file.resolve().parent.is_dir():
        raise click.BadParameter(
            f"no folder {str(errors_file.parent)!r} to write it in", param_hint="--errors"
        )
    run = import_accounts if kind == "accounts" else import_payments
    try:
        with steps(IMPORT_STEPS, f"Importing {file.name}", quiet=as_json) as step:
            result = run(file, options, step)
    except FileError as error:
        # Exit 2 for a file that could not be imported at all, 1 for rows with errors.
        if as_json:
            emit_json({"kind": kind, "file": file.name, "written": False, "error": str(error)})
        else:
            click.echo(f"Error: {error}", err=True)
        sys.exit(2)
    if errors_file is not None:
        write_error_report(errors_file, result.errors)
    if as_json:
        emit_json(result.as_dict())
    else:
        _print_summary(result, errors_file)
    if result.errors:
        sys.exit(1)


def _print_summary(result, errors_file: Path | None) -> None:
    echo = click.echo
    echo(f"{result.file}: {result.rows} rows, {result.valid} valid, {result.invalid} invalid.")
    echo(f"Ledger: {database_label()}")
    shown = sorted(result.errors, key=lambda e: (e.line, e.column))
    for error in shown[:20]:
        echo(f"  {error}", err=True)
    if len(shown) > 20:
        echo(f"  ... and {len(shown) - 20} more errors", err=True)
    if result.errors:
        reasons = Counter(e.column or "row" for e in result.errors)
        echo("  errors by column: " + ", ".join(f"{c} {n}" for c, n in reasons.most_common()), err=True)
    if errors_file is not None and result.errors:
        echo(f"  every error is listed in {errors_file}", err=True)
    if result.errors and not result.written and not result.counts:
        echo("Nothing was written: fix the rows above, or pass --partial to import the valid rows only.")
        return
    verb = "Would write" if result.dry_run else "Wrote"
    changes = ", ".join(f"{name.replace('_', ' ')}: {count}" for name, count in result.counts.items())
    echo(f"{verb}: {changes}." + (" (dry run: nothing was written)" if result.dry_run else ""))
