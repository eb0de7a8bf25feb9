"""The rollups stay exact as requests come and go: journal deltas, folding, rebuilding.

The property: whatever sequence of intake, dispatch, reassignment, escalation, return,
reply, rating, callback, close, reopen, re-rating, merge and direct close happens, over
several months, with the periodic task and rebuilds at random moments, every month's
figures served from the rollup (plus its pending deltas) equal a recomputation from raw
rows, for every handling unit and every territory node the rollup answers.
"""

import random
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

import pytest
from django.utils import timezone

from civicgrid.accounts import services as accounts
from civicgrid.accounts.models import Role
from civicgrid.conftest import make_user
from civicgrid.core.errors import CivicError
from civicgrid.requests import services
from civicgrid.requests.constants import Action, RequestType, Status, UnitKind
from civicgrid.requests.models import HandlingUnit, Rating, Request, RequestEvent, UnitMembership
from civicgrid.requests.rates import (
    Counts,
    Period,
    by_paths,
    by_unit,
    cells,
    ranking_recompute_check,
    raw_cells,
    rollup_build,
    rollup_cells,
    rollup_compact,
    rollup_refresh,
    rollup_tick,
)
from civicgrid.requests.rates.cells import AUTO, ROLLUP, current_month, rollup_ready
from civicgrid.requests.rates.figures import ZERO, add_months
from civicgrid.requests.rollups import RateDelta, RateRollup, RateRollupMonth
from civicgrid.requests.selectors import awaiting_verification
from civicgrid.territory.models import Node, NodeKind
from civicgrid.territory.tests.threads import postgres_only, run_at_once, slow_audit

pytestmark = pytest.mark.django_db

PLACES = [
    (120.305, 31.575),
    (120.315, 31.575),
    (120.31, 31.585),
    (120.33, 31.58),
]  # four grids, two subdistricts
RESOLUTIONS = ["solved", "partly", "unsolved"]
SATISFACTIONS = ["satisfied", "basic", "unsatisfied"]


class Clock:
    """``timezone.now`` under the test's control (every service and the rates read it)."""

    def __init__(self, monkeypatch: Any, start: datetime) -> None:
        self.now = start
        monkeypatch.setattr(timezone, "now", lambda: self.now)

    def advance(self, hours: float) -> None:
        self.now += timedelta(hours=hours)


def units_everywhere(hotline: Any) -> Any:
    """One handler who belongs to every unit (so any lead unit can sign, reply, escalate…)."""
    uma = make_user("uma", "乌玛")
    for unit in HandlingUnit.objects.all():
        UnitMembership.objects.create(user=uma, unit=unit, is_approver=True)
        accounts.role_grant(actor=None, system=True, user=uma, role=Role.HANDLER, node=unit.node)
    # …and checks replies on site anywhere (核查 comes before the callback where asked)
    for grid in Node.objects.filter(kind=NodeKind.GRID):
        accounts.role_grant(actor=None, system=True, user=uma, role=Role.GRID_WORKER, node=grid)
    return uma


def replied_and_verified(hotline: Any, uma: Any) -> Request:
    """A lift request (its category needs 核查) replied by the unit and checked on site."""
    r = services.request_create(actor=hotline.city.olivia, data=hotline.new())
    services.request_sign(actor=uma, request=r)
    services.request_reply(actor=uma, request=r, reply="已修复")
    return services.request_verify(actor=uma, request=r, confirmed=True, note="现场核查属实")


def nonzero(found: dict[Any, Counts]) -> dict[Any, Counts]:
    return {k: v for k, v in found.items() if v != ZERO}


def rollup_nodes() -> list[str]:
    kinds = (NodeKind.CITY, NodeKind.DISTRICT, NodeKind.SUBDISTRICT)
    return list(Node.objects.filter(kind__in=kinds).values_list("path", flat=True))


