"""Excel exports of lists. Every export leaves the system, so each writes an audit row.

``xlsx_response`` is the generic helper any module can call with headers and row tuples;
the registry lists, the territory subtree and positions use it below. Querysets come in
already cut to the actor's view and are cut once more to where the actor may export.
ID numbers and phones are only ever written masked.

A list longer than ``EXPORT_MAX`` (one limit for every export, the request ledger's too)
is refused before any row is read, with a message asking to narrow the filters
(``limit_export``). The workbook is written row by row (openpyxl write-only) into a
temporary file that the response streams from, so memory holds neither the list nor the
file; Excel's shared-string table, one entry per distinct text, is what still grows with
the rows.
"""

import re
import tempfile
from collections.abc import Callable, Collection, Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import IO, Any, cast

from django.db import transaction
from django.db.models import Prefetch, QuerySet
from django.http import FileResponse, HttpResponse
from django.utils import timezone
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Font
from openpyxl.worksheet._write_only import WriteOnlyWorksheet

from civicgrid.accounts.permissions import Capability
from civicgrid.accounts.selectors import require_any, scope_filter, scope_paths
from civicgrid.core import crypto
from civicgrid.core.audit import audit_write
from civicgrid.core.errors import ValidationError
from civicgrid.core.i18n import StrOrPromise, plain
from civicgrid.exchange.columns import NODE_COLUMNS
from civicgrid.exchange.constants import EXPORT_MAX, Verb
from civicgrid.registry.models import Dwelling, Organisation, Resident, ResidentTag
from civicgrid.registry.pii import reduce_birth, shown_tags
from civicgrid.registry.selectors import area_label
from civicgrid.territory.models import Node, Position

XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
CHUNK = 2000
SHEET_TITLE_MAX = 31  # Excel's limit
_SHEET_FORBIDDEN_RE = re.compile(r"[/\\?*\[\]:]")  # Excel refuses these in a sheet's name
_FILENAME_FORBIDDEN_RE = re.compile(r'[/\\?*:"<>|\x00-\x1f\x7f]')  # not in a file name on Windows


@dataclass
class ExportSource:
    """A list to write: its name, its headers and its rows (consumed once, as they come);
    ``count`` says how many rows it holds without reading them (a background export's
    ``exchange.background.SOURCES`` give it, to ask the same list again)."""

    list_name: str
    headers: Sequence[StrOrPromise]
    rows: Iterable[Sequence[Any]]
    count: Callable[[], int] | None = None


def _cell(sheet: WriteOnlyWorksheet, value: Any) -> Any:
    """A value openpyxl can write; text that looks like a formula stays text, a lazy label
    (a choice's ``get_…_display()``) is rendered."""
    value = plain(value)
    if isinstance(value, str) and ILLEGAL_CHARACTERS_RE.search(value):
        value = ILLEGAL_CHARACTERS_RE.sub("", value)  # control characters pasted into a text
    if isinstance(value, datetime):
        return timezone.localtime(value).replace(tzinfo=None) if timezone.is_aware(value) else value
    if isinstance(value, str) and value.startswith("="):
        cell = WriteOnlyCell(sheet, value)
        cell.data_type = "s"
        return cell
    return value


def sheet_title(text: object, taken: Collection[str] = ()) -> str:
    """A sheet name Excel accepts, made from any text (a grid's or a campaign's name):
    ``/ \\ ? * [ ] :`` and control characters become "_", no apostrophe at either end,
    at most 31 characters, never empty, and not one of ``taken`` (compared as Excel does,
    ignoring case: "名单 (2)" then)."""
    title = _SHEET_FORBIDDEN_RE.sub("_", ILLEGAL_CHARACTERS_RE.sub("_", str(plain(text))))
    title = title[:SHEET_TITLE_MAX].strip().strip("'").strip() or _("工作表")
    if title.casefold() == "history":  # reserved by Excel
        title = f"{title}_"
    used = {t.casefold() for t in taken}
    base, number = title, 1
    while title.casefold() in used:
        number += 1
        suffix = f" ({number})"
        title = base[: SHEET_TITLE_MAX - len(suffix)].rstrip().rstrip("'") + suffix
    return title


