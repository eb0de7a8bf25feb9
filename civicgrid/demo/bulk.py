"""Fast inserts for the demo build: preallocated ids, rows as tuples, COPY on PostgreSQL.

The ORM's ``bulk_create`` builds a model instance per row; for two million residents the
instances cost more than the database. Here a row is a tuple in a fixed column order:
PostgreSQL receives it through ``COPY … FROM STDIN``, SQLite through ``executemany``.

Ids are taken before the rows are written, so that children can point at their parents:
on PostgreSQL from the table's sequence (``nextval``), on SQLite from ``max(id) + 1``
(the build holds the write lock for its whole transaction). Foreign keys are deferred to
commit by Django on both backends, so tables can be written in any order.
"""

from collections.abc import Callable, Sequence
from typing import Any

from django.db import connection, models

Row = tuple[Any, ...]


class Table:
    """Pending rows of one model, in the column order given by ``fields`` (attnames)."""

    def __init__(self, model: type[models.Model], fields: Sequence[str]) -> None:
        self.model = model
        self.fields = [model._meta.get_field(name) for name in fields]
        self.columns: list[str] = [str(field.column) for field in self.fields]  # type: ignore[union-attr]
        self.rows: list[Row] = []
        self.written = 0
        self.converters = self._converters()

    def _converters(self) -> list[Callable[[Any], Any] | None]:
        if connection.vendor == "postgresql":
            return [None] * len(self.fields)
        ops = connection.ops
        out: list[Callable[[Any], Any] | None] = []
        for field in self.fields:
            if isinstance(field, models.DateTimeField):
                out.append(ops.adapt_datetimefield_value)
            elif isinstance(field, models.DateField):
                out.append(ops.adapt_datefield_value)
            elif isinstance(field, models.DecimalField):
                out.append(lambda v: None if v is None else str(v))
            else:
                out.append(None)
        return out

    def add(self, row: Row) -> None:
        self.rows.append(row)


class BulkWriter:
    def __init__(self, batch_size: int = 10_000) -> None:
        self.batch_size = batch_size
        self.vendor = connection.vendor
        self._next_id: dict[str, int] = {}
        self.tables: list[Table] = []

    def table(self, model: type[models.Model], fields: Sequence[str]) -> Table:
        table = Table(model, fields)
        self.tables.append(table)
        return table

    # --- ids ------------------------------------------------------------------------

    def reserve_ids(self, model: type[models.Model], n: int) -> list[int]:
        if n <= 0:
            return []
        db_table = model._meta.db_table
        with connection.cursor() as cursor:
            if self.vendor == "postgresql":
                cursor.execute(
                    "SELECT nextval(pg_get_serial_sequence(%s, 'id')) FROM generate_series(1, %s)",
                    [db_table, n],
                )
                return [row[0] for row in cursor.fetchall()]
            if db_table not in self._next_id:
                cursor.execute(f"SELECT MAX(id) FROM {connection.ops.quote_name(db_table)}")  # noqa: S608
                self._next_id[db_table] = (cursor.fetchone()[0] or 0) + 1
        start = self._next_id[db_table]
        self._next_id[db_table] = start + n
        return list(range(start, start + n))

    def id_pool(self, model: type[models.Model], block: int = 10_000) -> "IdPool":
        return IdPool(self, model, block)

    # --- rows -----------------------------------------------------------------------

    def add(self, table: Table, row: Row) -> None:
        table.rows.append(row)
        if len(table.rows) >= self.batch_size:
            self.flush(table)

    def flush(self, table: Table | None = None) -> None:
        for one in [table] if table is not None else self.tables:
            if one.rows:
                self._write(one)
                one.written += len(one.rows)
                one.rows = []

    def _write(self, table: Table) -> None:
        quote = connection.ops.quote_name
        name = quote(table.model._meta.db_table)
        columns = ", ".join(quote(c) for c in table.columns)
        with connection.cursor() as cursor:
            if self.vendor == "postgresql":
                with cursor.copy(f"COPY {name} ({columns}) FROM STDIN") as copy:
                    for row in table.rows:
                        copy.write_row(row)
                return
            rows = table.rows
            if any(table.converters):
                rows = [self._convert(table, row) for row in rows]
            marks = ", ".join(["%s"] * len(table.columns))
            cursor.executemany(f"INSERT INTO {name} ({columns}) VALUES ({marks})", rows)  # noqa: S608

    @staticmethod
    def _convert(table: Table, row: Row) -> Row:
        return tuple(
            value if convert is None or value is None else convert(value)
            for value, convert in zip(row, table.converters, strict=True)
        )


