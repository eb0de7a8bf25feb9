"""The life of each request, step by step, and the clock that runs them all in order.

A story is a generator: it yields the next ``Step`` (when, what, who) and is resumed once
the step has been applied, so it can look at the request's deadlines before deciding
when the handler replies. ``Stories.run`` applies the steps of all stories in time
order (a merge needs its target still open *at that moment*) and, before each step,
runs the every-minute deadline scan for that request up to that moment, exactly as the
periodic task would have. Steps that would come after ``now`` never happen: those
requests are still open, waiting for a reply, a rating or a callback.
"""

import heapq
import itertools
import random
from collections.abc import Generator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from django.utils import timezone

from civicgrid.accounts.permissions import Capability
from civicgrid.requests import transitions as t
from civicgrid.requests.constants import Channel, RequestType, Resolution, Satisfaction, Status, UnitKind
from civicgrid.requests.demo_history import texts
from civicgrid.requests.demo_history.births import OPERATOR_CHANNELS, Birth, Mix, People
from civicgrid.requests.demo_history.mirror import Life, Mirror, MirrorError, ceil_minute
from civicgrid.requests.demo_history.world import World
from civicgrid.requests.models import HandlingUnit
from civicgrid.workcal.constants import LimitUnit

TERRITORIAL = (UnitKind.SUBDISTRICT, UnitKind.COMMUNITY)
EXTENSION: dict[str, tuple[int, ...]] = {
    LimitUnit.WORKING_DAYS: (3, 5, 7, 10),
    LimitUnit.DAYS: (3, 5, 7),
    LimitUnit.WORKING_HOURS: (8, 16, 24),
    LimitUnit.HOURS: (24, 48, 72),
}
OFFICE = (time(8, 30), time(18, 0))
AWAKE = (time(7, 0), time(22, 30))


@dataclass
class Step:
    at: datetime
    kind: str
    params: dict[str, Any] = field(default_factory=dict)


@dataclass
class Entry:
    life: Life
    step: Step


@dataclass
class Fate:
    returned: bool = False
    extended: bool = False
    suspended: bool = False
    long_running: bool = False
    whistled: bool = False
    council: bool = False
    supervised: bool = False
    late_sign: bool = False
    late_reply: bool = False
    stuck: bool = False
    verify_fails: bool = False


Story = Generator[Step, bool, Any]


def minutes(rng: random.Random, low: float, high: float) -> timedelta:
    return timedelta(minutes=rng.uniform(low, high))


def gap(rng: random.Random, low: float, high: float, window: timedelta, share: float) -> timedelta:
    """A pause of ``low``…``high`` minutes, but never more than ``share`` of a short limit."""
    return min(minutes(rng, low, high), window * share * rng.uniform(0.5, 1))


