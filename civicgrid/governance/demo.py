"""Demo data of proactive governance, on the demo city and its twelve months of requests.

The demo history places requests at random over the whole district, so that it rarely
forms a hot issue by itself. Real hot issues come from one place: the seeder adds a few
stories through the real intake (``request_create``), deterministically per seed:

* last month, lifts broken in one compound of the first community (9 requests, 2 the
  month before) and night construction noise in another community (7 requests);
* this month, rubbish not collected in the first community (5 requests);
* poplar catkins every April in the first community (the last two springs), and heating
  complaints in another community in the last two winters: the recurring seasonal problems;
* a water-main burst last month (an alert that has ended) and one now (an active alert).

Then it indexes the words of every request, computes the hot issues of the district for
last month and this month, turns the top hot issue of last month into a monthly topic
with three tasks, generates the seasonal proposals and accepts the first.
"""

import random
from collections.abc import Callable
from datetime import date, datetime, time, timedelta
from typing import Any

from django.utils import timezone

from civicgrid.accounts.models import Role, RoleAssignment, User
from civicgrid.governance import services
from civicgrid.governance.hot import hot_issues_compute
from civicgrid.governance.models import HotIssueRun, ProposalStatus, SeasonalProposal, Topic
from civicgrid.governance.seasonal import proposals_generate
from civicgrid.governance.spikes import spike_scan
from civicgrid.governance.terms import terms_index
from civicgrid.requests.constants import Channel, RequestType, UnitKind
from civicgrid.requests.demo_history import frozen_now
from civicgrid.requests.models import Category, HandlingUnit, Request
from civicgrid.requests.permissions import SYSTEM
from civicgrid.requests.rates.cells import current_month
from civicgrid.requests.rates.figures import Period, add_months
from civicgrid.requests.services import NewRequest, request_create, request_direct_close
from civicgrid.territory.models import Node, NodeKind

SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗"


def _leaf(*words: str) -> Category | None:
    leaves = Category.objects.filter(version__is_current=True, level=3)
    for word in words:
        found = leaves.filter(name__contains=word).order_by("code").first()
        if found is not None:
            return found
    for word in words:
        found = leaves.filter(full_name__contains=word).order_by("code").first()
        if found is not None:
            return found
    return None


def _local(day: date, hour: int, minute: int = 0) -> datetime:
    return datetime.combine(day, time(hour, minute), tzinfo=timezone.get_current_timezone())


class Stories:
    def __init__(self, seed: int, out: Callable[[str], Any]) -> None:
        self.rng = random.Random(seed * 7919 + 4)
        self.out = out
        self.made = 0
        self.operator = User.objects.filter(username="operator").first()

    def phone(self) -> str:
        return f"13{self.rng.randrange(5, 10)}{self.rng.randrange(10**8):08d}"

    def name(self) -> str:
        return self.rng.choice(SURNAMES) + self.rng.choice(("先生", "女士"))

    def buildings(self, community: Node) -> list[Node]:
        return list(
            Node.objects.filter(kind=NodeKind.BUILDING, path__startswith=community.path).order_by("path")
        )

    def compound(self, community: Node) -> list[Node]:
        """The buildings of the community's first compound."""
        found = (
            Node.objects.filter(kind=NodeKind.COMPOUND, path__startswith=community.path)
            .order_by("path")
            .first()
        )
        return self.buildings(found) if found is not None else []

    def add(
        self,
        *,
        building: Node,
        category: Category,
        at: datetime,
        title: str,
        content: str,
        close: bool = False,
        kind: str = RequestType.COMPLAINT,
    ) -> Request | None:
        if at > timezone.now():
            return None
        data = NewRequest(
            channel=self.rng.choice((Channel.HOTLINE, Channel.HOTLINE, Channel.MINI_PROGRAM, Channel.WEB)),
            # Closed at once means answered on the phone: only a consultation may be (直接办结).
            type=RequestType.CONSULTATION if close else kind,
            title=title,
            content=f"{building.name}{content}",
            building=building,
            address=building.address or building.name,
            requester_name=self.name(),
            requester_phone=self.phone(),
            category=category,
            received_at=at,
        )
        # The services run at the story's moment, as they did then: the timeline, the
        # clocks and the closure agree with 受理于 (not the moment the demo was built).
        with frozen_now(at):
            request = request_create(actor=SYSTEM, data=data, dispatch=not close)
        if close and self.operator is not None:
            answered = min(at + timedelta(minutes=self.rng.randrange(3, 15)), timezone.now())
            with frozen_now(answered):
                request_direct_close(
                    actor=self.operator, request=request, answer="已转相关单位现场处置，问题已解决。"
                )
        self.made += 1
        return request

    def series(
        self,
        *,
        buildings: list[Node],
        category: Category | None,
        start: datetime,
        span_hours: float,
        texts: list[tuple[str, str]],
        count: int,
        close: bool = False,
    ) -> int:
        if category is None or not buildings:
            return 0
        made = 0
        for i in range(count):
            at = start + timedelta(hours=self.rng.uniform(0, span_hours))
            title, content = texts[i % len(texts)]
            if self.add(
                building=self.rng.choice(buildings),
                category=category,
                at=at,
                title=title,
                content=content,
                close=close,
            ):
                made += 1
        return made


