"""Demo data of volunteer service (``civicgrid demo_extras``), on the demo city.

Every community gets the five colour teams; about 8 % of the residents (at most 800, the
figure of the 锋彩有你 platform) register as volunteers — residents tagged volunteer or
party member first, some as in-service members or staff of a unit of the community — most
approved, a few waiting, rejected or suspended. Each community ran activities over the
last three months (attendance with check-in and check-out, no-shows), has one running
today and some to come (with waiting lines), and holds service orders in every state,
with photos and ratings for the done ones. Points for attendance and confirmed orders go
through ``points_award`` at the moment they were earned.

History cannot pass through the services (they refuse times in the past), so rows are
written directly; everything comes from ``random.Random(seed)`` and times count back from
the current hour, so one seed on one day gives the same data. Resident logins
``zhiyuanzhe`` (a volunteer, leader of a red team) and ``laoren`` (an elderly resident
who orders services), password ``demo12345``, open the H5 pages at /volunteers/h5/.
"""

import random
import struct
import zlib
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import Count, Q, Sum
from django.utils import timezone

from civicgrid.accounts.models import Role, RoleAssignment, User
from civicgrid.core.audit import audit_write
from civicgrid.registry.models import Organisation, Resident, ResidentAccount
from civicgrid.territory.models import Node, NodeKind
from civicgrid.volunteers import points_link
from civicgrid.volunteers.constants import (
    COLOUR_SERVICE_TYPE,
    COLOUR_TEAM_DUTIES,
    COLOUR_TEAM_NAMES,
    POINTS_SOURCE_ACTIVITY,
    POINTS_SOURCE_ORDER,
    ActivityStatus,
    AssignmentMode,
    Availability,
    CheckVia,
    ConfirmVia,
    OrderAction,
    OrdererKind,
    OrderStatus,
    ServiceType,
    SignupStatus,
    TakerKind,
    TeamColour,
    VolunteerKind,
    VolunteerStatus,
)
from civicgrid.volunteers.models import (
    Activity,
    OrderEvent,
    OrderPhoto,
    ServiceOrder,
    Signup,
    Skill,
    Team,
    TeamMember,
    Volunteer,
)

DEMO_PASSWORD = "demo12345"  # noqa: S105 - the published password of the demo logins
VOLUNTEER_LOGIN = "zhiyuanzhe"
ELDER_LOGIN = "laoren"
SHARE = 0.08  # of the residents
MAX_VOLUNTEERS = 800
PAST_DAYS = 90

ACTIVITIES: dict[str, list[tuple[str, str, int]]] = {
    # colour: (title, place pattern, difficulty)
    TeamColour.RED: [
        ("解忧杂货铺助老服务", "{c}党群服务中心", 2),
        ("独居老人上门探访", "{g}", 2),
        ("公益集市", "{c}文化广场", 1),
    ],
    TeamColour.GREEN: [
        ("楼道清洁大扫除", "{g}", 2),
        ("垃圾分类宣传值守", "{g}垃圾分类亭", 1),
        ("背街小巷环境整治", "{g}", 3),
    ],
    TeamColour.BLUE: [
        ("夜间平安巡逻", "{g}", 3),
        ("消防安全隐患排查", "{g}", 3),
        ("反诈宣传进小区", "{c}党群服务中心", 1),
    ],
    TeamColour.YELLOW: [
        ("法律咨询进社区", "{c}党群服务中心", 3),
        ("邻里纠纷调解日", "{c}调解室", 4),
    ],
    TeamColour.PURPLE: [
        ("社区文艺汇演", "{c}文化广场", 2),
        ("四点半课堂", "{c}党群服务中心", 2),
        ("读书分享会", "{c}图书室", 1),
    ],
}