# Secondary indexes and foreign keys of the tables being loaded (PostgreSQL). Indexes that
# back a primary key or unique constraint stay: they guard the data while it goes in.
_INDEXES_SQL = """
SELECT i.indexrelid::regclass::text, pg_get_indexdef(i.indexrelid)
FROM pg_index i
WHERE i.indrelid = ANY(SELECT unnest(%s::text[])::regclass)
  AND NOT i.indisprimary
  AND NOT EXISTS (
    SELECT 1 FROM pg_constraint c
    WHERE c.conrelid = i.indrelid AND c.conindid = i.indexrelid AND c.contype IN ('p', 'u', 'x'))
ORDER BY 1
"""
_FOREIGN_KEYS_SQL = """
SELECT conrelid::regclass::text, quote_ident(conname), pg_get_constraintdef(oid)
FROM pg_constraint
WHERE contype = 'f' AND conrelid = ANY(SELECT unnest(%s::text[])::regclass)
ORDER BY 1, 2
"""


class DeferredIndexes:
    """Drop secondary indexes and foreign keys for a bulk load, and put them back after.

    Building an index once over loaded rows is several times cheaper than updating it
    row by row, and one validating join per foreign key is cheaper than a queued check
    per row at commit. PostgreSQL DDL is transactional: if the build fails, the rollback
    restores them. On SQLite this does nothing.
    """

    def __init__(self, models_: Sequence[type[models.Model]]) -> None:
        self.tables = [m._meta.db_table for m in models_]
        self.indexes: list[tuple[str, str]] = []
        self.foreign_keys: list[tuple[str, str, str]] = []

    def drop(self) -> None:
        if connection.vendor != "postgresql":
            return
        with connection.cursor() as cursor:
            # ALTER TABLE refuses a table with queued constraint checks: run them now.
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
            cursor.execute(_INDEXES_SQL, [self.tables])
            self.indexes = list(cursor.fetchall())
            cursor.execute(_FOREIGN_KEYS_SQL, [self.tables])
            self.foreign_keys = list(cursor.fetchall())
            for table, name, _ in self.foreign_keys:
                cursor.execute(f"ALTER TABLE {table} DROP CONSTRAINT {name}")
            for name, _ in self.indexes:
                cursor.execute(f"DROP INDEX {name}")

    def restore(self) -> None:
        if connection.vendor != "postgresql":
            return
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL maintenance_work_mem = '256MB'")
            for _, definition in self.indexes:
                cursor.execute(definition)
            for table, name, definition in self.foreign_keys:
                cursor.execute(f"ALTER TABLE {table} ADD CONSTRAINT {name} {definition}")
            cursor.execute("SET CONSTRAINTS ALL DEFERRED")
        self.indexes, self.foreign_keys = [], []


class IdPool:
    """Ids of one table handed out one by one, fetched from the database in blocks."""

    def __init__(self, writer: BulkWriter, model: type[models.Model], block: int) -> None:
        self.writer, self.model, self.block = writer, model, block
        self._ids: list[int] = []

    def next(self) -> int:
        if not self._ids:
            self._ids = self.writer.reserve_ids(self.model, self.block)
            self._ids.reverse()
        return self._ids.pop()
