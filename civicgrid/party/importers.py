"""Excel/CSV import of members, units' party organisations and agreements.

These follow the contract of ``civicgrid.exchange``: the file is read by its reader against
a list of ``Column``s; an ``Importer`` validates every row first, collecting each problem
as (row, column, reason), and only when no row is bad does ``save`` write them all in one
transaction (``services.imports.party_import``). The party's kinds are not on the exchange
page's list (its ``ImportKind`` is a model choice of that app); they have their own page.
"""

from collections.abc import Iterable
from datetime import date
from typing import Any, ClassVar

from django.db.models import TextChoices
from django.utils import timezone
from django.utils.translation import gettext as _

from civicgrid.accounts.permissions import Capability
from civicgrid.accounts.selectors import can, scope_paths
from civicgrid.core import crypto
from civicgrid.core.errors import ValidationError
from civicgrid.core.validators import (
    id_number_birth_date,
    id_number_problem,
    normalise_credit_code,
    normalise_id_number,
)
from civicgrid.exchange.columns import TAG_SEPARATORS, Column
from civicgrid.exchange.importers.base import Importer, Progress, RowError, chunked
from civicgrid.exchange.readers import Row
from civicgrid.party.constants import (
    ACTIVE_AGREEMENT_STATUSES,
    AgreementKind,
    AgreementStatus,
    MemberCategory,
    MemberRole,
    OrgKind,
    PoliticalStatus,
    ServiceType,
    Trade,
)
from civicgrid.party.models import Agreement, PartyMember, PartyOrganisation
from civicgrid.party.services.common import join_age, party_day
from civicgrid.party.services.organisations import (
    MemberKey,
    member_category_check,
    member_duplicate_check,
    members_by_key,
)
from civicgrid.party.services.reporting import AGREEMENT_EMPTY
from civicgrid.registry.models import Organisation, Resident
from civicgrid.territory.models import Node, NodeKind


# i18n: pending (party/exports.py sets the label as an Excel sheet title, which needs a str)
class PartyImportKind(TextChoices):
    MEMBERS = "party_members", "党员"
    UNITS = "party_units", "单位党组织"
    AGREEMENTS = "party_agreements", "共建协议"


# i18n: data (part of the column tables below)
DATE_HELP = "日期，如 2024-01-31（也可写 2024/1/31 或 20240131）"
YES = {"是", "yes", "y", "true", "1", "困难党员"}
NO = {"", "否", "no", "n", "false", "0"}
HOME_KINDS = {NodeKind.COMMUNITY, NodeKind.GRID, NodeKind.COMPOUND, NodeKind.BUILDING, NodeKind.ENTRANCE}

# i18n: data (headers, aliases and choice spellings are matched against the cells of uploaded files)
_UNIT_COLUMNS = [
    Column(
        "credit_code",
        "统一社会信用代码",
        help="单位的18位代码（可查找辖区外单位）；与单位名称二选一",
        aliases=("信用代码",),
    ),
    Column("unit_name", "单位名称", help="实有单位中登记的名称（须在您的辖区内）"),
]

# i18n: data (headers, aliases and choice spellings are matched against the cells of uploaded files)
MEMBER_COLUMNS = [
    Column("name", "姓名", True, "最长50个字"),
    Column(
        "category",
        "党员类别",
        True,
        "社区党员、在职党员或新就业群体",
        MemberCategory,
        choice_aliases=(
            ("社区", MemberCategory.COMMUNITY),
            ("在职", MemberCategory.IN_SERVICE),
            ("新就业", MemberCategory.NEW_EMPLOYMENT),
        ),
    ),
    Column(
        "org_code",
        "所属党组织编码",
        help="社区党员、在职党员必填（在职党员填工作单位党组织的编码）",
        aliases=("党组织编码",),
    ),
    Column(
        "id_number",
        "身份证号",
        help="可选：填写后与实有人口档案关联（请设为文本格式）",
        aliases=("身份证号码",),
    ),
    Column("phone", "联系电话", help="手机号11位，或固定电话如0510-12345678", aliases=("电话", "手机号")),
    Column(
        "political_status",
        "政治面貌",
        help="留空为中共党员",
        choices=PoliticalStatus,
        choice_aliases=(("党员", PoliticalStatus.FULL),),
    ),
    Column("role", "党内职务", help="留空为党员", choices=MemberRole),
    Column("join_date", "入党日期", help=DATE_HELP, is_date=True),
    Column(
        "trade", "从业类型", help="新就业群体必填", choices=Trade, choice_aliases=(("骑手", Trade.RIDER),)
    ),
    Column("employer_name", "工作单位", help="最长100个字（在职党员留空则取党组织所在单位）"),
    Column(
        "home_code",
        "居住区域编码",
        help="居住的社区、网格或楼栋的编码；未填党组织编码的必填",
        aliases=("居住地编码",),
    ),
    Column("needy", "困难党员", help="是 或 否，留空为否"),
]