def assert_exact(months: list[date]) -> int:
    """Every built month: rollup + deltas == raw rows, per unit and per node. Returns months checked."""
    paths = ["", *rollup_nodes()]
    checked = 0
    for month in months:
        if not rollup_ready(month):
            continue
        served, raw = rollup_cells(month), raw_cells(Period.month(month))
        assert nonzero(by_unit(served)) == nonzero(by_unit(raw)), month
        assert by_paths(served, paths) == by_paths(raw, paths), month
        checked += 1
    return checked


@dataclass
class World:
    hotline: Any
    uma: Any
    clock: Clock
    rng: random.Random
    ids: list[int] = field(default_factory=list)
    done: dict[str, int] = field(default_factory=dict)

    @property
    def olivia(self) -> Any:
        return self.hotline.city.olivia

    def act(self, name: str, fn: Callable[[], Any]) -> None:
        """Run one service; a refusal (clear error, nothing changed) is part of the game."""
        try:
            fn()
        except CivicError:
            name = f"{name} (refused)"
        self.done[name] = self.done.get(name, 0) + 1

    def intake(self) -> None:
        h, rng = self.hotline, self.rng
        category = rng.choice([h.lift, h.street_vending, h.water_outage, h.noise, h.policy_question])
        kind = RequestType.CONSULTATION if category == h.policy_question else RequestType.COMPLAINT
        lon, lat = rng.choice(PLACES)
        created = services.request_create(
            actor=self.olivia, data=h.new(category=category, type=kind, lon=lon, lat=lat)
        )
        self.ids.append(created.pk)
        self.done["intake"] = self.done.get("intake", 0) + 1

    def rating(self) -> dict[str, Any]:
        rng = self.rng
        return {
            "contacted": rng.random() < 0.85,
            "resolution": rng.choice(RESOLUTIONS),
            "satisfaction": rng.choice(SATISFACTIONS),
        }

    def step_on(self, r: Request) -> None:
        rng, olivia, uma = self.rng, self.olivia, self.uma
        units = list(HandlingUnit.objects.exclude(kind=UnitKind.COMMUNITY))
        open_others = [
            pk
            for pk in Request.objects.filter(
                status__in=[Status.RECEIVED, Status.DISPATCHED, Status.SIGNED, Status.IN_PROGRESS]
            ).values_list("pk", flat=True)
            if pk != r.pk
        ]
        if r.status == Status.RECEIVED:
            if r.type == RequestType.CONSULTATION and rng.random() < 0.5:
                self.act(
                    "direct close",
                    lambda: services.request_direct_close(actor=olivia, request=r, answer="已答复"),
                )
            else:
                lead = rng.choice(units)
                self.act(
                    "dispatch",
                    lambda: services.request_dispatch(
                        actor=olivia, request=r, lead_unit=lead, note="人工派单"
                    ),
                )
        elif r.status in (Status.DISPATCHED, Status.SIGNED, Status.IN_PROGRESS):
            roll = rng.random()
            if roll < 0.12:
                other = rng.choice([u for u in units if u.pk != r.lead_unit_id])
                self.act(
                    "reassign",
                    lambda: services.request_reassign(
                        actor=olivia, request=r, lead_unit=other, reason="改派"
                    ),
                )
            elif roll < 0.2:
                self.act("escalate", lambda: services.request_escalate(actor=uma, request=r, reason="上报"))
            elif roll < 0.27:

                def back() -> None:
                    services.request_return(actor=uma, request=r, reason="非本单位职责")
                    services.request_return_decide(
                        actor=olivia, request=r, approve=rng.random() < 0.7, note="已核实"
                    )

                self.act("return", back)
            elif roll < 0.32 and open_others:
                into = Request.objects.get(pk=rng.choice(open_others))
                self.act("merge", lambda: services.request_merge(actor=olivia, request=r, into=into))
            elif r.status == Status.DISPATCHED:
                self.act("sign", lambda: services.request_sign(actor=uma, request=r))
            else:
                self.act("reply", lambda: services.request_reply(actor=uma, request=r, reply="已处理"))
        elif r.status == Status.REPLIED and awaiting_verification(r) and rng.random() < 0.8:
            confirmed = rng.random() < 0.85
            self.act(
                "verify",
                lambda: services.request_verify(actor=uma, request=r, confirmed=confirmed, note="现场核查"),
            )
        elif r.status in (Status.REPLIED, Status.VERIFIED):
            roll, given = rng.random(), self.rating()
            if roll < 0.5:
                self.act("rate", lambda: services.request_rate_by_link(token=r.rating_token, **given))
            elif roll < 0.85:
                reopen = given["satisfaction"] == "unsatisfied" and rng.random() < 0.7
                self.act(
                    "callback",
                    lambda: services.request_callback(actor=olivia, request=r, reopen=reopen, **given),
                )
            else:
                self.act("close", lambda: services.request_close(actor=olivia, request=r, note="联系不上"))
        elif r.status in (Status.CALLED_BACK, Status.CLOSED):
            if rng.random() < 0.25:
                self.act("reopen", lambda: services.request_reopen(actor=olivia, request=r, reason="重办"))
            elif r.status == Status.CALLED_BACK:
                self.act("close", lambda: services.request_close(actor=olivia, request=r))

    def step(self) -> None:
        if not self.ids or self.rng.random() < 0.2:
            self.intake()
            return
        active = list(
            Request.objects.filter(pk__in=self.ids)
            .exclude(status__in=[Status.CLOSED, Status.MERGED])
            .values_list("pk", flat=True)
        )
        pool = active if active and self.rng.random() < 0.85 else self.ids
        self.step_on(Request.objects.get(pk=self.rng.choice(pool)))


