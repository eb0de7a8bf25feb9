"""Update by key: a re-imported export changes the records its rows name.

The dwelling, organisation and node importers read a row whose key (房屋编码, 统一社会信用代码,
编码) is registered as an update of that record: checked in ``validate`` like the
single-record edit, kept as an ``Update`` (the changed fields only, their before/after for
the audit, the record's ``updated_at`` as read), or counted unchanged. ``apply_updates``
then writes them in ``save``, under the rows' locks; a record changed, moved or removed
since validation refuses the whole file (``Conflict``) rather than overwrite a page's edit.

Audit: one row per updated record, with the verb of the single-record edit
(``registry.dwelling_updated``, ``registry.organisation_updated``,
``territory.node_updated``) and before/after of the changed fields, ``after["via"] ==
"import"``; the job's own ``exchange.import_completed`` row keeps the counts (新增、更新、未变)
as for every import.
"""

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext as _

from civicgrid.core.audit import audit_row, audit_write_many
from civicgrid.core.errors import Conflict
from civicgrid.exchange.constants import BATCH_SIZE
from civicgrid.exchange.importers.base import LOOKUP_CHUNK
from civicgrid.exchange.readers import Row

VIA_IMPORT = {"via": "import"}


@dataclass
class Update:
    """A row that changes an existing record: the fields it changes (new values), the audit
    before/after of those fields, and the version (``updated_at``) validation read."""

    row: int
    record: Any  # a Dwelling, Organisation or Node, with ``updated_at``
    changes: dict[str, Any]
    before: dict[str, Any]
    after: dict[str, Any]
    stamp: datetime


def given(row: Row, values: dict[str, Any], column_of: Mapping[str, str] | None = None) -> dict[str, Any]:
    """The fields an update row sets: those whose cell holds something (``column_of`` names a
    field's column where the two differ). A column the file lacks, or a blank cell, keeps the
    stored value: a file of a few columns (区域编码, 房屋编码, 使用情况) updates those alone,
    and a blank cell clears nothing (a field is cleared on the record's page)."""
    column_of = column_of or {}

    def filled(name: str) -> bool:
        value = row.values.get(column_of.get(name, name))
        return value is not None and str(value).strip() != ""

    return {name: value for name, value in values.items() if filled(name)}


def differences(record: Any, values: dict[str, Any]) -> dict[str, Any]:
    """The fields of ``values`` that differ from the record's."""
    return {name: value for name, value in values.items() if getattr(record, name) != value}


def planned_update(row: int, record: Any, changes: dict[str, Any], shown: list[str] | None = None) -> Update:
    """An ``Update`` auditing ``shown`` of the changed fields (all of them by default)."""
    shown = list(changes) if shown is None else shown
    return Update(
        row=row,
        record=record,
        changes=changes,
        before={name: getattr(record, name) for name in shown},
        after={name: changes[name] for name in shown},
        stamp=record.updated_at,
    )


def counted(created: dict[str, int], updates: list[Update], unchanged: int) -> dict[str, int]:
    """The job's counts: the created, and, when the file named registered records, the
    ``updated`` and ``unchanged`` ones (a file of new rows counts as before)."""
    if updates or unchanged:
        return created | {"updated": len(updates), "unchanged": unchanged}
    return created


def _changed_message(update: Update) -> str:
    return _(
        "第{row}行要修改的记录在校验后已被他人修改（或已移动、删除），未导入任何数据；"
        "请重新导出，在新文件中修改后再导入"
    ).format(row=update.row)


def apply_updates(
    actor: Any, model: type[models.Model], updates: list[Update], verb: str, *, place: str = "node_id"
) -> None:
    """Write the updates under the rows' locks: re-read ``select_for_update``, refuse the
    whole file (``Conflict``) when a record changed, moved (``place``) or went since
    validation, then write only each record's changed fields and one audit row per record.
    Runs inside the import's transaction."""
    if not updates:
        return
    by_pk = {u.record.pk: u for u in updates}
    pks = sorted(by_pk)
    seen: set[int] = set()
    for start in range(0, len(pks), LOOKUP_CHUNK):
        batch = pks[start : start + LOOKUP_CHUNK]
        locked = model._default_manager.select_for_update().filter(pk__in=batch).order_by("pk")
        for pk, stamp, where in locked.values_list("pk", "updated_at", place):
            seen.add(pk)
            update = by_pk[pk]
            if stamp != update.stamp or where != getattr(update.record, place):
                raise Conflict(_changed_message(update))
    for pk in pks:
        if pk not in seen:
            raise Conflict(_changed_message(by_pk[pk]))
    now = timezone.now()
    groups: dict[tuple[str, ...], list[Any]] = {}
    for update in updates:
        for name, value in update.changes.items():
            setattr(update.record, name, value)
        update.record.updated_at = now
        groups.setdefault(tuple(sorted(update.changes)), []).append(update.record)
    for fields, records in groups.items():
        model._default_manager.bulk_update(records, [*fields, "updated_at"], batch_size=BATCH_SIZE)
    audit_write_many(
        [
            audit_row(
                actor=actor,
                verb=verb,
                target=u.record,
                node=getattr(u.record, "node", u.record),
                before=u.before,
                after=u.after | VIA_IMPORT,
            )
            for u in updates
        ]
    )