def download_name(text: str) -> str:
    """``text`` as a file name every system can save: characters Windows refuses
    (``/ \\ : * ? " < > |``) and control characters become "_"."""
    return _FILENAME_FORBIDDEN_RE.sub("_", text).strip() or "download"


def attachment(body: bytes, *, content_type: str, filename: str) -> HttpResponse:
    """A download response; ``filename`` may be Chinese (RFC 6266 ``filename*``, through
    ``download_name``: a grid named "第1/2网格" is saved as 第1_2网格…)."""
    response = HttpResponse(body, content_type=content_type)
    response["Content-Disposition"] = (
        content_disposition_header(True, download_name(filename)) or "attachment"
    )
    return response


class WorkbookResponse(FileResponse):
    """A workbook streamed from its temporary file; ``content`` still gives the whole file
    at once to a caller that wants the bytes (a test, a zip of several exports)."""

    def __init__(self, workbook: IO[bytes], **kwargs: Any) -> None:
        self.workbook = workbook
        super().__init__(workbook, **kwargs)

    @property
    def content(self) -> bytes:  # type: ignore[override]
        position = self.workbook.tell()
        self.workbook.seek(0)
        try:
            return self.workbook.read()
        finally:
            self.workbook.seek(position)


def limit_export(qs: QuerySet[Any], message: StrOrPromise | None = None, *, count: int | None = None) -> None:
    """Refuse, before any row is read, a list longer than ``EXPORT_MAX`` (one count, or the
    ``count`` the caller has just made). ``message`` words the refusal for its list ({count},
    {limit}; "条" by default)."""
    refuse_past_limit(qs.count() if count is None else count, message)


def refuse_past_limit(count: int, message: StrOrPromise | None = None) -> None:
    if count > EXPORT_MAX:
        template = message or _("共 {count} 条，超过单次导出上限 {limit} 条，请缩小筛选范围")
        raise ValidationError(str(template).format(count=count, limit=EXPORT_MAX), field="export")


def _scope_node(actor: Any) -> Node | None:
    paths = scope_paths(actor, Capability.EXPORT)
    if len(paths) != 1 or not paths[0]:
        return None
    return Node.objects.filter(path=paths[0]).first()


def workbook_file(
    list_name: str,
    headers: Sequence[str],
    rows: Iterable[Sequence[Any]],
    *,
    progress: Callable[[int], None] | None = None,
    every: int = 10_000,
) -> tuple[IO[bytes], int]:
    """``rows`` under ``headers`` as an .xlsx in a temporary file (positioned at its start),
    and how many rows it holds. ``rows`` is consumed once, as it comes; ``progress`` is
    called with the count every ``every`` rows. The caller closes the file."""
    book = Workbook(write_only=True)
    sheet = book.create_sheet(title=sheet_title(list_name))
    header_cells = []
    for text in headers:
        cell = WriteOnlyCell(sheet, text)
        cell.font = Font(bold=True)
        header_cells.append(cell)
    sheet.append(header_cells)
    count = 0
    for row in rows:
        sheet.append([_cell(sheet, v) for v in row])
        count += 1
        if progress is not None and count % every == 0:
            progress(count)
    out = tempfile.TemporaryFile()  # noqa: SIM115 - closed by the caller
    try:
        book.save(out)  # write-only: rows went to a temporary file, zipped here
        out.seek(0)
    except BaseException:
        out.close()
        raise
    return out, count


def export_audited(
    *,
    actor: Any,
    list_name: str,
    headers: Sequence[str],
    rows: int,
    node: Node | None = None,
    filters: dict[str, Any] | None = None,
    job: int | None = None,
) -> None:
    """The audit row of an export ("exchange.exported"): which list, how many rows, which
    columns and filters; ``job`` for a background export (``exchange.background``)."""
    with transaction.atomic():
        audit_write(
            actor=actor,
            verb=Verb.EXPORTED,
            target_type="exchange.export",
            target_id=str(job or ""),
            target_label=list_name,
            node=node if node is not None else _scope_node(actor),
            after={
                "list": list_name,
                "rows": rows,
                "columns": list(headers),
                **({"filters": filters} if filters else {}),
                **({"job": job} if job else {}),
            },
        )


