"""Writes of the organisation tree, members, the 1+10+N links and visits to needy members."""

from collections.abc import Iterable
from datetime import date
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from civicgrid.accounts.permissions import Capability
from civicgrid.accounts.selectors import can, require
from civicgrid.core.audit import audit_write, snapshot
from civicgrid.core.errors import PermissionDenied, ValidationError
from civicgrid.exchange.importers.base import chunked
from civicgrid.party.constants import (
    HUB_MAX_MEMBERS,
    MEMBER_MAX_CONTACTS,
    NODE_KINDS,
    PARENT_KINDS,
    PARTY_STATUSES,
    MemberCategory,
    MemberRole,
    OrgKind,
    PoliticalStatus,
    Sector,
    Trade,
    Verb,
)
from civicgrid.party.models import ContactLink, HubLink, NeedyVisit, PartyMember, PartyOrganisation
from civicgrid.party.permissions import can_visit, require_member_edit, require_member_visible
from civicgrid.party.services.common import (
    Errors,
    add,
    choice,
    community_of,
    join_age,
    party_day,
    phone,
    raise_if,
    text,
)
from civicgrid.registry.models import Organisation, Resident
from civicgrid.territory.models import Node, NodeKind
from civicgrid.territory.services import node_for_update

ORG_AUDIT_FIELDS = ["code", "name", "kind", "sector", "parent", "unit", "hub_resident", "node", "is_active"]
MEMBER_AUDIT_FIELDS = [
    "name",
    "resident",
    "organisation",
    "category",
    "political_status",
    "role",
    "join_date",
    "employer",
    "employer_name",
    "trade",
    "phone_masked",
    "home_node",
    "is_needy",
    "is_active",
]


# --- organisations ---------------------------------------------------------------------


def _next_org_code(node: Node) -> str:
    """The node's code, "D" and the next number; the caller holds the node's lock."""
    prefix = f"{node.code}D"
    taken = PartyOrganisation.objects.filter(code__startswith=prefix).values_list("code", flat=True)
    tails = [c[len(prefix) :] for c in taken]
    numbers = [int(t) for t in tails if t.isascii() and t.isdecimal()]  # not "²"
    return f"{prefix}{max(numbers, default=0) + 1:02d}"


def _check_place(errors: Errors, kind: str, node: Node | None, parent: PartyOrganisation | None) -> None:
    allowed_parents = PARENT_KINDS[kind]
    if (parent.kind if parent else None) not in allowed_parents:
        names = "、".join(str(OrgKind(k).label) for k in allowed_parents if k) or _("无（顶级）")
        add(
            errors, "parent", _("{label}的上级只能是：{names}").format(label=OrgKind(kind).label, names=names)
        )
    elif parent is not None and not parent.is_active:
        add(errors, "parent", _("上级党组织已撤销"))
    if node is None:
        add(errors, "node", _("请选择所在区域"))
        return
    if node.kind not in NODE_KINDS[kind]:
        names = "、".join(str(NodeKind(k).label) for k in sorted(NODE_KINDS[kind]))
        add(
            errors,
            "node",
            _("{label}应建在：{names}（所选是{kind}）").format(
                label=OrgKind(kind).label, names=names, kind=node.get_kind_display()
            ),
        )
    elif parent is not None and not node.path.startswith(parent.node_path):
        add(errors, "node", _("所在区域应在上级党组织的区域内"))


def _check_kind_details(
    errors: Errors,
    kind: str,
    sector: str,
    unit: Organisation | None,
    hub_resident: Resident | None,
    node: Node | None,
) -> None:
    if kind == OrgKind.DEDICATED_BRANCH:
        choice(errors, "sector", sector, Sector, _("专属领域"))
    elif sector:
        add(errors, "sector", _("只有专属党支部填写专属领域"))
    if kind == OrgKind.UNIT and unit is None:
        add(errors, "unit", _("请选择单位"))
    if kind == OrgKind.HUB_HOUSEHOLD:
        if hub_resident is None:
            add(errors, "hub_resident", _("请选择中心户户主（居民档案）"))
        elif node is not None:
            community = community_of(node)
            if community is None or not hub_resident.node_path.startswith(community.path):
                add(errors, "hub_resident", _("中心户户主应是本社区的居民"))
    elif hub_resident is not None:
        add(errors, "hub_resident", _("只有党员中心户填写户主"))


