"""Importing members, units' party organisations and agreements: every row checked, then all or nothing."""

from dataclasses import dataclass, field
from typing import Any

from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from civicgrid.accounts.permissions import Capability
from civicgrid.accounts.selectors import require_any, scope_paths
from civicgrid.core.audit import audit_write
from civicgrid.core.errors import ValidationError
from civicgrid.exchange.importers.base import RowError
from civicgrid.exchange.readers import TABULAR_EXTENSIONS, extension, read_tabular
from civicgrid.party.constants import Verb
from civicgrid.party.importers import COLUMNS, PartyImportKind, importer_for
from civicgrid.territory.models import Node, common_path

MAX_BYTES = 10 * 1024 * 1024
MAX_ROWS = 20_000


@dataclass
class ImportOutcome:
    kind: str
    file_name: str
    rows: int = 0
    errors: list[RowError] = field(default_factory=list)
    counts: dict[str, int] = field(default_factory=dict)
    message: str = ""

    @property
    def ok(self) -> bool:
        return not self.errors and not self.message

    def as_dict(self) -> dict[str, Any]:
        return {
            "ok": self.ok,
            "kind": self.kind,
            "file_name": self.file_name,
            "rows": self.rows,
            "counts": self.counts,
            "message": self.message,
            "errors": [e.as_dict() for e in self.errors],
        }


def _file_name(kind: str, upload: UploadedFile) -> str:
    if kind not in PartyImportKind.values:
        raise ValidationError(_("请选择要导入的数据类型"), field="kind")
    name = (upload.name or "").rsplit("/", 1)[-1].rsplit("\\", 1)[-1]
    if extension(name) not in TABULAR_EXTENSIONS:
        raise ValidationError(
            _("只能导入 Excel（.xlsx）、CSV（.csv）或 Unicode 文本（.txt）文件"), field="file"
        )
    if not upload.size:
        raise ValidationError(_("文件是空的"), field="file")
    if upload.size > MAX_BYTES:
        raise ValidationError(
            _("文件太大：最大 {megabytes} MB，请拆分后分批导入").format(megabytes=MAX_BYTES // (1024 * 1024)),
            field="file",
        )
    return name


def party_import(*, actor: Any, kind: str, upload: UploadedFile) -> ImportOutcome:
    """Validate every row of the file; import all of it in one transaction only if no row is
    bad (one audit row), else nothing and the list of (row, column, reason)."""
    require_any(actor, Capability.IMPORT)
    require_any(actor, Capability.PARTY_EDIT)
    name = _file_name(kind, upload)
    outcome = ImportOutcome(kind=kind, file_name=name)
    table = read_tabular(name, upload.read(), COLUMNS[kind], MAX_ROWS)
    if table.problems:
        outcome.errors = [RowError(table.header_row, column, reason) for column, reason in table.problems]
        return outcome
    if not table.rows:
        outcome.message = _("文件中没有数据行")
        return outcome
    outcome.rows = len(table.rows)
    importer = importer_for(kind, actor)
    outcome.errors = importer.validate(table.rows, lambda done: None)
    if outcome.errors:
        outcome.message = _("共 {count} 处错误，未导入任何数据，请修改后重新上传").format(
            count=len(outcome.errors)
        )
        return outcome
    path = common_path(scope_paths(actor, Capability.IMPORT))
    try:
        with transaction.atomic():
            outcome.counts = importer.save()
            audit_write(
                actor=actor,
                verb=Verb.IMPORTED,
                target_type="party.import",
                target_label=f"{PartyImportKind(kind).label} {name}"[:255],
                node=Node.objects.filter(path=path).first() if path else None,
                after={"kind": kind, "file_name": name, "rows": outcome.rows, "counts": outcome.counts},
            )
    except IntegrityError:
        outcome.counts = {}
        outcome.message = _(
            "导入时发现数据已被他人修改（如同一党员或协议已登记），未导入任何数据，请重新上传"
        )
    return outcome