ORDERS: list[tuple[str, str, str, int]] = [
    # title, content, service type, difficulty
    ("帮独居老人买菜", "老人腿脚不便，每周需要有人帮忙买菜送上楼。", ServiceType.ELDERLY_CARE, 2),
    ("陪同老人去医院复诊", "周四上午到市人民医院复诊，需要有人陪同挂号取药。", ServiceType.ELDERLY_CARE, 3),
    ("更换楼道灯泡", "三楼楼道灯坏了一周，晚上上下楼看不见。", ServiceType.MUTUAL_AID, 1),
    ("修理漏水的水龙头", "厨房水龙头一直滴水，老人自己修不了。", ServiceType.MUTUAL_AID, 2),
    ("上门理发", "卧床老人需要上门理发。", ServiceType.ELDERLY_CARE, 2),
    ("代缴水电燃气费", "不会用手机缴费，请帮忙代缴。", ServiceType.MUTUAL_AID, 1),
    ("辅导孩子功课", "双职工家庭，孩子放学后需要作业辅导。", ServiceType.EDUCATION, 2),
    ("心理陪伴聊天", "老伴去世后情绪低落，希望有人常来聊聊天。", ServiceType.HEALTH, 3),
    ("遗产继承法律咨询", "想了解房产继承需要办哪些手续。", ServiceType.LAW, 3),
    ("调解楼上噪音纠纷", "楼上夜间噪音，沟通几次无果。", ServiceType.MEDIATION, 4),
    ("清理楼道堆物", "楼道堆放杂物，存在消防隐患。", ServiceType.ENVIRONMENT, 2),
    ("助残出行", "轮椅出行需要有人帮忙上下楼。", ServiceType.ELDERLY_CARE, 3),
    ("教老人用智能手机", "想学会用手机视频通话和扫码。", ServiceType.EDUCATION, 1),
    ("安装扶手", "卫生间需要加装扶手防滑。", ServiceType.MUTUAL_AID, 3),
]
COMPLETION_NOTES = [
    "已按约定完成，老人表示满意。",
    "上门服务一次，情况已向社区反馈。",
    "已完成，另约下周再来。",
    "服务完成，现场拍照留存。",
]
COMMENTS = [
    "志愿者很热心，非常感谢！",
    "来得很及时，服务周到。",
    "小伙子很耐心。",
    "解决了大问题，谢谢社区。",
    "还可以。",
    "",
]
COUNCIL_LABELS = ["党群议事会", "居民议事会", "楼道议事会"]
# Status of an order by share (the rest of the unit interval: confirmed).
ORDER_FATES = [
    (0.08, OrderStatus.ORDERED),
    (0.18, OrderStatus.PUBLISHED),
    (0.32, OrderStatus.ASSIGNED),
    (0.46, OrderStatus.COMPLETED),
    (0.51, OrderStatus.CANCELLED),
]


@dataclass
class World:
    rng: random.Random
    now: datetime
    nodes: dict[int, Node]
    skills: list[Skill]
    counts: dict[str, int] = field(default_factory=dict)

    def grid_of(self, node: Node) -> Node:
        """The grid at or above a node (else its community)."""
        for pk in reversed(node.path_ids):
            found = self.nodes.get(pk)
            if found is not None and found.kind == NodeKind.GRID:
                return found
        return self.community_of(node)

    def community_of(self, node: Node) -> Node:
        for pk in reversed(node.path_ids):
            found = self.nodes.get(pk)
            if found is not None and found.kind == NodeKind.COMMUNITY:
                return found
        raise LookupError(node.path)

    def bump(self, key: str, n: int = 1) -> None:
        self.counts[key] = self.counts.get(key, 0) + n


def seed_demo(*, seed: int, out: Callable[[str], Any]) -> None:
    communities = list(Node.objects.filter(kind=NodeKind.COMMUNITY, is_active=True).order_by("path"))
    if not communities:
        out("  没有演示城市，跳过志愿服务演示数据")
        return
    if Volunteer.objects.exists():
        out("  志愿服务演示数据已存在，跳过")
        return
    now = timezone.localtime().replace(minute=0, second=0, microsecond=0)
    w = World(
        rng=random.Random(seed * 7919 + 5),
        now=now,
        nodes={n.pk: n for n in Node.objects.filter(kind__in=[NodeKind.COMMUNITY, NodeKind.GRID])},
        skills=list(Skill.objects.order_by("sort_order")),
    )
    with transaction.atomic():
        teams = _teams(communities)
        volunteers = _volunteers(w, communities)
        _memberships(w, teams, volunteers)
        for community in communities:
            _activities(w, community, teams[community.pk], volunteers.get(community.pk, []))
            _orders(w, community, volunteers.get(community.pk, []))
        _counters()
        logins = _logins(w)
        audit_write(actor=None, verb="volunteers.demo_built", after={"seed": seed, **w.counts})
    n = w.counts.get
    out(
        f"  {len(communities)} 个社区：服务队 {n('teams', 0)} 支，志愿者 {n('volunteers', 0)} 名，"
        f"活动 {n('activities', 0)} 场（签退 {n('attended', 0)} 人次，缺席 {n('no_shows', 0)}），"
        f"服务单 {n('orders', 0)} 件，积分发放 {n('awards', 0)} 笔；"
        f"居民账号 {'、'.join(logins) or '（无）'}（密码 {DEMO_PASSWORD}）"
    )


