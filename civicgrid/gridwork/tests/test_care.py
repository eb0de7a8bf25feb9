from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone

from civicgrid.core.errors import PermissionDenied, ValidationError
from civicgrid.gridwork import selectors, services
from civicgrid.gridwork.models import CarePlan, CareWarning, Visit
from civicgrid.gridwork.tests.conftest import Field, audit_count, png
from civicgrid.notify.models import Notification

pytestmark = pytest.mark.django_db


def visit(plan: CarePlan | None = None, **kw: Any) -> services.VisitIn:
    return services.VisitIn(found=kw.pop("found", "身体状况良好，家中整洁"), care_plan=plan, **kw)


@pytest.fixture
def plan(field: Field) -> CarePlan:
    services.care_plans_generate(actor=field.city.bob, node=field.city.comm_a1)
    return CarePlan.objects.get(resident=field.lao_zhang)


def test_plans_are_made_for_the_special_groups_of_the_community(field: Field, plan: CarePlan) -> None:
    assert CarePlan.objects.count() == 1  # 张建国 only: 李小明 has no care tag, 赵大海 lives in B1
    assert plan.interval_days == 7 and plan.groups == "独居老人"
    assert plan.assignee == field.alice and plan.grid == field.city.grid_a1_1
    today = timezone.localdate()
    assert today < plan.next_due_on <= today + timedelta(days=7)
    # Generating again makes nothing new.
    assert services.care_plans_generate(actor=field.city.bob, node=field.city.comm_a1) == 0


def test_an_outsider_makes_no_plans(field: Field) -> None:
    before = audit_count()
    with pytest.raises(PermissionDenied):
        services.care_plans_generate(actor=field.city.carol, node=field.city.comm_a1)
    with pytest.raises(PermissionDenied):
        services.care_plans_generate(actor=field.alice, node=field.city.grid_a1_1)
    assert not CarePlan.objects.exists() and audit_count() == before


def test_a_plan_needs_a_special_group_and_is_unique(field: Field, plan: CarePlan) -> None:
    with pytest.raises(ValidationError) as exc:
        services.care_plan_create(actor=field.city.bob, resident=field.xiao_li)
    assert "重点关爱人群" in exc.value.message
    with pytest.raises(ValidationError) as exc:
        services.care_plan_create(actor=field.city.bob, resident=field.lao_zhang)
    assert "已有关爱计划" in exc.value.message
    with pytest.raises(ValidationError) as exc:
        services.care_plan_update(actor=field.city.bob, plan=plan, interval_days=0, assignee=field.pete)
    assert set(exc.value.errors) == {"interval_days", "assignee"}


def test_a_visit_moves_the_next_due_day(field: Field, plan: CarePlan) -> None:
    at = timezone.now() - timedelta(days=1)
    saved = services.visit_record(
        actor=field.alice, client_key="visit-0001", data=visit(plan, visited_at=at, photos=[png()])
    )
    plan.refresh_from_db()
    assert saved.entry.care_plan == plan and saved.entry.resident == field.lao_zhang
    assert plan.visit_count == 1 and plan.last_visit_at == at
    assert plan.next_due_on == timezone.localdate(at) + timedelta(days=7) and plan.light == "green"


def test_a_visit_to_the_resident_finds_their_plan(field: Field, plan: CarePlan) -> None:
    saved = services.visit_record(
        actor=field.ivan, client_key="visit-0002", data=visit(resident=field.lao_zhang)
    )
    assert saved.entry.care_plan == plan


def test_the_same_visit_sent_three_times_counts_once(field: Field, plan: CarePlan) -> None:
    for _ in range(3):
        services.visit_record(actor=field.alice, client_key="visit-same", data=visit(plan))
    plan.refresh_from_db()
    assert Visit.objects.count() == 1 and plan.visit_count == 1


def test_a_visit_without_what_was_found_is_refused(field: Field, plan: CarePlan) -> None:
    before = audit_count()
    with pytest.raises(ValidationError) as exc:
        services.visit_record(actor=field.alice, client_key="visit-bad1", data=visit(plan, found="  "))
    assert exc.value.errors["found"] == ["请填写走访情况"]
    plan.refresh_from_db()
    assert not Visit.objects.exists() and plan.visit_count == 0 and audit_count() == before


def test_workers_of_other_grids_do_not_visit_here(field: Field, plan: CarePlan) -> None:
    before = audit_count()
    with pytest.raises(PermissionDenied):
        services.visit_record(actor=field.pete, client_key="visit-pete", data=visit(plan))
    with pytest.raises(PermissionDenied):
        services.visit_record(actor=field.city.carol, client_key="visit-carol", data=visit(plan))
    assert not Visit.objects.exists() and audit_count() == before
    assert not selectors.care_plans_visible(field.city.carol).exists()
    assert not selectors.care_plans_visible(field.pete).exists()


def test_overdue_and_due_visits_warn_the_grid_leader_once(field: Field, plan: CarePlan) -> None:
    today = timezone.localdate()
    CarePlan.objects.filter(pk=plan.pk).update(next_due_on=today - timedelta(days=2))
    first = services.care_scan()
    assert first == {"checked": 1, "warnings": 1}
    plan.refresh_from_db()
    assert plan.light == "red"
    warning = CareWarning.objects.get()
    assert warning.light == "red" and warning.notified == 1
    sms = Notification.objects.get(dedupe_key__startswith="gridwork:care:")
    assert sms.recipient_user == field.gina and "走访超期" in sms.subject and "张*国" in sms.subject
    # Running again raises nothing twice.
    assert services.care_scan()["warnings"] == 0
    assert CareWarning.objects.count() == 1 and Notification.objects.count() == 1
    # A visit puts it back to green; the next due day coming near turns it yellow.
    services.visit_record(actor=field.alice, client_key="visit-late", data=visit(plan))
    plan.refresh_from_db()
    assert plan.light == "green"
    CarePlan.objects.filter(pk=plan.pk).update(next_due_on=today + timedelta(days=1))
    assert services.care_scan()["warnings"] == 1
    assert CareWarning.objects.filter(light="yellow").count() == 1


def test_an_urgent_visit_tells_the_grid_leader_at_once(field: Field, plan: CarePlan) -> None:
    services.visit_record(actor=field.alice, client_key="visit-urgent", data=visit(plan, wellbeing="urgent"))
    sms = Notification.objects.get(dedupe_key__startswith="gridwork:urgent-visit:")
    assert sms.recipient_user == field.gina


def test_ending_a_plan(field: Field, plan: CarePlan) -> None:
    with pytest.raises(ValidationError):
        services.care_plan_end(actor=field.city.bob, plan=plan, reason="")
    with pytest.raises(PermissionDenied):
        services.care_plan_end(actor=field.alice, plan=plan, reason="已迁出")
    services.care_plan_end(actor=field.city.bob, plan=plan, reason="已迁出")
    plan.refresh_from_db()
    assert not plan.is_active and plan.ended_on == timezone.localdate()
    assert services.care_scan()["checked"] == 0


def test_a_plan_turned_red_by_a_change_is_still_warned_about(field: Field, plan: CarePlan) -> None:
    """An old visit synced late (or a shorter interval) can leave the light red without the scan."""
    services.visit_record(
        actor=field.alice,
        client_key="visit-old-1",
        data=visit(plan, visited_at=timezone.now() - timedelta(days=20)),
    )
    plan.refresh_from_db()
    assert plan.light == "red"
    assert services.care_scan()["warnings"] == 1
    assert services.care_scan()["warnings"] == 0
