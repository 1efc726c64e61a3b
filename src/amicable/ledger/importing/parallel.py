"""Parsing import rows on every core.

Checking phone numbers and email addresses is most of an import's time, and parsing a row is pure
(no database), so large files are parsed in forked worker processes, in chunks, and the results are
put back in file order. Small files, and platforms without fork, are parsed in this process.
"""

from __future__ import annotations

import multiprocessing
import os
import sys
from collections.abc import Callable, Sequence
from concurrent.futures import ProcessPoolExecutor
from itertools import repeat
from typing import Any

from .common import ImportOptions, chunks
from .csvfile import CsvRow
from .errors import RowError

PARALLEL_FROM_ROWS = 5000
CHUNK_ROWS = 4000

Parse = Callable[[CsvRow, Any, ImportOptions, list[RowError]], Any]


def _parse_chunk(parse: Parse, options: ImportOptions, pairs: Sequence[tuple[CsvRow, Any]]):
    errors: list[RowError] = []
    parsed = [parse(row, context, options, errors) for row, context in pairs]
    return [p for p in parsed if p is not None], errors


def workers() -> int:
    if not sys.platform.startswith("linux"):  # fork is only dependable on Linux
        return 1
    return max(1, min(len(os.sched_getaffinity(0)), 8))


def parse_rows(parse: Parse, pairs: Sequence[tuple[CsvRow, Any]], options: ImportOptions):
    """Apply parse(row, context, options, errors) to every (row, context) pair.

    Returns (the rows that parsed, in file order; every error). `parse` must be a module-level
    function so it can be sent to a worker.
    """
    n_workers = workers()
    if len(pairs) < PARALLEL_FROM_ROWS or n_workers < 2:
        return _parse_chunk(parse, options, pairs)
    parsed: list[Any] = []
    errors: list[RowError] = []
    context = multiprocessing.get_context("fork")
    with ProcessPoolExecutor(max_workers=n_workers, mp_context=context) as pool:
        for chunk_parsed, chunk_errors in pool.map(
            _parse_chunk, repeat(parse), repeat(options), chunks(pairs, CHUNK_ROWS)
        ):
            parsed.extend(chunk_parsed)
            errors.extend(chunk_errors)
    return parsed, errors