# i18n: data (headers, aliases and choice spellings are matched against the cells of uploaded files)
UNIT_COLUMNS = [
    *_UNIT_COLUMNS,
    Column("org_name", "党组织名称", True, "如 XX局机关党支部，最长100个字"),
    Column("secretary_name", "书记", help="最长50个字"),
    Column("founded_on", "成立日期", help=DATE_HELP, is_date=True),
]

# i18n: data (headers, aliases and choice spellings are matched against the cells of uploaded files)
AGREEMENT_COLUMNS = [
    *_UNIT_COLUMNS,
    Column(
        "community_code",
        "社区编码",
        True,
        "签订协议的社区的12位编码，须在您的管辖范围内",
        aliases=("社区区划代码",),
    ),
    Column("title", "协议名称", help="留空自动生成：单位与社区共建协议"),
    Column("pledges", "共建内容与承诺", help="最长2000个字"),
    Column("service_types", "服务类型", help="多个用 、 分隔：" + "、".join(ServiceType.labels)),
    Column("contact_name", "联系人", help="最长50个字"),
    Column("contact_phone", "联系电话", help="手机号11位，或固定电话", aliases=("电话",)),
    Column("signed_on", "签订日期", True, DATE_HELP, is_date=True),
    Column("starts_on", "开始日期", help="留空同签订日期；" + DATE_HELP, is_date=True),
    Column("ends_on", "结束日期", help="长期有效则留空；" + DATE_HELP, is_date=True),
]

COLUMNS: dict[str, list[Column]] = {
    PartyImportKind.MEMBERS: MEMBER_COLUMNS,
    PartyImportKind.UNITS: UNIT_COLUMNS,
    PartyImportKind.AGREEMENTS: AGREEMENT_COLUMNS,
}


