"""Fast bulk inserts for large demo data sets (`cybercap demo --learners 100000`).

On PostgreSQL rows go in with ``COPY ... FROM STDIN`` (psycopg's ``cursor.copy()``), which is
an order of magnitude faster than ``INSERT`` for hundreds of thousands of rows; elsewhere
(SQLite) with ``bulk_create``. Values are prepared by the model fields exactly as Django
prepares them for an ``INSERT`` (``pre_save`` then ``get_db_prep_save``), so defaults,
``auto_now`` and JSON encoding are the same either way.

:func:`allocate_pks` gives unsaved objects their primary keys up front (from the table's
sequence on PostgreSQL), so rows that refer to them can be built before anything is written.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from django.db import connection, models, transaction

BATCH = 5000


def is_postgresql() -> bool:
    return connection.vendor == "postgresql"


def allocate_pks(model: type[models.Model], objs: Sequence[models.Model]) -> None:
    """Set the primary key of each object (PostgreSQL: the next values of its sequence)."""
    if not objs or not is_postgresql():
        return
    table = model._meta.db_table
    column = model._meta.pk.column
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT nextval(pg_get_serial_sequence(%s, %s)) FROM generate_series(1, %s)",
            [table, column, len(objs)],
        )
        for obj, (pk,) in zip(objs, cursor.fetchall(), strict=True):
            obj.pk = pk


def _fields(model: type[models.Model], with_pk: bool) -> list[Any]:
    return [
        f
        for f in model._meta.concrete_fields
        if with_pk or not (f.primary_key and isinstance(f, models.AutoField))
    ]


def _rows(fields: list[Any], objs: Sequence[models.Model]) -> Any:
    for obj in objs:
        yield [f.get_db_prep_save(f.pre_save(obj, True), connection) for f in fields]


def _copy(table: str, fields: list[Any], objs: Sequence[models.Model]) -> None:
    quote = connection.ops.quote_name
    columns = ", ".join(quote(f.column) for f in fields)
    with connection.cursor() as cursor:
        raw = cursor.cursor  # psycopg's own cursor, under Django's wrapper
        with raw.copy(f"COPY {quote(table)} ({columns}) FROM STDIN") as copy:
            for row in _rows(fields, objs):
                copy.write_row(row)


def bulk_insert(model: type[models.Model], objs: Sequence[models.Model]) -> int:
    """Insert the objects. On PostgreSQL those without a primary key get one first (so the
    caller can refer to them afterwards, as after ``bulk_create``)."""
    if not objs:
        return 0
    if not is_postgresql():
        model._default_manager.bulk_create(objs, batch_size=1000)
        return len(objs)
    missing = [obj for obj in objs if obj.pk is None]
    allocate_pks(model, missing)
    for obj in objs:
        obj._state.adding = False
        obj._state.db = connection.alias
    fields = _fields(model, with_pk=True)
    for start in range(0, len(objs), BATCH):
        _copy(model._meta.db_table, fields, objs[start : start + BATCH])
    return len(objs)


def bulk_insert_ignoring_conflicts(model: type[models.Model], objs: Sequence[models.Model]) -> int:
    """Insert the objects, skipping those whose unique key is already stored; return how many
    were inserted. PostgreSQL: COPY into a temporary table, then ``INSERT ... SELECT ... ON
    CONFLICT DO NOTHING``."""
    if not objs:
        return 0
    manager = model._default_manager
    if not is_postgresql():
        before = manager.count()
        manager.bulk_create(objs, batch_size=1000, ignore_conflicts=True)
        return manager.count() - before
    quote = connection.ops.quote_name
    table = model._meta.db_table
    staging = f"bulk_{table}"
    fields = _fields(model, with_pk=objs[0].pk is not None)
    columns = ", ".join(quote(f.column) for f in fields)
    inserted = 0
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(
            f"CREATE TEMPORARY TABLE IF NOT EXISTS {quote(staging)} "
            f"(LIKE {quote(table)} INCLUDING DEFAULTS) ON COMMIT DROP"
        )
        for start in range(0, len(objs), BATCH):
            cursor.execute(f"TRUNCATE {quote(staging)}")
            _copy(staging, fields, objs[start : start + BATCH])
            cursor.execute(
                f"INSERT INTO {quote(table)} ({columns}) "  # noqa: S608 - our names
                f"SELECT {columns} FROM {quote(staging)} ON CONFLICT DO NOTHING"
            )
            inserted += max(0, cursor.rowcount)
        cursor.execute(f"TRUNCATE {quote(staging)}")
    return inserted


def insert_rows_ignoring_conflicts(
    model: type[models.Model], names: Sequence[str], rows: Sequence[Sequence[Any]]
) -> int:
    """Insert plain rows (values in the order of the field ``names``, as Python values) without
    building model instances, skipping rows whose unique key is already stored; return how many
    were inserted. JSON fields take Python objects."""
    if not rows:
        return 0
    fields: list[Any] = [model._meta.get_field(name) for name in names]
    if not is_postgresql():
        attnames = [f.attname for f in fields]
        objs = [model(**dict(zip(attnames, row, strict=True))) for row in rows]
        return bulk_insert_ignoring_conflicts(model, objs)
    quote = connection.ops.quote_name
    table = model._meta.db_table
    staging = f"rows_{table}"
    columns = ", ".join(quote(f.column) for f in fields)
    as_json = [i for i, f in enumerate(fields) if isinstance(f, models.JSONField)]
    dumps = json.JSONEncoder(ensure_ascii=False, separators=(",", ":")).encode
    inserted = 0
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(
            f"CREATE TEMPORARY TABLE IF NOT EXISTS {quote(staging)} "
            f"(LIKE {quote(table)} INCLUDING DEFAULTS) ON COMMIT DROP"
        )
        for start in range(0, len(rows), BATCH):
            cursor.execute(f"TRUNCATE {quote(staging)}")
            with cursor.cursor.copy(f"COPY {quote(staging)} ({columns}) FROM STDIN") as copy:
                for row in rows[start : start + BATCH]:
                    values = list(row)
                    for i in as_json:
                        values[i] = dumps(values[i])
                    copy.write_row(values)
            cursor.execute(
                f"INSERT INTO {quote(table)} ({columns}) "  # noqa: S608 - our names
                f"SELECT {columns} FROM {quote(staging)} ON CONFLICT DO NOTHING"
            )
            inserted += max(0, cursor.rowcount)
        cursor.execute(f"TRUNCATE {quote(staging)}")
    return inserted
