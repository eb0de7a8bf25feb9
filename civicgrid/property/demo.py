"""Demo data of red property (``civicgrid demo_extras --only property``), on the demo city.

Every compound of a district with property companies gets the company that serves it (a
few had another one before, which left; about one in sixteen has none: a 三无小区), each
company its party work (instructor, branch). Over the last year each served compound was
inspected once to three times by the staff of its place (the community worker, else the
subdistrict handler, else the district leader); most inspections find nothing, and each
company's deductions are drawn towards a target so that the board shows a red list, a
middle and a black list. The district awards demonstration sites and deducts for
complaints. About a third of the compounds have an owners' committee of residents.

History cannot pass through the services (they keep one clock), so rows are written
directly, keeping the services' rules (one open contract, the serving company on the
inspection day, a ledger row per inspection, a deadline when points were deducted);
everything comes from ``random.Random(seed)`` and counts back from today, nothing is dated
after now. One audit row (``property.demo_built``) records it.
"""

import random
from collections.abc import Callable
from dataclasses import asdict, dataclass
from datetime import date, datetime, time, timedelta
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from civicgrid.accounts.models import Role, RoleAssignment
from civicgrid.core.audit import audit_write
from civicgrid.demo.names import person_name
from civicgrid.property.constants import (
    CHECK_ITEM_MAX,
    RECTIFY_DAYS,
    CheckItem,
    CommitteePost,
    CreditSource,
    ExitReason,
)
from civicgrid.property.models import (
    CommitteeMember,
    CompanyProfile,
    CreditEntry,
    Inspection,
    InspectionItem,
    OwnersCommittee,
    ServiceContract,
)
from civicgrid.property.services.committees import age_cutoff
from civicgrid.registry.models import Organisation, OrganisationKind, Resident
from civicgrid.territory.models import Node, NodeKind

NO_COMPANY_SHARE = 0.06  # 三无小区
PRIOR_SHARE = 0.15  # had another company before
COMMITTEE_SHARE = 0.35
# The least and the most a year's inspections of a company deduct in all: the companies of
# the city take these tiers in turn (shuffled), so the board has a red list, a middle and a
# black list.
TIERS = ((0, 4), (8, 14), (22, 32))
# i18n: data (the demo's award and deduction reasons, stored as written)
AWARDS = ("获评市级红色物业示范点", "获评省级党建引领物业管理示范点", "红色物业·微幸福项目")
# i18n: data (the demo's award and deduction reasons, stored as written)
DEDUCTIONS = ("投诉处理不及时，被约谈", "消防通道长期堵塞未整改", "未按规定公示收费标准")
# i18n: data (the demo's inspection notes, stored as written)
ITEM_NOTES = {
    CheckItem.ENVIRONMENT: "楼道堆物、垃圾清运不及时",
    CheckItem.GREENERY: "绿化带缺株、杂草未清理",
    CheckItem.FACILITIES: "单元门禁损坏未及时维修",
    CheckItem.SAFETY: "消防通道堵塞、灭火器过期",
    CheckItem.ORDER: "车辆乱停放、外来人员登记不全",
    CheckItem.FEES: "收费标准未公示",
    CheckItem.COMPLAINTS: "业主投诉未在规定时间内答复",
    CheckItem.PARTY: "未开展党建引领物业服务活动",
}


@dataclass
class Counts:
    contracts: int = 0
    exits: int = 0
    inspections: int = 0
    deducted: int = 0
    awards: int = 0
    committees: int = 0
    members: int = 0


def _moment(day: date, hour: int, rng: random.Random, now: datetime) -> datetime:
    at = timezone.make_aware(datetime.combine(day, time(hour, rng.randint(0, 59))))
    return min(at, now - timedelta(minutes=1))


def _district_of(node: Node, districts: dict[int, Node]) -> Node | None:
    return next((districts[i] for i in node.path_ids if i in districts), None)


def _staff_for(path: str, staff: list[tuple[str, Any]]) -> Any:
    """The staff member whose node lies closest above ``path`` (deepest first)."""
    return next((user for prefix, user in staff if path.startswith(prefix)), None)


def _staff() -> list[tuple[str, Any]]:
    rows = RoleAssignment.objects.filter(
        role__in=(Role.COMMUNITY_WORKER, Role.LEADER),  # those who may manage property
        user__is_active=True,
        node__is_active=True,
    ).select_related("user", "node")
    found = [(r.node.path, r.user) for r in rows]
    return sorted(found, key=lambda pair: (-len(pair[0]), pair[1].pk))


