"""An .xls (Excel 97–2003) is refused saying what to do: save it as .xlsx in Excel or WPS."""

from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from civicgrid.exchange.models import ImportJob, ImportKind, ImportStatus
from civicgrid.exchange.tests.conftest import RunImport
from civicgrid.exchange.workbook import OLE2_SIGNATURE

pytestmark = pytest.mark.django_db

SAVE_AS = "请用 Excel 或 WPS 另存为 .xlsx 后再导入"


@pytest.mark.parametrize("name", ["居民.xls", "居民.XLS", "居民.et"])
def test_an_xls_upload_is_told_to_save_as_xlsx(client: Client, city: Any, name: str) -> None:
    client.force_login(city.bob)
    upload = SimpleUploadedFile(name, OLE2_SIGNATURE + b"\x00" * 512)

    response = client.post("/exchange/imports/upload/", {"kind": "residents", "file": upload})

    assert response.status_code == 422
    text = response.content.decode()
    refused = "文件类型不支持：实有人口只能导入Excel（.xlsx）、CSV（.csv）或 Unicode 文本（.txt）文件"
    assert f"{refused}；{SAVE_AS}" in text
    assert not ImportJob.objects.exists()


def test_an_xls_renamed_to_xlsx_is_named_as_one(city: Any, run_import: RunImport) -> None:
    job = run_import(city.bob, ImportKind.RESIDENTS, "居民.xlsx", OLE2_SIGNATURE + b"\x00" * 512)
    assert job.status == ImportStatus.FAILED
    assert job.message == "这是旧的 .xls 格式（或设了打开密码的 Excel 文件），无法导入；" + SAVE_AS


def test_the_file_picker_offers_unicode_text(client: Client, city: Any) -> None:
    client.force_login(city.bob)
    page = client.get("/exchange/imports/").content.decode()
    assert 'accept=".xlsx,.csv,.txt,.geojson,.json"' in page