class PartyImporter(Importer):
    """An exchange ``Importer`` whose columns are the party's own."""

    party_kind: ClassVar[str]
    edit_capability = Capability.PARTY_EDIT

    def __init__(self, actor: Any) -> None:
        self.actor = actor
        self.columns = {c.key: c for c in COLUMNS[self.party_kind]}
        self.errors: list[RowError] = []
        self._bad_rows: set[int] = set()
        self._import_paths = scope_paths(actor, Capability.IMPORT)
        self._edit_paths = scope_paths(actor, self.edit_capability)
        self.nodes: dict[str, Node] = {}
        self.today = timezone.localdate()

    def unit_code(self, row: Row) -> str:
        """The row's credit code as stored (full-width forms and spaces gone), unchecked."""
        return normalise_credit_code(self.text(row, "credit_code"))

    def load_units(self, rows: list[Row]) -> None:
        codes = {self.unit_code(r) for r in rows} - {""}
        names = {self.text(r, "unit_name") for r in rows if not self.unit_code(r)} - {""}
        self.units_by_code: dict[str, Organisation] = {}
        for batch in chunked(sorted(codes)):
            for unit in Organisation.objects.filter(credit_code__in=batch):
                self.units_by_code[unit.credit_code] = unit
        self.units_by_name: dict[str, list[Organisation]] = {}
        view = scope_paths(self.actor, Capability.PARTY_VIEW)
        for batch in chunked(sorted(names)):
            for unit in Organisation.objects.filter(name__in=batch).order_by("id"):
                if any(unit.node_path.startswith(p) for p in view):
                    self.units_by_name.setdefault(unit.name, []).append(unit)

    def unit(self, row: Row) -> Organisation | None:
        reported = len(self.errors)
        code = self.credit_code(row)
        if len(self.errors) > reported:  # masked, or mangled by Excel
            return None
        if code:
            found = self.units_by_code.get(code)
            if found is None:
                self.error(
                    row, "credit_code", _("统一社会信用代码 {code} 未在实有单位中登记").format(code=code)
                )
            return found
        name = self.text(row, "unit_name")
        if not name:
            self.error(row, "unit_name", _("请填写统一社会信用代码或单位名称"))
            return None
        matches = self.units_by_name.get(name, [])
        if not matches:
            self.error(row, "unit_name", _("辖区内没有名为“{name}”的单位").format(name=name))
        elif len(matches) > 1:
            self.error(
                row,
                "unit_name",
                _("辖区内有{count}个名为“{name}”的单位，请改填统一社会信用代码").format(
                    count=len(matches), name=name
                ),
            )
        return matches[0] if len(matches) == 1 else None

    def bool_cell(self, row: Row, key: str) -> bool:
        raw = self.text(row, key).lower()
        if raw not in YES | NO:
            self.error(row, key, _("{header}只能填 是 或 否").format(header=self.columns[key].header))
        return raw in YES

    def phone_cell(self, row: Row, key: str) -> tuple[str, str, str]:
        """(ciphertext, blind index, mask) of the row's phone in its canonical form."""
        value = self.phone(row, key)
        if not value:
            return "", "", ""
        return crypto.encrypt(value), crypto.blind_index(value), crypto.mask_phone(value)

    def choice_cell(self, row: Row, key: str, default: str = "") -> str:
        """The code value of a choice cell; a required column's cell may not be left empty."""
        value = self.choice(row, key) or default
        column = self.columns[key]
        allowed = "、".join(column.labels)
        if not value and column.required:
            self.error(
                row, key, _("{header}不能为空，应为：{allowed}").format(header=column.header, allowed=allowed)
            )
        elif value and column.choices is not None and value not in column.choices.values:
            self.error(row, key, _("{header}应为：{allowed}").format(header=column.header, allowed=allowed))
        return value

    def may_edit(self, path: str) -> bool:
        return can(self.actor, Capability.PARTY_EDIT, path) and any(
            path.startswith(p) for p in self._import_paths
        )


# A member is the same person as an existing one (or another row) by ID number; without one,
# by name in the same organisation or place (``MemberKey``, ``member_duplicate_check``).