class Stories:
    def __init__(self, world: World, births: list[Birth], *, seed: int, mix: Mix) -> None:
        self.world, self.births, self.seed, self.mix = world, births, seed, mix
        self.mirror = Mirror(world)
        self.now = world.now
        self.lives = [Life(i, random.Random(f"{seed}:{i}")) for i in range(len(births))]
        self.log: list[Entry] = []

    # -- the clock ------------------------------------------------------------------

    def run(self) -> list[Entry]:
        heap: list[tuple[datetime, int, int]] = []
        pending: dict[int, tuple[Step, Story]] = {}
        counter = itertools.count()
        for life, birth in zip(self.lives, self.births, strict=True):
            story = self.story(life, birth)
            first = next(story)
            pending[life.index] = (first, story)
            heapq.heappush(heap, (first.at, next(counter), life.index))
        while heap:
            _, _, index = heapq.heappop(heap)
            life = self.lives[index]
            step, story = pending.pop(index)
            if life.req is not None:
                self.scan_until(life, step.at, strict=True)
            applied = self.apply(life, step)
            try:
                following = story.send(applied)
            except StopIteration:
                continue
            if following.at < step.at:
                raise MirrorError(f"{life.req.number}: {following.kind} before {step.kind}")
            if following.at <= self.now:
                pending[index] = (following, story)
                heapq.heappush(heap, (following.at, next(counter), index))
        for life in self.lives:
            if life.req is not None:
                self.scan_until(life, self.now, strict=False)
        return self.log

    def apply(self, life: Life, step: Step) -> bool:
        applied = getattr(self.mirror, step.kind)(life, step.at, **step.params) is not False
        if applied:
            self.log.append(Entry(life, step))
        return applied

    def scan_until(self, life: Life, limit: datetime, *, strict: bool) -> None:
        req = life.req
        while req.next_check_at is not None and req.status in t.OPEN:
            moment = ceil_minute(req.next_check_at)
            if moment > limit or (strict and moment == limit):
                return
            self.mirror.scan(life, moment)
            self.log.append(Entry(life, Step(moment, "scan")))
            if req.next_check_at is not None and req.next_check_at <= moment:
                return

    # -- working time ---------------------------------------------------------------

    def _next_workday(self, day: date) -> date:
        day += timedelta(days=1)
        while not self.world.cal.is_workday(day):
            day += timedelta(days=1)
        return day

    def office(self, rng: random.Random, at: datetime, deadline: datetime | None = None) -> datetime:
        """The first office moment at or after ``at`` (unless that would miss ``deadline``)."""
        local = timezone.localtime(at)
        day = local.date()
        if self.world.cal.is_workday(day) and OFFICE[0] <= local.time() < OFFICE[1]:
            return at
        if not (self.world.cal.is_workday(day) and local.time() < OFFICE[0]):
            day = self._next_workday(day)
        moved = datetime.combine(day, OFFICE[0], local.tzinfo) + minutes(rng, 0, 90)
        if deadline is not None and at <= deadline < moved:
            return at
        return moved.astimezone(UTC)

    def awake(self, rng: random.Random, at: datetime, deadline: datetime | None = None) -> datetime:
        """The first waking moment at or after ``at`` (the duty officer when a deadline presses)."""
        local = timezone.localtime(at)
        if AWAKE[0] <= local.time() < AWAKE[1]:
            return at
        day = local.date() if local.time() < AWAKE[0] else local.date() + timedelta(days=1)
        moved = (datetime.combine(day, AWAKE[0], local.tzinfo) + minutes(rng, 0, 120)).astimezone(UTC)
        if deadline is not None and at <= deadline < moved:
            return at
        return moved

    def working(self, life: Life, birth: Birth, at: datetime, deadline: datetime | None) -> datetime:
        """When the lead unit's staff would act: office hours unless the clock runs round the clock."""
        req = life.req
        round_clock = (
            req.clock_unit in (LimitUnit.HOURS, LimitUnit.DAYS) or birth.type == RequestType.EMERGENCY
        )
        if round_clock or (req.lead_unit and req.lead_unit.kind == UnitKind.ENTERPRISE):
            return self.awake(life.rng, at, deadline)
        return self.office(life.rng, at, deadline)

    # -- people ---------------------------------------------------------------------

    def dispatcher(self, life: Life) -> Any:
        return life.rng.choice(self.world.staff.covering(Capability.REQUEST_DISPATCH, life.req.node_path))

    def handler(self, life: Life, unit: HandlingUnit | None = None) -> Any:
        staff = self.world.handlers(unit or life.req.lead_unit)
        return life.rng.choice(staff) if staff else None

    def fate(self, life: Life, birth: Birth) -> Fate:
        rng, mix = life.rng, self.mix
        recent = self.now - birth.at < timedelta(days=42)
        pause = rng.random()  # at most one of: extension, suspension, long-running
        extended, suspended = mix.extended, mix.extended + mix.suspended
        return Fate(
            returned=rng.random() < mix.returned,
            extended=pause < extended,
            suspended=extended <= pause < suspended,
            long_running=suspended <= pause < suspended + mix.long_running,
            whistled=rng.random() < mix.whistled,
            council=birth.topic.council and rng.random() < mix.council,
            supervised=rng.random() < mix.supervised,
            late_sign=rng.random() < mix.late_sign,
            late_reply=rng.random() < mix.late_reply,
            stuck=recent and rng.random() < mix.stuck,
            verify_fails=rng.random() < mix.verify_fails,
        )

    # -- a life ---------------------------------------------------------------------

    def story(self, life: Life, birth: Birth) -> Story:
        rng = life.rng
        at = birth.at
        yield Step(at, "create", {"actor": birth.intake, "data": birth.data()})
        at_desk = birth.channel in OPERATOR_CHANNELS
        operator = birth.intake if at_desk else self.dispatcher(life)
        if birth.type == RequestType.CONSULTATION and rng.random() < self.mix.direct_close:
            at += minutes(rng, 2, 9) if at_desk else minutes(rng, 20, 600)
            answer = birth.topic.answer or texts.GENERIC_ANSWER
            yield Step(at, "direct_close", {"actor": operator, "answer": answer})
            return
        if life.req.status == Status.RECEIVED:
            step = self.triage(life, birth, operator, at)
            if step is None:
                return
            at = step.at
            yield step
        if birth.duplicate_of is not None:
            at += minutes(rng, 10, 120)
            if (
                yield Step(
                    at,
                    "merge",
                    {"actor": operator, "into": self.lives[birth.duplicate_of], "paused_ok": True},
                )
            ):
                return
        fate = self.fate(life, birth)
        while True:
            replied = yield from self.handle(life, birth, fate, at)
            if replied is None:
                return
            rated = yield from self.after_reply(life, birth, fate, replied)
            if rated is None or life.req.status != Status.DISPATCHED:
                return
            at = rated
            fate = Fate(late_reply=rng.random() < self.mix.late_reply / 2)

    def triage(self, life: Life, birth: Birth, operator: Any, at: datetime) -> Step | None:
        """The operator dispatches what no rule took: by the rules once categorised, else by hand."""
        req, rng = life.req, life.rng
        saved = req.category
        req.category = saved or birth.category
        found = self.mirror.match_rule(req)
        req.category = saved
        params: dict[str, Any] = {"actor": operator, "category": None if saved else birth.category}
        if found is None:
            lead = self.world.unit_for_place(req.node_path, UnitKind.SUBDISTRICT)
            lead = lead if self.world.handlers(lead) else next(iter(self.world.departments()), None)
            if lead is None:
                return None
            params["lead_unit"] = lead
        delay = minutes(rng, 5, 60) if birth.channel == Channel.HOTLINE else minutes(rng, 20, 240)
        return Step(at + delay, "dispatch", params)

    def handle(
        self, life: Life, birth: Birth, fate: Fate, at: datetime
    ) -> Generator[Step, bool, datetime | None]:
        """Sign for it, work on it, reply. Returns when it replied (None: it never did)."""
        req, rng = life.req, life.rng
        handler = self.handler(life)
        if handler is None or req.due_response_at is None or req.due_resolution_at is None:
            return None  # nobody staffs the unit: it waits, and turns red
        dispatched = req.dispatched_at
        assert dispatched is not None
        if fate.returned:
            fate.returned = False
            moved = yield from self.return_(life, birth, handler, at)
            if moved is not None:
                return (yield from self.handle(life, birth, fate, moved))
            at = life.events[-1].created_at
        respond = req.due_response_at - dispatched
        if fate.late_sign:
            sign_at = self.working(life, birth, req.due_response_at + respond * rng.uniform(0.1, 1.5), None)
        else:
            sign_at = dispatched + respond * rng.uniform(0.05, 0.7)
            sign_at = self.working(life, birth, sign_at, req.due_response_at)
        at = max(sign_at, at + timedelta(minutes=1))
        yield Step(at, "sign", {"actor": handler})
        at += gap(rng, 3, 90, req.due_resolution_at - dispatched, 0.1)
        yield Step(at, "start", {"actor": handler})
        at = yield from self.middle(life, birth, fate, handler, at)
        return (yield from self.reply(life, birth, fate, handler, at))

    def return_(
        self, life: Life, birth: Birth, handler: Any, at: datetime
    ) -> Generator[Step, bool, datetime | None]:
        req, rng = life.req, life.rng
        assert req.lead_unit is not None and req.due_response_at is not None and req.dispatched_at is not None
        at += min((req.due_response_at - req.dispatched_at) / 2, timedelta(hours=2)) * rng.uniform(0.2, 1)
        reason = rng.choice(texts.RETURN_REASONS)
        yield Step(at, "return_", {"actor": handler, "reason": reason, "not_ours": rng.random() < 0.6})
        operator = self.dispatcher(life)
        other = self._other_unit(life, req.lead_unit)
        approve = other is not None and rng.random() < 0.8
        at += minutes(rng, 20, 180)
        note = "" if approve else texts.REJECT_RETURN_NOTE
        yield Step(at, "return_decide", {"actor": operator, "approve": approve, "note": note})
        if not approve:
            return None
        at += minutes(rng, 5, 40)
        yield Step(at, "dispatch", {"actor": operator, "lead_unit": other, "note": texts.REDISPATCH_NOTE})
        return at

    def _other_unit(self, life: Life, lead: HandlingUnit) -> HandlingUnit | None:
        local = self.world.unit_for_place(life.req.node_path, UnitKind.SUBDISTRICT)
        if lead.kind not in TERRITORIAL and local is not None and self.world.handlers(local):
            return local
        others = [u for u in self.world.departments() if u.pk != lead.pk]
        return life.rng.choice(others) if others else None

    def middle(
        self, life: Life, birth: Birth, fate: Fate, handler: Any, at: datetime
    ) -> Generator[Step, bool, datetime]:
        req, rng = life.req, life.rng
        assert (
            req.lead_unit is not None and req.due_resolution_at is not None and req.dispatched_at is not None
        )
        span = req.due_resolution_at - req.dispatched_at
        territorial = req.lead_unit.kind in TERRITORIAL
        if fate.whistled and territorial:
            at = yield from self.whistle(life, handler, at, span)
        if fate.council and territorial:
            at += span * rng.uniform(0.03, 0.15)
            yield Step(at, "council", self._council(life, at))
        if fate.supervised:
            leaders = self.world.staff.covering(Capability.REQUEST_SUPERVISE, req.node_path)
            at += span * rng.uniform(0.05, 0.3)
            actor = rng.choice(leaders) if leaders else self.dispatcher(life)
            yield Step(at, "supervise", {"actor": actor, "note": rng.choice(texts.SUPERVISE_NOTES)})
        operator = self.dispatcher(life)
        if fate.extended:
            at = max(at + gap(rng, 30, 120, span, 0.05), req.dispatched_at + span * rng.uniform(0.5, 0.75))
            amount = rng.choice(EXTENSION.get(req.clock_unit, (3,)))
            reason = rng.choice(texts.EXTEND_REASONS)
            yield Step(at, "extend", {"actor": handler, "amount": amount, "reason": reason})
            at += gap(rng, 30, 240, span, 0.1)
            approve = rng.random() < 0.85
            note = "同意延期" if approve else "不同意延期，请按期办结"
            yield Step(at, "extend_decide", {"actor": operator, "approve": approve, "note": note})
        elif fate.suspended:
            at += span * rng.uniform(0.1, 0.4)
            yield Step(at, "suspend", {"actor": operator, "reason": rng.choice(texts.SUSPEND_REASONS)})
            at += timedelta(days=rng.uniform(2, 12))
            yield Step(at, "resume", {"actor": operator, "note": "已联系上诉求人，恢复办理"})
        elif fate.long_running:
            at += span * rng.uniform(0.2, 0.6)
            until = timezone.localdate(at) + timedelta(days=rng.randint(20, 75))
            plan = rng.choice(texts.LONG_RUNNING_PLANS)
            yield Step(at, "long_running", {"actor": operator, "plan": plan, "plan_until": until})
        return at

    def whistle(
        self, life: Life, handler: Any, at: datetime, span: timedelta
    ) -> Generator[Step, bool, datetime]:
        req, rng = life.req, life.rng
        departments = [u for u in self.world.departments() if u.pk != req.lead_unit_id]
        if not departments:
            return at
        units = rng.sample(departments, k=min(len(departments), rng.choice((1, 2, 2, 3))))
        at += span * rng.uniform(0.03, 0.12)
        window = max(span * rng.uniform(0.1, 0.3), timedelta(hours=2))
        deadline = at + window
        due = req.due_resolution_at  # a report-in deadline is not after the request's own
        if due is not None and at + timedelta(hours=1) <= due < deadline:
            deadline = due
        reason = rng.choice(texts.WHISTLE_REASONS)
        yield Step(at, "whistle", {"actor": handler, "units": units, "reason": reason, "deadline": deadline})
        reports = sorted(
            (
                deadline + window * rng.uniform(0.1, 1)
                if rng.random() < 0.15
                else at + window * rng.uniform(0.15, 0.95),
                i,
            )
            for i, _ in enumerate(units)
        )
        for moment, i in reports:
            actor = rng.choice(self.world.handlers(units[i]))
            part = rng.choice(texts.REPORT_IN_PARTS)
            yield Step(moment, "report_in", {"actor": actor, "unit": units[i], "part": part})
            at = moment
        at += window * rng.uniform(0.1, 0.5)
        yield Step(at, "whistle_close", {"actor": handler, "outcome": rng.choice(texts.WHISTLE_OUTCOMES)})
        return at

    def _council(self, life: Life, at: datetime) -> dict[str, Any]:
        people = People(life.rng)
        names: list[str] = []
        while len(names) < 3:  # three people, one for each side
            name = people.person()[0]
            if name not in names:
                names.append(name)
        return {
            "actor": self.handler(life),
            "held_on": timezone.localdate(at),
            "outcome": life.rng.choice(texts.COUNCIL_OUTCOMES).format(title=life.req.title),
            "party_branch": f"{names[0]}（小区党支部书记）",
            "owners_committee": f"{names[1]}（业委会主任）",
            "property_company": f"{names[2]}（物业项目经理）",
        }

    def reply(
        self, life: Life, birth: Birth, fate: Fate, handler: Any, at: datetime
    ) -> Generator[Step, bool, datetime | None]:
        req, rng = life.req, life.rng
        if fate.stuck or req.due_resolution_at is None or req.dispatched_at is None:
            return None
        due, start = req.due_resolution_at, req.dispatched_at
        window = due - start
        if fate.late_reply:
            reply_at = self.working(life, birth, due + window * rng.uniform(0.05, 0.8), None)
        elif req.status == Status.LONG_RUNNING:
            reply_at = due - timedelta(days=rng.uniform(0, 10))
        elif birth.type == RequestType.EMERGENCY:
            reply_at = start + window * rng.uniform(0.2, 0.7)
        else:
            reply_at = self.working(life, birth, start + window * (0.05 + 0.8 * rng.random() ** 1.5), due)
        at = max(reply_at, at + gap(rng, 10, 60, window, 0.05))
        yield Step(
            at,
            "reply",
            {"actor": handler, "reply": rng.choice(birth.topic.replies or (texts.GENERIC_REPLY,))},
        )
        return at

    # -- after the reply ------------------------------------------------------------

    def after_reply(
        self, life: Life, birth: Birth, fate: Fate, at: datetime
    ) -> Generator[Step, bool, datetime | None]:
        req, rng = life.req, life.rng
        category = req.category
        assert category is not None
        workers = self.world.staff.covering(Capability.REQUEST_VERIFY, req.node_path)
        if category.needs_verification and workers:
            worker = rng.choice(workers)
            at = self.office(rng, at + timedelta(hours=rng.uniform(2, 30)))
            if fate.verify_fails:
                fate.verify_fails = False
                yield Step(at, "verify", {"actor": worker, "confirmed": False, "note": texts.VERIFY_FAILED})
                at = self.office(rng, at + timedelta(hours=rng.uniform(8, 72)))
                reply = rng.choice(birth.topic.replies or (texts.GENERIC_REPLY,))
                yield Step(at, "reply", {"actor": self.handler(life), "reply": reply})
                at = self.office(rng, at + timedelta(hours=rng.uniform(2, 30)))
            yield Step(
                at, "verify", {"actor": worker, "confirmed": True, "note": rng.choice(texts.VERIFY_OK)}
            )
        operator = self.dispatcher(life)
        if req.anonymous or not birth.phone:
            at = self.office(rng, at + timedelta(hours=rng.uniform(4, 48)))
            note = texts.PATROL_CLOSE if birth.channel == Channel.GRID_WORKER else texts.ANONYMOUS_CLOSE
            yield Step(at, "close", {"actor": operator, "note": note if category.needs_callback else ""})
            return None
        if not category.needs_callback and rng.random() < 0.5:
            at += timedelta(hours=rng.uniform(24, 96))
            yield Step(at, "close", {"actor": operator, "note": ""})
            return None
        answers = self.answers(life, birth, fate)
        unhappy = (
            answers["satisfaction"] == Satisfaction.UNSATISFIED and answers["resolution"] != Resolution.SOLVED
        )
        if rng.random() < self.mix.link_rating:
            at = self.awake(rng, at + timedelta(hours=rng.uniform(0.5, 48)))
            yield Step(at, "rate", answers)
        else:
            at = self.office(rng, at + timedelta(hours=rng.uniform(4, 72)))
            yield Step(
                at, "callback", {"actor": operator, "reopen": unhappy and rng.random() < 0.85, **answers}
            )
        return at

    def answers(self, life: Life, birth: Birth, fate: Fate) -> dict[str, Any]:
        rng, mix, rounds = life.rng, self.mix, life.req.reopen_count
        bad = mix.unsatisfied * (3 if fate.late_reply else 1) * (0.5 if rounds else 1)
        basic = mix.basic * (2 if fate.late_reply else 1)
        draw = rng.random()
        if rounds >= 2:
            bad = 0.0  # the third round ends it
        if birth.type == RequestType.PRAISE or draw >= bad + basic:
            satisfaction, weights = Satisfaction.SATISFIED, (0.96, 0.04, 0.0)
        elif draw >= bad:
            satisfaction, weights = Satisfaction.BASIC, (0.55, 0.4, 0.05)
        else:
            satisfaction, weights = Satisfaction.UNSATISFIED, (0.12, 0.28, 0.6)
        resolution = rng.choices(
            [Resolution.SOLVED, Resolution.PARTLY, Resolution.UNSOLVED], weights=weights
        )[0]
        comments = {
            Satisfaction.SATISFIED: texts.SATISFIED_COMMENTS,
            Satisfaction.BASIC: texts.BASIC_COMMENTS,
            Satisfaction.UNSATISFIED: texts.UNSATISFIED_COMMENTS,
        }[satisfaction]
        contacted = rng.random() < (0.985 if satisfaction != Satisfaction.UNSATISFIED else 0.8)
        return {
            "contacted": contacted,
            "resolution": str(resolution),
            "satisfaction": str(satisfaction),
            "comment": rng.choice(comments),
        }
