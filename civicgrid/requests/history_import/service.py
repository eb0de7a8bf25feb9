"""``requests_history_import``: validate a whole file, then write it all or nothing.

1. The actor must be able to import somewhere (``Scope``), else ``PermissionDenied``
   before the file is even read, and nothing — not even an audit row — is written.
2. Every row is checked (``Validator``); any problem, or ``dry_run``, ends here: the result
   lists every (row, column, reason) and the database is untouched.
3. One transaction: counters, the rows (``writer``), the rollups of the months the rows
   change are dropped (their rates are read from raw rows again, exactly), and one audit
   row for the whole import.
4. After the commit, the dropped months that have ended are rebuilt (``rollup_build``) so
   reads get their rollup speed back; a failure there loses nothing, reads stay raw and
   exact until ``civicgrid rates_rollup`` is run for those months.
"""

import logging
import time
import uuid
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from django.db import DatabaseError, IntegrityError, connection, transaction

from civicgrid.core.audit import audit_write
from civicgrid.core.errors import Conflict, PermissionDenied, ValidationError
from civicgrid.exchange.importers.base import RowError
from civicgrid.exchange.services import common_path
from civicgrid.requests.history_import.reader import read_sheet
from civicgrid.requests.history_import.validate import Batch, Scope, Validator
from civicgrid.requests.history_import.writer import write_items
from civicgrid.requests.rates.cells import current_month, rollup_build
from civicgrid.requests.rollups import RateRollup, RateRollupMonth
from civicgrid.requests.services.engine import actor_name
from civicgrid.territory.models import Node

logger = logging.getLogger(__name__)

VERB = "requests.history_imported"


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
    seconds: dict[str, float] = field(default_factory=dict)  # read+validate, write, rollup (wall)
    cpu: dict[str, float] = field(default_factory=dict)  # this process's CPU seconds per phase

    @property
    def ok(self) -> bool:
        return not self.errors


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


def _write(actor: Any, batch: Batch, result: HistoryImportResult) -> None:
    """Everything in one transaction; its commit (when deferred foreign keys are checked) is timed."""
    with transaction.atomic():
        _write_rows(actor, batch, result)
        started = time.perf_counter()
    result.seconds["write:commit"] = time.perf_counter() - started


def _write_rows(actor: Any, batch: Batch, result: HistoryImportResult) -> None:
    counts = write_items(
        batch.items,
        counters=batch.counters,
        key=result.key,
        actor_name=actor_name(actor),
        seconds=result.seconds,
    )
    started = time.perf_counter()
    result.months_dropped = _drop_rollups(batch.months)
    audit_write(
        actor=actor,
        verb=VERB,
        target_type="requests.request",
        target_id=result.key,
        target_label=f"历史诉求导入：{result.file_name}"[:255],
        node=_common_node(batch.paths),
        after={
            "file_name": result.file_name,
            "rows": batch.rows,
            "counts": counts,
            "skipped": len(batch.skipped),
            "numbers": [min(i.number for i in batch.items), max(i.number for i in batch.items)],
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
        raise PermissionDenied("您无权导入历史诉求")
    result = HistoryImportResult(file_name=file_name, dry_run=dry_run, key=uuid.uuid4().hex)
    started, cpu = time.perf_counter(), time.process_time()
    batch = Validator(actor, skip_existing=skip_existing).validate(read_sheet(file_name, data))
    result.seconds["validate"] = time.perf_counter() - started
    result.cpu["validate"] = time.process_time() - cpu
    result.rows, result.errors, result.skipped = batch.rows, batch.errors, batch.skipped
    if batch.errors or dry_run or not batch.items:
        return result
    started, cpu = time.perf_counter(), time.process_time()
    try:
        _write(actor, batch, result)
    except IntegrityError as exc:
        raise Conflict(
            "导入时发现数据已被他人修改（如诉求编号刚被占用），未导入任何数据，请重新导入"
        ) from exc
    result.seconds["write"] = time.perf_counter() - started
    result.cpu["write"] = time.process_time() - cpu
    if rebuild_rollups and result.months_dropped:
        started = time.perf_counter()
        result.months_rebuilt = _rebuild(result.months_dropped)
        result.seconds["rollup"] = time.perf_counter() - started
    return result