class MemberImporter(PartyImporter):
    party_kind = PartyImportKind.MEMBERS

    def validate(self, rows: list[Row], progress: Progress) -> list[RowError]:
        self.orgs = {
            o.code: o
            for batch in chunked(sorted({self.code(r, "org_code") for r in rows} - {""}))
            for o in PartyOrganisation.objects.filter(code__in=batch).select_related("node", "unit")
        }
        self.load_nodes(self.code(r, "home_code") for r in rows)
        self.residents = self._residents(rows)
        self.existing = members_by_key(self.text(r, "name") for r in rows)
        self.members: list[PartyMember] = []
        self.id_rows: dict[str, int] = {}
        self.name_rows: dict[MemberKey, int] = {}
        for row in self.each(rows, progress):
            self._row(row)
        return self.sorted_errors()

    def _residents(self, rows: list[Row]) -> dict[str, Resident]:
        digests = {
            crypto.blind_index(normalise_id_number(self.text(r, "id_number")))
            for r in rows
            if self.text(r, "id_number")
        }
        found: dict[str, Resident] = {}
        for batch in chunked(sorted(digests)):
            for resident in Resident.objects.filter(id_number_hash__in=batch).select_related("node"):
                found[resident.id_number_hash] = resident
        taken = set(
            PartyMember.objects.filter(resident__in=list(found.values()), is_active=True).values_list(
                "resident_id", flat=True
            )
        )
        self.taken_residents = taken
        return found

    def _org(self, row: Row) -> PartyOrganisation | None:
        code = self.code(row, "org_code")
        if not code:
            return None
        org = self.orgs.get(code)
        if org is None:
            self.error(row, "org_code", _("党组织编码 {code} 不存在").format(code=code))
        elif not self.may_edit(org.node_path):
            self.error(
                row,
                "org_code",
                _("党组织 {code}（{name}）不在您可导入的管辖范围内").format(code=code, name=org.name),
            )
            return None
        return org

    def _id_number(self, row: Row) -> str:
        """The row's ID number checked as the registry checks it; "" when empty or bad."""
        raw = self.id_number(row)
        if not raw:
            return ""
        problem = id_number_problem(raw, today=self.today)
        if problem:
            self.error(row, "id_number", problem)
            return ""
        first = self.id_rows.setdefault(raw, row.number)
        if first != row.number:
            self.error(row, "id_number", _("与第{row}行是同一人").format(row=first))
        return raw

    def _resident(self, row: Row, id_number: str) -> Resident | None:
        if not id_number:
            return None
        resident = self.residents.get(crypto.blind_index(id_number))
        if resident is None:
            return None  # not in the registry (e.g. lives in another district): no link
        if not can(self.actor, Capability.REGISTRY_VIEW, resident.node_path):
            self.error(row, "id_number", _("该身份证号对应的居民档案不在您的管辖范围内"))
            return None
        if resident.pk in self.taken_residents:
            self.error(row, "id_number", _("该居民已登记为党员"))
        return resident

    def _check_new(
        self, row: Row, name: str, org: PartyOrganisation | None, node: Node, id_number: str
    ) -> None:
        """A member not linked to the registry is refused when an active one of the same name
        is there already (ID numbers of people the registry lacks are not kept to compare)."""
        errors: dict[str, list[str]] = {}
        member_duplicate_check(errors, self.existing, name, org, node, id_number=id_number, importing=True)
        self.field_errors(row, errors, {"name": "name"})
        key = (name, org.pk if org is not None else None, node.pk)
        if id_number:
            return
        first = self.name_rows.setdefault(key, row.number)
        if first != row.number:
            same = _("同一党组织") if org is not None else _("同一居住区域")
            self.error(
                row,
                "name",
                _("与第{row}行重复（同名、{same}，且都未填身份证号）").format(row=first, same=same),
            )

    def _home(self, row: Row) -> Node | None:
        code = self.code(row, "home_code")
        if not code:
            return None
        node = self.nodes.get(code)
        if node is None or not node.is_active:
            self.error(row, "home_code", _("区域编码 {code} 不存在或已停用").format(code=code))
            return None
        if node.kind not in HOME_KINDS:
            self.error(row, "home_code", _("居住区域应为社区、网格、小区、楼栋或单元"))
            return None
        return node

    def _row(self, row: Row) -> None:
        name = self.required_text(row, "name", 50, name=True)
        category = self.choice_cell(row, "category")
        status = self.choice_cell(row, "political_status", PoliticalStatus.FULL)
        role = self.choice_cell(row, "role", MemberRole.MEMBER)
        trade = self.choice_cell(row, "trade")
        org = self._org(row)
        id_number = self._id_number(row)
        resident = self._resident(row, id_number)
        home = self._home(row) or (resident.node if resident else None)
        if category in MemberCategory.values and status and not self.is_bad(row):
            errors: dict[str, list[str]] = {}
            member_category_check(errors, category, status, org, trade)
            self.field_errors(
                row,
                errors,
                {
                    "organisation": "org_code",
                    "political_status": "political_status",
                    "trade": "trade",
                    "category": "category",
                },
            )
        join_date = self.date(row, "join_date")
        day_errors: dict[str, list[str]] = {}
        party_day(day_errors, "join_date", join_date, _("入党日期"), today=self.today)
        if not day_errors:  # born: the ID number's date, else the registry's (the same person)
            join_age(day_errors, join_date, id_number_birth_date(id_number) if id_number else None)
        self.field_errors(row, day_errors, {"join_date": "join_date"})
        enc, digest, masked = self.phone_cell(row, "phone")
        employer_name = self.optional_text(row, "employer_name", 100)
        needy = self.bool_cell(row, "needy")
        node = org.node if org is not None else home
        if node is None and not self.is_bad(row):
            self.error(row, "home_code", _("未填党组织编码的，请填写居住区域编码"))
        elif node is not None and org is None and not self.may_edit(node.path):
            self.error(row, "home_code", _("居住区域不在您可导入的管辖范围内"))
        id_given = bool(self.text(row, "id_number"))
        if node is not None and resident is None and name and (id_number or not id_given):
            self._check_new(row, name, org, node, id_number)
        if self.is_bad(row) or node is None:
            return
        employer = org.unit if org is not None and org.kind == OrgKind.UNIT else None
        self.members.append(
            PartyMember(
                node=node,
                node_path=node.path,
                name=name,
                resident=resident,
                organisation=org,
                category=category,
                political_status=status,
                role=role,
                join_date=join_date,
                employer=employer,
                employer_name=employer_name or (employer.name if employer else ""),
                trade=trade,
                phone_enc=enc,
                phone_hash=digest,
                phone_masked=masked,
                home_node=home,
                is_needy=needy,
            )
        )

    def save(self) -> dict[str, int]:
        PartyMember.objects.bulk_create(self.members, batch_size=1000)
        return {"members": len(self.members)}