LIFT = [
    ("电梯又坏了", "电梯停运好几天了，老人上下楼太难，物业说等配件。"),
    ("电梯频繁故障", "这个月电梯已经坏了三次，昨天还困了人，请督促物业彻底维修。"),
    ("电梯停运没人修", "电梯停运三天，物业一直拖着不修，请尽快处理。"),
    ("电梯困人", "电梯运行中突然停住困人，电梯老化严重，要求更换。"),
]
NOISE = [
    ("夜间施工噪音扰民", "附近工地每天夜里十二点还在施工，噪音很大，根本睡不着。"),
    ("工地半夜施工", "工地晚上打桩施工，噪音扰民，请执法部门查处。"),
    ("夜间施工太吵", "旁边工地夜间施工噪音严重影响休息，多次反映无果。"),
]
RUBBISH = [
    ("垃圾清运不及时", "小区垃圾桶满了好几天没人清运，味道很大。"),
    ("垃圾堆积无人清理", "楼下垃圾堆积两天没人清运，苍蝇很多。"),
]
CATKINS = [
    ("杨絮飘飞", "小区里杨树飞絮严重，孩子过敏，请园林部门处理杨絮。"),
    ("飞絮太多", "杨絮柳絮满天飞，窗户都不敢开，希望喷药抑制飞絮。"),
]
HEATING = [
    ("暖气不热", "家里暖气片是凉的，室温只有十四度，请供热单位检查。"),
    ("供暖温度不达标", "今年供暖以来室温一直不达标，老人孩子受冻。"),
]
BURST = [
    ("水管爆裂停水", "路边供水管爆裂，水漫到路上，家里停水了。"),
    ("突然停水", "家里突然没水了，听说是外面水管爆了，什么时候恢复供水？"),
    ("路上水管爆了", "马路上自来水管爆裂，水流很大，请尽快抢修。"),
]


def _places() -> tuple[Node | None, Node | None, Node | None]:
    subs = list(Node.objects.filter(kind=NodeKind.SUBDISTRICT, is_active=True).order_by("path")[:3])
    communities = [
        Node.objects.filter(kind=NodeKind.COMMUNITY, path__startswith=s.path, is_active=True)
        .order_by("path")
        .first()
        for s in subs
    ]
    first = communities[0] if communities else None
    second = communities[1] if len(communities) > 1 else None
    third = communities[2] if len(communities) > 2 else None
    return first, second, third


def _stories(s: Stories, first: Node, second: Node | None, third: Node | None) -> None:
    now = timezone.localtime()
    this_month = current_month()
    last_month = add_months(this_month, -1)
    b1 = s.buildings(first)
    compound = s.compound(first) or b1[:1]  # the buildings of one compound
    lift = _leaf("电梯")
    s.series(
        buildings=compound,
        category=lift,
        start=_local(last_month, 8),
        span_hours=20 * 24,
        texts=LIFT,
        count=9,
    )
    s.series(
        buildings=compound,
        category=lift,
        start=_local(add_months(last_month, -1), 9),
        span_hours=600,
        texts=LIFT,
        count=2,
        close=True,
    )
    if second is not None:
        s.series(
            buildings=s.compound(second) or s.buildings(second)[:1],
            category=_leaf("施工噪", "噪声", "噪音"),
            start=_local(last_month.replace(day=10), 22),
            span_hours=12 * 24,
            texts=NOISE,
            count=7,
        )
    s.series(
        buildings=b1[-1:],
        category=_leaf("垃圾清运", "垃圾"),
        start=_local(this_month, 7),
        span_hours=max((now - _local(this_month, 7)).total_seconds() / 3600 - 1, 1),
        texts=RUBBISH,
        count=5,
    )
    greenery = _leaf("杨絮", "飞絮", "园林绿化", "绿化")
    for back in (1, 2):
        april = date(this_month.year - back if this_month.month > 5 else this_month.year - back - 1, 4, 8)
        s.series(
            buildings=b1[:2],
            category=greenery,
            start=_local(april, 9),
            span_hours=14 * 24,
            texts=CATKINS,
            count=5,
            close=True,
        )
    if third is not None:
        heating = _leaf("供暖", "暖气", "采暖")
        for back in (1, 2):
            year = this_month.year - back if this_month.month >= 11 else this_month.year - back - 1
            s.series(
                buildings=s.compound(third) or s.buildings(third)[:1],
                category=heating,
                start=_local(date(year, 12, 5), 8),
                span_hours=30 * 24,
                texts=HEATING,
                count=5,
                close=True,
            )


