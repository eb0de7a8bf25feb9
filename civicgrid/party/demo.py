"""Demo data of party building (``civicgrid demo_extras``), on the demo city.

* The chain: a 大工委 per subdistrict, a 大党委 per community (6–12 part-time members from the
  police, city management, property companies, owners' committees and partner units), a
  branch on every grid (a dedicated branch on dedicated grids), building groups where
  members live, and the demo's hub households (their 1+10+N links and residents).
* Members: the residents tagged 党员 — about a third of working age are in-service members
  of a unit's party organisation (most units have one), the rest community members; a few
  in-service members live outside the city; needy members have visits over the last year.
* Dual reporting: about 93 % of in-service members reported to the community where they
  live and were confirmed, some wait for confirmation; about 90 % of units signed an
  agreement with their community; couriers and riders (新就业群体) report too.
* Committees met every quarter of the last year except a few in the last quarter, which the
  quarterly check then warns about.
* Alliances at district, subdistrict and community level with member units; the three lists
  (needs, resources, projects with contributions, photos and alliance points) and needs
  ordered to partner units through the service orders of civicgrid.volunteers.

History cannot pass through the services (they refuse dates in the past), so rows are
written directly in one transaction with one audit row; the alliance points and the orders
go through their own services. Everything comes from ``random.Random(seed)`` and dates
count back from today: one seed on one day gives the same data. ``dangyuan`` (password
``demo12345``) is an in-service member with a resident account (H5 page /party/h5/).
"""

import random
import struct
import zlib
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from typing import Any

from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone

from civicgrid.core.audit import audit_write
from civicgrid.party import models as m
from civicgrid.party.constants import (
    ALLIANCE_NODE_LEVEL,
    DEFAULT_CONTRIBUTION_POINTS,
    POINTS_SOURCE,
    AgreementKind,
    AllianceLevel,
    AllianceRole,
    CommitteeSource,
    LocatedBy,
    MeetingKind,
    MemberCategory,
    MemberRole,
    NeedCategory,
    NeedSource,
    NeedStatus,
    OrgKind,
    ProjectStatus,
    ReportStatus,
    ResourceKind,
    Sector,
    ServiceType,
    TaskStatus,
    Trade,
)
from civicgrid.party.services.committees import committee_activity_check, quarter_bounds
from civicgrid.registry.models import Organisation, OrganisationKind, Resident
from civicgrid.territory.models import GridType, Node, NodeKind, Position, Post

LOGIN = "dangyuan"
DEMO_PASSWORD = "demo12345"  # noqa: S105 - the published password of the demo logins
UNIT_KINDS = (
    OrganisationKind.ORGAN,
    OrganisationKind.PUBLIC_INSTITUTION,
    OrganisationKind.ENTERPRISE,
    OrganisationKind.PROPERTY_COMPANY,
    OrganisationKind.TWO_NEW,
)
PLEDGES = [
    "每月参加一次社区环境整治",
    "结对帮扶一户困难家庭",
    "参与小区平安巡防",
    "为居民提供法律咨询",
    "担任楼道文明劝导员",
    "参与社区疫情防控和应急值守",
    "为老年人代办代购",
    "参加社区议事协商",
]
NEEDS: list[tuple[str, str, bool]] = [
    ("楼道灯损坏，老人夜间出行不便", NeedCategory.FACILITIES, True),
    ("背街小巷路面破损积水", NeedCategory.FACILITIES, True),
    ("独居老人助餐送餐", NeedCategory.ELDERLY, False),
    ("老年人智能手机使用培训", NeedCategory.ELDERLY, True),
    ("暑期“四点半课堂”缺少辅导老师", NeedCategory.CHILDREN, False),
    ("小区垃圾分类督导", NeedCategory.ENVIRONMENT, True),
    ("楼道堆物清理", NeedCategory.ENVIRONMENT, True),
    ("电动自行车充电桩加装", NeedCategory.FACILITIES, False),
    ("夜间巡防力量不足", NeedCategory.SAFETY, False),
    ("居民法律咨询和纠纷调解", NeedCategory.LEGAL, False),
    ("社区健康义诊", NeedCategory.HEALTH, True),
    ("广场舞场地和音响", NeedCategory.CULTURE, True),
    ("失业人员技能培训", NeedCategory.EMPLOYMENT, False),
]
RESOURCES: dict[str, list[tuple[str, str]]] = {
    ResourceKind.VENUE: [("会议室（可容纳40人）", "间"), ("职工活动中心", "处")],
    ResourceKind.FUNDS: [("共建资金", "元")],
    ResourceKind.SKILL: [("法律顾问团队", "人"), ("医护志愿者", "人"), ("电工、水电维修", "人")],
    ResourceKind.VOLUNTEERS: [("党员志愿服务队", "人")],
    ResourceKind.GOODS: [("慰问物资", "份")],
    ResourceKind.EQUIPMENT: [("环卫清扫设备", "套"), ("应急照明设备", "套")],
}


