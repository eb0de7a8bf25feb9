"""node_move keeps every copy of the moved paths, and the rate figures, exact.

A rated compound moved across grids, across subdistricts, and a subdistrict moved to
another district: the figures of every node (the old and the new parent among them) equal
a recount from the requests' own nodes, before and after the rollups are rebuilt by hand.
Before, ``Rating.node_path`` kept the old path (the old grid kept the ratings, the new one
got none) and the built months of the rollup kept the old subdistrict's sums.
"""

from datetime import date, datetime, timedelta
from typing import Any

import pytest
from django.apps import apps
from django.core.management import call_command
from django.db import models
from django.test import Client
from django.utils import timezone

from civicgrid.conftest import City
from civicgrid.requests.constants import Action, UnitKind
from civicgrid.requests.models import HandlingUnit, Rating, Request, RequestEvent
from civicgrid.requests.rates import Counts, Period, cells, rollup_build
from civicgrid.requests.rates.cells import BY_AREA, CLOSE_ACTIONS, REOPEN_ACTION, ROLLUP, Slice, current_month
from civicgrid.requests.rates.figures import ZERO, add_months
from civicgrid.requests.rates.journal import month_of, rating_counts
from civicgrid.requests.rollups import RateDelta, RateRollup
from civicgrid.requests.tests.test_rates import make_request
from civicgrid.territory import services
from civicgrid.territory.constants import Verb
from civicgrid.territory.models import Node, NodeKind, ScopedModel

pytestmark = pytest.mark.django_db

RESOLUTIONS = ["solved", "partly", "unsolved"]
SATISFACTIONS = ["satisfied", "basic", "unsatisfied"]


def at(day: date, hour: int = 10) -> datetime:
    return datetime(day.year, day.month, day.day, hour, tzinfo=timezone.get_current_timezone())