def months_between(first: date, last: date) -> list[date]:
    return Period(first, last).months()


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_rollups_equal_raw_rows_after_any_sequence_of_events(
    hotline: Any, monkeypatch: Any, seed: int
) -> None:
    rng = random.Random(seed)
    real_now = timezone.now()
    clock = Clock(monkeypatch, real_now - timedelta(days=75))
    world = World(hotline, units_everywhere(hotline), clock, rng)
    first = current_month()
    rollup_build(first)  # the month the story starts in is built before anything happens
    seen_month, checks = first, 0
    for i in range(200):
        clock.advance(rng.expovariate(1 / 8))  # about 8 hours between events on average
        if current_month() != seen_month:  # the periodic task, first run of a new month
            seen_month = current_month()
            assert rollup_tick()["built"][:1] == [f"{seen_month:%Y-%m}"]
        world.step()
        roll = rng.random()
        if roll < 0.08:
            rollup_compact()
        elif roll < 0.1:
            rollup_build(rng.choice(months_between(first, current_month())))
        if i % 20 == 19:
            checks += assert_exact(months_between(first, current_month()))
    months = months_between(first, current_month())
    assert len(months) >= 3 and checks >= 8 + 2 * 3
    done = world.done
    assert done.get("rate", 0) + done.get("callback", 0) >= 15 and done.get("reopen", 0) >= 1, done
    world.intake()
    assert RateDelta.objects.exists()  # at least one delta is pending: the reads add it
    assert assert_exact(months) == len(months)
    for month in months:
        _, source = cells(Period.month(month), source=AUTO)
        assert source == ROLLUP
        check = ranking_recompute_check(month)
        assert check.ok, check.differences
    # Folding everything in, then rebuilding from raw rows, changes no figure.
    rollup_compact()
    assert not RateDelta.objects.filter(month__in=months).exists()
    assert assert_exact(months) == len(months)
    folded = {m: nonzero(rollup_cells(m)) for m in months}
    rollup_refresh()
    assert {m: nonzero(rollup_cells(m)) for m in months} == folded


