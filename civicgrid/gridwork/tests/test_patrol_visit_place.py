"""Where a grid worker may start a patrol and record a visit (``check_place``, as for findings).

alice is the grid worker of 胜利门一网格 (A1-1, 120.30–120.31 × 31.57–31.58). A patrol
started in 通江一网格 (another street), or a visit on the spot recorded there, is refused
naming the point (巡查起点 / 走访位置) and the place, and nothing changes: a patrol left open
stays open, a care plan keeps its count and due day, no leader is alerted. Within
``LOCATOR_NEAREST_METRES`` of her boundary both are hers. The track of a patrol is not
judged by place: walking the boundary street steps outside. A 电话问候 is made from
anywhere, and community staff visiting are not a worker of the grid.
"""

from datetime import timedelta
from typing import Any, TypedDict

import pytest
from django.test import Client
from django.utils import timezone

from civicgrid.core.errors import PermissionDenied, ValidationError
from civicgrid.gridwork import services
from civicgrid.gridwork.models import CarePlan, Patrol, PatrolPoint, Photo, Visit
from civicgrid.gridwork.tests.conftest import Field, audit_count, png
from civicgrid.gridwork.tests.test_api import Phone
from civicgrid.notify.models import Notification

pytestmark = pytest.mark.django_db


class At(TypedDict):
    lon: float
    lat: float


TONGJIANG = At(lon=120.33, lat=31.585)  # inside 通江一网格, about 2 km from A1-1
JUST_SOUTH = At(lon=120.305, lat=31.569)  # about 111 m south of A1-1, in no grid
INSIDE = At(lon=120.305, lat=31.575)


@pytest.fixture
def plan(field: Field) -> CarePlan:
    services.care_plans_generate(actor=field.city.bob, node=field.city.comm_a1)
    return CarePlan.objects.get(resident=field.lao_zhang)


def visit(plan: CarePlan, **kw: Any) -> services.VisitIn:
    return services.VisitIn(found=kw.pop("found", "身体状况良好，家中整洁"), care_plan=plan, **kw)


# --- patrols --------------------------------------------------------------------------------


def test_a_patrol_started_in_another_street_is_refused_and_the_open_one_stays_open(field: Field) -> None:
    started = timezone.now() - timedelta(hours=1)
    services.patrol_start(actor=field.alice, client_key="morning-01", started_at=started, **INSIDE)
    before = audit_count()
    with pytest.raises(ValidationError) as exc:
        services.patrol_start(actor=field.alice, client_key="far-start-1", **TONGJIANG)
    assert exc.value.code == "outside_grid" and list(exc.value.errors) == ["lon"]
    message = exc.value.message
    assert message.startswith("巡查起点不在您负责的网格内") and "通江街道通江社区通江一网格" in message
    assert "胜利门一网格" in message and "公里" in message and "200米" in message
    # Nothing changed: no new patrol, the open one not ended, no audit row.
    assert list(Patrol.objects.values_list("client_key", "ended_at")) == [("morning-01", None)]
    assert audit_count() == before


def test_a_patrol_started_just_outside_the_boundary_is_hers(field: Field) -> None:
    saved = services.patrol_start(actor=field.alice, client_key="edge-start-1", **JUST_SOUTH)
    assert saved.created and saved.entry.node == field.city.grid_a1_1


def test_the_start_is_judged_with_the_locators_tolerance(field: Field, settings: Any) -> None:
    settings.LOCATOR_NEAREST_METRES = 50
    with pytest.raises(ValidationError) as exc:
        services.patrol_start(actor=field.alice, client_key="edge-strict-1", **JUST_SOUTH)
    assert "111米" in exc.value.message and "50米" in exc.value.message
    assert not Patrol.objects.exists()


def test_someone_elses_grid_is_refused_before_the_place(field: Field) -> None:
    with pytest.raises(PermissionDenied):
        services.patrol_start(
            actor=field.alice, client_key="not-mine-01", grid=field.city.grid_a1_2, **TONGJIANG
        )
    assert not Patrol.objects.exists()


def test_the_track_may_step_outside_the_grid(field: Field) -> None:
    """Along the boundary street and across it: the walk is kept as walked."""
    started = timezone.now() - timedelta(minutes=30)
    services.patrol_start(actor=field.alice, client_key="boundary-01", started_at=started, **INSIDE)
    walk = [(120.305, 31.5702), (120.305, 31.5695), (120.305, 31.5650), (120.33, 31.585)]
    points = [
        # Five minutes apart: the last step (3 km) is a ride, not a GPS jump (patrol_points_add).
        services.PointIn(started + timedelta(minutes=5 * i), lon, lat, 10.0)
        for i, (lon, lat) in enumerate(walk)
    ]
    assert services.patrol_points_add(actor=field.alice, patrol_key="boundary-01", points=points).added == 4
    assert PatrolPoint.objects.count() == 4
    assert Patrol.objects.get().node == field.city.grid_a1_1


