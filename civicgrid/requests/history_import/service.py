"""``requests_history_import``: check a whole file and write it all or nothing.

1. The actor must be able to import somewhere (``Scope``), else ``PermissionDenied``
   before the file is even read, and nothing — not even an audit row — is written.
2. The rows are read and checked (``Validator.chunks``) and, a chunk of valid rows at a
   time, compared with the numbers already in the database and written
   (``writer.Writer``), all in one transaction. Memory holds one chunk, not the file's
   rows — except on SQLite (the demo), whose single write lock the transaction takes at
   once: there the whole file is read and checked before the transaction begins.
3. The first problem stops the writing; the rest of the file is still checked, so that the
   result lists every (row, column, reason), and the transaction is rolled back: the
   database is as before. A dry run only checks.
4. At the end of the transaction the rollups of the months the rows change are dropped
   (their rates are read from raw rows again, exactly) and one audit row is written for
   the whole import.
5. After the commit, the dropped months that have ended are rebuilt (``rollup_build``) so
   reads get their rollup speed back; a failure there loses nothing, reads stay raw and
   exact until ``civicgrid rates_rollup`` is run for those months.
"""

import logging
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from django.db import DatabaseError, IntegrityError, OperationalError, connection, transaction
from django.utils.translation import gettext as _

from civicgrid.core.audit import audit_write
from civicgrid.core.errors import Conflict, PermissionDenied, ValidationError
from civicgrid.exchange.importers.base import RowError
from civicgrid.requests.history_import.reader import read_sheet
from civicgrid.requests.history_import.validate import Chunk, Scope, Validator
from civicgrid.requests.history_import.writer import Writer
from civicgrid.requests.rates.cells import current_month, rollup_build
from civicgrid.requests.rollups import RateRollup, RateRollupMonth
from civicgrid.requests.services.engine import actor_name
from civicgrid.territory.models import Node, common_path

logger = logging.getLogger(__name__)

VERB = "requests.history_imported"

# Keys of ``HistoryImportResult.seconds`` that callers read (the command prints them).
CHECK_SECONDS = "check"
IMPORT_SECONDS = "import"
WRITE_SECONDS = "write"
ROLLUP_SECONDS = "rollup"


@dataclass
class HistoryImportResult:
    file_name: str
    rows: int = 0  # data rows in the file
    imported: int = 0  # requests written
    skipped: list[tuple[int, str]] = field(default_factory=list)  # (row, number) already there
    errors: list[RowError] = field(default_factory=list)
    counts: dict[str, int] = field(default_factory=dict)
    months_dropped: list[date] = field(default_factory=list)  # rollups dropped in the import
    months_rebuilt: list[date] = field(default_factory=list)  # ... and rebuilt after it
    dry_run: bool = False
    key: str = ""  # the import's key, in every history row's data and in the audit row
    # Wall seconds: "import" (the whole call before the rollups), "check" (reading and checking
    # the rows, the numbers taken included), "write" and "write:<step>", "rollup" (the keys
    # above; "import" + "rollup" is the wall time of the whole call).
    seconds: dict[str, float] = field(default_factory=dict)
    cpu: dict[str, float] = field(default_factory=dict)  # this process's CPU seconds ("import")

    @property
    def ok(self) -> bool:
        return not self.errors


class _NothingWritten(Exception):
    """Rolls the import's transaction back: a problem was found, or no row was left to write."""


def _common_node(paths: set[str]) -> Node | None:
    path = common_path(sorted(paths))
    return Node.objects.filter(path=path).first() if path else None


def _drop_rollups(months: set[date]) -> list[date]:
    """Forget the rollups of these months: reads count raw rows again until they are rebuilt.

    On PostgreSQL the marker table is locked against writes (reads go on) until the import
    commits, so a rollup built meanwhile (``rates_rollup``) cannot miss the imported rows.
    """
    if connection.vendor == "postgresql":
        table = connection.ops.quote_name(RateRollupMonth._meta.db_table)
        with connection.cursor() as cursor:
            cursor.execute(f"LOCK TABLE {table} IN SHARE ROW EXCLUSIVE MODE")
    built = RateRollupMonth.objects.filter(month__in=sorted(months))
    dropped = sorted(built.values_list("month", flat=True))
    if dropped:
        RateRollup.objects.filter(month__in=dropped).delete()
        built.delete()
    return dropped


def _rebuild(months: list[date]) -> list[date]:
    """Rebuild the dropped rollups from raw rows (the import is committed by now)."""
    rebuilt = []
    for month in months:
        if month > current_month():
            continue
        try:
            rollup_build(month)
        except ValidationError:  # a month the rollup refuses to build (yet): read from raw rows
            continue
        except DatabaseError:  # nothing lost: the month is read from raw rows until rebuilt
            logger.exception("rebuilding the rollup of %s after a history import failed", month)
            continue
        rebuilt.append(month)
    return rebuilt