def test_a_rating_of_a_request_from_an_earlier_month_counts_in_the_month_it_is_given(
    hotline: Any, monkeypatch: Any
) -> None:
    clock = Clock(monkeypatch, timezone.now() - timedelta(days=40))
    uma = units_everywhere(hotline)
    received_in = current_month()
    rollup_build(received_in)
    r = replied_and_verified(hotline, uma)
    clock.advance(24 * 35)
    rated_in = current_month()
    assert rated_in == add_months(received_in, 1)
    rollup_tick()
    services.request_rate_by_link(
        token=r.rating_token, contacted=True, resolution="solved", satisfaction="basic"
    )
    unit = hotline.sub_a_unit.pk
    before, after = by_unit(rollup_cells(received_in))[unit], by_unit(rollup_cells(rated_in))[unit]
    assert (before.received, before.rated, before.closed) == (1, 0, 0)
    assert (after.received, after.rated, after.basic, after.closed) == (0, 1, 1, 1)
    assert assert_exact([received_in, rated_in]) == 2


def test_reassigning_a_request_of_an_ended_month_moves_its_received_count_there(
    hotline: Any, monkeypatch: Any
) -> None:
    clock = Clock(monkeypatch, timezone.now() - timedelta(days=40))
    uma = units_everywhere(hotline)
    received_in = current_month()
    r = services.request_create(actor=hotline.city.olivia, data=hotline.new())
    rollup_build(received_in)
    clock.advance(24 * 35)
    rollup_tick()
    services.request_sign(actor=uma, request=r)
    services.request_reassign(
        actor=hotline.city.olivia, request=r, lead_unit=hotline.zhujian, reason="属住建"
    )
    ended = by_unit(rollup_cells(received_in))
    assert ended[hotline.zhujian.pk].received == 1
    assert ended.get(hotline.sub_a_unit.pk, ZERO).received == 0
    assert assert_exact([received_in, current_month()]) == 2


def test_a_close_without_a_unit_follows_the_lead_unit_after_a_reopen_and_an_escalation(
    hotline: Any, monkeypatch: Any
) -> None:
    """Closures record no unit: they count for the request's lead unit, whichever it is now."""
    Clock(monkeypatch, timezone.now())
    uma = units_everywhere(hotline)
    rollup_build(current_month())
    r = replied_and_verified(hotline, uma)
    services.request_callback(
        actor=hotline.city.olivia, request=r, contacted=True, resolution="solved", satisfaction="satisfied"
    )
    services.request_reopen(actor=hotline.city.olivia, request=r, reason="复发")
    services.request_escalate(actor=uma, request=r, reason="街道无法解决")
    found = by_unit(rollup_cells(current_month()))
    assert found[hotline.district_unit.pk].closed == 1 and found[hotline.district_unit.pk].received == 1
    assert found[hotline.sub_a_unit.pk].reopened == 1 and found[hotline.sub_a_unit.pk].rated == 1
    assert assert_exact([current_month()]) == 1


def test_deleting_a_request_takes_its_counts_away(hotline: Any) -> None:
    uma = units_everywhere(hotline)
    rollup_build(current_month())
    r = replied_and_verified(hotline, uma)
    services.request_rate_by_link(
        token=r.rating_token, contacted=True, resolution="unsolved", satisfaction="unsatisfied"
    )
    assert by_unit(rollup_cells(current_month()))[hotline.sub_a_unit.pk].reopened == 1
    Request.objects.get(pk=r.pk).delete()
    assert nonzero(by_unit(rollup_cells(current_month()))) == {}
    assert assert_exact([current_month()]) == 1