def xlsx_response(
    *,
    actor: Any,
    list_name: StrOrPromise,
    headers: Sequence[StrOrPromise],
    rows: Iterable[Sequence[Any]],
    node: Node | None = None,
    filters: dict[str, Any] | None = None,
) -> HttpResponse:
    """An .xlsx attachment of ``rows`` under ``headers``, audited as "exchange.exported".

    ``rows`` is consumed once, as it comes (pass a generator over ``.iterator()``); the
    workbook goes to a temporary file, streamed by the response and deleted once closed.
    The caller bounds the rows (``limit_export``)."""
    require_any(actor, Capability.EXPORT)
    name, texts = str(list_name), [str(text) for text in headers]
    out, count = workbook_file(name, texts, rows)
    export_audited(actor=actor, list_name=name, headers=texts, rows=count, node=node, filters=filters)
    filename = download_name(f"{name}_{timezone.localdate():%Y%m%d}.xlsx")
    response = WorkbookResponse(out, as_attachment=True, filename=filename, content_type=XLSX_CONTENT_TYPE)
    # A streamed response, typed as the HttpResponse its callers (ledger, party, gridwork…)
    # declare; it has ``content`` as theirs has.
    return cast(HttpResponse, response)


def _day(value: date | None) -> str:
    return value.isoformat() if value else ""


RESIDENT_HEADERS = [
    gettext_lazy("区域编码"),
    gettext_lazy("所属区域"),
    gettext_lazy("姓名"),
    gettext_lazy("身份证号"),
    gettext_lazy("联系电话"),
    gettext_lazy("性别"),
    gettext_lazy("出生日期"),
    gettext_lazy("人口类型"),
    gettext_lazy("户编码"),
    gettext_lazy("与户主关系"),
    gettext_lazy("标签"),
    gettext_lazy("在册"),
    gettext_lazy("注销原因"),
    gettext_lazy("注销日期"),
]


RESIDENT_FIELDS = (
    "node_path",
    "node__code",
    "node__name",
    "node__parent__name",
    "name",
    "id_number_masked",
    "phone_masked",
    "gender",
    "birth_date",
    "residence_type",
    "household__code",
    "relation_to_head",
    "is_active",
    "left_reason",
    "left_on",
)


def resident_rows(actor: Any, qs: QuerySet[Resident]) -> ExportSource:
    """The 实有人口 list of ``qs`` (already cut to where the actor may export). Two queries a
    chunk of ``CHUNK`` residents (the rows with their area, its parent and household, then
    their tags), never one a resident. 所属区域 names the parent too (瑞景公寓1号楼 · 1单元);
    the sensitive tags are left out where the actor may not reveal PII (``pii.shown_tags``)."""
    qs = qs.select_related("node__parent", "household").only(*RESIDENT_FIELDS)
    tags = Prefetch("tags", queryset=ResidentTag.objects.only("code", "name"))
    qs = qs.prefetch_related(None).prefetch_related(tags)

    def rows() -> Iterable[tuple[Any, ...]]:
        for r in qs.iterator(chunk_size=CHUNK):
            # The birth year only; the sensitive tags only where the actor may reveal PII.
            r = reduce_birth(actor, r)
            yield (
                r.node.code,
                area_label(r.node),
                r.name,
                r.id_number_masked,
                r.phone_masked,
                r.get_gender_display(),
                r.birth_shown,  # type: ignore[attr-defined]
                r.get_residence_type_display(),
                r.household.code if r.household else "",
                r.relation_to_head,
                "、".join(t.name for t in shown_tags(r)),
                _("是") if r.is_active else _("否"),
                r.get_left_reason_display(),
                r.left_on,
            )

    return ExportSource(str(_("实有人口")), RESIDENT_HEADERS, rows(), qs.count)


def source_response(actor: Any, source: ExportSource, *, count: int | None = None) -> HttpResponse:
    """``source`` written at once, refused past ``EXPORT_MAX`` rows (``count``: the number
    the caller has just counted, else one ``count()``)."""
    if count is None and source.count is not None:
        count = source.count()
    if count is not None:
        refuse_past_limit(count)
    return xlsx_response(actor=actor, list_name=source.list_name, headers=source.headers, rows=source.rows)


def residents_xlsx(actor: Any, qs: QuerySet[Resident], *, count: int | None = None) -> HttpResponse:
    return source_response(
        actor, resident_rows(actor, scope_filter(qs, actor, Capability.EXPORT)), count=count
    )