@dataclass
class World:
    rng: random.Random
    today: date
    nodes: dict[int, Node]
    counts: dict[str, int] = field(default_factory=dict)
    codes: dict[int, int] = field(default_factory=dict)
    grid_branch: dict[int, m.PartyOrganisation] = field(default_factory=dict)
    committee: dict[int, m.PartyOrganisation] = field(default_factory=dict)
    unit_org: dict[int, m.PartyOrganisation] = field(default_factory=dict)

    def up(self, path: str, kind: str) -> Node | None:
        for part in path.strip("/").split("/"):
            node = self.nodes.get(int(part))
            if node is not None and node.kind == kind:
                return node
        return None

    def code(self, node: Node) -> str:
        self.codes[node.pk] = self.codes.get(node.pk, 0) + 1
        return f"{node.code}D{self.codes[node.pk]:02d}"

    def at(self, days_ago: int, hour: int = 15) -> datetime:
        """That day at that hour, but never later than a minute ago (today's 15:00 is still
        to come after midnight, and the services refuse a time in the future)."""
        when = timezone.make_aware(datetime.combine(self.today - timedelta(days=days_ago), time(hour)))
        return min(when, timezone.now() - timedelta(minutes=1))

    def bump(self, name: str, n: int = 1) -> None:
        self.counts[name] = self.counts.get(name, 0) + n


def seed_demo(*, seed: int, out: Callable[[str], Any]) -> None:
    if not Node.objects.filter(kind=NodeKind.COMMUNITY).exists():
        out("  没有演示城市，跳过党建演示数据")
        return
    if m.PartyOrganisation.objects.exists():
        out("  党建演示数据已存在，跳过")
        return
    nodes = {
        n.pk: n
        for n in Node.objects.filter(
            kind__in=[
                NodeKind.DISTRICT,
                NodeKind.SUBDISTRICT,
                NodeKind.COMMUNITY,
                NodeKind.GRID,
                NodeKind.BUILDING,
            ]
        )
    }
    w = World(rng=random.Random(seed * 6151 + 6), today=timezone.localdate(), nodes=nodes)
    with transaction.atomic():
        _chain(w)
        members = _members(w)
        _reporting(w, members)
        _committees(w)
        units = _alliances(w)
        _lists(w, units)
        _login(w)
        warned = committee_activity_check(today=w.today)
        audit_write(
            actor=None,
            verb="party.demo_seeded",
            target_type="party.demo",
            target_label="党建演示数据",
            after={"seed": seed, **w.counts},
        )
    _orders(w)
    out(
        "  党组织 {orgs}、党员 {members}、报到 {reports}、共建协议 {agreements}、会议 {meetings}、"
        "联盟 {alliances}、需求 {needs}、项目 {projects}、大党委预警 {warned}".format(
            **{k: w.counts.get(k, 0) for k in ("orgs", "members", "reports", "agreements", "meetings")},
            **{k: w.counts.get(k, 0) for k in ("alliances", "needs", "projects")},
            warned=warned["warnings"],
        )
    )


def _org(
    w: World, kind: str, node: Node, name: str, parent: m.PartyOrganisation | None = None, **kw: Any
) -> Any:
    org = m.PartyOrganisation.objects.create(
        code=w.code(node),
        name=name[:100],
        kind=kind,
        node=node,
        node_path=node.path,
        parent=parent,
        founded_on=w.today - timedelta(days=w.rng.randint(400, 4000)),
        **kw,
    )
    w.bump("orgs")
    return org


def _chain(w: World) -> None:
    """大工委 → 大党委 → grid branches (dedicated branches on dedicated grids) → hub households."""
    sub_committee: dict[int, m.PartyOrganisation] = {}
    for node in sorted(w.nodes.values(), key=lambda n: n.path):
        if node.kind == NodeKind.SUBDISTRICT:
            sub_committee[node.pk] = _org(w, OrgKind.SUBDISTRICT_COMMITTEE, node, f"{node.name}大工委")
        elif node.kind == NodeKind.COMMUNITY:
            parent = sub_committee.get(node.parent_id or 0)
            w.committee[node.pk] = _org(w, OrgKind.COMMUNITY_COMMITTEE, node, f"{node.name}大党委", parent)
        elif node.kind == NodeKind.GRID:
            community = w.up(node.path, NodeKind.COMMUNITY)
            if community is None:
                continue
            if node.grid_type == GridType.DEDICATED:
                sector = w.rng.choice([Sector.PARK, Sector.OFFICE_BUILDING, Sector.BUSINESS_DISTRICT])
                org = _org(
                    w,
                    OrgKind.DEDICATED_BRANCH,
                    node,
                    f"{node.name}党支部",
                    w.committee[community.pk],
                    sector=sector,
                )
            else:
                org = _org(w, OrgKind.GRID_BRANCH, node, f"{node.name}党支部", w.committee[community.pk])
            w.grid_branch[node.pk] = org
    for org in m.PartyOrganisation.objects.filter(kind=OrgKind.COMMUNITY_COMMITTEE).order_by("pk"):
        _sector_branches(w, org)


