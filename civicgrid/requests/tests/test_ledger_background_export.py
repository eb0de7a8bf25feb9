"""The ledger's long exports go to the task worker (下载中心, ``exchange.background``): one
job per ask, the file written once as the actor may see it, only its owner downloads it,
both the writing and every download audited, the file deleted when it expires."""

import io
from collections.abc import Callable
from datetime import timedelta
from typing import Any, cast

import pytest
from django.contrib.messages import get_messages
from django.test import Client
from django.utils import timezone
from openpyxl import load_workbook

from civicgrid.core.models import AuditLog
from civicgrid.exchange import background
from civicgrid.exchange.models import ExportJob, ExportStatus
from civicgrid.requests import services
from civicgrid.requests.models import Request

pytestmark = pytest.mark.django_db

LEDGER = "/requests/ledger/"
EXPORTS = "/exchange/exports/"


@pytest.fixture
def requests_filed(hotline: Any) -> list[Request]:
    """Three requests, one of them from the phone 13900001111."""
    olivia = hotline.city.olivia
    return [
        services.request_create(actor=olivia, data=hotline.new(title="电梯停运三天")),
        services.request_create(
            actor=olivia, data=hotline.new(title="楼道灯不亮", requester_phone="13900001111")
        ),
        services.request_create(actor=olivia, data=hotline.new(title="井盖缺失")),
    ]


@pytest.fixture(autouse=True)
def _background_from_two(monkeypatch: pytest.MonkeyPatch) -> None:
    """Lists longer than two rows go to the background (10,000 in production)."""
    monkeypatch.setattr("civicgrid.exchange.views_export.BACKGROUND_FROM", 2)


