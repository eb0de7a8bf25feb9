"""Many people at once on PostgreSQL: one taker per order, one check-in per volunteer, no
place given twice."""

from datetime import timedelta

import pytest

from civicgrid.core.errors import Conflict
from civicgrid.core.models import AuditLog
from civicgrid.territory.tests.threads import postgres_only, run_at_once, slow_audit
from civicgrid.volunteers import services
from civicgrid.volunteers.constants import OrderStatus, SignupStatus, Verb
from civicgrid.volunteers.models import OrderEvent, ServiceOrder, Signup, Volunteer
from civicgrid.volunteers.services import activities as activity_services
from civicgrid.volunteers.services import orders as order_services
from civicgrid.volunteers.tests.conftest import People, make_resident, shift

pytestmark = [postgres_only, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def test_twenty_volunteers_take_the_same_order_exactly_one_gets_it(people: People) -> None:
    c = people.city
    takers = []
    for i in range(20):
        resident = make_resident(c, f"志愿者{i:02d}", c.building_a1, f"1370000{i:04d}", f"vol{i:02d}")
        services.volunteer_register(actor=c.bob, resident=resident)
        takers.append(resident.account.user)
    order = people.order(publish=True)
    results = run_at_once(
        *[lambda u=u: services.service_order_take(actor=u, order=order) for u in takers], stagger=0.0
    )
    won = [r for r in results if isinstance(r, ServiceOrder)]
    lost = [r for r in results if isinstance(r, Conflict)]
    assert len(won) == 1 and len(lost) == 19, results
    assert all("已被他人接单" in e.message for e in lost)
    stored = ServiceOrder.objects.get(pk=order.pk)
    assert stored.status == OrderStatus.ASSIGNED and stored.version == order.version + 1
    assert stored.taker_user == won[0].taker_user
    assert OrderEvent.objects.filter(order=order, action="take").count() == 1
    assert AuditLog.objects.filter(verb=Verb.ORDER_TAKEN, target_id=str(order.pk)).count() == 1


def test_a_volunteer_is_checked_in_once_even_at_the_same_moment(people: People, monkeypatch) -> None:
    c = people.city
    a = people.activity()
    services.activity_signup(actor=people.zhang, activity=a)
    a = shift(a, started_ago=timedelta(minutes=30))
    slow_audit(monkeypatch, activity_services)
    results = run_at_once(
        lambda: services.activity_check_in(actor=people.zhang, activity=a, code=a.check_code),
        lambda: services.activity_check_in(actor=people.zhang, activity=a, code=a.check_code),
        lambda: services.activity_check_in(actor=c.bob, activity=a, volunteer=people.v_zhang),
    )
    assert sum(isinstance(r, Signup) for r in results) == 1, results
    assert sum(isinstance(r, Conflict) for r in results) == 2, results
    assert Signup.objects.get(activity=a, volunteer=people.v_zhang).status == SignupStatus.CHECKED_IN
    assert AuditLog.objects.filter(verb=Verb.CHECKED_IN, target_id=str(a.pk)).count() == 1


def test_the_last_place_goes_to_one_the_other_waits(people: People, monkeypatch) -> None:
    a = people.activity(quota=1)
    slow_audit(monkeypatch, activity_services)
    results = run_at_once(
        lambda: services.activity_signup(actor=people.zhang, activity=a),
        lambda: services.activity_signup(actor=people.li, activity=a),
    )
    assert sorted(r.status for r in results) == [SignupStatus.CONFIRMED, SignupStatus.WAITLISTED], results


def test_check_out_twice_at_once_credits_points_once(people: People, monkeypatch) -> None:
    from civicgrid.points import selectors as points

    c = people.city
    a = people.activity(difficulty=1)
    services.activity_signup(actor=people.zhang, activity=a)
    a = shift(a, started_ago=timedelta(hours=4))
    services.activity_check_in(actor=c.bob, activity=a, volunteer=people.v_zhang, at=a.starts_at)
    slow_audit(monkeypatch, activity_services, order_services)
    results = run_at_once(
        lambda: services.activity_check_out(actor=c.bob, activity=a, volunteer=people.v_zhang, at=a.ends_at),
        lambda: services.activity_check_out(actor=c.bob, activity=a, volunteer=people.v_zhang, at=a.ends_at),
    )
    assert sum(isinstance(r, Signup) for r in results) == 1, results
    assert points.balance(people.r_zhang) == 30
    assert Volunteer.objects.get(pk=people.v_zhang.pk).activities_done == 1