def _sector_branches(w: World, committee: m.PartyOrganisation) -> None:
    """A property company's or owners' committee's branch in some communities."""
    if w.rng.random() < 0.35:
        sector = w.rng.choice([Sector.PROPERTY_COMPANY, Sector.OWNERS_COMMITTEE])
        name = (
            f"{committee.node.name}{'物业服务企业' if sector == Sector.PROPERTY_COMPANY else '业委会'}党支部"
        )
        _org(w, OrgKind.DEDICATED_BRANCH, committee.node, name, committee, sector=sector)


def _age(resident: Mapping[str, Any], today: date) -> int:
    born = resident["birth_date"]
    return (today - born).days // 365 if born else 45


def _members(w: World) -> list[m.PartyMember]:
    """Members from the residents tagged 党员; hub households and building groups where they live."""
    rows = list(
        Resident.objects.filter(is_active=True, tags__code="party_member")
        .values("pk", "name", "node_id", "node_path", "birth_date", "phone_enc", "phone_hash", "phone_masked")
        .order_by("pk")
    )
    needy = set(Resident.objects.filter(tags__code="needy_party_member").values_list("pk", flat=True))
    units = list(Organisation.objects.filter(kind__in=UNIT_KINDS).order_by("pk"))
    for unit in units:
        if unit.kind == OrganisationKind.ORGAN or w.rng.random() < 0.7:
            w.unit_org[unit.pk] = _org(
                w, OrgKind.UNIT, unit.node, f"{unit.name}党支部", unit=unit, secretary_name=unit.contact_name
            )
    unit_orgs = list(w.unit_org.values())
    groups: dict[int, m.PartyOrganisation] = {}
    made: list[m.PartyMember] = []
    for r in rows:
        grid = w.up(r["node_path"], NodeKind.GRID)
        branch = w.grid_branch.get(grid.pk) if grid else None
        in_service = (
            bool(unit_orgs)
            and 25 <= _age(r, w.today) <= 58
            and r["pk"] not in needy
            and w.rng.random() < 0.45
        )
        if in_service:
            org = w.rng.choice(unit_orgs)
            category = MemberCategory.IN_SERVICE
        elif branch is not None:
            org = _group(w, groups, r, branch)
            category = MemberCategory.COMMUNITY
        else:
            continue
        made.append(
            m.PartyMember(
                node_id=org.node_id,
                node_path=org.node_path,
                name=r["name"],
                resident_id=r["pk"],
                organisation=org,
                category=category,
                join_date=w.today - timedelta(days=w.rng.randint(800, 15000)),
                employer=org.unit,
                employer_name=org.unit.name if org.unit else "",
                phone_enc=r["phone_enc"],
                phone_hash=r["phone_hash"],
                phone_masked=r["phone_masked"],
                home_node_id=r["node_id"],
                is_needy=r["pk"] in needy,
            )
        )
    made += _outsiders(w, unit_orgs)
    m.PartyMember.objects.bulk_create(made, batch_size=1000)
    w.bump("members", len(made))
    _roles(w)
    _hubs(w, made)
    _visits(w)
    return made


def _group(
    w: World, groups: dict[int, m.PartyOrganisation], r: Mapping[str, Any], branch: m.PartyOrganisation
) -> Any:
    building = w.up(r["node_path"], NodeKind.BUILDING)
    if building is None:
        return branch
    if building.pk not in groups:
        groups[building.pk] = _org(w, OrgKind.BUILDING_GROUP, building, f"{building.name}党小组", branch)
    return groups[building.pk]


def _outsiders(w: World, unit_orgs: list[m.PartyOrganisation]) -> list[m.PartyMember]:
    """In-service members not in the registry (they rent, or just moved in): one in every third
    unit, living on some grid of the city; they report by a point the locator places."""
    from civicgrid.demo.names import person_name

    grids = sorted(
        (n for n in w.nodes.values() if n.kind == NodeKind.GRID and n.grid_type == GridType.COMPREHENSIVE),
        key=lambda n: n.path,
    )
    rows = []
    for org in unit_orgs[::3]:
        if grids:
            home = w.rng.choice(grids)
            rows.append(
                m.PartyMember(
                    home_node=home,
                    home_address=f"{home.name}附近出租房",
                    node_id=org.node_id,
                    node_path=org.node_path,
                    organisation=org,
                    category=MemberCategory.IN_SERVICE,
                    name=person_name(w.rng, w.rng.random() < 0.5, w.rng.randint(1970, 1998)),
                    join_date=w.today - timedelta(days=w.rng.randint(800, 9000)),
                    employer=org.unit,
                    employer_name=org.unit.name if org.unit else "",
                )
            )
    return rows