class Place:
    """Requests, ratings and close/reopen events written as the services write them (saved
    one by one, so the journal books their deltas)."""

    def __init__(self, city: City) -> None:
        self.city = city
        self.sub_a_unit = self.unit("S01", "崇安寺街道办事处", UnitKind.SUBDISTRICT, city.sub_a)
        self.sub_b_unit = self.unit("S02", "通江街道办事处", UnitKind.SUBDISTRICT, city.sub_b)
        self.compound = services.node_create(
            actor=city.sysadmin, kind=NodeKind.COMPOUND, name="幸福公寓", parent=city.grid_a1_1
        )
        self.house = services.node_create(
            actor=city.sysadmin, kind=NodeKind.BUILDING, name="幸福公寓1号楼", parent=self.compound
        )
        self.n = 0

    @staticmethod
    def unit(code: str, name: str, kind: str, node: Node) -> HandlingUnit:
        return HandlingUnit.objects.create(code=code, name=name, kind=kind, node=node, node_path=node.path)

    def request(
        self, node: Node, unit: HandlingUnit, when: datetime, *, rated: bool, closed: bool
    ) -> Request:
        self.n += 1
        node.refresh_from_db()
        r = make_request(node, unit, when)
        if closed:
            RequestEvent.objects.create(request=r, action=Action.CLOSE, created_at=when + timedelta(hours=2))
        if rated:
            Rating(
                request=r,
                round=1,
                unit=unit,
                node_path=r.node_path,
                month=month_of(when + timedelta(hours=3)),
                contacted=self.n % 4 != 0,
                resolution=RESOLUTIONS[self.n % 3],
                satisfaction=SATISFACTIONS[(self.n // 3) % 3],
                via=Rating.Via.CALLBACK,
                created_at=when + timedelta(hours=3),
            ).save()
        if closed and self.n % 5 == 0:
            RequestEvent.objects.create(request=r, action=Action.REOPEN, created_at=when + timedelta(hours=4))
        return r

    def month(self, month: date, days: int = 6) -> None:
        """A month of requests: most in the compound (and its building), some around it."""
        c = self.city
        for i in range(days):
            day = at(month + timedelta(days=i))
            self.request(self.compound, self.sub_a_unit, day, rated=True, closed=True)
            self.request(self.house, self.sub_a_unit, day, rated=i % 2 == 0, closed=True)
            self.request(c.grid_a1_1, self.sub_a_unit, day, rated=True, closed=i % 3 != 0)
            self.request(c.grid_a2_1, self.sub_a_unit, day, rated=i % 2 == 1, closed=True)
            self.request(c.grid_b1_1, self.sub_b_unit, day, rated=True, closed=True)

    def nodes(self) -> list[Node]:
        c = self.city
        found = [c.district, c.sub_a, c.sub_b, c.comm_a1, c.comm_a2, c.comm_b1]
        found += [c.grid_a1_1, c.grid_a1_2, c.grid_a2_1, c.grid_b1_1, self.compound, self.house]
        found += list(Node.objects.filter(kind=NodeKind.DISTRICT).exclude(pk=c.district.pk))
        for node in found:
            node.refresh_from_db()
        return found


def recount(node: Node, month: date) -> Counts:
    """The month's counts under ``node`` from the requests' own nodes (never a copied path)."""
    period = Period.month(month)
    start = at(period.start, 0)
    end = at(period.end, 0) + timedelta(days=1)
    under = {"request__node__path__startswith": node.path}
    total = ZERO
    for r in Rating.objects.filter(month=month, **under):
        total = total + rating_counts(r.contacted, r.resolution, r.satisfaction)
    received = Request.objects.filter(
        node__path__startswith=node.path, received_at__gte=start, received_at__lt=end
    )
    events = RequestEvent.objects.filter(created_at__gte=start, created_at__lt=end, **under)
    return total + Counts(
        received=received.count(),
        closed=events.filter(action__in=CLOSE_ACTIONS).count(),
        reopened=events.filter(action=REOPEN_ACTION).count(),
    )


def served(node: Node, month: date) -> tuple[Counts, str]:
    found, source = cells(Period.month(month), Slice(paths=(node.path,)), by=BY_AREA)
    total = ZERO
    for counts in found.values():
        total = total + counts
    return total, source


def assert_exact(place: Place, months: list[date]) -> None:
    for month in months:
        for node in place.nodes():
            figures, source = served(node, month)
            assert figures == recount(node, month), (node.name, month, source)
            if node.kind in (NodeKind.DISTRICT, NodeKind.SUBDISTRICT):
                assert source == ROLLUP, (node.name, month)


@pytest.fixture
def place(city: City) -> Place:
    return Place(city)


@pytest.fixture
def months(place: Place) -> list[date]:
    """Two built months (last and this), with deltas pending in both after the build."""
    this = current_month()
    last = add_months(this, -1)
    place.month(last)
    place.month(this, days=min(3, timezone.localdate().day))
    for month in (last, this):
        rollup_build(month)
    place.month(last + timedelta(days=10), days=2)  # journal deltas on top of the built months
    place.month(this, days=1)
    assert RateDelta.objects.filter(place__startswith=place.compound.path).exists()
    return [last, this]


def test_moving_a_compound_across_grids_moves_its_ratings(place: Place, months: list[date]) -> None:
    c = place.city
    assert_exact(place, months)
    before = {g.pk: recount(g, months[0]) for g in (c.grid_a1_1, c.grid_a1_2)}
    compound_rated = recount(place.compound, months[0]).rated
    assert compound_rated > 0

    services.node_move(actor=c.sysadmin, node=place.compound, new_parent=c.grid_a1_2)

    assert_exact(place, months)
    old_grid, _ = served(c.grid_a1_1, months[0])
    new_grid, _ = served(c.grid_a1_2, months[0])
    assert old_grid.rated == before[c.grid_a1_1.pk].rated - compound_rated
    assert new_grid.rated == before[c.grid_a1_2.pk].rated + compound_rated
    compound = Node.objects.get(pk=place.compound.pk)
    assert not Rating.objects.exclude(node_path=models.F("request__node_path")).exists()
    assert (
        Rating.objects.filter(node_path__startswith=compound.path).count()
        == Rating.objects.filter(request__node__path__startswith=compound.path).count()
    )
    for month in months:
        rollup_build(month)
    assert_exact(place, months)


def test_moving_a_compound_across_subdistricts_keeps_the_rollups_exact(
    place: Place, months: list[date], capsys: Any
) -> None:
    c = place.city
    services.node_move(actor=c.sysadmin, node=place.compound, new_parent=c.grid_b1_1)

    assert_exact(place, months)  # the built months were rebuilt with the move
    row = Node.objects.get(pk=place.compound.pk)
    assert row.path.startswith(c.grid_b1_1.path)
    audit = apps.get_model("core", "AuditLog").objects.get(verb=Verb.NODE_MOVED)
    assert audit.after["rates_rebuilt"] == [f"{m:%Y-%m}" for m in months]

    call_command("rates_rollup", "--all")
    assert_exact(place, months)


def test_the_figures_api_follows_the_move(place: Place, months: list[date], client: Client) -> None:
    """The outside tester's check: the range figures of the old and the new grid."""
    c = place.city
    client.force_login(c.dave)  # the district leader reads the rates
    days = {"start": f"{months[0]:%Y-%m-%d}", "end": f"{timezone.localdate():%Y-%m-%d}"}

    def counts(node: Node) -> dict[str, int]:
        answer = client.get("/api/v1/rates/figures", {"node": str(node.pk), **days})
        assert answer.status_code == 200, answer.content
        return answer.json()["counts"]

    old_before, new_before = counts(c.grid_a1_1), counts(c.grid_b1_1)
    moved = {k: sum(getattr(recount(place.compound, m), k) for m in months) for k in ("rated", "received")}
    assert moved["rated"] > 0

    services.node_move(actor=c.sysadmin, node=place.compound, new_parent=c.grid_b1_1)

    old_after, new_after = counts(c.grid_a1_1), counts(c.grid_b1_1)
    for key in ("rated", "received"):
        assert old_after[key] == old_before[key] - moved[key], key
        assert new_after[key] == new_before[key] + moved[key], key


def test_moving_a_subdistrict_to_another_district_moves_its_rollup_rows(
    place: Place, months: list[date]
) -> None:
    c = place.city
    other = services.node_create(
        actor=c.sysadmin, kind=NodeKind.DISTRICT, name="滨湖区", parent=c.city, code="320211000000"
    )
    assert RateRollup.objects.filter(area_path=c.sub_b.path).exists()

    services.node_move(actor=c.sysadmin, node=c.sub_b, new_parent=other)

    sub_b = Node.objects.get(pk=c.sub_b.pk)
    assert not RateRollup.objects.filter(area_path=c.sub_b.path).exists()
    assert RateRollup.objects.filter(area_path=sub_b.path).exists()
    audit = apps.get_model("core", "AuditLog").objects.get(verb=Verb.NODE_MOVED)
    assert "rates_rebuilt" not in audit.after  # moved as they are, no rebuild needed
    assert_exact(place, months)
    for month in months:
        rollup_build(month)
    assert_exact(place, months)


def test_every_path_copy_is_known_to_the_move() -> None:
    """A model that stores a node's path either mirrors its node (ScopedModel), is rewritten
    by the move (PATH_COPIES) or is an append-only record (PATH_RECORDS): a new one must be
    placed in one of them."""
    known = {
        (label, f)
        for table in (services.PATH_COPIES, services.PATH_RECORDS)
        for label, fs in table.items()
        for f in fs
    }
    known.add(("territory.Node", "path"))
    for model in apps.get_models():
        if not model.__module__.startswith("civicgrid."):
            continue
        for field in model._meta.concrete_fields:
            if not isinstance(field, models.CharField) or not field.name.endswith("path"):
                continue
            if issubclass(model, ScopedModel) and field.name == "node_path":
                continue
            assert (model._meta.label, field.name) in known, (model._meta.label, field.name)
    for label in services.PATH_COPIES:
        assert apps.get_model(label)
