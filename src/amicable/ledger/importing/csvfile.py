"""Reading an import file: UTF-8 with or without a BOM, comma or semicolon delimited."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from .errors import FileError


@dataclass(frozen=True, slots=True)
class CsvRow:
    line: int  # the file line the row ends on; the header is line 1
    values: dict[str, str]
    extra: tuple[str, ...] = ()  # non-empty cells beyond the header's columns


@dataclass(slots=True)
class CsvFile:
    path: Path
    header: list[str]
    delimiter: str
    text: str

    def rows(self) -> Iterator[CsvRow]:
        reader = csv.reader(io.StringIO(self.text, newline=""), delimiter=self.delimiter)
        next(reader)
        width = len(self.header)
        while True:
            try:
                raw = next(reader)
            except StopIteration:
                return
            except csv.Error as error:  # e.g. a cell over the csv module's 128 KiB limit
                raise FileError(f"{self.path.name}: line {reader.line_num}: {error}") from None
            if not any(cell.strip() for cell in raw):
                continue  # blank lines, often at the end of a spreadsheet export
            cells = [cell.strip() for cell in raw]
            if len(cells) < width:
                cells += [""] * (width - len(cells))
            extra = tuple(c for c in cells[width:] if c)
            yield CsvRow(reader.line_num, dict(zip(self.header, cells[:width], strict=True)), extra)


def read_csv(path: Path) -> CsvFile:
    try:
        data = path.read_bytes()
    except OSError as error:
        raise FileError(f"{path}: cannot read it ({error.strerror})") from None
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        line = data[: error.start].count(b"\n") + 1
        raise FileError(
            f"{path.name}: line {line} is not valid UTF-8 (byte {data[error.start]:#04x}); "
            "save the file as UTF-8 and try again"
        ) from None
    first_line = text.split("\n", 1)[0]
    if not first_line.strip():
        raise FileError(f"{path.name}: the file is empty or its first line is blank; it needs a header")
    # The header names contain neither delimiter, so counting them in the header is reliable where
    # sniffing the data is not (addresses and amounts contain commas).
    delimiter = ";" if first_line.count(";") > first_line.count(",") else ","
    header = [name.strip() for name in next(csv.reader([first_line], delimiter=delimiter))]
    seen: set[str] = set()
    for name in header:
        if not name:
            raise FileError(f"{path.name}: the header has an empty column name")
        if name in seen:
            raise FileError(f"{path.name}: the header names column {name!r} twice")
        seen.add(name)
    return CsvFile(path=path, header=header, delimiter=delimiter, text=text)