@transaction.atomic
def party_org_create(
    *,
    actor: Any,
    kind: str,
    name: str = "",
    node: Node | None = None,
    parent: PartyOrganisation | None = None,
    sector: str = "",
    unit: Organisation | None = None,
    hub_resident: Resident | None = None,
    secretary_name: str = "",
    founded_on: date | None = None,
) -> PartyOrganisation:
    """A party organisation on the territory. A unit's own organisation sits where the unit is."""
    if kind not in OrgKind.values:
        raise ValidationError(_("请选择党组织类型"), field="kind")
    if kind == OrgKind.UNIT and unit is not None:
        node = unit.node
    if node is not None:
        node = node_for_update(node)
        require(actor, Capability.PARTY_EDIT, node.path)
    errors: Errors = {}
    if kind != OrgKind.UNIT:
        _check_place(errors, kind, node, parent)
    elif parent is not None:
        add(errors, "parent", _("单位党组织不挂在社区组织体系下，请通过报到和共建协议联系社区"))
    _check_kind_details(errors, kind, sector, unit, hub_resident, node)
    if hub_resident is not None and not name.strip():
        name = _("{name}党员中心户").format(name=hub_resident.name)
    if unit is not None and kind == OrgKind.UNIT and not name.strip():
        name = _("{name}党组织").format(name=unit.name)
    name = text(errors, "name", name, _("名称"), 100, required=True)
    secretary_name = text(errors, "secretary_name", secretary_name, _("书记（负责人）"), 50, required=False)
    party_day(errors, "founded_on", founded_on, _("成立日期"), today=timezone.localdate())
    if (
        kind == OrgKind.UNIT
        and unit is not None
        and PartyOrganisation.objects.filter(kind=kind, unit=unit).exists()
    ):
        add(errors, "unit", _("该单位已登记党组织"))
    raise_if(errors)
    assert node is not None
    org = PartyOrganisation(
        node=node,
        node_path=node.path,
        code=_next_org_code(node),
        name=name,
        kind=kind,
        sector=sector,
        parent=parent,
        unit=unit if kind in (OrgKind.UNIT, OrgKind.DEDICATED_BRANCH) else None,
        hub_resident=hub_resident,
        secretary_name=secretary_name,
        founded_on=founded_on,
    )
    try:
        with transaction.atomic():
            org.save()
    except IntegrityError as exc:
        raise ValidationError(_("该单位已登记党组织，或该居民已是党员中心户户主"), field="unit") from exc
    audit_write(
        actor=actor, verb=Verb.ORG_CREATED, target=org, node=node, after=snapshot(org, ORG_AUDIT_FIELDS)
    )
    return org


@transaction.atomic
def party_org_update(
    *,
    actor: Any,
    organisation: PartyOrganisation,
    name: str | None = None,
    secretary_name: str | None = None,
    is_active: bool | None = None,
) -> PartyOrganisation:
    org = PartyOrganisation.objects.select_for_update().get(pk=organisation.pk)
    require(actor, Capability.PARTY_EDIT, org.node_path)
    before = snapshot(org, [*ORG_AUDIT_FIELDS, "secretary_name"])
    errors: Errors = {}
    if name is not None:
        org.name = text(errors, "name", name, _("名称"), 100, required=True)
    if secretary_name is not None:
        org.secretary_name = text(
            errors, "secretary_name", secretary_name, _("书记（负责人）"), 50, required=False
        )
    if is_active is False and org.is_active:
        if org.children.filter(is_active=True).exists():
            add(errors, "is_active", _("请先撤销其下级党组织"))
        if org.members.filter(is_active=True).exists():
            add(errors, "is_active", _("请先将党员转出"))
    raise_if(errors)
    if is_active is not None:
        org.is_active = is_active
    org.save()
    audit_write(
        actor=actor,
        verb=Verb.ORG_UPDATED,
        target=org,
        node=org.node,
        before=before,
        after=snapshot(org, [*ORG_AUDIT_FIELDS, "secretary_name"]),
    )
    return org


# --- members ---------------------------------------------------------------------------


def member_category_check(
    errors: Errors, category: str, status: str, organisation: PartyOrganisation | None, trade: str
) -> None:
    choice(errors, "category", category, MemberCategory, _("党员类别"))
    choice(errors, "political_status", status, PoliticalStatus, _("政治面貌"))
    if status not in PARTY_STATUSES and category != MemberCategory.NEW_EMPLOYMENT:
        add(errors, "political_status", _("只有新就业群体可登记非党员（入党积极分子、群众）"))
    if organisation is not None and not organisation.is_active:
        add(errors, "organisation", _("所选党组织已撤销"))
    if category == MemberCategory.IN_SERVICE:
        if organisation is None or organisation.kind != OrgKind.UNIT:
            add(errors, "organisation", _("在职党员应登记在工作单位的党组织"))
    elif category == MemberCategory.COMMUNITY:
        if organisation is None:
            add(errors, "organisation", _("请选择所在党组织"))
        elif organisation.kind == OrgKind.UNIT:
            add(errors, "organisation", _("社区党员应登记在社区的党组织（网格党支部、楼栋党小组等）"))
    elif category == MemberCategory.NEW_EMPLOYMENT:
        choice(errors, "trade", trade, Trade, _("从业类型"))
    if category != MemberCategory.NEW_EMPLOYMENT and trade:
        add(errors, "trade", _("只有新就业群体填写从业类型"))