def seed_demo(*, seed: int, out: Callable[[str], Any]) -> None:
    if ServiceContract.objects.exists():
        out(_("  红色物业演示数据已存在，跳过"))
        return
    compounds = list(Node.objects.filter(kind=NodeKind.COMPOUND, is_active=True).order_by("path"))
    districts = {n.pk: n for n in Node.objects.filter(kind=NodeKind.DISTRICT)}
    companies: dict[int, list[Organisation]] = {}
    for company in Organisation.objects.filter(kind=OrganisationKind.PROPERTY_COMPANY).order_by("name", "id"):
        district = _district_of(company.node, districts)
        if district is not None:
            companies.setdefault(district.pk, []).append(company)
    if not compounds or not companies:
        out(_("  没有小区或物业服务企业，跳过红色物业演示数据"))
        return
    rng = random.Random(seed)
    counts = Counts()
    with transaction.atomic():
        staff = _staff()
        contracts = _contracts(rng, compounds, districts, companies, counts)
        _profiles(rng, companies)
        tiers = _inspections(rng, contracts, staff, counts)
        _adjustments(rng, companies, districts, staff, tiers, counts)
        _committees(rng, [c.node for c in contracts if c.ends_on is None], staff, counts)
        audit_write(actor=None, verb="property.demo_built", after={"seed": seed, **asdict(counts)})
    out(
        _(
            "  小区 {compounds} 个：物业进驻 {contracts} 次（退出 {exits} 次），检查 {inspections} 次"
            "（扣分 {deducted} 次），加减分 {awards} 条，业委会 {committees} 个（成员 {members} 人）"
        ).format(
            compounds=len(compounds),
            contracts=counts.contracts,
            exits=counts.exits,
            inspections=counts.inspections,
            deducted=counts.deducted,
            awards=counts.awards,
            committees=counts.committees,
            members=counts.members,
        )
    )


def _contracts(
    rng: random.Random,
    compounds: list[Node],
    districts: dict[int, Node],
    companies: dict[int, list[Organisation]],
    counts: Counts,
) -> list[ServiceContract]:
    today = timezone.localdate()
    now = timezone.now()
    rows: list[ServiceContract] = []
    for compound in compounds:
        district = _district_of(compound, districts)
        choices = companies.get(district.pk, []) if district else []
        if not choices or rng.random() < NO_COMPANY_SHARE:
            continue
        company = rng.choice(choices)
        starts = today - timedelta(days=rng.randint(200, 2900))
        if len(choices) > 1 and rng.random() < PRIOR_SHARE:
            before = rng.choice([c for c in choices if c.pk != company.pk])
            ends = starts - timedelta(days=1)
            rows.append(
                ServiceContract(
                    node=compound,
                    node_path=compound.path,
                    company=before,
                    starts_on=ends - timedelta(days=rng.randint(700, 2500)),
                    ends_on=ends,
                    exit_reason=rng.choice([ExitReason.EXPIRED, ExitReason.DISMISSED, ExitReason.WITHDREW]),
                    version=1,
                    created_at=_moment(ends, 9, rng, now),
                )
            )
            counts.exits += 1
        rows.append(
            ServiceContract(
                node=compound,
                node_path=compound.path,
                company=company,
                starts_on=starts,
                created_at=_moment(starts, 9, rng, now),
            )
        )
    created = ServiceContract.objects.bulk_create(rows, batch_size=1000)
    counts.contracts = len(created)
    return created


def _profiles(rng: random.Random, companies: dict[int, list[Organisation]]) -> None:
    now = timezone.now()
    rows = [
        CompanyProfile(
            company=company,
            party_instructor=person_name(rng, rng.random() < 0.6, 1975) if rng.random() < 0.7 else "",
            has_party_branch=rng.random() < 0.65,
            version=1,
            updated_at=now - timedelta(days=rng.randint(1, 300)),
        )
        for group in companies.values()
        for company in group
    ]
    CompanyProfile.objects.bulk_create(rows, batch_size=1000)


def _inspections(
    rng: random.Random, contracts: list[ServiceContract], staff: list[tuple[str, Any]], counts: Counts
) -> dict[int, int]:
    """The inspections of the last year with their ledger rows; each company's tier (0 the best)."""
    today = timezone.localdate()
    now = timezone.now()
    planned: list[tuple[Inspection, dict[str, int]]] = []
    for contract in contracts:
        if contract.ends_on is not None:
            continue
        inspector = _staff_for(contract.node_path, staff)
        if inspector is None:
            continue
        days = {today - timedelta(days=rng.randint(1, 365)) for _ in range(rng.choice((1, 1, 2, 2, 3)))}
        for day in sorted(d for d in days if d >= contract.starts_on):
            inspection = Inspection(
                node=contract.node,
                node_path=contract.node_path,
                contract=contract,
                company=contract.company,
                inspected_on=day,
                inspector=inspector,
                created_at=_moment(day, 10, rng, now),
            )
            planned.append((inspection, {}))
    tiers = _deduct(rng, planned)
    for inspection, items in planned:
        inspection.total_deduction = sum(items.values())
        if inspection.total_deduction:
            inspection.rectify_by = inspection.inspected_on + timedelta(days=RECTIFY_DAYS)
            counts.deducted += 1
    made = Inspection.objects.bulk_create([p[0] for p in planned], batch_size=1000)
    counts.inspections = len(made)
    item_rows, entries = [], []
    for inspection, items in planned:
        for item in CheckItem:
            points = items.get(item.value, 0)
            item_rows.append(
                InspectionItem(
                    inspection=inspection,
                    item=item.value,
                    deduction=points,
                    note=ITEM_NOTES[item] if points else "",
                )
            )
        entries.append(
            CreditEntry(
                node=inspection.node,
                node_path=inspection.node_path,
                company=inspection.company,
                year=inspection.inspected_on.year,
                points=-inspection.total_deduction,
                reason=_("{day:%Y-%m-%d} {compound}物业检查").format(
                    day=inspection.inspected_on, compound=inspection.node.name
                ),
                source=CreditSource.INSPECTION,
                source_id=inspection.pk,
                actor=inspection.inspector,
                created_at=inspection.created_at,
            )
        )
    InspectionItem.objects.bulk_create(item_rows, batch_size=2000)
    CreditEntry.objects.bulk_create(entries, batch_size=1000)
    return tiers


