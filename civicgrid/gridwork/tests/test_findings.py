from typing import Any

import pytest

from civicgrid.core.errors import PermissionDenied, ValidationError
from civicgrid.gridwork import selectors, services
from civicgrid.gridwork.models import Finding, Photo
from civicgrid.gridwork.services import findings as findings_module
from civicgrid.gridwork.tests.conftest import Field, audit_count, png
from civicgrid.requests.constants import Channel, Status
from civicgrid.requests.models import Attachment, Request
from civicgrid.territory.tests.threads import postgres_only, run_at_once, slow_audit

pytestmark = pytest.mark.django_db


def seen(**kw: Any) -> services.FindingIn:
    data: dict[str, Any] = {
        "category": "fire",
        "description": "5号楼楼道堆放纸箱，堵塞消防通道",
        "lon": 120.305,
        "lat": 31.575,
        "address": "胜利门1号楼",
    }
    data.update(kw)
    return services.FindingIn(**data)


def test_a_finding_is_placed_in_the_grid_at_its_point(field: Field) -> None:
    saved = services.finding_record(actor=field.alice, client_key="finding-001", data=seen())
    f = saved.entry
    assert saved.created and f.node == field.city.grid_a1_1 and f.outcome == "recorded"
    assert f.request is None and f.day == f.observed_at.astimezone().date()


def test_fixed_on_the_spot_needs_a_photo_and_a_note(field: Field) -> None:
    before = audit_count()
    with pytest.raises(ValidationError) as exc:
        services.finding_record(actor=field.alice, client_key="fixed-0001", data=seen(outcome="fixed"))
    assert "照片" in str(exc.value.errors["photos"]) and "现场处理情况" in str(
        exc.value.errors["handled_note"]
    )
    assert not Finding.objects.exists() and audit_count() == before
    saved = services.finding_record(
        actor=field.alice,
        client_key="fixed-0001",
        data=seen(outcome="fixed", handled_note="已联系住户清理", photos=[png()]),
    )
    assert saved.entry.outcome == "fixed" and Photo.objects.filter(finding=saved.entry).count() == 1


def test_a_photo_that_is_not_an_image_is_refused(field: Field) -> None:
    from django.core.files.uploadedfile import SimpleUploadedFile

    fake = SimpleUploadedFile("a.png", b"MZ\x90\x00not a png", content_type="image/png")
    with pytest.raises(ValidationError) as exc:
        services.finding_record(actor=field.alice, client_key="fake-photo", data=seen(photos=[fake]))
    assert "JPG、PNG" in exc.value.errors["photos"][0]


def test_a_report_goes_through_intake_as_a_grid_worker_request(field: Field) -> None:
    saved = services.finding_record(
        actor=field.alice,
        client_key="report-0001",
        data=seen(outcome="reported", request_type="complaint", photos=[png()]),
    )
    request = saved.entry.request
    assert request is not None
    assert request.channel == Channel.GRID_WORKER and request.status == Status.RECEIVED
    assert request.node == field.city.grid_a1_1 and "消防通道" in request.content
    assert Attachment.objects.filter(request=request).count() == 1
    assert Photo.objects.filter(finding=saved.entry).count() == 1


def test_the_same_report_sent_three_times_is_one_finding_and_one_request(field: Field) -> None:
    for _ in range(3):
        services.finding_record(
            actor=field.alice, client_key="report-same", data=seen(outcome="reported", photos=[png()])
        )
    assert Finding.objects.count() == 1 and Request.objects.count() == 1 and Photo.objects.count() == 1


@postgres_only
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_the_same_report_sent_three_times_at_once_is_stored_once(field: Field, monkeypatch: Any) -> None:
    """Three retries of one offline entry arrive together: one finding, one request, one audit row."""
    slow_audit(monkeypatch, findings_module)
    before = audit_count()

    def send() -> Any:
        return services.finding_record(
            actor=field.alice, client_key="report-at-once", data=seen(outcome="reported", photos=[png()])
        )

    results = run_at_once(send, send, send)
    assert all(isinstance(r, services.Saved) for r in results), results
    assert sorted(r.created for r in results) == [False, False, True]
    assert len({r.entry.pk for r in results}) == 1
    assert Finding.objects.count() == 1 and Request.objects.count() == 1 and Photo.objects.count() == 1
    # One finding row and its request's "received" row.
    assert audit_count() - before == 2


def test_a_worker_records_only_in_their_own_grids(field: Field) -> None:
    before = audit_count()
    with pytest.raises(PermissionDenied):
        services.finding_record(
            actor=field.pete, client_key="pete-in-a11", data=seen(grid=field.city.grid_a1_1)
        )
    with pytest.raises(PermissionDenied):
        services.finding_record(actor=field.city.carol, client_key="carol-find", data=seen())
    assert not Finding.objects.exists() and audit_count() == before


def test_who_sees_a_finding(field: Field) -> None:
    f = services.finding_record(actor=field.alice, client_key="finding-vis", data=seen()).entry
    city = field.city
    for viewer in (field.alice, field.gina, city.bob, city.dave):
        assert selectors.findings_visible(viewer).filter(pk=f.pk).exists(), viewer
    for outsider in (field.ivan, field.pete, city.carol, city.olivia):
        assert not selectors.findings_visible(outsider).filter(pk=f.pk).exists(), outsider


def test_a_request_to_verify_appears_in_the_workers_tasks(field: Field, hotline: Any) -> None:
    from civicgrid.requests import services as rs

    request = rs.request_create(actor=hotline.city.olivia, data=hotline.new())
    rs.request_sign(actor=hotline.hank, request=request)
    rs.request_reply(actor=hotline.hank, request=request, reply="已联系物业修复电梯")
    assert list(selectors.requests_to_verify(field.alice)) == [request]
    assert not selectors.requests_to_verify(field.pete).exists()
    assert not selectors.requests_to_verify(field.city.carol).exists()
