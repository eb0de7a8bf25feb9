"""Who calls about what, when and from where: the requests of the demo history.

Volume per month follows ``texts.VOLUME``; the type follows ``texts.TYPE_MIX``; the topic
is drawn by its weight times its season; the channel by the type; the place is a random
point inside a grid or a building of it; the hour by the channel (the walk-in desk and
grid workers keep office hours, residents call from early morning to late evening).
A quarter of the callers have called before (the operator sees their history).
"""

import random
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from django.utils import timezone

from civicgrid.accounts.permissions import Capability
from civicgrid.core.validators import phone_problem
from civicgrid.requests.constants import Channel, RequestType, Urgency
from civicgrid.requests.demo_history.texts import (
    GIVEN,
    MOBILE_PREFIXES,
    ROADS,
    SURNAMES,
    TYPE_MIX,
    VOLUME,
    Topic,
)
from civicgrid.requests.demo_history.world import Building, Grid, World
from civicgrid.requests.models import Category
from civicgrid.requests.permissions import SYSTEM
from civicgrid.requests.rates.figures import add_months
from civicgrid.requests.services.intake import NewRequest

C = Channel
CHANNELS: dict[str, dict[str, float]] = {
    RequestType.CONSULTATION: {C.HOTLINE: 70, C.WEB: 9, C.MINI_PROGRAM: 13, C.WALK_IN: 8},
    RequestType.COMPLAINT: {
        C.HOTLINE: 55, C.WEB: 8, C.MINI_PROGRAM: 12, C.WALK_IN: 5, C.GRID_WORKER: 12, C.DOORPLATE: 4,
        C.MESSAGE_BOARD: 3, C.ENTERPRISE_HOTLINE: 1,
    },
    RequestType.HELP: {
        C.HOTLINE: 58, C.WEB: 6, C.MINI_PROGRAM: 10, C.WALK_IN: 7, C.GRID_WORKER: 12, C.DOORPLATE: 7,
    },
    RequestType.SUGGESTION: {
        C.HOTLINE: 35, C.WEB: 20, C.MINI_PROGRAM: 20, C.MESSAGE_BOARD: 15, C.WALK_IN: 10,
    },
    RequestType.PRAISE: {C.HOTLINE: 60, C.WEB: 15, C.MINI_PROGRAM: 15, C.WALK_IN: 10},
    RequestType.EMERGENCY: {C.DOORPLATE: 60, C.HOTLINE: 40},
}  # fmt: skip
OPERATOR_CHANNELS = (C.HOTLINE, C.WALK_IN, C.ENTERPRISE_HOTLINE)
OFFICE_CHANNELS = (C.WALK_IN, C.GRID_WORKER)
# Relative number of calls in each hour of the day (0 … 23).
HOURS = (
    0.2,
    0.1,
    0.1,
    0.1,
    0.1,
    0.2,
    0.6,
    1.5,
    3,
    3.4,
    3.2,
    2.8,
    1.8,
    2,
    2.8,
    3,
    2.8,
    2.4,
    2,
    2,
    1.8,
    1.4,
    0.8,
    0.4,
)


@dataclass
class Mix:
    """How often the less common things happen (fractions of the requests they can apply to)."""

    direct_close: float = 0.86  # consultations answered at once
    triage: float = 0.03  # hotline calls recorded without a category
    duplicate: float = 0.025
    returned: float = 0.02
    extended: float = 0.04
    suspended: float = 0.015
    long_running: float = 0.012
    whistled: float = 0.03
    council: float = 0.2  # of compound matters handled by a subdistrict or community
    supervised: float = 0.03
    late_sign: float = 0.03
    late_reply: float = 0.06
    stuck: float = 0.04  # of the last six weeks: never replied (overdue now)
    verify_fails: float = 0.04
    link_rating: float = 0.6
    unsatisfied: float = 0.055
    basic: float = 0.08


@dataclass
class Birth:
    """Everything decided before a request is recorded."""

    at: datetime
    topic: Topic
    category: Category
    type: str
    channel: str
    grid: Grid
    building: Building | None
    lon: float | None
    lat: float | None
    name: str = ""
    phone: str = ""
    anonymous: bool = False
    confidential: bool = False
    triage: bool = False
    duplicate_of: int | None = None
    intake: Any = None
    extra: dict[str, Any] = field(default_factory=dict)

    def data(self) -> NewRequest:
        place = self.building.address if self.building else self.extra["address"]
        urgency = (
            Urgency.CRITICAL
            if self.type == RequestType.EMERGENCY
            else Urgency.URGENT
            if self.topic.urgent
            else Urgency.NORMAL
        )
        return NewRequest(
            channel=self.channel,
            type=self.type,
            title=self.extra["title"],
            content=self.extra["content"].format(place=place),
            address=place,
            lon=self.lon,
            lat=self.lat,
            building=self.building.node if self.building else None,
            requester_name=self.name,
            requester_phone=self.phone,
            anonymous=self.anonymous,
            confidential=self.confidential,
            category=None if self.triage else self.category,
            urgency=urgency,
        )