# --- teams and volunteers ------------------------------------------------------------------------


def _teams(communities: list[Node]) -> dict[int, dict[str, Team]]:
    rows = [
        Team(node=c, node_path=c.path, name=name, colour=colour, duties=COLOUR_TEAM_DUTIES[colour])
        for c in communities
        for colour, name in COLOUR_TEAM_NAMES.items()
    ]
    Team.objects.bulk_create(rows)
    teams: dict[int, dict[str, Team]] = {}
    for t in Team.objects.filter(node__in=communities):
        teams.setdefault(t.node_id, {})[t.colour] = t
    return teams


def _candidates(community: Node, n: int) -> list[Resident]:
    """Adults of the community, those tagged volunteer or party member first."""
    qs = Resident.objects.filter(node_path__startswith=community.path, is_active=True).order_by("pk")
    keen = list(qs.filter(tags__code__in=["volunteer", "party_member"]).distinct().prefetch_related("tags"))
    adults = [r for r in qs.exclude(pk__in=[r.pk for r in keen]) if _age(r) and 18 <= _age(r) <= 70]
    return (keen + adults)[:n]


def _age(resident: Resident) -> int:
    if resident.birth_date is None:
        return 0
    return timezone.localdate().year - resident.birth_date.year


def _volunteers(w: World, communities: list[Node]) -> dict[int, list[Volunteer]]:
    residents = Resident.objects.filter(is_active=True).count()
    total = min(MAX_VOLUNTEERS, round(residents * SHARE))
    weights = {
        c.pk: Resident.objects.filter(node_path__startswith=c.path, is_active=True).count()
        for c in communities
    }
    whole = sum(weights.values()) or 1
    rows: list[Volunteer] = []
    skill_sets: list[list[Skill]] = []
    for community in communities:
        n = max(4, round(total * weights[community.pk] / whole))
        units = list(Organisation.objects.filter(node_path__startswith=community.path).order_by("pk")[:10])
        for resident in _candidates(community, n):
            rows.append(_volunteer(w, community, resident, units))
            skill_sets.append(w.rng.sample(w.skills, w.rng.randint(1, 3)))
    Volunteer.objects.bulk_create(rows)
    through = Volunteer.skills.through
    through.objects.bulk_create(
        [
            through(volunteer_id=v.pk, skill_id=s.pk)
            for v, skills in zip(rows, skill_sets, strict=True)
            for s in skills
        ]
    )
    w.bump("volunteers", len(rows))
    by_community: dict[int, list[Volunteer]] = {}
    for v in rows:
        by_community.setdefault(v.community_id, []).append(v)
    return by_community


def _volunteer(w: World, community: Node, resident: Resident, units: list[Organisation]) -> Volunteer:
    rng = w.rng
    party = any(t.code == "party_member" for t in resident.tags.all())
    kind = VolunteerKind.RESIDENT
    organisation = None
    if party and rng.random() < 0.5:
        kind = VolunteerKind.IN_SERVICE_MEMBER
    elif units and rng.random() < 0.08:
        kind, organisation = VolunteerKind.UNIT_STAFF, rng.choice(units)
    fate = rng.random()
    status = (
        VolunteerStatus.PENDING
        if fate < 0.05
        else VolunteerStatus.REJECTED
        if fate < 0.07
        else VolunteerStatus.SUSPENDED
        if fate < 0.08
        else VolunteerStatus.APPROVED
    )
    applied = w.now - timedelta(
        days=rng.randint(0, 400) if status != VolunteerStatus.PENDING else rng.randint(0, 6)
    )
    area = w.grid_of(resident.node) if rng.random() < 0.7 else community
    decided = status != VolunteerStatus.PENDING
    notes = {
        VolunteerStatus.REJECTED: "年龄或身体条件不适合所报服务，建议参加其他服务",
        VolunteerStatus.SUSPENDED: "长期联系不上，暂停服务",
    }
    return Volunteer(
        resident=resident,
        kind=kind,
        organisation=organisation,
        community=community,
        node=area,
        node_path=area.path,
        availability=rng.sample(Availability.values, rng.randint(1, 3)),
        status=status,
        applied_at=applied,
        decided_at=min(applied + timedelta(days=rng.randint(1, 5)), w.now) if decided else None,
        decision_note=notes.get(status, ""),
    )


