"""Excel exports of members, units' party organisations and agreements, and import templates.

Exports go through ``civicgrid.exchange.exports.xlsx_response`` (audited as an export,
cut once more to the actor's export scope). Their columns are those of the import files
so an export can be corrected and imported elsewhere; phones and ID numbers stay masked.
"""

import io
from collections.abc import Iterable
from datetime import date
from typing import Any

from django.db.models import QuerySet, TextChoices
from django.http import HttpResponse
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Font

from civicgrid.accounts.permissions import Capability
from civicgrid.accounts.selectors import scope_q
from civicgrid.exchange.exports import XLSX_CONTENT_TYPE, attachment, xlsx_response
from civicgrid.party.constants import MemberCategory, PoliticalStatus, ServiceType
from civicgrid.party.importers import COLUMNS, PartyImportKind, headers
from civicgrid.party.models import Agreement, PartyMember, PartyOrganisation

CHUNK = 2000


def _export_scope(qs: QuerySet[Any], actor: Any, *fields: str) -> QuerySet[Any]:
    """Rows whose place in any of ``fields`` lies where the actor may export."""
    parts = [scope_q(actor, Capability.EXPORT, f) for f in fields]
    if any(q is None for q in parts):
        return qs
    q = parts[0]
    for other in parts[1:]:
        q = q | other  # type: ignore[operator]
    return qs.filter(q)


def _day(value: date | None) -> str:
    return value.isoformat() if value else ""


def _label(choices: type[TextChoices], value: str) -> str:
    """The label of a stored choice; the stored value itself when it is none of them."""
    return str(dict(choices.choices).get(value, value))


def members_xlsx(actor: Any, qs: QuerySet[PartyMember]) -> HttpResponse:
    qs = _export_scope(qs, actor, "node_path", "home_node__path").select_related(
        "organisation", "resident", "home_node"
    )

    def rows() -> Iterable[tuple[Any, ...]]:
        for m in qs.iterator(chunk_size=CHUNK):
            yield (
                m.name,
                _label(MemberCategory, m.category),
                m.organisation.code if m.organisation else "",
                m.resident.id_number_masked if m.resident else "",
                m.phone_masked,
                _label(PoliticalStatus, m.political_status),
                m.get_role_display(),
                _day(m.join_date),
                m.get_trade_display() if m.trade else "",
                m.employer_name,
                m.home_node.code if m.home_node else "",
                "是" if m.is_needy else "否",  # i18n: data (the file imports again)
            )

    return xlsx_response(
        actor=actor, list_name=_("党员"), headers=list(headers(PartyImportKind.MEMBERS)), rows=rows()
    )


def units_xlsx(actor: Any, qs: QuerySet[PartyOrganisation]) -> HttpResponse:
    qs = _export_scope(qs, actor, "node_path").select_related("unit")

    def rows() -> Iterable[tuple[Any, ...]]:
        for o in qs.iterator(chunk_size=CHUNK):
            yield (
                o.unit.credit_code if o.unit else "",
                o.unit.name if o.unit else "",
                o.name,
                o.secretary_name,
                _day(o.founded_on),
            )

    return xlsx_response(
        actor=actor, list_name=_("单位党组织"), headers=list(headers(PartyImportKind.UNITS)), rows=rows()
    )


def agreements_xlsx(actor: Any, qs: QuerySet[Agreement]) -> HttpResponse:
    qs = _export_scope(qs, actor, "node_path", "unit__node_path").select_related("unit", "node")
    labels = dict(ServiceType.choices)

    def rows() -> Iterable[tuple[Any, ...]]:
        for a in qs.iterator(chunk_size=CHUNK):
            yield (
                a.unit.credit_code,
                a.unit.name,
                a.node.code,
                a.title,
                a.pledges,
                "、".join(str(labels.get(t, t)) for t in a.service_types),
                a.contact_name,
                a.contact_phone_masked,
                _day(a.signed_on),
                _day(a.starts_on),
                _day(a.ends_on),
                a.shown_status_label,
            )

    return xlsx_response(
        actor=actor,
        list_name=_("共建协议"),
        headers=[*headers(PartyImportKind.AGREEMENTS), _("状态")],
        rows=rows(),
    )


# i18n: data (the templates' example rows: they must import as they are)
EXAMPLES: dict[str, dict[str, str]] = {
    PartyImportKind.MEMBERS: {
        "name": "张三",
        "category": "在职党员",
        "org_code": "320213001001D01",
        "phone": "13800138000",
        "political_status": "中共党员",
        "role": "党员",
        "join_date": "2010-07-01",
        "employer_name": "",
        "home_code": "320213001001",
        "needy": "否",
    },
    PartyImportKind.UNITS: {
        "credit_code": "",
        "unit_name": "梁溪区税务局",
        "org_name": "梁溪区税务局机关党支部",
        "secretary_name": "李四",
        "founded_on": "2005-06-01",
    },
    PartyImportKind.AGREEMENTS: {
        "unit_name": "梁溪区税务局",
        "community_code": "320213001001",
        "pledges": "每季度开展一次税法宣传进社区",
        "service_types": "政策宣讲、法律服务",
        "contact_name": "王五",
        "contact_phone": "13900139000",
        "signed_on": "2024-03-01",
        "ends_on": "2026-12-31",
    },
}


def template_xlsx(kind: str) -> HttpResponse:
    """The empty import file: a header row, one example row and a 说明 sheet."""
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = str(PartyImportKind(kind).label)
    sheet.append(list(headers(kind)))
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    example = EXAMPLES[kind]
    sheet.append([example.get(c.key, "") for c in COLUMNS[kind]])
    for index in range(1, len(COLUMNS[kind]) + 1):
        sheet.cell(row=2, column=index).number_format = "@"
    notes = book.create_sheet(_("说明"))
    notes.append([_("列名"), _("是否必填"), _("说明"), _("可选值")])
    for column in COLUMNS[kind]:
        notes.append(
            [column.header, _("是") if column.required else _("否"), column.help, "、".join(column.labels)]
        )
    notes.append([])
    notes.append(
        [
            _(
                "导入时先校验全部行：只要有一行有错误，整个文件都不会导入，页面会列出每个错误所在的行、列和原因。"
            )
        ]
    )
    out = io.BytesIO()
    book.save(out)
    return attachment(
        out.getvalue(),
        content_type=XLSX_CONTENT_TYPE,
        filename=_("{label}导入模板.xlsx").format(label=PartyImportKind(kind).label),
    )
