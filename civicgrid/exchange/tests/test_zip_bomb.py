"""A zip bomb (.xlsx small on disk, huge unpacked) is refused before openpyxl reads it."""

import io
import time
import zipfile
from typing import Any

import pytest

from civicgrid.core.errors import ValidationError
from civicgrid.exchange import workbook
from civicgrid.exchange.models import ImportKind, ImportStatus
from civicgrid.exchange.tests.conftest import RunImport
from civicgrid.exchange.tests.files import RESIDENT_HEADER, id_number, xlsx_bytes
from civicgrid.exchange.workbook import SheetChoice, open_workbook, sheet_rows
from civicgrid.registry.models import Resident
from civicgrid.requests import catalogue
from civicgrid.requests.models import CatalogueVersion

pytestmark = pytest.mark.django_db

PADDING_MB = 64  # > 10 MB and ~1000:1: refused by the ratio; packs to about 64 KB


def padded(data: bytes, megabytes: int = PADDING_MB, member: str = "xl/worksheets/sheet1.xml") -> bytes:
    """A copy of a valid .xlsx whose sheet XML is padded with ``megabytes`` MB of spaces
    before its closing tag (still valid XML, as the outside tester's file was)."""
    source = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            body = source.read(info.filename)
            if info.filename != member:
                target.writestr(info, body, zipfile.ZIP_DEFLATED)
                continue
            head, tail = body.rsplit(b"</", 1)
            with target.open(info.filename, "w", force_zip64=True) as sink:
                sink.write(head)
                chunk = b" " * (1 << 20)
                for _ in range(megabytes):
                    sink.write(chunk)
                sink.write(b"</" + tail)
    return out.getvalue()


def _refused(exc: ValidationError) -> None:
    (reason,) = exc.errors["file"]
    assert reason.startswith("文件解压后过大（超过200MB）"), reason


def test_a_padded_sheet_is_refused_quickly_before_reading() -> None:
    bomb = padded(xlsx_bytes([["姓名"], ["张三"]]))
    assert len(bomb) < 1024 * 1024  # small on disk
    started = time.perf_counter()
    with pytest.raises(ValidationError) as info:
        open_workbook(bomb)
    assert time.perf_counter() - started < 2
    _refused(info.value)
    with pytest.raises(ValidationError) as info:
        list(sheet_rows(bomb, SheetChoice()))
    _refused(info.value)


def test_too_much_unpacked_in_all_is_refused_even_at_a_plain_ratio(monkeypatch: Any) -> None:
    data = xlsx_bytes([["姓名"], ["张三"]])
    unpacked = sum(i.file_size for i in zipfile.ZipFile(io.BytesIO(data)).infolist())
    monkeypatch.setattr(workbook, "MAX_UNPACKED_BYTES", unpacked - 1)
    with pytest.raises(ValidationError) as info:
        open_workbook(data)
    assert info.value.errors["file"][0].startswith("文件解压后过大")
    monkeypatch.setattr(workbook, "MAX_UNPACKED_BYTES", unpacked)
    open_workbook(data).close()  # exactly at the limit: read


def test_a_normal_file_with_a_small_very_compressible_sheet_still_reads() -> None:
    data = padded(xlsx_bytes([["姓名"], ["张三"]]), megabytes=5)  # 5 MB at ~1000:1, under 10 MB
    assert [row[:1] for row in sheet_rows(data, SheetChoice())] == [["姓名"], ["张三"]]


def test_the_residents_import_refuses_a_bomb_and_imports_nothing(city: Any, run_import: RunImport) -> None:
    rows = [RESIDENT_HEADER, [city.grid_a1_1.code, "张伟", id_number(1), "", "", "", "", "", "", ""]]
    job = run_import(city.bob, ImportKind.RESIDENTS, "居民.xlsx", padded(xlsx_bytes(rows)))

    assert job.status == ImportStatus.FAILED, (job.status, job.message, job.errors)
    assert "文件解压后过大" in job.message + str(job.errors)
    assert not Resident.objects.filter(name="张伟").exists()


def test_the_catalogue_import_refuses_a_bomb_and_publishes_nothing(city: Any) -> None:
    current = CatalogueVersion.objects.order_by("-number").first()
    data = catalogue.catalogue_xlsx(current)
    started = time.perf_counter()
    with pytest.raises(ValidationError) as info:
        catalogue.catalogue_import(actor=city.sysadmin, data=padded(data))
    assert time.perf_counter() - started < 3
    _refused(info.value)
    assert CatalogueVersion.objects.order_by("-number").first() == current