# A member not linked to the registry is known by name in the same organisation (or, with
# no organisation, the same place): (name, organisation, node).
MemberKey = tuple[str, int | None, int]


def members_by_key(names: Iterable[str]) -> dict[MemberKey, bool]:
    """Active members of these names, by key: whether every one of them is unlinked to the
    registry (so may be the person of an ID number the registry does not know)."""
    found: dict[MemberKey, bool] = {}
    for batch in chunked(sorted(set(names) - {""})):
        members = PartyMember.objects.filter(name__in=batch, is_active=True)
        for name, org_id, node_id, resident_id in members.values_list(
            "name", "organisation_id", "node_id", "resident_id"
        ):
            key = (name, org_id, node_id)
            found[key] = found.get(key, True) and resident_id is None
    return found


def member_duplicate_check(
    errors: Errors,
    existing: dict[MemberKey, bool],
    name: str,
    organisation: PartyOrganisation | None,
    node: Node,
    *,
    id_number: str = "",
    importing: bool = False,
) -> None:
    """The one rule for a new member not linked to the registry (page, API and import): refused
    when an active member of the same name is in the same organisation (or, with none, the
    same place), unless an ID number is given and every such member is linked to the registry
    (then it may be another person of the same name). ``existing``: ``members_by_key``; the
    import's reason asks for the ID number, the page's and the API's for the registry's row."""
    unlinked_only = existing.get((name, organisation.pk if organisation is not None else None, node.pk))
    if unlinked_only is None or (not unlinked_only and id_number):
        return
    where = _("党组织“{name}”").format(name=organisation.name) if organisation is not None else node.name
    if importing:
        reason = _(
            "{where}已有党员“{name}”，请勿重复导入；如是同名的另一人，请填写其身份证号（须已在实有人口"
            "中登记）"
        )
    else:
        reason = _("{where}已有党员“{name}”，请勿重复登记；如是同名的另一人，请关联其居民档案")
    add(errors, "name", reason.format(where=where, name=name))


def _member_place(
    actor: Any,
    errors: Errors,
    organisation: PartyOrganisation | None,
    resident: Resident | None,
    home: Node | None,
) -> tuple[Node | None, Node | None]:
    """(the node the member hangs on, where they live)."""
    if resident is not None:
        if not can(actor, Capability.REGISTRY_VIEW, resident.node_path):
            add(errors, "resident", _("该居民档案不在您的管辖范围内"))
        home = home or resident.node
    node = organisation.node if organisation is not None else home
    if node is None:
        add(errors, "home_node", _("未登记党组织的，请填写居住地"))
    return node, home


