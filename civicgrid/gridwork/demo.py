"""Demo data of grid work (``civicgrid demo_extras``): a month of patrols with their tracks and
patrol logs, care plans and visits for the special groups, a campaign in progress, and field
updates waiting for approval, in the community of the ``community`` demo login.

Everything goes through the services (so audit rows, requests and notifications are real);
times are in the 30 days up to now and every choice comes from ``random.Random(seed)``, so
one seed on one day gives the same data. Accounts made here (password ``demo12345``):
``gridleader`` (grid leader of the first grid, with a grid worker role there) and
``gridworker2``… (the full-time grid worker of each other grid of the community).
"""

import random
import struct
import zlib
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, timedelta

import shapely
from django.core.files.uploadedfile import SimpleUploadedFile, UploadedFile
from django.db import transaction
from django.utils import timezone
from shapely.geometry import shape

from civicgrid.accounts import services as accounts
from civicgrid.accounts.models import Role, User
from civicgrid.core import crypto
from civicgrid.gridwork import services
from civicgrid.gridwork.constants import (
    CampaignKind,
    FindingCategory,
    ItemState,
    Outcome,
    ProposalKind,
    VisitKind,
    Wellbeing,
)
from civicgrid.gridwork.models import CampaignItem, CarePlan, Patrol
from civicgrid.registry.models import Dwelling, DwellingUse, Household, Resident, ResidentTag
from civicgrid.territory import services as territory
from civicgrid.territory.models import GridType, Node, NodeKind, Position, Post

DEMO_PASSWORD = "demo12345"  # noqa: S105 - the published password of the demo logins
DAYS = 29

FINDINGS: dict[str, list[str]] = {
    FindingCategory.ENVIRONMENT: [
        "垃圾桶满溢，周边散落生活垃圾",
        "绿化带内堆放建筑垃圾",
        "楼道内有小广告张贴",
        "雨水井盖周边积水有异味",
    ],
    FindingCategory.FACILITIES: [
        "路灯不亮，夜间通行不便",
        "小区健身器材螺丝松动",
        "单元门门禁损坏无法关闭",
        "人行道地砖松动翘起",
    ],
    FindingCategory.SAFETY: [
        "楼道内电动自行车停放充电",
        "空调外机支架锈蚀",
        "围墙局部开裂有倒塌风险",
    ],
    FindingCategory.FIRE: ["消防通道被私家车占用", "楼道堆放纸箱等易燃杂物", "消火栓箱内水带缺失"],
    FindingCategory.DISPUTE: ["楼上楼下因漏水发生争执", "邻里因占用公共部位发生矛盾"],
    FindingCategory.CITY_MANAGEMENT: ["沿街商户占道经营", "流动摊贩在路口聚集"],
    FindingCategory.LIVELIHOOD: ["独居老人反映家中水管老化漏水", "居民反映小区停车难"],
}
FIXES = [
    "已现场联系住户清理，恢复通畅",
    "已协调物业当场处理完毕",
    "已劝导当事人自行整改，复查合格",
    "已联系保洁人员清运",
]
VISIT_NOTES = {
    Wellbeing.GOOD: [
        "身体状况良好，生活能自理，家中整洁",
        "精神状态不错，已叮嘱注意用电安全",
        "子女近期来探望过，无特殊困难",
    ],
    Wellbeing.ATTENTION: [
        "近期血压偏高，已提醒按时服药",
        "家中燃气灶老化，建议更换",
        "行动不便，希望有人帮忙代购",
    ],
    Wellbeing.URGENT: ["老人摔倒后行动困难，已联系家属和社区医生"],
}
PLACES = ["菜市场", "幼儿园门口", "小区东门", "沿街商铺", "健身广场", "公交站台", "地下车库", "垃圾分类点"]


def _png(rng: random.Random, size: int = 48) -> bytes:
    """A small solid-colour PNG (a stand-in for a field photo)."""
    colour = bytes(rng.randrange(60, 220) for _ in range(3))
    raw = b"".join(b"\x00" + colour * size for _ in range(size))

    def chunk(kind: bytes, data: bytes) -> bytes:
        return (
            struct.pack(">I", len(data))
            + kind
            + data
            + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)
        )

    header = struct.pack(">IIBBBBB", size, size, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(raw))
        + chunk(b"IEND", b"")
    )


@dataclass
class Crew:
    community: Node
    manager: User
    workers: dict[int, User]  # grid id -> its worker
    grids: list[Node]


def _key(rng: random.Random) -> str:
    return "demo" + "".join(rng.choice("0123456789abcdef") for _ in range(28))


