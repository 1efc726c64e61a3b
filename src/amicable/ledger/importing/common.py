"""What the account and payment importers share: options, results, creditor lookup, chunked queries."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TypeVar

from ..models import Creditor
from . import fields as f
from .csvfile import CsvFile, CsvRow
from .errors import FileError, RowError

T = TypeVar("T")
Step = Callable[[str], None]
IMPORT_STEPS = 4  # reading, checking rows, checking the ledger, writing


def no_step(_name: str) -> None:
    pass


# SQLite before 3.32 allowed 999 parameters per statement; staying under it costs nothing.
CHUNK = 900
BATCH = 2000


def chunks(items: Sequence[T], size: int = CHUNK) -> Iterator[Sequence[T]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def by_creditor(keys: Iterable[tuple[int, str]]) -> Iterator[tuple[int, Sequence[str]]]:
    """(creditor id, a chunk of that creditor's references) for looking rows up by reference.

    References are per creditor, so lookups filter on both; chunks keep each query's parameters
    under SQLite's limit.
    """
    grouped: dict[int, dict[str, None]] = {}
    for creditor_id, ref in keys:
        grouped.setdefault(creditor_id, {})[ref] = None  # a dict keeps order and drops repeats
    for creditor_id, refs in grouped.items():
        for chunk in chunks(list(refs)):
            yield creditor_id, chunk


@dataclass(frozen=True, slots=True)
class ImportOptions:
    creditor: str | None = None
    dry_run: bool = False
    partial: bool = False
    decimal_comma: bool = False
    ignore_unknown: bool = False
    actor: str = "system:import"


@dataclass(slots=True)
class ImportResult:
    kind: str
    file: str
    rows: int = 0
    valid: int = 0
    invalid: int = 0
    written: bool = False
    dry_run: bool = False
    counts: dict[str, int] = field(default_factory=dict)
    errors: list[RowError] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors

    def record_checks(self, lines: set[int], errors: list[RowError]) -> None:
        """What checking found: every row read (by its line), and the errors of the invalid ones."""
        self.errors = errors
        self.rows = len(lines)
        self.invalid = len({e.line for e in errors})
        self.valid = self.rows - self.invalid

    def as_dict(self) -> dict[str, object]:
        return {
            "kind": self.kind,
            "file": self.file,
            "rows": self.rows,
            "valid": self.valid,
            "invalid": self.invalid,
            "written": self.written,
            "dry_run": self.dry_run,
            "counts": self.counts,
            "errors": [e.as_dict() for e in sorted(self.errors, key=lambda e: (e.line, e.column))],
        }


def check_header(
    csv_file: CsvFile, known: Iterable[str], required: Iterable[str], options: ImportOptions
) -> None:
    known = tuple(known)
    unknown = [name for name in csv_file.header if name not in known]
    if unknown and not options.ignore_unknown:
        raise FileError(
            f"{csv_file.path.name}: unknown column(s) {', '.join(map(repr, unknown))}; "
            f"expected some of {', '.join(known)} (or pass --ignore-unknown)"
        )
    needed = set(required) | ({"creditor"} if options.creditor is None else set())
    missing = [name for name in known if name in needed and name not in csv_file.header]
    if missing:
        hint = " (or pass --creditor NAME)" if missing == ["creditor"] else ""
        raise FileError(
            f"{csv_file.path.name}: the header lacks required column(s) {', '.join(missing)}{hint}"
        )


class RowParser:
    """Reads the values of one CSV row, collecting every error rather than stopping at the first."""

    def __init__(self, row: CsvRow, errors: list[RowError]) -> None:
        self.row = row
        self.errors = errors
        self.failed = False

    def raw(self, column: str) -> str:
        return self.row.values.get(column, "")

    def error(self, column: str, message: str, value: str | None = None) -> None:
        self.errors.append(
            RowError(self.row.line, column, self.raw(column) if value is None else value, message)
        )
        self.failed = True

    def get(self, column, parse, *args, required=False, default=None, **kwargs):
        value = self.raw(column)
        if value == "":
            if required:
                self.error(column, "required")
            return default
        try:
            return parse(value, *args, **kwargs)
        except f.FieldError as error:
            self.error(column, str(error))
            return default


class CreditorResolver:
    """Finds the creditor for each row: --creditor wins, else the row's creditor column."""

    def __init__(self, options: ImportOptions) -> None:
        self.options = options
        self.by_name = {c.name: c for c in Creditor.objects.all()}
        if options.creditor is not None and options.creditor not in self.by_name:
            raise FileError(f"--creditor {options.creditor!r}: no such creditor ({self._known()})")

    def _known(self) -> str:
        names = ", ".join(sorted(self.by_name)) or "none yet"
        return f"known: {names}; add one with `amicable creditors add NAME`"

    def resolve(self, row: CsvRow, errors: list[RowError]) -> Creditor | None:
        given = row.values.get("creditor", "")
        if self.options.creditor is not None:
            if given and given != self.options.creditor:
                errors.append(
                    RowError(
                        row.line, "creditor", given, f"differs from --creditor {self.options.creditor!r}"
                    )
                )
                return None
            return self.by_name[self.options.creditor]
        if not given:
            errors.append(RowError(row.line, "creditor", "", "required (or pass --creditor NAME)"))
            return None
        creditor = self.by_name.get(given)
        if creditor is None:
            errors.append(RowError(row.line, "creditor", given, f"no such creditor ({self._known()})"))
        return creditor


def read_rows(csv_file: CsvFile, errors: list[RowError]) -> Iterator[CsvRow]:
    """The file's rows, reporting rows with more cells than the header has columns.

    Such a row is still parsed, so every other problem in it is reported at the same time; an
    unquoted decimal comma (12,50) is the usual cause, and shifts every later cell.
    """
    for row in csv_file.rows():
        if row.extra:
            errors.append(
                RowError(
                    row.line,
                    "",
                    ", ".join(row.extra),
                    f"more cells than the {len(csv_file.header)} columns of the header "
                    "(an unquoted comma in a value?)",
                )
            )
        yield row


def source_label(path: Path, line: int) -> str:
    """Where a row came from, e.g. "import:accounts.csv line 7"; long file names are shortened to fit
    the ledger's source columns."""
    name = path.name if len(path.name) <= 120 else f"{path.name[:80]}...{path.name[-37:]}"
    return f"import:{name} line {line}"
