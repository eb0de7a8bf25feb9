"""Demo data of points (``civicgrid demo_extras``), in the community of the ``community`` login.

Rules per kind of service and a one-year expiry policy; a shop of ten goods donated by the
community's units; a year of earnings by its volunteers (colour teams), alliance points of
partner units, older lots that have expired, redemptions in every state, and adjustments
waiting for and past approval (each with the sign its reason gives: a deduction only from
someone who holds enough, else left out). These earnings bank no hours: the time bank
(时间银行) holds only hours a volunteer activity backs (the volunteers demo's check-outs).
A little earning in the neighbouring communities fills the district leaderboard. Everything
goes through the services (audit rows are real); every choice comes from
``random.Random(seed)`` and times are counted back from now, so one seed on one day gives
the same data. A resident login ``jumin`` (password ``demo12345``) opens the H5 pages (my
points, the shop, my redemptions).
"""

import random
from collections.abc import Callable
from datetime import timedelta
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.utils import timezone

from civicgrid.accounts.models import Role, RoleAssignment, User
from civicgrid.core.errors import CivicError
from civicgrid.points import services
from civicgrid.points.constants import Source
from civicgrid.points.models import ActivityType, Goods, Movement
from civicgrid.points.selectors import balance
from civicgrid.registry.models import Organisation, OrganisationKind, Resident, ResidentAccount
from civicgrid.territory.models import Node, NodeKind

DEMO_PASSWORD = "demo12345"  # noqa: S105 - the published password of the demo logins
RESIDENT_LOGIN = "jumin"
DAYS = 420  # a little over the one-year expiry, so some lots have expired

RULES: list[tuple[str, str, int, str, str, int]] = [
    # activity type, name, base, per hour, difficulty step, cap
    ("", "社区默认积分规则", 0, "10", "0.25", 0),
    (ActivityType.ELDERLY_CARE, "助老助残服务", 5, "12", "0.30", 0),
    (ActivityType.ENVIRONMENT, "环境整治", 0, "8", "0.25", 0),
    (ActivityType.SAFETY, "平安巡防", 0, "10", "0.20", 60),
    (ActivityType.LAW, "法律服务进社区", 10, "15", "0.25", 0),
    (ActivityType.CULTURE, "文化活动", 0, "8", "0.20", 0),
    (ActivityType.EPIDEMIC, "疫情防控", 10, "12", "0.30", 0),
    (ActivityType.SERVICE_ORDER, "点单服务", 5, "10", "0.25", 0),
]

GOODS: list[tuple[str, str, int, int, str, int]] = [
    # name, description, price, stock, unit, per-person limit
    ("洗衣皂", "雕牌洗衣皂两块装", 20, 60, "份", 0),
    ("抽纸", "三层抽纸一提（6包）", 40, 40, "提", 2),
    ("牙膏套装", "牙膏两支+牙刷两支", 50, 30, "套", 0),
    ("食用油", "非转基因大豆油 1.8L", 120, 15, "桶", 1),
    ("大米", "东北大米 5kg", 150, 12, "袋", 1),
    ("毛巾", "纯棉毛巾两条", 35, 50, "份", 0),
    ("保温杯", "不锈钢保温杯 500ml", 180, 8, "个", 1),
    ("雨伞", "折叠晴雨伞", 80, 20, "把", 1),
    ("洗洁精", "洗洁精 1.5kg", 45, 35, "瓶", 0),
    ("理发券", "社区爱心理发一次（共建单位提供）", 30, 100, "张", 2),
]

# The five colour teams and the services each mostly does.
TEAMS: list[tuple[str, list[str], list[str]]] = [
    (
        "红色互助志愿服务队",
        [ActivityType.ELDERLY_CARE, ActivityType.MUTUAL_AID],
        ["解忧杂货铺助老服务", "独居老人上门探访", "帮老人代买生活用品"],
    ),
    (
        "绿色环保志愿服务队",
        [ActivityType.ENVIRONMENT],
        ["楼道清洁大扫除", "垃圾分类宣传值守", "背街小巷环境整治"],
    ),
    (
        "蓝色平安志愿服务队",
        [ActivityType.SAFETY, ActivityType.EPIDEMIC],
        ["夜间平安巡逻", "消防安全隐患排查", "防疫值守"],
    ),
    (
        "黄色法律志愿服务队",
        [ActivityType.LAW, ActivityType.MEDIATION],
        ["法律咨询进社区", "邻里纠纷调解", "反诈宣传"],
    ),
    ("紫色文化志愿服务队", [ActivityType.CULTURE], ["公益集市", "社区文艺汇演", "四点半课堂"]),
]