def _crew(out: Callable[[str], None]) -> Crew | None:
    manager = User.objects.filter(username="community").first()
    first = User.objects.filter(username="gridworker").first()
    if manager is None or first is None:
        out("未找到演示账号 community / gridworker，请先运行 civicgrid demo")
        return None
    community = Node.objects.get(role_assignments__user=manager, role_assignments__role=Role.COMMUNITY_WORKER)
    grids = list(
        Node.objects.filter(
            parent=community, kind=NodeKind.GRID, grid_type=GridType.COMPREHENSIVE, is_active=True
        ).order_by("code")
    )
    first_grid = Node.objects.get(role_assignments__user=first, role_assignments__role=Role.GRID_WORKER)
    workers = {first_grid.pk: first}
    for n, grid in enumerate(g for g in grids if g.pk != first_grid.pk):
        holder = Position.objects.filter(node=grid, post=Post.GRID_WORKER_FULLTIME).order_by("id").first()
        user = _account(
            f"gridworker{n + 2}", holder.holder_name if holder else f"网格员{n + 2}", "专职网格员"
        )
        accounts.role_grant(actor=None, system=True, user=user, role=Role.GRID_WORKER, node=grid)
        workers[grid.pk] = user
    _leader(manager, first_grid)
    return Crew(community, manager, workers, grids)


def _account(username: str, full_name: str, title: str) -> User:
    return accounts.user_create(
        actor=None, system=True, username=username, password=DEMO_PASSWORD, full_name=full_name, title=title
    )


def _leader(manager: User, grid: Node) -> None:
    """The grid leader of the first grid gets an account (``gridleader``) linked to the post."""
    today = timezone.localdate()
    old = Position.objects.filter(
        node=grid, post=Post.GRID_LEADER, user__isnull=True, end_date__isnull=True
    ).first()
    name = old.holder_name if old else "网格长"
    user = _account("gridleader", name, "网格长")
    accounts.role_grant(actor=None, system=True, user=user, role=Role.GRID_WORKER, node=grid)
    phone = crypto.decrypt(old.phone_enc) if old else ""
    if old is not None and old.start_date < today:
        territory.position_end(actor=manager, position=old, end_date=today - timedelta(days=1))
    territory.position_create(
        actor=manager,
        node=grid,
        post=Post.GRID_LEADER,
        holder_name=name,
        user=user,
        phone=phone,
        start_date=today,
    )


# --- patrols and findings -----------------------------------------------------------------


def _route(rng: random.Random, grid: Node, n: int) -> list[tuple[float, float]]:
    """A walk through the grid: random points inside it, visited nearest-first."""
    polygon = shape(grid.geometry) if grid.geometry else None
    if polygon is None:
        return []
    x0, y0, x1, y1 = polygon.bounds
    points: list[tuple[float, float]] = []
    for _ in range(n * 20):
        if len(points) >= n:
            break
        x, y = rng.uniform(x0, x1), rng.uniform(y0, y1)
        if shapely.contains_xy(polygon, x, y):
            points.append((round(x, 6), round(y, 6)))
    route = points[:1]
    rest = points[1:]
    while rest:
        last = route[-1]
        rest.sort(key=lambda p: (p[0] - last[0]) ** 2 + (p[1] - last[1]) ** 2)
        route.append(rest.pop(0))
    return route


def _finding(
    rng: random.Random, worker: User, patrol: Patrol, at: datetime, where: tuple[float, float]
) -> None:
    category = rng.choice(list(FINDINGS))
    outcome = rng.choices([Outcome.RECORDED, Outcome.FIXED, Outcome.REPORTED], weights=[35, 40, 25])[0]
    photos: list[UploadedFile] = []
    if outcome != Outcome.RECORDED or rng.random() < 0.3:
        photos = [SimpleUploadedFile("photo.png", _png(rng), content_type="image/png")]
    buildings = list(
        Node.objects.filter(path__startswith=patrol.node.path, kind=NodeKind.BUILDING).order_by("id")[:50]
    )
    building = rng.choice(buildings) if buildings else None
    data = services.FindingIn(
        category=category,
        description=rng.choice(FINDINGS[category]),
        outcome=outcome,
        handled_note=rng.choice(FIXES) if outcome == Outcome.FIXED else "",
        address=f"{patrol.node.name}{building.name if building else ''}",
        lon=where[0],
        lat=where[1],
        observed_at=at,
        grid=patrol.node,
        patrol_key=patrol.client_key,
        photos=photos,
    )
    services.finding_record(actor=worker, client_key=_key(rng), data=data)