def dwelling_rows(qs: QuerySet[Dwelling]) -> ExportSource:
    """The 实有房屋 list of ``qs`` (already cut to where the actor may export)."""
    fields = ("node__code", "node__name", "code", "room", "use", "area", "owner_name")
    qs = qs.select_related("node").only(*fields)
    headers = [
        _("区域编码"),
        _("所属区域"),
        _("房屋编码"),
        _("房号"),
        _("使用情况"),
        _("面积（㎡）"),
        _("产权人"),
    ]
    rows = (
        (d.node.code, d.node.name, d.code, d.room, d.get_use_display(), d.area, d.owner_name)
        for d in qs.iterator(chunk_size=CHUNK)
    )
    return ExportSource(str(_("实有房屋")), headers, rows, qs.count)


def dwellings_xlsx(actor: Any, qs: QuerySet[Dwelling], *, count: int | None = None) -> HttpResponse:
    return source_response(actor, dwelling_rows(scope_filter(qs, actor, Capability.EXPORT)), count=count)


def organisation_rows(qs: QuerySet[Organisation]) -> ExportSource:
    """The 实有单位 list of ``qs`` (already cut to where the actor may export); the contact's
    phone masked."""
    fields = ("node__code", "node__name", "name", "kind", "credit_code", "address", "contact_name")
    qs = qs.select_related("node").only(*fields, "contact_phone_masked", "employees")
    headers = [
        _("区域编码"),
        _("所属区域"),
        _("单位名称"),
        _("单位类型"),
        _("统一社会信用代码"),
        _("地址"),
        _("联系人"),
        _("联系电话"),
        _("从业人数"),
    ]
    rows = (
        (
            o.node.code,
            o.node.name,
            o.name,
            o.get_kind_display(),
            o.credit_code,
            o.address,
            o.contact_name,
            o.contact_phone_masked,
            o.employees,
        )
        for o in qs.iterator(chunk_size=CHUNK)
    )
    return ExportSource(str(_("实有单位")), headers, rows, qs.count)


def organisations_xlsx(actor: Any, qs: QuerySet[Organisation], *, count: int | None = None) -> HttpResponse:
    return source_response(actor, organisation_rows(scope_filter(qs, actor, Capability.EXPORT)), count=count)


def nodes_xlsx(actor: Any, node: Node) -> HttpResponse:
    """The subtree under ``node`` in the columns of the territory import template."""
    qs = scope_filter(Node.objects.filter(path__startswith=node.path), actor, Capability.EXPORT, field="path")
    limit_export(qs)
    fields = ("kind", "code", "name", "parent__code", "grid_type", "lon", "lat", "address")
    rows = (
        (
            n.get_kind_display(),
            n.code,
            n.name,
            n.parent.code if n.parent else "",
            n.get_grid_type_display(),
            n.lon,
            n.lat,
            n.address,
        )
        for n in qs.select_related("parent").only(*fields).order_by("path").iterator(chunk_size=CHUNK)
    )
    headers = [c.header for c in NODE_COLUMNS]
    return xlsx_response(
        actor=actor, list_name=_("区域_{name}").format(name=node.name), headers=headers, rows=rows, node=node
    )


def positions_xlsx(actor: Any, node: Node, qs: QuerySet[Position]) -> HttpResponse:
    qs = scope_filter(qs, actor, Capability.EXPORT).filter(node_path__startswith=node.path)
    limit_export(qs)
    headers = [
        _("区域编码"),
        _("所属区域"),
        _("岗位"),
        _("姓名"),
        _("联系电话"),
        _("工作单位"),
        _("任职开始"),
        _("任职结束"),
    ]
    rows = (
        (
            p.node.code,
            p.node.name,
            p.get_post_display(),
            p.holder_name,
            crypto.mask_phone(crypto.decrypt(p.phone_enc)) if p.phone_enc else "",
            p.organisation_name,
            _day(p.start_date),
            _day(p.end_date),
        )
        for p in qs.select_related("node").order_by("node_path", "post").iterator(chunk_size=CHUNK)
    )
    return xlsx_response(
        actor=actor, list_name=_("岗位_{name}").format(name=node.name), headers=headers, rows=rows, node=node
    )
