from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone

from civicgrid.core.errors import NotFound, PermissionDenied, ValidationError
from civicgrid.core.models import AuditLog
from civicgrid.gridwork import services
from civicgrid.gridwork.models import Patrol, PatrolPoint
from civicgrid.gridwork.services.patrols import track_length_m
from civicgrid.gridwork.tests.conftest import Field, audit_count

pytestmark = pytest.mark.django_db


def _points(start: Any, n: int = 5) -> list[services.PointIn]:
    return [
        services.PointIn(start + timedelta(minutes=i), 120.301 + i * 0.001, 31.571, 10.0) for i in range(n)
    ]


def test_a_patrol_from_start_to_end_with_its_track(field: Field) -> None:
    alice = field.alice
    started = timezone.now() - timedelta(hours=1)
    saved = services.patrol_start(
        actor=alice, client_key="patrol-0001", started_at=started, lon=120.305, lat=31.575
    )
    assert saved.created and saved.entry.node == field.city.grid_a1_1
    assert (
        services.patrol_points_add(actor=alice, patrol_key="patrol-0001", points=_points(started)).added == 5
    )
    # The same batch again (a retry after a lost answer) adds nothing and writes no audit row.
    before = audit_count()
    assert (
        services.patrol_points_add(actor=alice, patrol_key="patrol-0001", points=_points(started)).added == 0
    )
    assert audit_count() == before
    ended = services.patrol_end(actor=alice, patrol_key="patrol-0001", places="3号楼、菜市场", people_met=12)
    patrol = ended.entry
    assert patrol.point_count == 5 and 350 < patrol.distance_m < 450  # 4 steps of ~95 m
    assert patrol.minutes >= 59 and patrol.people_met == 12
    rows = AuditLog.objects.filter(target_type="gridwork.patrol", target_id=str(patrol.pk)).order_by("id")
    verbs = list(rows.values_list("verb", flat=True))
    assert verbs == ["gridwork.patrol_started", "gridwork.patrol_points_added", "gridwork.patrol_ended"]
    # Ending again (the stop sent twice) changes nothing.
    again = services.patrol_end(actor=alice, patrol_key="patrol-0001", people_met=99)
    assert not again.created and again.entry.people_met == 12


def test_the_same_start_sent_three_times_is_one_patrol(field: Field) -> None:
    results = [services.patrol_start(actor=field.alice, client_key="same-start-1") for _ in range(3)]
    assert [r.created for r in results] == [True, False, False]
    assert Patrol.objects.count() == 1
    assert AuditLog.objects.filter(verb="gridwork.patrol_started").count() == 1


def test_a_new_patrol_ends_the_one_left_open(field: Field) -> None:
    started = timezone.now() - timedelta(hours=3)
    services.patrol_start(actor=field.alice, client_key="old-patrol", started_at=started)
    services.patrol_points_add(actor=field.alice, patrol_key="old-patrol", points=_points(started, 3))
    services.patrol_start(actor=field.alice, client_key="new-patrol")
    old = Patrol.objects.get(client_key="old-patrol")
    assert old.ended_at == started + timedelta(minutes=2)  # its last point
    assert Patrol.objects.filter(worker=field.alice, ended_at__isnull=True).get().client_key == "new-patrol"


def test_a_start_from_the_future_is_refused_in_chinese(field: Field) -> None:
    before = audit_count()
    with pytest.raises(ValidationError) as exc:
        services.patrol_start(
            actor=field.alice, client_key="future-01", started_at=timezone.now() + timedelta(hours=2)
        )
    assert "手机时间" in exc.value.message
    assert not Patrol.objects.exists() and audit_count() == before


def test_a_bad_key_is_refused(field: Field) -> None:
    with pytest.raises(ValidationError) as exc:
        services.patrol_start(actor=field.alice, client_key="x")
    assert "条目编号" in exc.value.message


def test_a_track_point_out_of_range_refuses_the_batch(field: Field) -> None:
    services.patrol_start(actor=field.alice, client_key="patrol-bad")
    bad = [services.PointIn(timezone.now(), 120.3, 31.57), services.PointIn(timezone.now(), 200.0, 31.57)]
    before = audit_count()
    with pytest.raises(ValidationError) as exc:
        services.patrol_points_add(actor=field.alice, patrol_key="patrol-bad", points=bad)
    assert "第2个轨迹点" in exc.value.message and "经度" in exc.value.message
    assert not PatrolPoint.objects.exists() and audit_count() == before


def test_a_worker_patrols_only_their_own_grid(field: Field) -> None:
    before = audit_count()
    with pytest.raises(PermissionDenied):
        services.patrol_start(actor=field.alice, client_key="other-grid", grid=field.city.grid_b1_1)
    with pytest.raises(PermissionDenied):
        services.patrol_start(actor=field.city.carol, client_key="carol-patrol")
    assert not Patrol.objects.exists() and audit_count() == before


def test_nobody_else_adds_to_or_ends_my_patrol(field: Field) -> None:
    services.patrol_start(actor=field.alice, client_key="alice-patrol")
    before = audit_count()
    with pytest.raises(NotFound):
        services.patrol_points_add(
            actor=field.ivan, patrol_key="alice-patrol", points=_points(timezone.now(), 2)
        )
    with pytest.raises(NotFound):
        services.patrol_end(actor=field.ivan, patrol_key="alice-patrol")
    with pytest.raises(PermissionDenied):
        services.patrol_end(actor=field.city.carol, patrol_key="alice-patrol")
    assert Patrol.objects.get().ended_at is None and audit_count() == before


def test_a_key_taken_by_someone_else_is_a_conflict(field: Field) -> None:
    services.patrol_start(actor=field.alice, client_key="shared-key")
    from civicgrid.core.errors import Conflict

    with pytest.raises(Conflict):
        services.patrol_start(actor=field.ivan, client_key="shared-key")


def test_track_length_skips_imprecise_points() -> None:
    track = [(120.0, 31.0, 5.0), (120.001, 31.0, 500.0), (120.002, 31.0, 5.0)]
    assert 185 < track_length_m(track) < 195