def _memberships(w: World, teams: dict[int, dict[str, Team]], volunteers: dict[int, list[Volunteer]]) -> None:
    rows = []
    for community_id, people in volunteers.items():
        approved = [v for v in people if v.status == VolunteerStatus.APPROVED]
        led: set[str] = set()
        for v in approved:
            for colour in w.rng.sample(list(COLOUR_TEAM_NAMES), w.rng.choice([1, 1, 1, 2])):
                leader = colour not in led and w.rng.random() < 0.3
                if leader:
                    led.add(colour)
                rows.append(TeamMember(team=teams[community_id][colour], volunteer=v, is_leader=leader))
    TeamMember.objects.bulk_create(rows)
    w.bump("teams", sum(len(t) for t in teams.values()))


# --- activities ----------------------------------------------------------------------------------


def _activities(w: World, community: Node, teams: dict[str, Team], people: list[Volunteer]) -> None:
    approved = [v for v in people if v.status == VolunteerStatus.APPROVED]
    if not approved:
        return
    rng = w.rng
    grids = [n for n in w.nodes.values() if n.parent_id == community.pk and n.kind == NodeKind.GRID]
    plans: list[tuple[datetime, str]] = []
    for _ in range(rng.randint(3, 5)):
        day = w.now - timedelta(days=rng.randint(2, PAST_DAYS))
        plans.append((day.replace(hour=rng.choice([9, 9, 14, 15, 19, 19])), "past"))
    if rng.random() < 0.3:
        plans.append((w.now - timedelta(hours=1), "running"))
    for _ in range(rng.randint(1, 3)):
        day = w.now + timedelta(days=rng.randint(1, 20))
        plans.append((day.replace(hour=rng.choice([9, 14, 15, 19])), "upcoming"))
    for start, phase in sorted(plans):
        colour = rng.choice(list(ACTIVITIES))
        title, place, difficulty = rng.choice(ACTIVITIES[colour])
        if title.startswith("夜间") and phase != "running":
            start = start.replace(hour=19)
        grid = rng.choice(grids) if grids else community
        node = grid if "{g}" in place else community
        hours = rng.choice([2, 2, 3, 3, 4]) if colour != TeamColour.BLUE else 2
        service_type = COLOUR_SERVICE_TYPE[colour]
        activity = Activity.objects.create(
            node=node,
            node_path=node.path,
            community=community,
            team=teams[colour] if rng.random() < 0.8 else None,
            title=title,
            description=f"{COLOUR_TEAM_DUTIES[colour]}。欢迎志愿者报名参加。",
            place=place.format(c=community.name, g=grid.name),
            starts_at=start,
            ends_at=start + timedelta(hours=hours),
            quota=rng.choice([6, 8, 10, 12, 15, 20]),
            service_type=service_type,
            difficulty=difficulty,
            points=points_link.estimate(
                node=node, activity_type=service_type, hours=Decimal(hours), difficulty=difficulty
            ),
            status=ActivityStatus.CLOSED if phase == "past" else ActivityStatus.PUBLISHED,
            closed_at=start + timedelta(hours=hours + 1) if phase == "past" else None,
        )
        created = min(start - timedelta(days=rng.randint(3, 10)), w.now)
        Activity.objects.filter(pk=activity.pk).update(created_at=created)
        w.bump("activities")
        _signups(w, activity, approved, phase)