def _roles(w: World) -> None:
    """The first member of each branch and group leads it."""
    seen: set[int] = set()
    leaders = []
    community = m.PartyMember.objects.filter(category=MemberCategory.COMMUNITY).select_related("organisation")
    for member in community.order_by("organisation_id", "pk"):
        if member.organisation_id in seen:
            continue
        seen.add(member.organisation_id or 0)
        kind = member.organisation.kind if member.organisation else ""
        member.role = MemberRole.GROUP_LEADER if kind == OrgKind.BUILDING_GROUP else MemberRole.SECRETARY
        leaders.append(member)
    m.PartyMember.objects.bulk_update(leaders, ["role"])
    for leader in leaders:
        if leader.organisation_id is not None:
            m.PartyOrganisation.objects.filter(pk=leader.organisation_id).update(secretary_name=leader.name)


def _hubs(w: World, members: list[m.PartyMember]) -> None:
    """The demo's hub households (posts 党员中心户), each linking about ten members and their residents."""
    by_grid: dict[int, list[m.PartyMember]] = {}
    for member in members:
        grid = w.up(member.node_path, NodeKind.GRID) if member.category == MemberCategory.COMMUNITY else None
        if grid is not None:
            by_grid.setdefault(grid.pk, []).append(member)
    taken: set[int] = set()
    holders: set[int] = set()
    links: list[m.HubLink] = []
    posts = Position.objects.filter(post=Post.HUB_HOUSEHOLD, resident__isnull=False, end_date__isnull=True)
    for post in posts.select_related("resident").order_by("pk"):
        grid = w.up(post.node_path, NodeKind.GRID)
        branch = w.grid_branch.get(grid.pk) if grid else None
        resident = post.resident
        if grid is None or branch is None or resident is None or resident.pk in holders:
            continue
        holders.add(resident.pk)
        place = w.up(resident.node_path, NodeKind.BUILDING) or branch.node
        hub = _org(
            w, OrgKind.HUB_HOUSEHOLD, place, f"{resident.name}党员中心户", branch, hub_resident=resident
        )
        pool = [x for x in by_grid.get(grid.pk, []) if x.pk not in taken and x.resident_id != resident.pk]
        for member in w.rng.sample(pool, min(len(pool), w.rng.randint(8, 12))):
            taken.add(member.pk)
            links.append(m.HubLink(hub=hub, member=member, node=hub.node, node_path=hub.node_path))
    m.HubLink.objects.bulk_create(links, batch_size=1000)
    w.bump("hub_links", len(links))
    _contacts(w, [link.member for link in links])


def _contacts(w: World, members: list[m.PartyMember]) -> None:
    """Each linked member keeps in touch with two to five residents of their building (the N)."""
    homes = sorted({x.home_node_id for x in members if x.home_node_id})
    neighbours: dict[int, list[tuple[int, str]]] = {}
    for start in range(0, len(homes), 1000):
        rows = Resident.objects.filter(node_id__in=homes[start : start + 1000], is_active=True).order_by("pk")
        for pk, node_id, path in rows.values_list("pk", "node_id", "node_path"):
            near = neighbours.setdefault(node_id, [])
            if len(near) < 12:
                near.append((pk, path))
    contacts = []
    for member in members:
        if member.home_node_id is None:
            continue
        near = [r for r in neighbours.get(member.home_node_id, []) if r[0] != member.resident_id]
        for pk, path in w.rng.sample(near, min(len(near), w.rng.randint(2, 5))):
            contacts.append(
                m.ContactLink(member=member, resident_id=pk, node_id=member.home_node_id, node_path=path)
            )
    m.ContactLink.objects.bulk_create(contacts, batch_size=1000)
    w.bump("contacts", len(contacts))


def _visits(w: World) -> None:
    visits = []
    for member in (
        m.PartyMember.objects.filter(is_needy=True).select_related("home_node", "node").order_by("pk")
    ):
        for _ in range(w.rng.randint(1, 4)):
            node = member.home_node or member.node
            visits.append(
                m.NeedyVisit(
                    member=member,
                    node=node,
                    node_path=node.path,
                    visited_on=w.today - timedelta(days=w.rng.randint(3, 360)),
                    visitor_name="网格员",
                    content=w.rng.choice(
                        [
                            "了解身体和生活情况，送去慰问品",
                            "节日走访慰问，帮助申请临时救助",
                            "协助就医预约，检查家中用电安全",
                        ]
                    ),
                    help_given=w.rng.choice(["慰问金500元", "米面油一份", "代办医保报销", ""]),
                )
            )
    m.NeedyVisit.objects.bulk_create(visits)
    w.bump("visits", len(visits))