def test_the_phone_gets_a_readable_refusal_of_the_start(field: Field) -> None:
    """The outbox marks it 未通过 with ``message`` as it is (a 4xx other than 401)."""
    before = audit_count()
    answer = Phone(field.alice).post("/patrols", {"client_key": "api-far-start", **TONGJIANG})
    body = answer.json()
    assert answer.status_code == 422 and body["code"] == "outside_grid"
    assert body["message"].startswith("巡查起点不在您负责的网格内") and "通江一网格" in body["message"]
    assert body["detail"] == {"lon": [body["message"]]}
    assert not Patrol.objects.exists() and audit_count() == before


# --- visits ---------------------------------------------------------------------------------


def nothing_changed(plan: CarePlan, before: int) -> bool:
    plan_now = CarePlan.objects.get(pk=plan.pk)
    return (
        not Visit.objects.exists()
        and not Photo.objects.exists()
        and not Notification.objects.filter(dedupe_key__startswith="gridwork:urgent-visit:").exists()
        and (plan_now.visit_count, plan_now.last_visit_at, plan_now.next_due_on)
        == (plan.visit_count, plan.last_visit_at, plan.next_due_on)
        and audit_count() == before
    )


@pytest.mark.parametrize("kind", ["home", "doorstep"])
def test_a_visit_on_the_spot_in_another_street_is_refused(field: Field, plan: CarePlan, kind: str) -> None:
    before = audit_count()
    data = visit(plan, kind=kind, wellbeing="urgent", photos=[png()], **TONGJIANG)
    with pytest.raises(ValidationError) as exc:
        services.visit_record(actor=field.alice, client_key=f"far-visit-{kind}", data=data)
    assert exc.value.code == "outside_grid" and list(exc.value.errors) == ["lon"]
    message = exc.value.message
    assert message.startswith("走访位置不在您负责的网格内") and "通江一网格" in message
    assert "电话问候" in message
    assert nothing_changed(plan, before)


def test_a_visit_just_outside_the_boundary_is_recorded(field: Field, plan: CarePlan) -> None:
    saved = services.visit_record(
        actor=field.alice, client_key="edge-visit-1", data=visit(plan, **JUST_SOUTH)
    )
    assert saved.created and CarePlan.objects.get(pk=plan.pk).visit_count == 1


def test_a_phone_call_is_not_judged_by_place(field: Field, plan: CarePlan) -> None:
    data = visit(plan, kind="phone", **TONGJIANG)
    assert services.visit_record(actor=field.alice, client_key="call-visit-1", data=data).created


def test_community_staff_visiting_are_not_judged_by_a_workers_grids(field: Field, plan: CarePlan) -> None:
    """bob (community worker of A1, no patrol scope) visits as the community, not as a grid's worker."""
    saved = services.visit_record(
        actor=field.city.bob, client_key="bob-visit-01", data=visit(plan, **TONGJIANG)
    )
    assert saved.created


def test_the_phone_gets_a_readable_refusal_of_the_visit(field: Field, plan: CarePlan) -> None:
    before = audit_count()
    form = {"client_key": "api-far-visit", "care_plan_id": plan.pk, "found": "身体状况良好", "kind": "home"}
    answer = Phone(field.alice).post("/visits", {**form, **TONGJIANG}, multipart=True)
    body = answer.json()
    assert answer.status_code == 422 and body["code"] == "outside_grid"
    assert body["message"].startswith("走访位置不在您负责的网格内")
    assert body["detail"] == {"lon": [body["message"]]}
    assert nothing_changed(plan, before)


def test_the_visit_page_shows_the_refusal(field: Field, plan: CarePlan) -> None:
    page = Client()
    page.force_login(field.alice)
    before = audit_count()
    answer = page.post(
        "/gridwork/m/visit/",
        {"client_key": "page-far-visit", "care_plan_id": plan.pk, "found": "身体状况良好", **TONGJIANG},
    )
    text = answer.content.decode()
    assert answer.status_code == 422 and "走访位置不在您负责的网格内" in text
    assert nothing_changed(plan, before)
