"""Fast inserts of many rows for importers: COPY on PostgreSQL, executemany on SQLite.

Django's bulk_create builds a model instance and compiles every value through several layers per
field; at millions of journal lines that overhead dominates an import. Rows here are plain dicts
keyed by attribute name (`account_id`, not `account`), converted once per field by the backend's own
adapters, so the values stored are exactly what the ORM would store.

insert_rows is for rows whose ids nobody needs back, or that are read back by reference afterwards.
update_rows sets a few columns of many rows by primary key: Django's bulk_update builds one CASE
expression per batch, which grows quadratically and took most of a large payments import.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from functools import partial
from typing import Any

from django.db import connection, models
from django.utils import timezone

_BATCH = 5000


def _converter(field: models.Field) -> Callable[[Any], Any] | None:
    """The backend's own adapter for the field's values, or None where values pass unchanged.

    These are the adapters the ORM's get_db_prep_save ends in, called without the layers above them.
    """
    ops = connection.ops
    if isinstance(field, models.JSONField):
        return partial(ops.adapt_json_value, encoder=field.encoder)
    if isinstance(field, models.DateTimeField):
        return ops.adapt_datetimefield_value
    if isinstance(field, models.DateField):
        return ops.adapt_datefield_value
    if isinstance(field, models.DecimalField):
        return partial(
            ops.adapt_decimalfield_value, max_digits=field.max_digits, decimal_places=field.decimal_places
        )
    return None


def insert_rows(model: type[models.Model], rows: Iterable[Mapping[str, Any]]) -> int:
    """Insert rows into model's table; missing values take the field's default (or now, for
    auto_now / auto_now_add). Returns the number of rows inserted. Call inside a transaction."""
    fields = [f for f in model._meta.concrete_fields if not f.primary_key]
    now = timezone.now()
    # As the ORM does: auto_now(_add) fields get the time, others their default ("" for text).
    defaults = {
        f.attname: (lambda: now)
        if getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False)
        else f.get_default
        for f in fields
    }
    converters = [(f.attname, _converter(f), defaults[f.attname]) for f in fields]

    def values(row: Mapping[str, Any]) -> list[Any]:
        out = []
        for name, convert, default in converters:
            value = row[name] if name in row else default()
            out.append(convert(value) if convert is not None and value is not None else value)
        return out

    table = connection.ops.quote_name(model._meta.db_table)
    columns = ", ".join(connection.ops.quote_name(f.column) for f in fields)
    count = 0
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            raw = cursor.cursor  # the psycopg cursor under Django's wrapper
            with raw.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(values(row))
                    count += 1
        else:
            sql = f"INSERT INTO {table} ({columns}) VALUES ({', '.join(['%s'] * len(fields))})"
            count = _executemany(cursor, sql, map(values, rows))
    return count


def update_rows(model: type[models.Model], fields: list[str], rows: Iterable[Mapping[str, Any]]) -> int:
    """Set `fields` (attribute names) on each row's primary key `pk`. Call inside a transaction."""
    meta = model._meta
    targets = [meta.get_field(name) for name in fields]
    converters = [(f.attname, _converter(f)) for f in targets]
    assignments = ", ".join(f"{connection.ops.quote_name(f.column)} = %s" for f in targets)
    sql = (
        f"UPDATE {connection.ops.quote_name(meta.db_table)} SET {assignments} "
        f"WHERE {connection.ops.quote_name(meta.pk.column)} = %s"
    )

    def values(row: Mapping[str, Any]) -> list[Any]:
        out = []
        for name, convert in converters:
            value = row[name]
            out.append(convert(value) if convert is not None and value is not None else value)
        out.append(row["pk"])
        return out

    with connection.cursor() as cursor:
        return _executemany(cursor, sql, map(values, rows))


def _executemany(cursor, sql: str, params: Iterable[list[Any]]) -> int:
    """executemany in batches, so a generator of a million rows is never a list of a million."""
    count = 0
    batch: list[list[Any]] = []
    for row in params:
        batch.append(row)
        if len(batch) >= _BATCH:
            cursor.executemany(sql, batch)
            count += len(batch)
            batch = []
    if batch:
        cursor.executemany(sql, batch)
        count += len(batch)
    return count