@transaction.atomic
def member_create(
    *,
    actor: Any,
    name: str,
    category: str,
    organisation: PartyOrganisation | None = None,
    resident: Resident | None = None,
    political_status: str = PoliticalStatus.FULL,
    role: str = MemberRole.MEMBER,
    join_date: date | None = None,
    employer: Organisation | None = None,
    employer_name: str = "",
    trade: str = "",
    phone_number: str = "",
    home_node: Node | None = None,
    home_address: str = "",
    is_needy: bool = False,
) -> PartyMember:
    errors: Errors = {}
    node, home = _member_place(actor, errors, organisation, resident, home_node)
    if node is not None:
        node = node_for_update(node)
        require(actor, Capability.PARTY_EDIT, node.path)
    name = text(errors, "name", name or (resident.name if resident else ""), _("姓名"), 50, required=True)
    member_category_check(errors, category, political_status, organisation, trade)
    choice(errors, "role", role, MemberRole, _("党内职务"))
    party_day(errors, "join_date", join_date, _("入党日期"), today=timezone.localdate())
    if resident is not None:  # the registry's row afresh: a page's copy may show the year only
        born = Resident.objects.filter(pk=resident.pk).values_list("birth_date", flat=True).first()
        join_age(errors, join_date, born)
    if employer is None and organisation is not None and organisation.kind == OrgKind.UNIT:
        employer = organisation.unit
    employer_name = text(
        errors,
        "employer_name",
        employer_name or (employer.name if employer else ""),
        _("工作单位"),
        100,
        required=False,
    )
    enc, digest, masked = phone(errors, "phone", phone_number)
    home_address = text(errors, "home_address", home_address, _("居住地址"), 255, required=False)
    if resident is not None and PartyMember.objects.filter(resident=resident, is_active=True).exists():
        add(errors, "resident", _("该居民已登记为党员"))
    if resident is None and node is not None and name:
        # two at once: the lock on the node above makes the second wait, then see the first
        member_duplicate_check(errors, members_by_key([name]), name, organisation, node)
    raise_if(errors)
    assert node is not None
    member = PartyMember(
        node=node,
        node_path=node.path,
        name=name,
        resident=resident,
        organisation=organisation,
        category=category,
        political_status=political_status,
        role=role,
        join_date=join_date,
        employer=employer,
        employer_name=employer_name,
        trade=trade,
        phone_enc=enc,
        phone_hash=digest,
        phone_masked=masked,
        home_node=home,
        home_address=home_address,
        is_needy=is_needy or _tagged_needy(resident),
    )
    try:
        with transaction.atomic():
            member.save()
    except IntegrityError as exc:
        raise ValidationError(_("该居民已登记为党员"), field="resident") from exc
    audit_write(
        actor=actor,
        verb=Verb.MEMBER_CREATED,
        target=member,
        node=node,
        after=snapshot(member, MEMBER_AUDIT_FIELDS),
    )
    return member


def _tagged_needy(resident: Resident | None) -> bool:
    return resident is not None and resident.tags.filter(code="needy_party_member").exists()


@transaction.atomic
def member_update(
    *,
    actor: Any,
    member: PartyMember,
    role: str | None = None,
    phone_number: str | None = None,
    home_node: Node | None = None,
    home_address: str | None = None,
    is_needy: bool | None = None,
    is_active: bool | None = None,
) -> PartyMember:
    locked = PartyMember.objects.select_for_update(of=("self",)).select_related("home_node").get(pk=member.pk)
    require_member_edit(actor, locked)
    before = snapshot(locked, MEMBER_AUDIT_FIELDS)
    errors: Errors = {}
    if role is not None:
        locked.role = choice(errors, "role", role, MemberRole, _("党内职务"))
    if phone_number is not None:
        locked.phone_enc, locked.phone_hash, locked.phone_masked = phone(errors, "phone", phone_number)
    if home_address is not None:
        locked.home_address = text(errors, "home_address", home_address, _("居住地址"), 255, required=False)
    if is_active is False and locked.reports.filter(status__in=("pending", "confirmed")).exists():
        add(errors, "is_active", _("该党员仍在报到中，请先结束报到"))
    raise_if(errors)
    if home_node is not None:
        locked.home_node = home_node
    if is_needy is not None:
        locked.is_needy = is_needy
    if is_active is not None:
        locked.is_active = is_active
    locked.save()
    audit_write(
        actor=actor,
        verb=Verb.MEMBER_UPDATED,
        target=locked,
        node=locked.node,
        before=before,
        after=snapshot(locked, MEMBER_AUDIT_FIELDS),
    )
    return locked


# --- 1+10+N -----------------------------------------------------------------------------


@transaction.atomic
def hub_link(*, actor: Any, hub: PartyOrganisation, member: PartyMember) -> HubLink:
    """Link a member to a hub household (about ten members each)."""
    hub = PartyOrganisation.objects.select_for_update().get(pk=hub.pk)
    require(actor, Capability.PARTY_EDIT, hub.node_path)
    member = PartyMember.objects.select_related("home_node").get(pk=member.pk)
    require_member_visible(actor, member)
    errors: Errors = {}
    if hub.kind != OrgKind.HUB_HOUSEHOLD or not hub.is_active:
        add(errors, "hub", _("请选择有效的党员中心户"))
    if not member.is_active or member.political_status not in PARTY_STATUSES:
        add(errors, "member", _("只能联系在册党员"))
    if HubLink.objects.filter(member=member).exists():
        add(errors, "member", _("该党员已由其他中心户联系"))
    if HubLink.objects.filter(hub=hub).count() >= HUB_MAX_MEMBERS:
        add(
            errors,
            "hub",
            _("每个中心户联系党员不超过{hub_max_members}名（一般10名左右）").format(
                hub_max_members=HUB_MAX_MEMBERS
            ),
        )
    raise_if(errors)
    try:
        with transaction.atomic():
            link = HubLink.objects.create(hub=hub, member=member, node=hub.node, node_path=hub.node_path)
    except IntegrityError as exc:
        raise ValidationError(_("该党员已由其他中心户联系"), field="member") from exc
    audit_write(
        actor=actor,
        verb=Verb.HUB_LINKED,
        target=link,
        node=hub.node,
        after={"hub": hub.pk, "member": member.pk},
    )
    return link