def logged_in(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def sheet_rows(body: bytes) -> list[tuple[Any, ...]]:
    return list(load_workbook(io.BytesIO(body)).active.iter_rows(values_only=True))


def test_a_long_export_is_written_in_the_background_and_downloaded_by_its_owner(
    hotline: Any, requests_filed: list[Request], django_capture_on_commit_callbacks: Callable[..., Any]
) -> None:
    client = logged_in(hotline.city.dave)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.get(LEDGER, {"export": "xlsx"})
    assert response.status_code == 302 and response["Location"] == EXPORTS
    job = ExportJob.objects.get()
    assert (job.status, job.rows, job.expected_rows, job.actor) == ("done", 3, 3, hotline.city.dave)
    written = AuditLog.objects.get(verb="exchange.exported").after or {}
    assert written["rows"] == 3 and written["job"] == job.pk

    page = client.get(EXPORTS)
    assert page.status_code == 200 and f"/exchange/exports/{job.pk}/download/" in page.content.decode()
    download = client.get(f"/exchange/exports/{job.pk}/download/")
    assert download.status_code == 200 and "attachment" in download["Content-Disposition"]
    rows = sheet_rows(b"".join(cast(Any, download).streaming_content))
    assert rows[0][0] == "诉求编号" and {r[0] for r in rows[1:]} == {r.number for r in requests_filed}
    downloaded = AuditLog.objects.get(verb="exchange.export_downloaded")
    assert downloaded.actor == hotline.city.dave and (downloaded.after or {})["job"] == job.pk
    job.refresh_from_db()
    assert job.downloads == 1

    # Nobody else sees or downloads it, however privileged.
    other = logged_in(hotline.hank)
    assert other.get(f"/exchange/exports/{job.pk}/download/").status_code == 404
    assert f"/exchange/exports/{job.pk}/download/" not in other.get(EXPORTS).content.decode()
    assert AuditLog.objects.filter(verb="exchange.export_downloaded").count() == 1


def test_asking_twice_while_it_is_written_gives_the_same_job(
    hotline: Any, requests_filed: list[Request]
) -> None:
    client = logged_in(hotline.city.dave)
    first = client.get(LEDGER, {"export": "xlsx"})  # on_commit not run: the job stays queued
    second = client.get(LEDGER, {"export": "xlsx"}, follow=True)
    assert first.status_code == 302 and ExportJob.objects.count() == 1
    assert "同样的导出已在生成中" in " ".join(str(m) for m in get_messages(second.wsgi_request))
    assert second.status_code == 200 and "排队中" in second.content.decode()


def test_the_phone_filter_is_kept_encrypted_and_shown_masked(
    hotline: Any, requests_filed: list[Request], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("civicgrid.exchange.views_export.BACKGROUND_FROM", 0)
    client = logged_in(hotline.city.dave)
    assert client.get(LEDGER, {"phone": "139 0000 1111", "export": "xlsx"}).status_code == 302
    assert client.get(LEDGER, {"phone": "13900001111", "export": "xlsx"}).status_code == 302
    job = ExportJob.objects.get()  # the same phone asked twice: one job (ciphertexts differ)
    assert "13900001111" not in str(job.params) and "phone_enc" in job.params
    assert job.description == "诉求人电话：139****1111" and job.filters["phone"] == "139****1111"
    background.export_job_run(job_id=job.pk)
    job.refresh_from_db()
    assert job.rows == 1
    with job.file.open("rb") as handle:
        rows = sheet_rows(handle.read())
    assert [r[0] for r in rows[1:]] == [requests_filed[1].number]


def test_a_second_run_of_the_task_writes_nothing(hotline: Any, requests_filed: list[Request]) -> None:
    logged_in(hotline.city.dave).get(LEDGER, {"export": "xlsx"})
    job = ExportJob.objects.get()
    background.export_job_run(job_id=job.pk)
    background.export_job_run(job_id=job.pk)
    assert AuditLog.objects.filter(verb="exchange.exported").count() == 1


def test_a_user_stopped_before_the_run_gets_no_file(hotline: Any, requests_filed: list[Request]) -> None:
    dave = hotline.city.dave
    logged_in(dave).get(LEDGER, {"export": "xlsx"})
    dave.is_active = False
    dave.save(update_fields=["is_active"])
    job = background.export_job_run(job_id=ExportJob.objects.get().pk)
    assert job is not None and job.status == ExportStatus.FAILED and "停用" in job.message
    assert not job.file and not AuditLog.objects.filter(verb="exchange.exported").exists()


def test_limits_are_said_and_change_nothing(
    hotline: Any, requests_filed: list[Request], monkeypatch: pytest.MonkeyPatch
) -> None:
    client = logged_in(hotline.city.dave)
    monkeypatch.setattr(background, "BACKGROUND_EXPORT_MAX", 2)
    refused = client.get(LEDGER, {"export": "xlsx"})
    assert refused.status_code == 422 and "超过导出上限 2 条" in refused.content.decode()
    assert len(refused.context["rows"]) == 3 and not ExportJob.objects.exists()

    monkeypatch.setattr(background, "BACKGROUND_EXPORT_MAX", 1_000_000)
    monkeypatch.setattr(background, "EXPORTS_RUNNING_MAX", 1)
    assert client.get(LEDGER, {"export": "xlsx"}).status_code == 302
    busy = client.get(LEDGER, {"export": "xlsx", "q": "井盖"})
    assert busy.status_code == 200  # one row: written at once, no job needed
    busy = client.get(LEDGER, {"export": "xlsx", "type": "complaint"})
    assert busy.status_code == 422 and "1 个导出任务正在排队或生成" in busy.content.decode()
    assert ExportJob.objects.count() == 1


def test_an_expired_file_is_deleted_and_says_so(hotline: Any, requests_filed: list[Request]) -> None:
    client = logged_in(hotline.city.dave)
    client.get(LEDGER, {"export": "xlsx"})
    job = ExportJob.objects.get()
    background.export_job_run(job_id=job.pk)
    job.refresh_from_db()
    storage, name = job.file.storage, job.file.name
    assert storage.exists(name)
    ExportJob.objects.filter(pk=job.pk).update(finished_at=timezone.now() - timedelta(days=8))
    page = client.get(EXPORTS)
    assert (
        "文件已过期删除" in page.content.decode()
        and f"/exchange/exports/{job.pk}/again/" in page.content.decode()
    )
    job.refresh_from_db()
    assert job.status == ExportStatus.EXPIRED and not storage.exists(name)
    gone = client.get(f"/exchange/exports/{job.pk}/download/")
    assert gone.status_code == 404 and "超过保存期限" in gone.content.decode()


def test_the_owner_cancels_and_a_stalled_job_times_out(hotline: Any, requests_filed: list[Request]) -> None:
    client = logged_in(hotline.city.dave)
    client.get(LEDGER, {"export": "xlsx"})
    job = ExportJob.objects.get()
    assert logged_in(hotline.hank).post(f"/exchange/exports/{job.pk}/cancel/").status_code == 404
    assert client.post(f"/exchange/exports/{job.pk}/cancel/").status_code == 302
    job.refresh_from_db()
    assert job.status == ExportStatus.FAILED and job.message == "已取消"
    assert background.export_job_run(job_id=job.pk) is not None  # the worker comes later: nothing
    assert not AuditLog.objects.filter(verb="exchange.exported").exists()

    client.get(LEDGER, {"export": "xlsx", "type": "complaint"})  # a place is free again
    stalled = ExportJob.objects.get(status=ExportStatus.PENDING)
    ExportJob.objects.filter(pk=stalled.pk).update(
        status=ExportStatus.RUNNING, started_at=timezone.now() - timedelta(hours=2)
    )
    assert "生成超时" in client.get(EXPORTS).content.decode()
    stalled.refresh_from_db()
    assert stalled.status == ExportStatus.FAILED


def test_a_job_cancelled_while_written_keeps_no_file(
    hotline: Any, requests_filed: list[Request], monkeypatch: pytest.MonkeyPatch
) -> None:
    client = logged_in(hotline.city.dave)
    client.get(LEDGER, {"export": "xlsx"})
    job = ExportJob.objects.get()
    written = background.exports.workbook_file

    def cancelled_meanwhile(*args: Any, **kwargs: Any) -> Any:
        found = written(*args, **kwargs)
        background.export_job_cancel(actor=hotline.city.dave, pk=job.pk)
        return found

    monkeypatch.setattr(background.exports, "workbook_file", cancelled_meanwhile)
    background.export_job_run(job_id=job.pk)
    job.refresh_from_db()
    assert job.status == ExportStatus.FAILED and not job.file
    assert not AuditLog.objects.filter(verb="exchange.exported").exists()