class UnitImporter(PartyImporter):
    party_kind = PartyImportKind.UNITS

    def validate(self, rows: list[Row], progress: Progress) -> list[RowError]:
        self.load_units(rows)
        self.unit_rows: dict[int, int] = {}
        self.taken = set(
            PartyOrganisation.objects.filter(kind=OrgKind.UNIT).values_list("unit_id", flat=True)
        )
        self.orgs: list[PartyOrganisation] = []
        for row in self.each(rows, progress):
            self._row(row)
        self._codes()
        return self.sorted_errors()

    def _row(self, row: Row) -> None:
        unit = self.unit(row)
        name = self.required_text(row, "org_name", 100)
        secretary = self.optional_text(row, "secretary_name", 50)
        founded_on = self.date(row, "founded_on")
        if founded_on is not None and founded_on > self.today:
            self.error(row, "founded_on", _("成立日期不能晚于今天"))
        if unit is None:
            return
        key = "credit_code" if self.unit_code(row) else "unit_name"
        if not self.may_edit(unit.node_path):
            self.error(row, key, _("{name}不在您可导入的管辖范围内").format(name=unit.name))
        if unit.pk in self.taken:
            self.error(row, key, _("{name}已登记党组织").format(name=unit.name))
        first = self.unit_rows.setdefault(unit.pk, row.number)
        if first != row.number:
            self.error(row, key, _("与第{row}行是同一单位").format(row=first))
        if self.is_bad(row):
            return
        self.orgs.append(
            PartyOrganisation(
                node_id=unit.node_id,
                node_path=unit.node_path,
                code="",
                name=name,
                kind=OrgKind.UNIT,
                unit=unit,
                secretary_name=secretary,
                founded_on=founded_on,
            )
        )

    def _codes(self) -> None:
        """Codes as ``party_org_create`` makes them (node code, "D", next number), counting this file."""
        nodes = {
            n.pk: n.code
            for n in Node.objects.filter(pk__in={o.node_id for o in self.orgs}).only("id", "code")
        }
        counters: dict[str, int] = {}
        for org in self.orgs:
            prefix = f"{nodes[org.node_id]}D"
            if prefix not in counters:
                taken = PartyOrganisation.objects.filter(code__startswith=prefix).values_list(
                    "code", flat=True
                )
                tails = [c[len(prefix) :] for c in taken]
                counters[prefix] = max((int(t) for t in tails if t.isascii() and t.isdecimal()), default=0)
            counters[prefix] += 1
            org.code = f"{prefix}{counters[prefix]:02d}"

    def save(self) -> dict[str, int]:
        PartyOrganisation.objects.bulk_create(self.orgs, batch_size=1000)
        return {"organisations": len(self.orgs)}


