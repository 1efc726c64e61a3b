from __future__ import annotations

import csv
from dataclasses import asdict, dataclass
from pathlib import Path


@dataclass(frozen=True, slots=True)
class RowError:
    """What is wrong with one value of one row. `line` is the line number in the file (header = 1)."""

    line: int
    column: str
    value: str
    message: str

    def __str__(self) -> str:
        where = f"line {self.line}" + (f", column {self.column}" if self.column else "")
        shown = f" {self.value!r}" if self.value else ""
        return f"{where}:{shown} {self.message}"

    def as_dict(self) -> dict[str, object]:
        return asdict(self)


class FileError(ValueError):
    """The file as a whole cannot be read: wrong encoding, no header, unknown columns."""


class ImportConflict(FileError):
    """The ledger changed under the import (another import or a person touched the same accounts)."""

    def __init__(self, path: Path) -> None:
        super().__init__(
            f"{path.name}: the same accounts or payments were changed by someone else during the import; "
            "nothing was written. Run the import again."
        )


def write_error_report(path: Path, errors: list[RowError]) -> None:
    """A CSV a person can open next to the original file and fix row by row."""
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["line", "column", "value", "error"])
        for error in sorted(errors, key=lambda e: (e.line, e.column)):
            writer.writerow([error.line, error.column, error.value, error.message])
