"""Query results as Polars frames, read a column at a time where the database allows it.

Django compiles each query, so the SQL is right for SQLite and PostgreSQL alike; the rows then skip
Django's per-value converters. Outside a transaction they are read through ADBC, which hands Polars
Arrow columns without making a Python object per value: the difference between seconds and minutes
on a portfolio of millions, and between a few hundred megabytes and many gigabytes. All the reads
of one `reading()` block share one read transaction, so the frames agree with each other.

Inside a transaction (a test case, or a caller that has just written something) only Django's own
connection can see the uncommitted rows, so the rows come through its cursor instead.

Every column is selected as text and parsed by Polars into the type asked for, a whole column at a
time: money keeps its exact digits, and both paths and both databases give the same frame.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from contextlib import contextmanager

import polars as pl
from django.db import connection
from django.db.models import Expression, F, QuerySet, TextField, Value
from django.db.models.functions import Cast, Coalesce

# A column: the field (or expression) to read, and the type it becomes in the frame.
Column = tuple[str | Expression, pl.DataType]
Reader = Callable[..., pl.DataFrame]

# Connection parameters that are Django's or psycopg's own, not libpq's: everything else is passed on.
_NOT_LIBPQ = {"context", "cursor_factory", "prepare_threshold", "server_side_binding", "pool", "autocommit"}


@contextmanager
def reading() -> Iterator[Reader]:
    """A function `read(queryset, name=(field, dtype), ...)` that returns a frame with those columns."""
    if arrow_reads():
        with _arrow_connection() as adbc:
            yield lambda queryset, **columns: _frame(_read_arrow(adbc, queryset, columns), columns)
    else:
        yield lambda queryset, **columns: _frame(_read_cursor(queryset, columns), columns)


def arrow_reads() -> bool:
    """Whether reads now go through ADBC: only a separate connection that sees everything Django's
    does (no open transaction, not an in-memory SQLite database)."""
    if connection.in_atomic_block:
        return False
    if connection.vendor == "sqlite":
        return not connection.is_in_memory_db()
    return connection.vendor == "postgresql"


# ---------------------------------------------------------------------------------------- the SQL


def _compiled(queryset: QuerySet, columns: dict[str, Column]) -> tuple[str, tuple]:
    # Prefixed names: an annotation may not take the name of a model field.
    # Never NULL: the SQLite driver guesses a column's type from its first rows, and a column that
    # starts with NULLs would be guessed wrongly. Empty text stands for NULL (see _parse).
    texts = {
        f"_{name}": Coalesce(Cast(_expression(field), TextField()), Value(""), output_field=TextField())
        for name, (field, _) in columns.items()
    }
    query = queryset.order_by().annotate(**texts).values_list(*texts)
    return query.query.sql_with_params()


def _expression(field: str | Expression) -> Expression:
    return F(field) if isinstance(field, str) else field


def _read_cursor(queryset: QuerySet, columns: dict[str, Column]) -> pl.DataFrame:
    sql, params = _compiled(queryset, columns)
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        rows = cursor.fetchall()
    return pl.DataFrame(rows, schema={name: pl.String for name in columns}, orient="row")


def _read_arrow(adbc, queryset: QuerySet, columns: dict[str, Column]) -> pl.DataFrame:
    sql, params = _compiled(queryset, columns)
    with adbc.cursor() as cursor:
        cursor.execute(_placeholders(sql, connection.vendor), list(params))
        frame = pl.DataFrame(cursor.fetch_arrow())
    return frame.rename(dict(zip(frame.columns, columns, strict=True)))


def _placeholders(sql: str, vendor: str) -> str:
    """Django writes %s for each parameter and %% for a percent sign; SQLite wants ?, PostgreSQL $1."""
    numbers = iter(range(1, sql.count("%s") + 1))

    def replace(match: re.Match) -> str:
        if match.group(0) == "%%":
            return "%"
        return "?" if vendor == "sqlite" else f"${next(numbers)}"

    return re.sub(r"%[s%]", replace, sql)


@contextmanager
def _arrow_connection():
    """An ADBC connection to the database Django uses, in one read-only transaction."""
    if connection.vendor == "sqlite":
        import adbc_driver_sqlite.dbapi as driver

        adbc = driver.connect(str(connection.settings_dict["NAME"]), autocommit=True)
        begin = "BEGIN"
    else:
        import adbc_driver_postgresql.dbapi as driver
        from psycopg.conninfo import make_conninfo

        params = connection.get_connection_params()
        options = {key: value for key, value in params.items() if key not in _NOT_LIBPQ}
        conninfo = make_conninfo(**options)
        adbc = driver.connect(conninfo, autocommit=True)
        begin = "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY"
    try:
        with adbc.cursor() as cursor:
            if connection.vendor == "postgresql":
                cursor.execute("SET TIME ZONE 'UTC'")  # as Django's own sessions: datetimes read as UTC
                role = connection.settings_dict["OPTIONS"].get("assume_role")
                if role:  # as Django does for its own sessions
                    cursor.execute(f"SET ROLE {connection.ops.quote_name(role)}")
            cursor.execute(begin)
        yield adbc
    finally:
        try:
            with adbc.cursor() as cursor:
                cursor.execute("COMMIT")
        finally:
            adbc.close()


# ---------------------------------------------------------------------------------------- parsing


def _frame(raw: pl.DataFrame, columns: dict[str, Column]) -> pl.DataFrame:
    return raw.select(
        _parse(pl.col(name).cast(pl.String), dtype).alias(name) for name, (_, dtype) in columns.items()
    )


def _parse(text: pl.Expr, dtype: pl.DataType) -> pl.Expr:
    """Text as the database writes it, into the column's type. Empty text is NULL for every type but
    text itself (where the planner treats an empty value as missing anyway)."""
    if dtype == pl.String:
        return text
    text = pl.when(text != "").then(text)
    if dtype == pl.Boolean:  # SQLite writes 1 and 0, PostgreSQL true and false
        return pl.when(text.is_null()).then(None).otherwise(text.is_in(("1", "true", "t")))
    if dtype == pl.Date:
        return text.str.to_date("%Y-%m-%d")
    if isinstance(dtype, pl.Datetime):
        # SQLite stores UTC without an offset; PostgreSQL, its session in UTC, ends with +00.
        return text.str.replace(r"\+00(:00)?$", "").str.to_datetime(
            "%Y-%m-%d %H:%M:%S%.f", time_zone=dtype.time_zone, time_unit=dtype.time_unit
        )
    if isinstance(dtype, pl.List | pl.Struct):  # JSON
        return text.str.json_decode(dtype)
    return text.cast(dtype)