def seed_demo(*, seed: int, out: Callable[[str], Any]) -> None:
    community_user = User.objects.filter(username="community").first()
    leader = User.objects.filter(username="leader").first()
    assignment = RoleAssignment.objects.filter(user=community_user, role=Role.COMMUNITY_WORKER).first()
    if community_user is None or leader is None or assignment is None:
        out("  没有演示城市的 community / leader 账号，跳过积分演示数据")
        return
    if Movement.objects.filter(source=Source.DEMO).exists():
        out("  积分演示数据已存在，跳过")
        return
    rng = random.Random(seed)
    community = assignment.node
    with transaction.atomic():
        _rules(community_user, community)
        goods = _goods(rng, community_user, community)
        people = _earnings(rng, community_user, community, seed)
        _units(rng, community_user, community, seed)
        _neighbours(rng, community, seed)
        expired = services.points_expire_due()
        redeemed = _redemptions(rng, community_user, people, goods)
        _adjustments(rng, community_user, leader, people)
        login = _resident_login(community_user, people)
    out(
        f"  {community.name}：规则 {len(RULES)} 条，商品 {len(goods)} 种，{len(people)} 名居民获得积分，"
        f"过期 {expired} 分，兑换 {redeemed} 笔；居民账号 {login}（密码 {DEMO_PASSWORD}）"
    )


def _rules(actor: User, community: Node) -> None:
    for activity_type, name, base, per_hour, step, cap in RULES:
        services.rule_save(
            actor=actor,
            node=community,
            activity_type=activity_type,
            name=name,
            base_points=base,
            points_per_hour=Decimal(per_hour),
            difficulty_step=Decimal(step),
            max_points=cap,
        )
    services.policy_set(actor=actor, node=community, expiry_days=365, pickup_days=7)


def _goods(rng: random.Random, actor: User, community: Node) -> list[Goods]:
    donors = list(
        Organisation.objects.filter(
            node_path__startswith=community.path,
            kind__in=[OrganisationKind.ENTERPRISE, OrganisationKind.SHOP, OrganisationKind.PROPERTY_COMPANY],
        ).order_by("pk")[:20]
    )
    made = []
    for name, description, price, stock, unit, limit in GOODS:
        made.append(
            services.goods_create(
                actor=actor,
                node=community,
                name=name,
                description=description,
                price=price,
                stock=stock,
                unit_label=unit,
                per_person_limit=limit,
                donor=rng.choice(donors) if donors and rng.random() < 0.8 else None,
            )
        )
    return made


def _volunteers(rng: random.Random, community: Node, n: int) -> list[Resident]:
    """Adults of the community, volunteers and party members first."""
    qs = Resident.objects.filter(node_path__startswith=community.path, is_active=True).order_by("pk")
    keen = list(qs.filter(tags__code__in=["volunteer", "party_member"]).distinct()[:n])
    rest = [r for r in qs.exclude(pk__in=[r.pk for r in keen])[: n * 3]]
    rng.shuffle(rest)
    return (keen + rest)[:n]


def _earnings(rng: random.Random, actor: User, community: Node, seed: int) -> list[Resident]:
    people = _volunteers(rng, community, 60)
    grids = list(Node.objects.filter(parent=community, kind=NodeKind.GRID).order_by("pk")) or [community]
    now = timezone.now()
    for person in people:
        team, types, titles = rng.choice(TEAMS)
        for i in range(rng.randint(2, 12)):
            services.points_award(
                actor=actor,
                holder=person,
                activity_type=rng.choice(types),
                hours=Decimal(rng.choice([1, 1.5, 2, 2, 2.5, 3, 4])).quantize(Decimal("0.1")),
                difficulty=rng.choice([1, 1, 2, 2, 3, 4]),
                source=Source.DEMO,
                source_ref=f"{seed}:r{person.pk}:{i}",
                node=rng.choice(grids),
                note=rng.choice(titles),
                team=team,
                at=now - timedelta(days=rng.randint(0, DAYS), hours=rng.randint(0, 10)),
                bank_hours=False,  # no volunteer activity backs these hours (see the module)
            )
    return people