class _Import:
    """One import: the chunks checked against the database and written, in one transaction."""

    def __init__(self, actor: Any, validator: Validator, result: HistoryImportResult) -> None:
        self.actor = actor
        self.validator = validator
        self.result = result
        self.numbers: list[str] = []  # the lowest and highest number written

    def chunks(self, sheet: Any) -> Iterator[Chunk]:
        """The checked chunks; the time spent reading and checking is ``seconds[CHECK_SECONDS]``."""
        source = self.validator.chunks(sheet)
        while True:
            started = time.perf_counter()
            chunk = next(source, None)
            self.checked_since(started)
            if chunk is None:
                return
            yield chunk

    def checked_since(self, started: float) -> None:
        seconds = self.result.seconds
        seconds[CHECK_SECONDS] = seconds.get(CHECK_SECONDS, 0.0) + time.perf_counter() - started

    def check(self, chunks: Iterator[Chunk]) -> None:
        for chunk in chunks:
            started = time.perf_counter()
            self.validator.check_taken(chunk)
            self.checked_since(started)
        self.validator.finish()

    def write(self, chunks: Iterator[Chunk]) -> None:
        """Inside the transaction; raises ``_NothingWritten`` to roll it back."""
        result, batch = self.result, self.validator.batch
        writer = Writer(key=result.key, actor_name=actor_name(self.actor), seconds=result.seconds)
        for chunk in chunks:
            started = time.perf_counter()
            items = self.validator.check_taken(chunk)
            self.checked_since(started)
            if batch.errors or not items:  # once anything is wrong, the rest is only checked
                continue
            writer.write(items, chunk.counters)
            numbers = [i.number for i in items] + self.numbers
            self.numbers = [min(numbers), max(numbers)]
        self.validator.finish()
        if batch.errors or not writer.counts["requests"]:
            raise _NothingWritten
        counts = writer.finish()
        started = time.perf_counter()
        result.months_dropped = _drop_rollups(batch.months)
        audit_write(
            actor=self.actor,
            verb=VERB,
            target_type="requests.request",
            target_id=result.key,
            target_label=_("历史诉求导入：{file_name}").format(file_name=result.file_name)[:255],
            node=_common_node(batch.paths),
            after={
                "file_name": result.file_name,
                "rows": batch.rows,
                "counts": counts,
                "skipped": len(batch.skipped),
                "numbers": self.numbers,
                "rollups_dropped": [f"{m:%Y-%m}" for m in result.months_dropped],
            },
        )
        result.counts = counts
        result.imported = counts["requests"]
        result.seconds["write:rollups+audit"] = time.perf_counter() - started


def requests_history_import(
    *,
    actor: Any,
    file_name: str,
    data: bytes,
    dry_run: bool = False,
    skip_existing: bool = False,
    rebuild_rollups: bool = True,
) -> HistoryImportResult:
    """Import closed historical requests from a .csv or .xlsx file (see ``columns.COLUMNS``).

    Numbers already in the database are problems (nothing is imported) unless
    ``skip_existing``, which leaves those rows out and imports the rest.
    """
    if not Scope(actor).anywhere:
        raise PermissionDenied(_("您无权导入历史诉求"))
    result = HistoryImportResult(file_name=file_name, dry_run=dry_run, key=uuid.uuid4().hex)
    started, cpu = time.perf_counter(), time.process_time()
    validator = Validator(actor, skip_existing=skip_existing)
    run = _Import(actor, validator, result)
    reading = time.perf_counter()
    sheet = read_sheet(file_name, data)
    run.checked_since(reading)
    chunks = run.chunks(sheet)
    write = not dry_run
    try:
        if write and connection.vendor == "sqlite":
            # One writer at a time on SQLite, and the transaction takes the write lock at
            # once (IMMEDIATE): read and check the whole file first, so that other users'
            # writes wait only for the writing, not for the reading.
            checked = list(chunks)
            chunks = iter(checked)
            write = not validator.batch.errors  # else nothing will be written: only finish
        if not write:
            run.check(chunks)
        else:
            with transaction.atomic():
                run.write(chunks)
                committing = time.perf_counter()
            result.seconds["write:commit"] = time.perf_counter() - committing
    except _NothingWritten:
        pass
    except (IntegrityError, OperationalError) as exc:
        # A number taken meanwhile; or two imports naming the same days or numbers in
        # another order (PostgreSQL's deadlock_detected): the other one goes on.
        if isinstance(exc, OperationalError) and getattr(exc.__cause__, "sqlstate", "") != "40P01":
            raise
        raise Conflict(
            _("导入时发现数据已被他人修改（如诉求编号刚被占用），未导入任何数据，请重新导入")
        ) from exc
    batch = validator.batch
    result.rows, result.errors, result.skipped = batch.rows, batch.errors, batch.skipped
    result.seconds[IMPORT_SECONDS] = time.perf_counter() - started
    result.seconds[WRITE_SECONDS] = sum(v for k, v in result.seconds.items() if k.startswith("write:"))
    result.cpu["import"] = time.process_time() - cpu
    if rebuild_rollups and result.months_dropped:
        started = time.perf_counter()
        result.months_rebuilt = _rebuild(result.months_dropped)
        result.seconds[ROLLUP_SECONDS] = time.perf_counter() - started
    return result