def _signups(w: World, activity: Activity, approved: list[Volunteer], phase: str) -> None:
    rng = w.rng
    wanted = min(len(approved), activity.quota + (rng.randint(0, 3) if phase == "upcoming" else 0))
    chosen = rng.sample(approved, max(1, round(wanted * rng.uniform(0.6, 1.0))))
    for i, volunteer in enumerate(chosen):
        queued = activity.starts_at - timedelta(days=rng.randint(1, 5), minutes=rng.randint(0, 600))
        queued = min(queued, w.now - timedelta(minutes=len(chosen) - i))  # signed up before now
        status = SignupStatus.CONFIRMED if i < activity.quota else SignupStatus.WAITLISTED
        signup = Signup(activity=activity, volunteer=volunteer, status=status, queued_at=queued)
        if phase == "past" and status == SignupStatus.CONFIRMED:
            fate = rng.random()
            if fate < 0.07:
                signup.status = SignupStatus.NO_SHOW
                w.bump("no_shows")
            elif fate < 0.12:
                signup.status = SignupStatus.CANCELLED
            else:
                _attend(w, signup, activity, out=True)
        elif phase == "past":
            signup.status = SignupStatus.WAITLISTED
        elif phase == "running" and status == SignupStatus.CONFIRMED and rng.random() < 0.6:
            _attend(w, signup, activity, out=False)
        signup.save()
        if signup.status == SignupStatus.COMPLETED and signup.hours > 0:
            _award_signup(w, activity, signup)


def _attend(w: World, signup: Signup, activity: Activity, *, out: bool) -> None:
    from civicgrid.volunteers.services.activities import hours_served

    rng = w.rng
    signup.checked_in_at = activity.starts_at + timedelta(minutes=rng.randint(-20, 15))
    signup.check_in_via = CheckVia.QR if rng.random() < 0.8 else CheckVia.ORGANISER
    signup.status = SignupStatus.CHECKED_IN
    if not out:
        return
    signup.checked_out_at = activity.ends_at + timedelta(minutes=rng.randint(-40, 20))
    signup.check_out_via = (
        CheckVia.QR if rng.random() < 0.75 else rng.choice([CheckVia.ORGANISER, CheckVia.AUTO])
    )
    signup.hours = hours_served(activity, signup.checked_in_at, signup.checked_out_at)
    signup.status = SignupStatus.COMPLETED
    w.bump("attended")


def _award_signup(w: World, activity: Activity, signup: Signup) -> None:
    assert signup.checked_out_at is not None
    points = points_link.award(
        actor=None,
        holder=signup.volunteer.resident,
        activity_type=activity.service_type,
        hours=signup.hours,
        difficulty=activity.difficulty,
        source=POINTS_SOURCE_ACTIVITY,
        source_ref=f"signup:{signup.pk}",
        node=activity.node,
        note=f"志愿活动：{activity.title}",
        team=points_link.team_key(activity),
        at=signup.checked_out_at,
    )
    if points:
        Signup.objects.filter(pk=signup.pk).update(points=points)
    w.bump("awards")


# --- service orders ------------------------------------------------------------------------------


def _orders(w: World, community: Node, people: list[Volunteer]) -> None:
    rng = w.rng
    approved = [v for v in people if v.status == VolunteerStatus.APPROVED]
    residents = Resident.objects.filter(node_path__startswith=community.path, is_active=True)
    cared = list(
        residents.filter(tags__code__in=["elderly_alone", "empty_nest", "disabled"])
        .distinct()
        .order_by("pk")[:30]
    )
    members = list(residents.filter(tags__code="party_member").order_by("pk")[:30])
    units = list(Organisation.objects.filter(node_path__startswith=community.path).order_by("pk")[:10])
    everyone = cared or list(residents.order_by("pk")[:30])
    if not everyone or not approved:
        return
    for _ in range(rng.randint(5, 9)):
        _order(w, community, rng.choice(everyone), approved, members, units)


