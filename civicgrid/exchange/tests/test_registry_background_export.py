"""The registry's long lists go to the task worker too (下载中心): 实有人口, 实有房屋 and 实有单位
past ``BACKGROUND_FROM`` rows become a job, written with the page's filters as the actor may
export them; a search by ID number or phone is never kept in a job. A failed or expired job
can be asked again; a cancel is audited."""

from collections.abc import Callable
from typing import Any

import pytest
from django.contrib.messages import get_messages
from django.test import Client

from civicgrid.core.models import AuditLog
from civicgrid.exchange import background
from civicgrid.exchange.models import ExportJob, ExportStatus
from civicgrid.exchange.tests.files import id_number, read_xlsx
from civicgrid.registry import services as registry

pytestmark = pytest.mark.django_db

EXPORTS = "/exchange/exports/"


@pytest.fixture(autouse=True)
def _background_from_one(monkeypatch: pytest.MonkeyPatch) -> None:
    """Lists longer than one row go to the background (10,000 in production)."""
    monkeypatch.setattr("civicgrid.exchange.views_export.BACKGROUND_FROM", 1)


@pytest.fixture
def people(city: Any) -> None:
    """Three residents in bob's community A1 (two party members), one in carol's B1."""
    for seq, (name, tags) in enumerate(
        [("张伟", ["party_member"]), ("李娜", ["party_member"]), ("王芳", [])]
    ):
        registry.resident_create(
            actor=city.bob,
            node=city.grid_a1_1,
            name=name,
            id_number=id_number(seq + 1),
            phone=f"1381234567{seq}",
            tags=tags,
        )
    registry.resident_create(actor=city.carol, node=city.grid_b1_1, name="外社区居民", id_number=id_number(9))


def logged_in(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def written(job: ExportJob) -> list[tuple[Any, ...]]:
    job.refresh_from_db()
    assert job.status == ExportStatus.DONE, job.message
    with job.file.open("rb") as handle:
        return read_xlsx(handle.read())


def test_a_long_resident_list_is_written_by_the_worker_with_its_filters(
    city: Any, people: None, django_capture_on_commit_callbacks: Callable[..., Any]
) -> None:
    client = logged_in(city.bob)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.get("/registry/residents/", {"tag": "party_member", "export": "xlsx"})

    assert response.status_code == 302 and response["Location"] == EXPORTS
    job = ExportJob.objects.get()
    assert (job.source, job.list_name, job.expected_rows) == ("registry.residents", "实有人口", 2)
    assert job.params == {"tag": "party_member"} and job.description == "标签：党员"
    rows = written(job)
    assert rows[0][:3] == ("区域编码", "所属区域", "姓名")
    assert sorted(r[2] for r in rows[1:]) == ["张伟", "李娜"]  # the tag filter kept; B1 out
    flat = "".join(str(v) for r in rows for v in r)
    assert id_number(1) not in flat and "13812345670" not in flat  # masked only
    audit = AuditLog.objects.get(verb="exchange.exported")
    assert audit.after is not None and audit.after["job"] == job.pk and audit.after["rows"] == 2


def test_a_short_list_is_still_written_at_once(city: Any, people: None) -> None:
    response = logged_in(city.carol).get("/registry/residents/", {"export": "xlsx"})
    assert response.status_code == 200 and response["Content-Type"].startswith(
        "application/vnd.openxmlformats"
    )
    assert not ExportJob.objects.exists()


def test_a_search_by_phone_is_never_kept_in_a_job(
    city: Any, people: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("civicgrid.exchange.views_export.BACKGROUND_FROM", 0)
    response = logged_in(city.bob).get("/registry/residents/", {"q": "138 1234 5670", "export": "xlsx"})
    assert response.status_code == 200 and len(read_xlsx(response.content)) == 2
    assert not ExportJob.objects.exists()


def test_dwellings_and_organisations_go_to_the_worker_too(
    city: Any, django_capture_on_commit_callbacks: Callable[..., Any]
) -> None:
    for room in ("101", "102"):
        registry.dwelling_create(actor=city.bob, node=city.building_a1, room=room, use="rented")
    registry.dwelling_create(actor=city.bob, node=city.building_a1, room="103", use="owner_occupied")
    for name in ("示例公司", "示例商店"):
        registry.organisation_create(actor=city.bob, node=city.grid_a1_1, name=name, kind="enterprise")
    client = logged_in(city.bob)
    with django_capture_on_commit_callbacks(execute=True):
        assert client.get("/registry/dwellings/", {"use": "rented", "export": "xlsx"}).status_code == 302
        assert client.get("/registry/organisations/", {"q": "示例", "export": "xlsx"}).status_code == 302

    dwellings, organisations = ExportJob.objects.order_by("id")
    assert dwellings.description == "使用情况：出租" and organisations.description == "关键词：示例"
    assert sorted(r[3] for r in written(dwellings)[1:]) == ["101", "102"]
    assert sorted(r[2] for r in written(organisations)[1:]) == ["示例公司", "示例商店"]


def test_a_scope_taken_away_before_the_run_fails_the_job(city: Any, people: None) -> None:
    client = logged_in(city.bob)
    client.get("/registry/residents/", {"under": city.grid_a1_1.pk, "export": "xlsx"})
    job = ExportJob.objects.get()
    assert job.params == {"under": city.grid_a1_1.pk}
    job.actor = city.carol  # as if bob's scope over A1 had gone: carol cannot see the grid
    job.save(update_fields=["actor"])
    background.export_job_run(job_id=job.pk)
    job.refresh_from_db()
    assert job.status == ExportStatus.FAILED and not job.file


def test_a_failed_or_expired_job_is_asked_again_and_a_cancel_is_audited(
    city: Any, people: None, django_capture_on_commit_callbacks: Callable[..., Any]
) -> None:
    client = logged_in(city.bob)
    client.get("/registry/residents/", {"export": "xlsx"})
    first = ExportJob.objects.get()

    # Running jobs cannot be asked again; cancelling one is audited.
    refused = client.post(f"{EXPORTS}{first.pk}/again/")
    assert "只有失败或已过期的导出可以重新导出" in " ".join(
        str(m) for m in get_messages(refused.wsgi_request)
    )
    assert client.post(f"{EXPORTS}{first.pk}/cancel/").status_code == 302
    cancelled = AuditLog.objects.get(verb="exchange.export_cancelled")
    assert cancelled.actor == city.bob and cancelled.target_id == str(first.pk)
    first.refresh_from_db()
    assert first.status == ExportStatus.FAILED and first.message == "已取消"
    assert "重新导出" in client.get(EXPORTS).content.decode()

    with django_capture_on_commit_callbacks(execute=True):
        assert client.post(f"{EXPORTS}{first.pk}/again/").status_code == 302
    again = ExportJob.objects.exclude(pk=first.pk).get()
    assert (again.source, again.params, again.expected_rows) == (first.source, first.params, 3)
    assert len(written(again)) == 4

    # Somebody else's job is not found, and asks nothing.
    other = logged_in(city.carol).post(f"{EXPORTS}{first.pk}/again/")
    assert other.status_code == 302 and ExportJob.objects.count() == 2