def test_a_stale_object_cannot_book_a_wrong_move(hotline: Any) -> None:
    """A request saved from an object loaded before someone else moved it: the old values
    are read from the database, not from the object's memory."""
    rollup_build(current_month())
    r = services.request_create(actor=hotline.city.olivia, data=hotline.new())
    stale = Request.objects.get(pk=r.pk)
    fresh = Request.objects.get(pk=r.pk)
    fresh.refresh_from_db()
    fresh.lead_unit = hotline.zhujian
    fresh.save()
    stale.refresh_from_db()
    stale.lead_unit = hotline.chengguan
    stale.save()
    assert assert_exact([current_month()]) == 1
    assert by_unit(rollup_cells(current_month()))[hotline.chengguan.pk].received == 1


def test_a_save_books_only_the_fields_it_writes(hotline: Any) -> None:
    rollup_build(current_month())
    r = services.request_create(actor=hotline.city.olivia, data=hotline.new())
    obj = Request.objects.get(pk=r.pk)
    obj.lead_unit = hotline.zhujian
    obj.save(update_fields=["title"])  # the lead unit changes in memory only
    assert by_unit(rollup_cells(current_month()))[hotline.sub_a_unit.pk].received == 1
    assert assert_exact([current_month()]) == 1
    obj.save(update_fields=["lead_unit"])
    assert by_unit(rollup_cells(current_month()))[hotline.zhujian.pk].received == 1
    assert assert_exact([current_month()]) == 1


def test_a_bulk_import_bypasses_the_journal_and_rollup_refresh_makes_it_exact(hotline: Any) -> None:
    """The contract with bulk historical imports: write rows in bulk, then refresh their months."""
    month = add_months(current_month(), -2)
    rollup_build(month)
    when = timezone.make_aware(datetime(month.year, month.month, 10, 9))
    grid = hotline.city.grid_b1_1
    imported = Request.objects.bulk_create(
        [
            Request(
                number=f"H{i:08d}",
                channel="hotline",
                type="complaint",
                title="历史诉求",
                content="历史诉求",
                node=grid,
                node_path=grid.path,
                lead_unit=hotline.sub_b_unit,
                received_at=when,
                status=Status.CLOSED,
            )
            for i in range(6)
        ]
    )
    Rating.objects.bulk_create(
        [
            Rating(
                request=r,
                round=1,
                unit=hotline.sub_b_unit,
                node_path=grid.path,
                month=month,
                contacted=True,
                resolution="solved",
                satisfaction="satisfied",
                via=Rating.Via.CALLBACK,
                created_at=when,
            )
            for r in imported
        ]
    )
    RequestEvent.objects.bulk_create(
        [RequestEvent(request=r, action=Action.CLOSE, created_at=when) for r in imported]
    )
    assert not ranking_recompute_check(month).ok  # the check sees the month drifted
    rollup_refresh(months=Period(month, timezone.localdate()).months())
    assert ranking_recompute_check(month).ok
    counts = by_unit(rollup_cells(month))[hotline.sub_b_unit.pk]
    assert (counts.received, counts.rated, counts.satisfied, counts.closed) == (6, 6, 6, 6)


def test_months_ahead_are_skipped_and_refresh_without_months_rebuilds_the_built_ones(hotline: Any) -> None:
    rollup_build(current_month())
    RateRollup.objects.filter(month=current_month()).delete()
    services.request_create(actor=hotline.city.olivia, data=hotline.new())
    built = rollup_refresh(months=[current_month(), add_months(current_month(), 2)])
    assert [m.month for m in built] == [current_month()]
    assert set(RateRollupMonth.objects.values_list("month", flat=True)) == {current_month()}
    assert [m.month for m in rollup_refresh()] == [current_month()]
    assert by_unit(rollup_cells(current_month()))[hotline.sub_a_unit.pk].received == 1