def _order(
    w: World,
    community: Node,
    beneficiary: Resident,
    approved: list[Volunteer],
    members: list[Resident],
    units: list[Organisation],
) -> None:
    rng = w.rng
    title, content, service_type, difficulty = rng.choice(ORDERS)
    created = w.now - timedelta(days=rng.randint(0, 60), hours=rng.randint(1, 10))
    kind = rng.choices(
        [OrdererKind.RESIDENT, OrdererKind.STAFF, OrdererKind.COUNCIL, OrdererKind.UNIT], [6, 2, 1, 1]
    )[0]
    if kind == OrdererKind.UNIT and not units:
        kind = OrdererKind.STAFF
    unit = rng.choice(units) if kind == OrdererKind.UNIT else None
    label = {
        OrdererKind.RESIDENT: beneficiary.name,
        OrdererKind.STAFF: "社区代居民点单",
        OrdererKind.COUNCIL: rng.choice(COUNCIL_LABELS),
        OrdererKind.UNIT: unit.name if unit else "",
    }[kind]
    order = ServiceOrder.objects.create(
        node=beneficiary.node,
        node_path=beneficiary.node_path,
        community=community,
        title=title,
        content=content,
        service_type=service_type,
        difficulty=difficulty,
        orderer_kind=kind,
        origin=f"party.council:{rng.randint(1, 40)}" if kind == OrdererKind.COUNCIL else "",
        orderer_label=label,
        orderer_resident=beneficiary if kind == OrdererKind.RESIDENT else None,
        orderer_organisation=unit,
        beneficiary=beneficiary,
        wanted_from=created + timedelta(days=rng.randint(1, 4)),
    )
    _play(w, order, created, approved, members, units)
    w.bump("orders")


def _play(
    w: World,
    order: ServiceOrder,
    created: datetime,
    approved: list[Volunteer],
    members: list[Resident],
    units: list[Organisation],
) -> None:
    """Walk the order to its fate, writing its history; award points when confirmed.

    A step whose moment would come after now is not taken: the order stays where it is
    (an order dispatched an hour ago is not yet completed)."""
    rng = w.rng
    draw = rng.random()
    fate = next((s for share, s in ORDER_FATES if draw < share), OrderStatus.CONFIRMED)
    events: list[tuple[str, str, str, datetime, str]] = [
        (OrderAction.CREATE, "", OrderStatus.ORDERED, created, "")
    ]
    moment = created
    status = OrderStatus.ORDERED
    if fate == OrderStatus.CANCELLED:
        order.cancel_reason = rng.choice(["居民已自行解决", "老人住院，暂不需要", "重复点单"])
        events.append(
            (OrderAction.CANCEL, status, OrderStatus.CANCELLED, min(moment + timedelta(hours=5), w.now), "")
        )
        _finish_order(order, OrderStatus.CANCELLED, events, created)
        return
    taken = rng.random() < 0.55
    if taken or fate == OrderStatus.PUBLISHED:
        moment += timedelta(hours=rng.randint(1, 8))
        if moment > w.now:
            _finish_order(order, status, events, created)
            return
        events.append((OrderAction.PUBLISH, status, OrderStatus.PUBLISHED, moment, ""))
        status = OrderStatus.PUBLISHED
    if fate in (OrderStatus.ORDERED, OrderStatus.PUBLISHED):
        _finish_order(order, status, events, created)
        return
    moment += timedelta(hours=rng.randint(1, 20))
    if moment > w.now:
        _finish_order(order, status, events, created)
        return
    _give(w, order, approved, members, units, taken=taken and status == OrderStatus.PUBLISHED, at=moment)
    action = OrderAction.TAKE if order.assignment == AssignmentMode.TAKEN else OrderAction.DISPATCH
    events.append((action, status, OrderStatus.ASSIGNED, moment, ""))
    status = OrderStatus.ASSIGNED
    if fate == OrderStatus.ASSIGNED:
        _finish_order(order, status, events, created)
        return
    moment += timedelta(hours=rng.randint(4, 48))
    if moment > w.now:
        _finish_order(order, status, events, created)
        return
    order.completed_at = moment
    order.completion_note = rng.choice(COMPLETION_NOTES)
    order.hours = Decimal(rng.choice(["1", "1.5", "2", "2", "3"]))
    events.append((OrderAction.COMPLETE, status, OrderStatus.COMPLETED, moment, order.completion_note))
    status = OrderStatus.COMPLETED
    confirmed = moment + timedelta(hours=rng.randint(2, 30)) if fate == OrderStatus.CONFIRMED else None
    if confirmed is not None and confirmed <= w.now:
        moment = order.confirmed_at = confirmed
        order.rating = rng.choices([5, 4, 3, 2], [70, 20, 7, 3])[0]
        order.rating_comment = rng.choice(COMMENTS)
        order.confirmed_via = ConfirmVia.SELF if rng.random() < 0.5 else ConfirmVia.STAFF
        events.append((OrderAction.CONFIRM, status, OrderStatus.CONFIRMED, moment, order.rating_comment))
        status = OrderStatus.CONFIRMED
    _finish_order(order, status, events, created)
    _photos(w, order)
    if status == OrderStatus.CONFIRMED:
        _award_order(w, order)