def _units(rng: random.Random, actor: User, community: Node, seed: int) -> None:
    units = list(Organisation.objects.filter(node_path__startswith=community.path).order_by("pk")[:6])
    now = timezone.now()
    projects = ["共建“微幸福”楼道灯加装", "认领背街小巷改造", "捐赠积分超市物资", "参与社区“大党委”联席会"]
    for unit in units:
        for i in range(rng.randint(1, 3)):
            services.points_earn(
                actor=actor,
                holder=unit,
                amount=rng.choice([50, 80, 100, 150, 200]),
                source=Source.DEMO,
                source_ref=f"{seed}:u{unit.pk}:{i}",
                node=community,
                note=f"盟友力积分：{rng.choice(projects)}",
                at=now - timedelta(days=rng.randint(0, 200)),
            )


def _neighbours(rng: random.Random, community: Node, seed: int) -> None:
    """Some earning in the other communities of the subdistrict (as the system)."""
    others = Node.objects.filter(parent_id=community.parent_id, kind=NodeKind.COMMUNITY).exclude(
        pk=community.pk
    )
    now = timezone.now()
    for other in others.order_by("pk")[:4]:
        for person in _volunteers(rng, other, 15):
            team, types, titles = rng.choice(TEAMS)
            for i in range(rng.randint(1, 4)):
                services.points_award(
                    actor=None,
                    holder=person,
                    activity_type=rng.choice(types),
                    hours=Decimal(rng.choice([1, 2, 3])),
                    difficulty=rng.choice([1, 2, 3]),
                    source=Source.DEMO,
                    source_ref=f"{seed}:n{person.pk}:{i}",
                    node=other,
                    note=rng.choice(titles),
                    team=team,
                    at=now - timedelta(days=rng.randint(0, 300)),
                    bank_hours=False,
                )


def _redemptions(rng: random.Random, actor: User, people: list[Resident], goods: list[Goods]) -> int:
    count = 0
    for person in rng.sample(people, min(len(people), 24)):
        item = rng.choice(goods)
        if balance(person) < item.price or Goods.objects.get(pk=item.pk).stock < 1:
            continue
        try:
            r = services.points_redeem(actor=actor, holder=person, goods=item)
        except CivicError:  # a per-person limit reached: the next person
            continue
        count += 1
        fate = rng.random()
        if fate < 0.55:
            services.redemption_hand_over(actor=actor, code=r.code)
        elif fate < 0.65:
            services.redemption_cancel(actor=actor, redemption=r, reason="居民改兑其他商品")
    return count


# (points, reason): a positive amount makes up points a resident earned but missed, the
# negative one takes back points credited twice. The sign is the reason's: never flipped.
ADJUSTMENTS: list[tuple[int, str]] = [
    (20, "3月15日助老活动签到漏记，补记 2 小时"),
    (10, "社区“公益集市”志愿服务补录"),
    (-10, "同一活动重复记分，予以扣回"),
    (15, "疫情防控值守补记"),
]


def _adjustee(rng: random.Random, people: list[Resident], taken: set[int], amount: int) -> Resident | None:
    """Someone not adjusted yet; for a deduction, someone whose balance covers it."""
    fits = [p for p in people if p.pk not in taken and (amount > 0 or balance(p) >= -amount)]
    return rng.choice(fits) if fits else None


def _adjustments(rng: random.Random, actor: User, leader: User, people: list[Resident]) -> None:
    made = []
    taken: set[int] = set()
    for amount, reason in ADJUSTMENTS:
        person = _adjustee(rng, people, taken, amount)
        if person is None:  # nobody holds enough to take back from: leave this one out
            continue
        taken.add(person.pk)
        made.append(services.points_adjust(actor=actor, holder=person, amount=amount, reason=reason))
    if made:
        services.adjustment_approve(actor=leader, adjustment=made[0], note="情况属实，同意")
    if len(made) > 1:
        services.adjustment_reject(actor=leader, adjustment=made[1], note="缺少活动签到记录，请补充材料")


def _resident_login(actor: User, people: list[Resident]) -> str:
    from civicgrid.registry.services import resident_account_open

    if User.objects.filter(username=RESIDENT_LOGIN).exists():
        return RESIDENT_LOGIN
    person = next((p for p in people if not ResidentAccount.objects.filter(resident=p).exists()), None)
    if person is None:
        return "（无）"
    resident_account_open(actor=actor, resident=person, username=RESIDENT_LOGIN, password=DEMO_PASSWORD)
    return RESIDENT_LOGIN