def test_a_territory_move_keeps_the_rollups_exact(hotline: Any) -> None:
    """Moving a node rewrites paths with one UPDATE (no signals): the move itself rebuilds the
    built months of its subtree when it changes subdistrict (``territory.services``)."""
    from civicgrid.territory import services as territory

    c = hotline.city
    rollup_build(current_month())
    services.request_create(actor=c.olivia, data=hotline.new(lon=120.33, lat=31.58))  # in 通江
    other = territory.node_create(
        actor=c.sysadmin, kind=NodeKind.SUBDISTRICT, name="新街道", parent=c.district, code="320213003000"
    )
    territory.node_move(actor=c.sysadmin, node=c.comm_b1, new_parent=other)
    assert assert_exact([current_month()]) == 1
    rollup_refresh(months=[current_month()])
    assert assert_exact([current_month()]) == 1


# Concurrency (PostgreSQL) ------------------------------------------------------------------


def replied_requests(hotline: Any, uma: Any, n: int) -> list[Request]:
    """``n`` lift requests replied and checked on site: ready to be rated."""
    return [replied_and_verified(hotline, uma) for _ in range(n)]


@postgres_only
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_ratings_of_one_unit_at_once_while_the_rollup_is_folded_and_rebuilt(
    hotline: Any, monkeypatch: Any
) -> None:
    """Eight requesters rate eight requests of 崇安寺街道 at the same moment, each transaction
    held open a while before its commit, while the periodic task folds deltas and a rebuild
    of the month runs: every count ends exact, nobody waits for anybody's delta."""
    from civicgrid.requests.services import engine

    uma = units_everywhere(hotline)
    rollup_build(current_month())
    requests = replied_requests(hotline, uma, 8)
    slow_audit(monkeypatch, engine, seconds=0.5)
    stop = threading.Event()

    def fold_until_done() -> int:
        rounds = 0
        while not stop.is_set():
            rollup_compact()
            rounds += 1
        return rounds

    def rate(r: Request, i: int) -> Callable[[], Any]:
        satisfaction = SATISFACTIONS[i % 3]
        return lambda: services.request_rate_by_link(
            token=r.rating_token, contacted=i % 2 == 0, resolution="partly", satisfaction=satisfaction
        )

    def rebuild() -> Any:
        return rollup_build(current_month())

    def ratings_then_stop() -> list[Any]:
        try:
            return run_at_once(*(rate(r, i) for i, r in enumerate(requests)), rebuild, stagger=0.02)
        finally:
            stop.set()

    folded_rounds, outcomes = run_at_once(fold_until_done, ratings_then_stop, stagger=0)
    assert not isinstance(outcomes, Exception), outcomes
    assert all(not isinstance(o, Exception) for o in outcomes), outcomes
    assert folded_rounds >= 1
    counts = by_unit(rollup_cells(current_month()))[hotline.sub_a_unit.pk]
    assert counts.rated == 8 and counts.received == 8
    assert counts.contacted == 4 and counts.partly == 8
    assert (counts.satisfied, counts.basic, counts.unsatisfied) == (3, 3, 2)
    assert counts.closed + counts.reopened == 8
    assert assert_exact([current_month()]) == 1
    rollup_compact()
    assert not RateDelta.objects.exists()
    assert assert_exact([current_month()]) == 1


@postgres_only
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_intakes_and_reassignments_at_once_keep_received_exact(hotline: Any) -> None:
    uma = units_everywhere(hotline)
    rollup_build(current_month())
    olivia = hotline.city.olivia
    existing = [services.request_create(actor=olivia, data=hotline.new()) for _ in range(3)]

    def intake() -> Any:
        return services.request_create(actor=olivia, data=hotline.new())

    def reassign(r: Request) -> Callable[[], Any]:
        return lambda: services.request_reassign(
            actor=olivia, request=r, lead_unit=hotline.zhujian, reason="属住建"
        )

    outcomes = run_at_once(intake, intake, intake, *(reassign(r) for r in existing), stagger=0.01)
    assert all(not isinstance(o, Exception) for o in outcomes), outcomes
    counts = by_unit(rollup_cells(current_month()))
    assert counts[hotline.sub_a_unit.pk].received == 3 and counts[hotline.zhujian.pk].received == 3
    assert assert_exact([current_month()]) == 1
    assert uma