def _give(
    w: World,
    order: ServiceOrder,
    approved: list[Volunteer],
    members: list[Resident],
    units: list[Organisation],
    *,
    taken: bool,
    at: datetime,
) -> None:
    rng = w.rng
    kind = TakerKind.VOLUNTEER if taken else rng.choices(list(TakerKind.values), [7, 2, 1])[0]
    if (kind == TakerKind.PARTY_MEMBER and not members) or (kind == TakerKind.UNIT and not units):
        kind = TakerKind.VOLUNTEER
    order.assignment = AssignmentMode.TAKEN if taken else AssignmentMode.DISPATCHED
    order.taker_kind = kind
    order.assigned_at = at
    if kind == TakerKind.VOLUNTEER:
        volunteer = rng.choice(approved)
        order.taker_volunteer, order.taker_resident = volunteer, volunteer.resident
        order.taker_label = volunteer.resident.name
    elif kind == TakerKind.PARTY_MEMBER:
        member = rng.choice(members)
        order.taker_resident, order.taker_label = member, member.name
    else:
        unit = rng.choice(units)
        order.taker_organisation, order.taker_label = unit, unit.name


def _finish_order(
    order: ServiceOrder, status: str, events: list[tuple[str, str, str, datetime, str]], created: datetime
) -> None:
    order.status = status
    order.version = len(events)
    order.save()
    ServiceOrder.objects.filter(pk=order.pk).update(created_at=created, updated_at=events[-1][3])
    actor = "社区工作者"
    OrderEvent.objects.bulk_create(
        [
            OrderEvent(
                order=order,
                action=action,
                from_status=before,
                to_status=after,
                actor_name=order.taker_label if action in (OrderAction.TAKE, OrderAction.COMPLETE) else actor,
                note=note,
                created_at=moment,
            )
            for action, before, after, moment, note in events
        ]
    )


def _photos(w: World, order: ServiceOrder) -> None:
    for i in range(w.rng.randint(1, 3)):
        colour = (w.rng.randint(60, 230), w.rng.randint(60, 230), w.rng.randint(60, 230))
        photo = OrderPhoto(order=order, name=f"服务照片{i + 1}.png", content_type="image/png", size=0)
        data = demo_png(colour, stripes=w.rng.randint(2, 6))
        photo.size = len(data)
        photo.file.save(f"demo-{order.pk}-{i + 1}.png", ContentFile(data), save=False)
        photo.save()


def _award_order(w: World, order: ServiceOrder) -> None:
    holder = order.taker_organisation if order.taker_kind == TakerKind.UNIT else order.taker_resident
    assert holder is not None and order.confirmed_at is not None
    points = points_link.award(
        actor=None,
        holder=holder,
        activity_type=order.service_type,
        hours=order.hours,
        difficulty=order.difficulty,
        rule_type=points_link.ORDER_RULE_TYPE,
        source=POINTS_SOURCE_ORDER,
        source_ref=f"order:{order.pk}",
        node=order.node,
        note=f"服务单 {order.number}：{order.title}",
        at=order.confirmed_at,
    )
    if points:
        ServiceOrder.objects.filter(pk=order.pk).update(points=points)
    w.bump("awards")