@transaction.atomic
def hub_unlink(*, actor: Any, link: HubLink) -> None:
    link = HubLink.objects.select_for_update().get(pk=link.pk)
    require(actor, Capability.PARTY_EDIT, link.node_path)
    audit_write(
        actor=actor,
        verb=Verb.HUB_UNLINKED,
        target=link,
        node=link.node,
        before={"hub": link.hub_id, "member": link.member_id},
    )
    link.delete()


@transaction.atomic
def contact_link(*, actor: Any, member: PartyMember, resident: Resident) -> ContactLink:
    """A resident the member keeps in touch with (the N of 1+10+N)."""
    member = PartyMember.objects.select_for_update(of=("self",)).select_related("home_node").get(pk=member.pk)
    require_member_visible(actor, member)
    require(actor, Capability.PARTY_EDIT, resident.node_path)
    errors: Errors = {}
    if not member.is_active:
        add(errors, "member", _("该党员已不在册"))
    if not resident.is_active:
        add(errors, "resident", _("该居民已不在册"))
    if ContactLink.objects.filter(member=member, resident=resident).exists():
        add(errors, "resident", _("已在联系名单中"))
    elif ContactLink.objects.filter(member=member).count() >= MEMBER_MAX_CONTACTS:
        add(
            errors,
            "resident",
            _("每名党员联系居民不超过{member_max_contacts}人").format(
                member_max_contacts=MEMBER_MAX_CONTACTS
            ),
        )
    raise_if(errors)
    link = ContactLink.objects.create(
        member=member, resident=resident, node=resident.node, node_path=resident.node_path
    )
    audit_write(
        actor=actor,
        verb=Verb.CONTACT_LINKED,
        target=link,
        node=resident.node,
        after={"member": member.pk, "resident": resident.pk},
    )
    return link


@transaction.atomic
def contact_unlink(*, actor: Any, link: ContactLink) -> None:
    link = ContactLink.objects.select_for_update().get(pk=link.pk)
    require(actor, Capability.PARTY_EDIT, link.node_path)
    audit_write(
        actor=actor,
        verb=Verb.CONTACT_UNLINKED,
        target=link,
        node=link.node,
        before={"member": link.member_id, "resident": link.resident_id},
    )
    link.delete()


# --- visits to needy members ------------------------------------------------------------


@transaction.atomic
def needy_visit_record(
    *,
    actor: Any,
    member: PartyMember,
    visited_on: date,
    content: str,
    help_given: str = "",
    visitor_name: str = "",
) -> NeedyVisit:
    member = PartyMember.objects.select_related("home_node", "node").get(pk=member.pk)
    if not can_visit(actor, member):
        raise PermissionDenied(_("您无权走访该党员"))
    errors: Errors = {}
    if not member.is_needy:
        add(errors, "member_id", _("该党员未登记为困难党员"))  # the field that names the member
    # as other dates of party life: from the Party's founding (and the member's joining) to today
    party_day(errors, "visited_on", visited_on, _("走访日期"), today=timezone.localdate())
    if "visited_on" not in errors and member.join_date is not None and visited_on < member.join_date:
        add(
            errors,
            "visited_on",
            _("走访日期不能早于该党员的入党日期（{day}）").format(day=member.join_date.isoformat()),
        )
    content = text(errors, "content", content, _("走访情况"), 2000, required=True)
    help_given = text(errors, "help_given", help_given, _("帮扶措施"), 255, required=False)
    visitor = text(
        errors,
        "visitor_name",
        visitor_name or getattr(actor, "display_name", ""),
        _("走访人"),
        50,
        required=True,
    )
    raise_if(errors)
    home = member.home_node or member.node
    visit = NeedyVisit.objects.create(
        member=member,
        node=home,
        node_path=home.path,
        visited_on=visited_on,
        visitor=actor if getattr(actor, "is_authenticated", False) else None,
        visitor_name=visitor,
        content=content,
        help_given=help_given,
    )
    audit_write(
        actor=actor,
        verb=Verb.VISIT_RECORDED,
        target=visit,
        node=home,
        after={"member": member.pk, "visited_on": visited_on.isoformat(), "help_given": help_given},
    )
    return visit