def _patrol_day(
    rng: random.Random, worker: User, grid: Node, day: date, now: datetime, open_today: bool
) -> int:
    start = timezone.make_aware(datetime.combine(day, datetime.min.time())) + timedelta(
        hours=8, minutes=rng.randrange(0, 90)
    )
    minutes = rng.randrange(60, 150)
    if start + timedelta(minutes=minutes) > now:
        if start > now - timedelta(minutes=20):
            return 0
        minutes = int((now - start).total_seconds() // 60) - 1
    route = _route(rng, grid, rng.randrange(18, 36))
    saved = services.patrol_start(actor=worker, client_key=_key(rng), started_at=start, grid=grid)
    patrol = saved.entry
    step = minutes / max(1, len(route))
    points = [
        services.PointIn(start + timedelta(minutes=step * i), lon, lat, float(rng.randrange(5, 40)))
        for i, (lon, lat) in enumerate(route)
    ]
    if points:
        services.patrol_points_add(actor=worker, patrol_key=patrol.client_key, points=points)
    found = 0
    for _ in range(rng.choices([0, 1, 2, 3], weights=[35, 35, 20, 10])[0]):
        if not route:
            break
        i = rng.randrange(len(route))
        _finding(rng, worker, patrol, points[i].at, route[i])
        found += 1
    if not open_today:
        places = "、".join(rng.sample(PLACES, 3))
        services.patrol_end(
            actor=worker,
            patrol_key=patrol.client_key,
            ended_at=start + timedelta(minutes=minutes),
            places=places,
            people_met=rng.randrange(3, 30),
            note=rng.choice(["网格内总体平稳", "重点关注了独居老人和出租房", "雨后检查了积水点", ""]),
        )
    return found


def _patrols(rng: random.Random, crew: Crew, now: datetime) -> tuple[int, int]:
    today = timezone.localdate(now)
    patrols = findings = 0
    for n, grid in enumerate(crew.grids):
        worker = crew.workers.get(grid.pk)
        if worker is None:
            continue
        for back in range(DAYS, -1, -1):
            day = today - timedelta(days=back)
            skip = 0.55 if day.weekday() >= 5 else 0.12
            if rng.random() < skip:
                continue
            open_today = back == 0 and n == 1
            findings += _patrol_day(rng, worker, grid, day, now, open_today)
            patrols += 1
    return patrols, findings


# --- care ------------------------------------------------------------------------------------


def _care(rng: random.Random, crew: Crew, now: datetime) -> tuple[int, int]:
    today = timezone.localdate(now)
    residents = (
        Resident.objects.filter(
            node_path__startswith=crew.community.path, is_active=True, tags__is_special_group=True
        )
        .distinct()
        .order_by("id")
    )
    plans = visits = 0
    for resident in residents:
        plan = services.care_plan_create(
            actor=crew.manager, resident=resident, started_on=today - timedelta(days=DAYS + 6)
        )
        plans += 1
        worker = plan.assignee or crew.manager
        day = plan.started_on + timedelta(days=rng.randrange(1, plan.interval_days + 1))
        # About one plan in five has fallen behind (its light turns yellow or red).
        behind = rng.randrange(plan.interval_days - 1, plan.interval_days + 6) if rng.random() < 0.2 else 0
        while day <= today - timedelta(days=1 + behind):
            if rng.random() < 0.88 and day >= today - timedelta(days=DAYS):
                visits += _visit(rng, worker, plan, day)
            day += timedelta(days=plan.interval_days + rng.choice([-1, 0, 0, 1, 2]))
    return plans, visits


def _visit(rng: random.Random, worker: User, plan: CarePlan, day: date) -> int:
    wellbeing = rng.choices([Wellbeing.GOOD, Wellbeing.ATTENTION, Wellbeing.URGENT], weights=[80, 19, 1])[0]
    at = timezone.make_aware(datetime.combine(day, datetime.min.time())) + timedelta(
        hours=rng.randrange(9, 17)
    )
    data = services.VisitIn(
        found=rng.choice(VISIT_NOTES[wellbeing]),
        care_plan=plan,
        kind=rng.choices([VisitKind.HOME, VisitKind.DOORSTEP, VisitKind.PHONE], weights=[70, 15, 15])[0],
        wellbeing=wellbeing,
        needs="希望社区帮忙联系维修" if wellbeing == Wellbeing.ATTENTION and rng.random() < 0.5 else "",
        visited_at=at,
    )
    services.visit_record(actor=worker, client_key=_key(rng), data=data)
    return 1


# --- campaign and proposals ------------------------------------------------------------------


def _campaign(rng: random.Random, crew: Crew, now: datetime) -> tuple[int, int]:
    today = timezone.localdate(now)
    campaign = services.campaign_launch(
        actor=crew.manager,
        area=crew.community,
        name="国家反诈中心APP入户核查",
        kind=CampaignKind.ANTI_FRAUD,
        starts_on=today - timedelta(days=10),
        ends_on=today + timedelta(days=10),
        description="逐户询问是否安装国家反诈中心APP并开启来电预警，未安装的现场指导安装。",
    )
    done = 0
    for item in CampaignItem.objects.filter(campaign=campaign).order_by("id"):
        if rng.random() > 0.62 or item.assignee is None:
            continue
        at = now - timedelta(days=rng.randrange(0, 10), hours=rng.randrange(0, 8))
        state = rng.choices([ItemState.DONE, ItemState.UNREACHABLE, ItemState.REFUSED], weights=[86, 12, 2])[
            0
        ]
        answers = {"q1": rng.random() < 0.7, "q2": rng.random() < 0.6, "q3": True, "q4": rng.random() < 0.15}
        services.campaign_check(
            actor=item.assignee,
            client_key=_key(rng),
            item=item,
            state=state,
            answers=answers if state == ItemState.DONE else {},
            note="" if state == ItemState.DONE else "改日再访",
            checked_at=at,
        )
        done += state == ItemState.DONE
    return campaign.item_count, done


def _proposals(rng: random.Random, crew: Crew) -> int:
    grid = crew.grids[0]
    worker = crew.workers[grid.pk]
    residents = list(
        Resident.objects.filter(node_path__startswith=grid.path, is_active=True).order_by("id")[:40]
    )
    # Dwellings not let yet, so that the 出租 proposal changes something (the services refuse
    # one that changes nothing; which dwelling the generator picks depends on the hour).
    dwellings = list(
        Dwelling.objects.filter(node_path__startswith=grid.path)
        .exclude(use=DwellingUse.RENTED)
        .order_by("id")[:40]
    )
    households = list(Household.objects.filter(node_path__startswith=grid.path).order_by("id")[:40])
    low_income = ResidentTag.objects.filter(code="low_income").first()
    if len(residents) < 3 or not dwellings or not households or low_income is None:
        return 0
    made = [
        services.ProposalIn(
            kind=ProposalKind.MOVED_OUT, resident=residents[0], reason="已随子女迁往外地居住"
        ),
        services.ProposalIn(
            kind=ProposalKind.NEW_RESIDENT,
            household=rng.choice(households),
            name="周晓燕",
            gender="female",
            phone="13912345678",
            relation_to_head="租户",
            reason="新租户，已核对身份证",
        ),
        services.ProposalIn(
            kind=ProposalKind.ADD_TAG,
            resident=next((r for r in residents[1:] if low_income not in r.tags.all()), residents[1]),
            tag=low_income,
            reason="已纳入低保",
        ),
        services.ProposalIn(
            kind=ProposalKind.DWELLING_USE,
            dwelling=rng.choice(dwellings),
            use=DwellingUse.RENTED,
            reason="房主已出租",
        ),
    ]
    saved = [services.proposal_submit(actor=worker, client_key=_key(rng), data=p).entry for p in made]
    services.proposal_approve(actor=crew.manager, proposal=saved[2], note="已核实")
    services.proposal_reject(actor=crew.manager, proposal=saved[3], note="房屋仍为自住，请再核实")
    return len(saved)


def seed_demo(*, seed: int, out: Callable[[str], None]) -> None:
    if Patrol.objects.exists():
        out("网格工作演示数据已存在，跳过")
        return
    rng = random.Random(seed)
    now = timezone.now()
    with transaction.atomic():
        crew = _crew(out)
        if crew is None:
            return
        plans, visits = _care(rng, crew, now)
        patrols, findings = _patrols(rng, crew, now)
        items, done = _campaign(rng, crew, now)
        proposals = _proposals(rng, crew)
        warnings = services.care_scan(now)["warnings"]
    out(f"网格员账号 {len(crew.workers) + 1} 个（gridleader、gridworker…，密码 {DEMO_PASSWORD}）")
    out(f"巡查 {patrols} 次，民情 {findings} 条；关爱计划 {plans} 个，走访 {visits} 次，预警 {warnings} 条")
    out(f"专项任务 1 个（{done}/{items} 户已完成），信息变更申请 {proposals} 条")
    out(f"网格员：{', '.join(sorted(u.username for u in crew.workers.values()))}")