def pick(rng: random.Random, weights: dict[Any, float]) -> Any:
    keys = list(weights)
    return rng.choices(keys, weights=[weights[k] for k in keys])[0]


class People:
    """Residents who call, by community; some call again."""

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        self.by_community: dict[str, list[tuple[str, str]]] = {}
        self.phones: set[str] = set()

    def person(self) -> tuple[str, str]:
        rng = self.rng
        name = rng.choice(SURNAMES) + "".join(rng.choice(GIVEN) for _ in range(rng.choice((1, 2, 2))))
        while True:
            phone = rng.choice(MOBILE_PREFIXES) + f"{rng.randrange(10**8):08d}"
            if phone not in self.phones and phone_problem(phone) is None:
                self.phones.add(phone)
                return name, phone

    def caller(self, community: str) -> tuple[str, str]:
        known = self.by_community.setdefault(community, [])
        if known and self.rng.random() < 0.25:
            return self.rng.choice(known)
        person = self.person()
        known.append(person)
        return person


class Births:
    def __init__(self, world: World, rng: random.Random, mix: Mix) -> None:
        self.world, self.rng, self.mix = world, rng, mix
        self.people = People(rng)
        offered = {ty for topic, _ in world.topics for ty in topic.types}
        self.types = {ty: share for ty, share in TYPE_MIX.items() if ty in offered}
        self.patrolled = [g for g in world.grids if self._grid_workers(g)]
        self.built = [g for g in world.grids if g.buildings]

    # -- when --------------------------------------------------------------------------

    def months(self, months: int, per_month: int, now: datetime) -> list[tuple[date, int, datetime]]:
        """(first day, how many, end) for the ``months`` whole months before now and this month."""
        current = timezone.localdate(now).replace(day=1)
        mean = sum(VOLUME) / len(VOLUME)
        result = []
        for back in range(months, -1, -1):
            first = add_months(current, -back)
            end = min(_local(add_months(first, 1)), now)
            share = (end - _local(first)) / (_local(add_months(first, 1)) - _local(first))
            result.append((first, round(per_month * VOLUME[first.month - 1] / mean * share), end))
        return result

    def moment(self, first: date, end: datetime, channel: str) -> datetime:
        rng, cal = self.rng, self.world.cal
        days = max((timezone.localdate(end) - first).days + 1, 1)
        for _ in range(100):
            day = first + timedelta(days=rng.randrange(days))
            office = channel in OFFICE_CHANNELS
            if (office and not cal.is_workday(day)) or (not cal.is_workday(day) and rng.random() < 0.3):
                continue
            if office:
                minute = rng.choice(
                    (rng.randrange(9 * 60, 11 * 60 + 30), rng.randrange(13 * 60 + 30, 17 * 60))
                )
            else:
                minute = rng.choices(range(24), weights=HOURS)[0] * 60 + rng.randrange(60)
            at = _local(day) + timedelta(minutes=minute, seconds=rng.randrange(60))
            if at < end:
                return at.astimezone(UTC)
        return end - timedelta(minutes=5)

    # -- what and where ----------------------------------------------------------------

    def topic(self, ty: str, month: int) -> tuple[Topic, Category]:
        weights = {
            i: topic.weight * topic.season[month - 1]
            for i, (topic, _) in enumerate(self.world.topics)
            if ty in topic.types
        }
        topic, leaves = self.world.topics[pick(self.rng, weights)]
        return topic, self.rng.choice(leaves)

    def channel_and_grid(self, ty: str, topic: Topic) -> tuple[str, Grid]:
        """Grid workers report from the grids they patrol; doorplates hang on buildings."""
        rng = self.rng
        channel = pick(rng, CHANNELS[ty])
        grid = rng.choice(self.world.grids)
        if channel == C.GRID_WORKER:
            if topic.patrol and self.patrolled:
                return channel, rng.choice(self.patrolled)
            channel = C.HOTLINE
        if channel == C.DOORPLATE:
            if self.built:
                return channel, rng.choice(self.built)
            channel = C.HOTLINE
        return channel, grid

    def _grid_workers(self, grid: Grid) -> list[Any]:
        staff = self.world.staff
        verify = staff.covering(Capability.REQUEST_VERIFY, grid.node.path)
        return [u for u in staff.covering(Capability.REQUEST_INTAKE, grid.node.path) if u in verify]

    def place(self, birth: Birth) -> None:
        rng, grid = self.rng, birth.grid
        if grid.buildings and (birth.channel == C.DOORPLATE or rng.random() < 0.15):
            birth.building = rng.choice(grid.buildings)
            return
        birth.lon, birth.lat = grid.point(rng)
        road = rng.choice(ROADS)
        birth.extra["address"] = f"{grid.community}{road}{rng.randrange(1, 300)}号附近"

    def requester(self, birth: Birth) -> None:
        rng = self.rng
        if birth.channel == C.GRID_WORKER and rng.random() < 0.5:
            return  # the grid worker found it on patrol
        online = birth.channel in (C.WEB, C.MINI_PROGRAM, C.MESSAGE_BOARD)
        if rng.random() < (0.06 if online else 0.02) and birth.type != RequestType.EMERGENCY:
            birth.anonymous = True
            return
        birth.name, birth.phone = self.people.caller(birth.grid.community)
        birth.confidential = rng.random() < 0.03

    def intake(self, birth: Birth) -> Any:
        path = birth.grid.node.path
        if birth.channel in OPERATOR_CHANNELS:
            return self.rng.choice(self.world.staff.covering(Capability.REQUEST_DISPATCH, path))
        if birth.channel == C.GRID_WORKER:
            return self.rng.choice(self._grid_workers(birth.grid))
        return SYSTEM

    def one(self, first: date, end: datetime) -> Birth:
        rng = self.rng
        ty = pick(rng, self.types)
        topic, category = self.topic(ty, first.month)
        channel, grid = self.channel_and_grid(ty, topic)
        birth = Birth(self.moment(first, end, channel), topic, category, ty, channel, grid, None, None, None)
        self.place(birth)
        self.requester(birth)
        birth.intake = self.intake(birth)
        birth.triage = (
            channel == C.HOTLINE and ty != RequestType.CONSULTATION and rng.random() < self.mix.triage
        )
        birth.extra["title"] = rng.choice(topic.titles)
        birth.extra["content"] = rng.choice(topic.contents)
        return birth

    def duplicate(self, original: Birth, index: int, now: datetime) -> Birth | None:
        """Another resident reports the same thing a little later (to be merged)."""
        at = original.at + timedelta(minutes=self.rng.uniform(20, 36 * 60))
        if at >= now:
            return None
        copy = Birth(
            at,
            original.topic,
            original.category,
            original.type,
            C.HOTLINE,
            original.grid,
            original.building,
            original.lon,
            original.lat,
            duplicate_of=index,
            extra=dict(original.extra),
        )
        self.requester(copy)
        copy.anonymous = False
        if not copy.phone:
            copy.name, copy.phone = self.people.caller(copy.grid.community)
        copy.intake = self.intake(copy)
        return copy


def _local(day: date) -> datetime:
    return datetime.combine(day, time(0), timezone.get_current_timezone())


def births_plan(
    world: World, rng: random.Random, *, months: int, per_month: int, now: datetime, mix: Mix
) -> list[Birth]:
    """The requests of the history, sorted by the moment they are received."""
    planner = Births(world, rng, mix)
    births = [
        planner.one(first, end)
        for first, count, end in planner.months(months, per_month, now)
        for _ in range(count)
    ]
    births.sort(key=lambda b: b.at)
    extra = []
    for index, birth in enumerate(births):
        complaint = birth.type in (RequestType.COMPLAINT, RequestType.HELP) and not birth.triage
        if complaint and rng.random() < mix.duplicate and (copy := planner.duplicate(birth, index, now)):
            extra.append(copy)
    # Duplicates point at their original by index: keep originals in place, insert copies in time order.
    ordered = sorted(enumerate(births + extra), key=lambda pair: (pair[1].at, pair[0]))
    new_index = {old: new for new, (old, _) in enumerate(ordered)}
    result = [b for _, b in ordered]
    for b in result:
        if b.duplicate_of is not None:
            b.duplicate_of = new_index[b.duplicate_of]
    return result