def _community_of(w: World, member: m.PartyMember) -> Node | None:
    return (
        w.up(member.home_node.path, NodeKind.COMMUNITY) if member.home_node_id and member.home_node else None
    )


def _reporting(w: World, members: list[m.PartyMember]) -> None:
    """About 93 % of in-service members reported where they live; units signed agreements; riders too."""
    members = [x for x in members if x.category == MemberCategory.IN_SERVICE] + _riders(w)
    homes = dict(
        Node.objects.filter(pk__in={x.home_node_id for x in members if x.home_node_id}).values_list(
            "pk", "path"
        )
    )
    reports = []
    for member in members:
        path = homes.get(member.home_node_id or 0, "")
        community = w.up(path, NodeKind.COMMUNITY) if path else None
        roll = w.rng.random()
        if community is None or roll > 0.965:
            continue
        status = ReportStatus.CONFIRMED if roll < 0.93 else ReportStatus.PENDING
        submitted = w.at(w.rng.randint(5, 500), 10)
        reports.append(
            m.MemberReport(
                member=member,
                node=community,
                node_path=community.path,
                grid=w.up(path, NodeKind.GRID),
                located_by=LocatedBy.RESIDENT if member.resident_id else LocatedBy.LOCATOR,
                lon=None if member.resident_id else _centre(w, member.home_node_id)[0],
                lat=None if member.resident_id else _centre(w, member.home_node_id)[1],
                pledges=w.rng.sample(PLEDGES, 2),
                submitted_at=submitted,
                service_types=w.rng.sample(ServiceType.values, w.rng.randint(1, 3)),
                status=status,
                decided_at=submitted + timedelta(days=2) if status == ReportStatus.CONFIRMED else None,
            )
        )
    m.MemberReport.objects.bulk_create(reports, batch_size=1000)
    w.bump("reports", len(reports))
    agreements = []
    for org in w.unit_org.values():
        community = w.up(org.node_path, NodeKind.COMMUNITY) or _nearest_community(w, org.node)
        if community is None or w.rng.random() > 0.9:
            continue
        signed = w.today - timedelta(days=w.rng.randint(30, 700))
        agreements.append(
            m.Agreement(
                kind=AgreementKind.DUAL_REPORTING,
                unit=org.unit,
                party_organisation=org,
                node=community,
                node_path=community.path,
                title=f"{org.unit.name}与{community.name}共建协议",  # type: ignore[union-attr]
                pledges="；".join(w.rng.sample(PLEDGES, 3)),
                service_types=w.rng.sample(ServiceType.values, 2),
                contact_name=org.secretary_name,
                signed_on=signed,
                starts_on=signed,
                ends_on=date(signed.year + 3, 12, 31),
            )
        )
    m.Agreement.objects.bulk_create(agreements)
    w.bump("agreements", len(agreements))


def _centre(w: World, node_id: int | None) -> tuple[float | None, float | None]:
    from civicgrid.party.selectors import node_point

    found = node_point(w.nodes.get(node_id or 0))
    return found if found is not None else (None, None)


def _nearest_community(w: World, node: Node) -> Node | None:
    """A unit registered on a district or subdistrict pairs with one of the communities under it."""
    under = sorted(
        (n for n in w.nodes.values() if n.kind == NodeKind.COMMUNITY and n.path.startswith(node.path)),
        key=lambda n: n.path,
    )
    return w.rng.choice(under) if under else None


def _riders(w: World) -> list[m.PartyMember]:
    """Couriers and delivery riders (新就业群体), a few per subdistrict."""
    from civicgrid.demo.names import person_name

    grids = [n for n in w.nodes.values() if n.kind == NodeKind.GRID and n.grid_type == GridType.COMPREHENSIVE]
    grids.sort(key=lambda n: n.path)
    riders = []
    for sub in sorted((n for n in w.nodes.values() if n.kind == NodeKind.SUBDISTRICT), key=lambda n: n.path):
        mine = [g for g in grids if g.path.startswith(sub.path)]
        for _ in range(min(len(mine), w.rng.randint(4, 8))):
            home = w.rng.choice(mine)
            party = w.rng.random() < 0.4
            riders.append(
                m.PartyMember(
                    node=home,
                    node_path=home.path,
                    home_node=home,
                    category=MemberCategory.NEW_EMPLOYMENT,
                    name=person_name(w.rng, w.rng.random() < 0.8, w.rng.randint(1985, 2003)),
                    trade=w.rng.choice([Trade.COURIER, Trade.RIDER, Trade.RIDER, Trade.DRIVER]),
                    political_status="full" if party else w.rng.choice(["activist", "masses"]),
                    employer_name=w.rng.choice(["美团外卖", "饿了么", "顺丰速运", "中通快递", "京东物流"]),
                )
            )
    m.PartyMember.objects.bulk_create(riders)
    w.bump("members", len(riders))
    return riders