def _deduct(rng: random.Random, planned: list[tuple[Inspection, dict[str, int]]]) -> dict[int, int]:
    """Spread each company's deductions of a year over its inspections, towards its tier;
    return each company's tier (0 the best)."""
    groups: dict[tuple[int, int], list[dict[str, int]]] = {}
    for inspection, items in planned:
        groups.setdefault((inspection.company_id, inspection.inspected_on.year), []).append(items)
    ids = sorted({company_id for company_id, _year in groups})
    rng.shuffle(ids)
    tiers = {company_id: i % len(TIERS) for i, company_id in enumerate(ids)}
    for (company_id, _year), group in sorted(groups.items()):
        low, high = TIERS[tiers[company_id]]
        left = rng.randint(low, high)
        for _attempt in range(200):
            if left <= 0:
                break
            items = rng.choice(group)
            item = rng.choice(list(CheckItem)).value
            room = CHECK_ITEM_MAX[item] - items.get(item, 0)
            if room <= 0:
                continue
            step = min(left, room, rng.randint(1, 2))
            items[item] = items.get(item, 0) + step
            left -= step
    return tiers


def _adjustments(
    rng: random.Random,
    companies: dict[int, list[Organisation]],
    districts: dict[int, Node],
    staff: list[tuple[str, Any]],
    tiers: dict[int, int],
    counts: Counts,
) -> None:
    """Awards for companies of the best tier, deductions for the worst, by their district."""
    today = timezone.localdate()
    now = timezone.now()
    rows = []
    for district_id, group in sorted(companies.items()):
        district = districts[district_id]
        actor = _staff_for(district.path, staff)
        for company in group:
            roll, tier = rng.random(), tiers.get(company.pk, 1)
            if tier == 0 and roll < 0.7:
                points, reason, source = rng.randint(2, 5), rng.choice(AWARDS), CreditSource.AWARD
            elif tier == len(TIERS) - 1 and roll < 0.7:
                points, reason, source = -rng.randint(3, 8), rng.choice(DEDUCTIONS), CreditSource.DEDUCTION
            else:
                continue
            day = today - timedelta(days=rng.randint(1, 200))
            rows.append(
                CreditEntry(
                    node=district,
                    node_path=district.path,
                    company=company,
                    year=day.year,
                    points=points,
                    reason=reason,
                    source=source,
                    actor=actor,
                    created_at=_moment(day, 15, rng, now),
                )
            )
    CreditEntry.objects.bulk_create(rows, batch_size=1000)
    counts.awards = len(rows)


def _committees(
    rng: random.Random, compounds: list[Node], staff: list[tuple[str, Any]], counts: Counts
) -> None:
    today = timezone.localdate()
    now = timezone.now()
    chosen = [c for c in compounds if rng.random() < COMMITTEE_SHARE]
    # Members are of full age (the service refuses a minor); a resident without a birth date
    # is taken as the service takes them.
    adult_born_by = age_cutoff(today)
    members: list[CommitteeMember] = []
    for compound in chosen:
        checker = _staff_for(compound.path, staff)
        residents = list(
            Resident.objects.filter(node_path__startswith=compound.path, is_active=True)
            .exclude(birth_date__gt=adult_born_by)
            .prefetch_related("tags")
            .order_by("id")[:200]
        )
        if checker is None or len(residents) < 5:
            continue
        starts = today - timedelta(days=rng.randint(30, 1700))
        committee = OwnersCommittee.objects.create(
            node=compound,
            node_path=compound.path,
            term_starts_on=starts,
            term_ends_on=starts + timedelta(days=5 * 365 - 1),
            created_by=checker,
            created_at=_moment(starts, 9, rng, now),
        )
        counts.committees += 1
        for n, resident in enumerate(rng.sample(residents, rng.randint(5, min(7, len(residents))))):
            post = (
                CommitteePost.CHAIR if n == 0 else CommitteePost.VICE_CHAIR if n < 3 else CommitteePost.MEMBER
            )
            party = any(t.code == "party_member" for t in resident.tags.all()) or rng.random() < 0.2
            members.append(
                CommitteeMember(
                    committee=committee,
                    name=resident.name,
                    post=post,
                    resident=resident,
                    is_party_member=party,
                    checked_by=checker,
                    created_at=committee.created_at,
                    joined_on=starts,
                )
            )
    CommitteeMember.objects.bulk_create(members, batch_size=1000)
    counts.members = len(members)