def _bursts(s: Stories, community: Node) -> None:
    water = _leaf("停水", "供水")
    buildings = s.buildings(community)[:3]
    if water is None or not buildings:
        return
    past = _local(add_months(current_month(), -1).replace(day=17), 6, 40)
    s.series(buildings=buildings, category=water, start=past, span_hours=0.3, texts=BURST, count=6)
    spike_scan(now=past + timedelta(minutes=25))
    spike_scan(now=past + timedelta(hours=5))
    now = timezone.now()
    s.series(
        buildings=buildings,
        category=water,
        start=now - timedelta(minutes=18),
        span_hours=0.25,
        texts=BURST,
        count=7,
    )
    spike_scan(now=timezone.now())


def _leader() -> User | None:
    found = RoleAssignment.objects.filter(role=Role.LEADER).select_related("user").order_by("id").first()
    return found.user if found else None


def _topic(leader: User, run: HotIssueRun) -> Topic | None:
    issue = run.issues.order_by("rank").first()
    if issue is None:
        return None
    units = HandlingUnit.objects.filter(is_active=True)
    subdistrict = units.filter(kind=UnitKind.SUBDISTRICT, node_path__in=_ancestors(issue.node_path)).first()
    department = (
        issue.category.responsible_unit
        if issue.category and issue.category.responsible_unit
        else units.filter(kind=UnitKind.DEPARTMENT).order_by("code").first()
    )
    lead = department or subdistrict
    if lead is None:
        return None
    assisting = [
        u for u in (subdistrict, units.filter(kind=UnitKind.COMMUNITY).first()) if u and u.pk != lead.pk
    ]
    initial = services.topic_from_hot_issue(issue)
    topic = services.topic_create(
        actor=leader,
        data=services.TopicData(
            leading_official=leader,
            lead_unit=lead,
            assisting_units=assisting,
            plan="一、摸清底数：现场核查，逐户走访，建立问题清单；\n二、落实责任：牵头单位限期整改，协办单位配合执法；\n"
            "三、长效管理：纳入网格日常巡查，每月通报同类诉求变化。",
            **initial,
        ),
    )
    today = timezone.localdate()
    for days, title, progress in (
        (7, "现场核查，建立问题清单", 100),
        (21, "责任单位限期整改，联合执法", 60),
        (60, "建立长效机制，纳入网格日常巡查", 10),
    ):
        task = services.task_add(
            actor=leader, topic=topic, title=title, deadline=today + timedelta(days=days)
        )
        if progress:
            services.task_progress(actor=leader, task=task, progress=progress, note="按计划推进")
    return topic


def _ancestors(path: str) -> list[str]:
    parts = path.strip("/").split("/")
    return ["/".join(parts[: i + 1]) + "/" for i in range(len(parts))]


def seed_demo(*, seed: int, out: Callable[[str], Any]) -> None:
    first, second, third = _places()
    if first is None:
        out("  没有社区，跳过主动治理演示数据")
        return
    if Topic.objects.exists():
        out("  主动治理演示数据已存在，跳过")
        return
    s = Stories(seed, out)
    _stories(s, first, second, third)
    _bursts(s, first)
    out(f"  新增聚集诉求 {s.made} 件")
    out(f"  分词 {terms_index(limit=None)} 件诉求")
    district = Node.objects.filter(
        kind=NodeKind.DISTRICT, path__startswith=first.path.split("/")[0] + "/"
    ).first()
    district = district or Node.objects.filter(kind=NodeKind.DISTRICT).order_by("path").first()
    if district is None:
        return
    last = hot_issues_compute(
        actor=SYSTEM, node=district, period=Period.month(add_months(current_month(), -1)), system=True
    )
    hot_issues_compute(actor=SYSTEM, node=district, period=Period.month(current_month()), system=True)
    out(f"  热点：上月 {last.issues.count()} 个（{last.stats.get('requests')} 件诉求，{last.seconds} 秒）")
    leader = _leader()
    if leader is not None:
        topic = _topic(leader, last)
        out(f"  每月一题：{topic.title if topic else '—'}")
    made = proposals_generate()
    out(f"  未诉先办建议 {len(made)} 条")
    proposal = SeasonalProposal.objects.filter(status=ProposalStatus.PROPOSED).order_by("id").first()
    if proposal is not None and leader is not None:
        unit = (
            HandlingUnit.objects.filter(
                kind=UnitKind.SUBDISTRICT, node_path__in=_ancestors(proposal.node_path)
            ).first()
            or HandlingUnit.objects.filter(is_active=True).order_by("code").first()
        )
        if unit is not None:
            services.proposal_accept(actor=leader, proposal=proposal, unit=unit)