def _committees(w: World) -> None:
    """Part-time members and a year of meetings; a few committees idle in the last quarter."""
    sources = list(CommitteeSource.values)
    units = list(Organisation.objects.filter(kind__in=UNIT_KINDS).values_list("name", flat=True)[:200]) or [
        "共建单位"
    ]
    m.PartyOrganisation.objects.filter(
        kind__in=[OrgKind.COMMUNITY_COMMITTEE, OrgKind.SUBDISTRICT_COMMITTEE]
    ).update(created_at=w.at(730))
    from civicgrid.demo.names import person_name

    committees = m.PartyOrganisation.objects.filter(
        kind__in=[OrgKind.COMMUNITY_COMMITTEE, OrgKind.SUBDISTRICT_COMMITTEE]
    ).select_related("node")
    quarters = _last_quarters(w.today, 5)  # this quarter so far, then the four before
    for committee in committees.order_by("pk"):
        seats = []
        for i in range(w.rng.randint(6, 12)):
            source = sources[i] if i < len(sources) else w.rng.choice(sources)
            seats.append(
                m.CommitteeMember(
                    committee=committee,
                    node=committee.node,
                    node_path=committee.node_path,
                    name=person_name(w.rng, w.rng.random() < 0.6, w.rng.randint(1965, 1990)),
                    source=source,
                    unit_name=w.rng.choice(units) if source == CommitteeSource.PARTNER_UNIT else "",
                    term_start=w.today - timedelta(days=700),
                    term_end=w.today + timedelta(days=400),
                )
            )
        m.CommitteeMember.objects.bulk_create(seats)
        idle = w.rng.random() < 0.12
        for back, (start, end) in enumerate(quarters):
            if (idle and back == 1) or end < start:
                continue
            _meeting(w, committee, seats, start + timedelta(days=w.rng.randint(0, (end - start).days)))