class AgreementImporter(PartyImporter):
    party_kind = PartyImportKind.AGREEMENTS

    def validate(self, rows: list[Row], progress: Progress) -> list[RowError]:
        self.load_units(rows)
        self.load_nodes(self.code(r, "community_code") for r in rows)
        self.pair_rows: dict[tuple[int, int], int] = {}
        self.unit_orgs = dict(
            PartyOrganisation.objects.filter(kind=OrgKind.UNIT, is_active=True).values_list("unit_id", "id")
        )
        self.agreements: list[Agreement] = []
        self.expired: list[int] = []
        for row in self.each(rows, progress):
            self._row(row)
        return self.sorted_errors()

    def _service_types(self, row: Row) -> list[str]:
        names = [t for t in TAG_SEPARATORS.split(self.text(row, "service_types")) if t]
        by_label = {str(label): value for value, label in ServiceType.choices}
        values = [by_label.get(n, n) for n in names]
        unknown = [n for n, v in zip(names, values, strict=True) if v not in ServiceType.values]
        if unknown:
            self.error(
                row, "service_types", _("未知的服务类型：{unknown}").format(unknown="、".join(unknown))
            )
        return list(dict.fromkeys(values))

    def _live(self, unit: Organisation, node: Node, row: Row, key: str) -> None:
        live = Agreement.objects.filter(unit=unit, node=node, status__in=ACTIVE_AGREEMENT_STATUSES)
        for pk, ends_on in live.values_list("pk", "ends_on"):
            if ends_on is not None and ends_on < self.today:
                self.expired.append(pk)  # ended when the new one is saved
            else:
                self.error(
                    row,
                    key,
                    _("{unit}与{community}已有生效的共建协议").format(unit=unit.name, community=node.name),
                )
        first = self.pair_rows.setdefault((unit.pk, node.pk), row.number)
        if first != row.number:
            self.error(row, key, _("与第{row}行重复（同一单位与同一社区）").format(row=first))

    def _dates(self, row: Row) -> tuple[date | None, date | None, date | None]:
        signed_on = self.date(row, "signed_on")
        if signed_on is None and not self.text(row, "signed_on"):
            self.error(row, "signed_on", _("签订日期不能为空"))
        elif signed_on is not None and signed_on > self.today:
            self.error(row, "signed_on", _("签订日期不能晚于今天"))
        starts_on = self.date(row, "starts_on") or signed_on
        ends_on = self.date(row, "ends_on")
        if starts_on is not None and ends_on is not None and ends_on < starts_on:
            self.error(row, "ends_on", _("结束日期不能早于开始日期"))
        return signed_on, starts_on, ends_on

    def _row(self, row: Row) -> None:
        unit = self.unit(row)
        node = self.target_node(row, "community_code", kinds={NodeKind.COMMUNITY})
        if node is not None and not self.may_edit(node.path):
            self.error(row, "community_code", _("该社区不在您可导入的管辖范围内"))
        signed_on, starts_on, ends_on = self._dates(row)
        title = self.optional_text(row, "title", 200)
        pledges = self.optional_text(row, "pledges", 2000)
        types = self._service_types(row)
        if not pledges and not types:
            self.error(row, "pledges", str(AGREEMENT_EMPTY))
        contact = self.optional_text(row, "contact_name", 50)
        enc, digest, masked = self.phone_cell(row, "contact_phone")
        # An agreement that already ended is a historical record, kept as expired (已到期).
        already_ended = ends_on is not None and ends_on < self.today
        if unit is not None and node is not None and not already_ended:
            self._live(unit, node, row, "credit_code" if self.unit_code(row) else "unit_name")
        if self.is_bad(row) or unit is None or node is None or signed_on is None or starts_on is None:
            return
        self.agreements.append(
            Agreement(
                kind=AgreementKind.DUAL_REPORTING,
                unit=unit,
                party_organisation_id=self.unit_orgs.get(unit.pk),
                node=node,
                node_path=node.path,
                title=title or _("{unit}与{community}共建协议").format(unit=unit.name, community=node.name),
                pledges=pledges,
                service_types=types,
                contact_name=contact,
                contact_phone_enc=enc,
                contact_phone_hash=digest,
                contact_phone_masked=masked,
                signed_on=signed_on,
                starts_on=starts_on,
                ends_on=ends_on,
                created_by=self.actor,
                **(
                    {
                        "status": AgreementStatus.EXPIRED,
                        "ended_at": timezone.now(),
                        "end_reason": _("协议到期"),
                    }
                    if already_ended
                    else {}
                ),
            )
        )

    def save(self) -> dict[str, int]:
        ended = Agreement.objects.filter(pk__in=self.expired, status=AgreementStatus.ACTIVE).update(
            status=AgreementStatus.EXPIRED, ended_at=timezone.now(), end_reason=_("协议到期")
        )
        Agreement.objects.bulk_create(self.agreements, batch_size=1000)
        return {"agreements": len(self.agreements), "expired": ended}


IMPORTERS: dict[str, type[PartyImporter]] = {
    PartyImportKind.MEMBERS: MemberImporter,
    PartyImportKind.UNITS: UnitImporter,
    PartyImportKind.AGREEMENTS: AgreementImporter,
}


def importer_for(kind: str, actor: Any) -> PartyImporter:
    if kind not in IMPORTERS:
        raise ValidationError(_("请选择要导入的数据类型"), field="kind")
    return IMPORTERS[kind](actor)


def headers(kind: str) -> Iterable[str]:
    return [f"{c.header}*" if c.required else c.header for c in COLUMNS[kind]]