def demo_png(colour: tuple[int, int, int], *, stripes: int = 3, width: int = 96, height: int = 72) -> bytes:
    """A small PNG (a coloured picture with lighter stripes), written without an image library."""
    light = tuple(min(255, c + 50) for c in colour)
    rows = b""
    for y in range(height):
        band = (y * stripes // height) % 2
        pixel = bytes(light if band else colour)
        rows += b"\x00" + pixel * width

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


# --- counters and logins -------------------------------------------------------------------------


def _counters() -> None:
    """Each volunteer's hours, activities, orders and no-shows from the rows just written."""
    signups = {
        r["volunteer_id"]: r
        for r in Signup.objects.values("volunteer_id").annotate(
            hours=Sum("hours", filter=Q(status=SignupStatus.COMPLETED)),
            done=Count("id", filter=Q(status=SignupStatus.COMPLETED)),
            absent=Count("id", filter=Q(status=SignupStatus.NO_SHOW)),
        )
    }
    orders = {
        r["taker_volunteer_id"]: r
        for r in ServiceOrder.objects.filter(status=OrderStatus.CONFIRMED, taker_volunteer__isnull=False)
        .values("taker_volunteer_id")
        .annotate(hours=Sum("hours"), done=Count("id"))
    }
    changed = []
    for v in Volunteer.objects.filter(pk__in=set(signups) | set(orders)):
        s, o = signups.get(v.pk, {}), orders.get(v.pk, {})
        v.hours_total = Decimal(s.get("hours") or 0) + Decimal(o.get("hours") or 0)
        v.activities_done = s.get("done") or 0
        v.no_shows = s.get("absent") or 0
        v.orders_done = o.get("done") or 0
        changed.append(v)
    Volunteer.objects.bulk_update(changed, ["hours_total", "activities_done", "no_shows", "orders_done"])


def _logins(w: World) -> list[str]:
    """Resident accounts in the community of the ``community`` login, for the H5 pages."""
    from civicgrid.registry.services import resident_account_open

    staff = (
        RoleAssignment.objects.filter(role=Role.COMMUNITY_WORKER, node__kind=NodeKind.COMMUNITY)
        .select_related("user", "node")
        .order_by("user_id")
        .first()
    )
    if staff is None:
        return []
    first = staff.node
    made = []
    volunteer = (
        Volunteer.objects.filter(
            community=first, status=VolunteerStatus.APPROVED, resident__account__isnull=True
        )
        .order_by("-hours_total", "pk")
        .first()
    )
    if volunteer is not None and not User.objects.filter(username=VOLUNTEER_LOGIN).exists():
        resident_account_open(
            actor=staff.user, resident=volunteer.resident, username=VOLUNTEER_LOGIN, password=DEMO_PASSWORD
        )
        red = Team.objects.get(node=first, colour=TeamColour.RED)
        TeamMember.objects.update_or_create(team=red, volunteer=volunteer, defaults={"is_leader": True})
        _hand_over_an_order(w, first, volunteer)
        made.append(VOLUNTEER_LOGIN)
    elder = (
        ServiceOrder.objects.filter(community=first, orderer_kind=OrdererKind.RESIDENT)
        .exclude(orderer_resident__account__isnull=False)
        .order_by("-status", "pk")
        .values_list("orderer_resident", flat=True)
        .first()
    )
    if elder is not None and not User.objects.filter(username=ELDER_LOGIN).exists():
        resident_account_open(
            actor=staff.user,
            resident=Resident.objects.get(pk=elder),
            username=ELDER_LOGIN,
            password=DEMO_PASSWORD,
        )
        made.append(ELDER_LOGIN)
    jumin = ResidentAccount.objects.filter(user__username="jumin").select_related("resident").first()
    if jumin is not None and not Volunteer.objects.filter(resident=jumin.resident).exists():
        area = jumin.resident.node
        community = w.community_of(area)
        Volunteer.objects.create(
            resident=jumin.resident,
            kind=VolunteerKind.RESIDENT,
            community=community,
            node=community,
            node_path=community.path,
            status=VolunteerStatus.APPROVED,
            applied_at=w.now - timedelta(days=200),
            decided_at=w.now - timedelta(days=198),
        )
        made.append("jumin")
    return made


def _hand_over_an_order(w: World, community: Node, volunteer: Volunteer) -> None:
    """Give the demo volunteer one order to complete and one sign-up to come."""
    order = (
        ServiceOrder.objects.filter(community=community, status=OrderStatus.ASSIGNED).order_by("pk").first()
    )
    if order is not None:
        ServiceOrder.objects.filter(pk=order.pk).update(
            assignment=AssignmentMode.DISPATCHED,
            taker_kind=TakerKind.VOLUNTEER,
            taker_volunteer=volunteer,
            taker_resident=volunteer.resident,
            taker_organisation=None,
            taker_label=volunteer.resident.name,
        )
    upcoming = (
        Activity.objects.filter(community=community, status=ActivityStatus.PUBLISHED, starts_at__gt=w.now)
        .exclude(signups__volunteer=volunteer)
        .order_by("starts_at")
        .first()
    )
    if upcoming is not None:
        Signup.objects.create(
            activity=upcoming,
            volunteer=volunteer,
            status=SignupStatus.CONFIRMED,
            queued_at=w.now - timedelta(days=1),
        )