def _last_quarters(today: date, n: int) -> list[tuple[date, date]]:
    """(first day, last day held) of this quarter up to yesterday and of the ``n - 1`` before."""
    year, quarter = (today.year, (today.month - 1) // 3 + 1)
    found = []
    for _ in range(n):
        start, end = quarter_bounds(year, quarter)
        found.append((start, min(end, today - timedelta(days=1))))
        year, quarter = (year - 1, 4) if quarter == 1 else (year, quarter - 1)
    return found


def _meeting(w: World, committee: m.PartyOrganisation, seats: list[m.CommitteeMember], day: date) -> None:
    title, kind = w.rng.choice(
        [
            ("季度联席会议", MeetingKind.JOINT_MEETING),
            ("老旧小区改造协商议事", MeetingKind.DELIBERATION),
            ("物业服务评议听证", MeetingKind.HEARING),
            ("“微实事”项目民意收集", MeetingKind.OPINION),
        ]
    )
    held = timezone.make_aware(datetime.combine(min(day, w.today - timedelta(days=1)), time(14, 30)))
    meeting = m.Meeting.objects.create(
        committee=committee,
        node=committee.node,
        node_path=committee.node_path,
        kind=kind,
        title=title,
        held_at=held,
        place=f"{committee.node.name}党群服务中心",
        agenda="一、通报上季度工作；二、商议民生实事项目；三、部署下一步工作",
        minutes="与会委员听取通报，围绕居民反映集中的问题进行了讨论，形成以下决定。",
    )
    m.MeetingAttendance.objects.bulk_create(
        m.MeetingAttendance(meeting=meeting, committee_member=s, present=w.rng.random() < 0.85) for s in seats
    )
    decision = m.Decision.objects.create(
        meeting=meeting, text=w.rng.choice([n[0] for n in NEEDS]) + "，列入微实事项目"
    )
    done = held.date() < w.today - timedelta(days=40)
    m.FollowUpTask.objects.create(
        meeting=meeting,
        decision=decision,
        node=committee.node,
        node_path=committee.node_path,
        title="牵头落实" + decision.text[:20],
        owner_name=w.rng.choice(["物业服务企业", "社区居委会", "共建单位"]),
        due_on=held.date() + timedelta(days=30),
        status=TaskStatus.DONE if done else TaskStatus.OPEN,
        result="已落实" if done else "",
        done_at=held + timedelta(days=25) if done else None,
    )
    w.bump("meetings")


def _alliances(w: World) -> list[Organisation]:
    """A district alliance, one per subdistrict, and some community alliances, with member units."""
    units = [org.unit for org in w.unit_org.values() if org.unit is not None]
    for node in sorted(w.nodes.values(), key=lambda n: n.path):
        level = ALLIANCE_NODE_LEVEL.get(node.kind) if node.kind != NodeKind.COMMUNITY else None
        if node.kind == NodeKind.COMMUNITY and w.rng.random() < 0.3:
            level = AllianceLevel.COMMUNITY
        if level is None:
            continue
        alliance = m.Alliance.objects.create(
            node=node,
            node_path=node.path,
            level=level,
            name=f"{node.name.removesuffix('社区')}大党建联盟",
            description="整合驻区单位资源，建立需求、资源、项目三张清单，推动共驻共建。",
            founded_on=w.today - timedelta(days=w.rng.randint(200, 1500)),
        )
        w.bump("alliances")
        near = [u for u in units if u.node_path.startswith(node.path)] or units
        chosen = w.rng.sample(near, min(len(near), w.rng.randint(4, 12)))
        for i, unit in enumerate(chosen):
            m.AllianceMember.objects.create(
                alliance=alliance,
                unit=unit,
                node=node,
                node_path=node.path,
                role=AllianceRole.LEAD if i == 0 else AllianceRole.MEMBER,
                joined_on=(alliance.founded_on or w.today) + timedelta(days=w.rng.randint(0, 100)),
            )
    return units


def _point(node: Node | None) -> tuple[float | None, float | None]:
    return (node.lon, node.lat) if node is not None else (None, None)


def _lists(w: World, units: list[Organisation]) -> None:
    """Resources of units, needs of every community, projects with contributions and results."""
    resources: dict[int, list[m.Resource]] = {}
    for unit in units:
        community = w.up(unit.node_path, NodeKind.COMMUNITY) or _nearest_community(w, unit.node)
        if community is None:
            continue
        for kind in w.rng.sample(list(RESOURCES), w.rng.randint(1, 2)):
            title, measure = w.rng.choice(RESOURCES[kind])
            lon, lat = _point(w.nodes.get(unit.node_id))
            row = m.Resource.objects.create(
                node=community,
                node_path=community.path,
                unit=unit,
                kind=kind,
                title=f"{unit.name}{title}"[:200],
                quantity=Decimal(w.rng.choice([2, 5, 10, 20000, 50000]))
                if kind == ResourceKind.FUNDS
                else w.rng.randint(2, 30),
                quantity_unit=measure,
                lon=lon,
                lat=lat,
            )
            resources.setdefault(community.pk, []).append(row)
            w.bump("resources")
    photo = ContentFile(demo_png((200, 16, 46)), name="result.png")
    for community in sorted(
        (n for n in w.nodes.values() if n.kind == NodeKind.COMMUNITY), key=lambda n: n.path
    ):
        grids = sorted(
            (n for n in w.nodes.values() if n.kind == NodeKind.GRID and n.parent_id == community.pk),
            key=lambda n: n.pk,
        )
        for title, category, micro in w.rng.sample(NEEDS, w.rng.randint(3, 6)):
            grid = w.rng.choice(grids) if grids else community
            _need(
                w,
                grid,
                title,
                category,
                micro,
                resources.get(community.pk, []) or [r for rs in resources.values() for r in rs][:3],
                photo,
            )


def _need(
    w: World, node: Node, title: str, category: str, micro: bool, pool: list[m.Resource], photo: ContentFile
) -> None:
    source = w.rng.choice([NeedSource.RESIDENT, NeedSource.COUNCIL, NeedSource.GRID, NeedSource.REQUEST])
    need = m.Need.objects.create(
        node=node,
        node_path=node.path,
        title=title,
        category=category,
        source=source,
        is_micro=micro,
        source_ref={NeedSource.COUNCIL: "党群议事会", NeedSource.REQUEST: "12345热线"}.get(source, ""),
        beneficiaries=w.rng.randint(10, 300),
    )
    w.bump("needs")
    roll = w.rng.random()
    if roll < 0.35 or not pool:
        return
    status = (
        ProjectStatus.DONE
        if roll < 0.7
        else ProjectStatus.IN_PROGRESS
        if roll < 0.88
        else ProjectStatus.PLANNED
    )
    starts = w.today - timedelta(days=w.rng.randint(20, 300))
    done_on = (
        min(starts + timedelta(days=w.rng.randint(10, 60)), w.today) if status == ProjectStatus.DONE else None
    )
    project = m.Project.objects.create(
        node=node,
        node_path=node.path,
        title=title.split("，")[0][:40] + ("微实事" if micro else "项目"),
        need=need,
        owner_name="社区书记",
        owner_unit=pool[0].unit,
        budget=Decimal(w.rng.randint(2, 45) * 1000),
        starts_on=starts,
        ends_on=starts + timedelta(days=60),
        status=status,
        is_micro=micro,
        done_on=done_on,
        results=f"项目完成，受益居民{need.beneficiaries}人，群众满意。" if done_on else "",
    )
    m.ProjectStatusChange.objects.create(project=project, to_status=status, note="演示数据")
    need.status = NeedStatus.DONE if done_on else NeedStatus.MATCHED
    need.save(update_fields=["status"])
    w.bump("projects")
    for resource in w.rng.sample(pool, min(len(pool), w.rng.randint(1, 3))):
        m.ProjectContribution.objects.create(
            project=project,
            resource=resource,
            unit=resource.unit,
            description=f"提供{resource.get_kind_display()}",
            points=DEFAULT_CONTRIBUTION_POINTS[resource.kind],
        )
    if done_on:
        m.ProjectPhoto.objects.create(
            project=project, file=photo, caption="完工照片", content_type="image/png", size=photo.size
        )
        _award(w, project)


def _award(w: World, project: m.Project) -> None:
    """Alliance points through the points ledger (when it is installed)."""
    try:
        from civicgrid.points.services import points_earn
    except ImportError:
        return
    for row in project.contributions.filter(unit__isnull=False, points__gt=0).select_related("unit"):
        assert row.unit is not None
        points_earn(
            actor=None,
            holder=row.unit,
            amount=row.points,
            source=POINTS_SOURCE,
            source_ref=f"project:{project.pk}:contribution:{row.pk}",
            node=project.node,
            note=f"盟友力积分：{project.title}",
            at=w.at((w.today - (project.done_on or w.today)).days),
        )
        row.points_awarded_at = timezone.now()
        row.save(update_fields=["points_awarded_at"])


def _orders(w: World) -> None:
    """Open needs ordered to partner units through the volunteers' service orders (one per community)."""
    try:
        from civicgrid.requests.permissions import SYSTEM
        from civicgrid.volunteers.constants import OrdererKind
        from civicgrid.volunteers.services import (
            NewOrder,
            Taker,
            service_order_create,
            service_order_dispatch,
        )
    except ImportError:
        return
    from civicgrid.party.services.orders import SERVICE_OF_CATEGORY, origin_of

    seen: set[str] = set()
    for need in m.Need.objects.filter(status=NeedStatus.OPEN).select_related("node").order_by("pk"):
        community = w.up(need.node_path, NodeKind.COMMUNITY)
        unit = m.AllianceMember.objects.filter(
            node_path__startswith=community.path if community else "-"
        ).first()
        if community is None or community.path in seen:
            continue
        seen.add(community.path)
        order = service_order_create(
            actor=SYSTEM,
            data=NewOrder(
                title=need.title[:100],
                content=need.title,
                service_type=SERVICE_OF_CATEGORY[need.category],
                orderer_kind=OrdererKind.STAFF,
                orderer_label=f"需求清单：{need.title}"[:100],
                node=need.node,
                origin=origin_of(need),
            ),
            publish=unit is None,
        )
        if unit is not None:
            service_order_dispatch(
                actor=SYSTEM, order=order, taker=Taker.of_unit(unit.unit), note="需求清单派单"
            )
        m.Need.objects.filter(pk=need.pk).update(status=NeedStatus.ORDERED)
        w.bump("orders")


def _login(w: World) -> None:
    """``dangyuan``: an in-service member of the ``community`` login's community with an account."""
    from civicgrid.accounts.models import Role, RoleAssignment, User
    from civicgrid.registry.services import resident_account_open

    staff = (
        RoleAssignment.objects.filter(role=Role.COMMUNITY_WORKER, node__kind=NodeKind.COMMUNITY)
        .select_related("user", "node")
        .order_by("user_id")
        .first()
    )
    if staff is None or User.objects.filter(username=LOGIN).exists():
        return
    member = (
        m.PartyMember.objects.filter(
            category=MemberCategory.IN_SERVICE,
            home_node__path__startswith=staff.node.path,
            resident__isnull=False,
            resident__account__isnull=True,
        )
        .order_by("pk")
        .first()
    )
    if member is not None and member.resident is not None:
        resident_account_open(
            actor=staff.user, resident=member.resident, username=LOGIN, password=DEMO_PASSWORD
        )
        m.MemberReport.objects.filter(member=member).delete()  # he reports himself on the H5 page


def demo_png(colour: tuple[int, int, int], *, width: int = 96, height: int = 72) -> bytes:
    """A small PNG of one colour with lighter stripes, written without an image library."""
    light = tuple(min(255, c + 50) for c in colour)
    rows = b"".join(
        b"\x00" + bytes(light if (y * 3 // height) % 2 else colour) * width for y in range(height)
    )

    def chunk(kind: bytes, data: bytes) -> bytes:
        return (
            struct.pack(">I", len(data))
            + kind
            + data
            + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)
        )

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(rows))
        + chunk(b"IEND", b"")
    )
