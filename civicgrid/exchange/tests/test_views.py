"""The import pages: list, upload, progress polling, errors; who may see what."""

from datetime import timedelta
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.utils import timezone

from civicgrid.exchange import services
from civicgrid.exchange.models import ImportJob, ImportKind, ImportStatus
from civicgrid.exchange.tests.conftest import RunImport
from civicgrid.exchange.tests.files import RESIDENT_HEADER, csv_bytes
from civicgrid.registry.models import Resident

pytestmark = pytest.mark.django_db


def resident_csv(node_code: str, name: str = "张伟") -> bytes:
    return csv_bytes([RESIDENT_HEADER, [node_code, name, "", "", "", "", "", "", "", ""]])


def test_upload_runs_the_job_and_the_page_shows_the_outcome(
    client: Client, city: Any, django_capture_on_commit_callbacks: Any
) -> None:
    client.force_login(city.bob)
    upload = SimpleUploadedFile("居民.csv", resident_csv(city.grid_a1_1.code))

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/exchange/imports/upload/", {"kind": "residents", "file": upload})

    job = ImportJob.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/exchange/imports/{job.pk}/"
    page = client.get(f"/exchange/imports/{job.pk}/").content.decode()
    assert "已完成" in page and "居民" in page and 'hx-trigger="every 1s"' not in page
    assert Resident.objects.filter(name="张伟").exists()


def test_a_running_job_polls_its_progress(client: Client, city: Any) -> None:
    client.force_login(city.bob)
    job = services.import_job_create(
        actor=city.bob, kind="residents", upload=SimpleUploadedFile("r.csv", resident_csv("X"))
    )  # the task has not run: on_commit callbacks are not executed here
    ImportJob.objects.filter(pk=job.pk).update(
        status=ImportStatus.VALIDATING, total_rows=10, processed_rows=4
    )

    page = client.get(f"/exchange/imports/{job.pk}/").content.decode()
    partial = client.get(f"/exchange/imports/{job.pk}/progress/").content.decode()

    for html in (page, partial):
        assert 'hx-trigger="every 1s"' in html and f"/exchange/imports/{job.pk}/progress/" in html
        assert "已校验 4 / 10 行" in html


def test_a_job_queued_long_says_the_worker_may_not_be_running(client: Client, city: Any) -> None:
    client.force_login(city.bob)
    job = services.import_job_create(
        actor=city.bob, kind="residents", upload=SimpleUploadedFile("r.csv", resident_csv("X"))
    )
    assert "db_worker" not in client.get(f"/exchange/imports/{job.pk}/progress/").content.decode()
    ImportJob.objects.filter(pk=job.pk).update(created_at=timezone.now() - timedelta(minutes=2))
    partial = client.get(f"/exchange/imports/{job.pk}/progress/").content.decode()
    assert "后台任务进程可能没有运行" in partial and "db_worker" in partial


def test_a_failed_job_shows_its_error_table(client: Client, city: Any, run_import: RunImport) -> None:
    job = run_import(city.bob, ImportKind.RESIDENTS, "r.csv", resident_csv("NOPE"))
    client.force_login(city.bob)

    html = client.get(f"/exchange/imports/{job.pk}/progress/").content.decode()

    assert "第 2 行" in html and "区域编码 NOPE 不存在" in html and "未导入" in html


def test_the_list_shows_templates_and_jobs_in_few_queries(
    client: Client, city: Any, run_import: RunImport, django_assert_max_num_queries: Any
) -> None:
    for i in range(5):
        run_import(city.bob, ImportKind.RESIDENTS, f"r{i}.csv", resident_csv(city.grid_a1_1.code, f"居民{i}"))
    client.force_login(city.bob)

    with django_assert_max_num_queries(8):
        response = client.get("/exchange/imports/")

    html = response.content.decode()
    assert response.status_code == 200
    assert html.count("r0.csv") == 1 and "r4.csv" in html
    assert "/exchange/templates/residents.xlsx" in html and "/exchange/templates/nodes.csv" in html


def test_carol_does_not_see_bobs_job(client: Client, city: Any, run_import: RunImport) -> None:
    job = run_import(city.bob, ImportKind.RESIDENTS, "r.csv", resident_csv(city.grid_a1_1.code))
    client.force_login(city.carol)

    assert client.get(f"/exchange/imports/{job.pk}/").status_code == 404
    assert "r.csv" not in client.get("/exchange/imports/").content.decode()


def test_the_system_administrator_sees_every_job(client: Client, city: Any, run_import: RunImport) -> None:
    job = run_import(city.bob, ImportKind.RESIDENTS, "r.csv", resident_csv(city.grid_a1_1.code))
    client.force_login(city.sysadmin)
    assert client.get(f"/exchange/imports/{job.pk}/").status_code == 200


def test_alice_without_import_capability_gets_no_page(client: Client, city: Any) -> None:
    client.force_login(city.alice)
    assert client.get("/exchange/imports/").status_code == 403
    upload = SimpleUploadedFile("r.csv", resident_csv(city.grid_a1_1.code))
    assert client.post("/exchange/imports/upload/", {"kind": "residents", "file": upload}).status_code == 403
    assert not ImportJob.objects.exists()


@pytest.mark.parametrize(
    ("kind", "name", "message"),
    [
        (
            "residents",
            "居民.xls",
            "文件类型不支持：实有人口只能导入Excel（.xlsx）、CSV（.csv）或 Unicode 文本（.txt）文件",
        ),
        ("residents", "居民.docx", "文件类型不支持"),
        ("geometry", "grids.xlsx", "网格范围（GeoJSON）只能导入GeoJSON（.geojson）文件"),
        ("", "居民.csv", "请选择要导入的数据类型"),
    ],
)
def test_wrong_files_are_refused_with_a_chinese_message(
    client: Client, city: Any, kind: str, name: str, message: str
) -> None:
    client.force_login(city.bob)
    upload = SimpleUploadedFile(name, b"data")

    response = client.post("/exchange/imports/upload/", {"kind": kind, "file": upload})

    assert response.status_code == 422
    assert message in response.content.decode()
    assert not ImportJob.objects.exists()


def test_a_file_that_is_too_large_is_refused(
    client: Client, city: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(services, "MAX_UPLOAD_BYTES", 100)
    client.force_login(city.bob)
    upload = SimpleUploadedFile("居民.csv", b"x" * 101)

    response = client.post("/exchange/imports/upload/", {"kind": "residents", "file": upload})

    assert "文件太大" in response.content.decode()
    assert not ImportJob.objects.exists()


def test_a_broken_xlsx_fails_with_a_message(city: Any, run_import: RunImport) -> None:
    job = run_import(city.bob, ImportKind.RESIDENTS, "坏文件.xlsx", b"not a zip file")
    assert job.status == ImportStatus.FAILED
    assert job.message == (
        "Excel 文件无法打开，请确认是 .xlsx 格式（不支持旧的 .xls）；请用 Excel 或 WPS 另存为 .xlsx 后再导入"
    )
    assert not job.file


def test_a_job_runs_only_once(city: Any, run_import: RunImport) -> None:
    job = run_import(city.bob, ImportKind.RESIDENTS, "r.csv", resident_csv(city.grid_a1_1.code))
    again = services.import_job_run(job_id=job.pk)
    assert again.status == ImportStatus.DONE and Resident.objects.count() == 1
