"""Catalogue import: an export of an older version is refused (409) unless forced, and a
header the catalogue does not know, or a known column missing, is refused up front."""

import hashlib
from io import BytesIO
from typing import Any

import pytest
from django.urls import reverse
from openpyxl import Workbook, load_workbook

from civicgrid.core.errors import Conflict, ValidationError
from civicgrid.requests import catalogue
from civicgrid.requests.models import CatalogueVersion, Category, HandlingUnit
from civicgrid.requests.tests.test_catalogue import BASE, fresh_locator, publish  # noqa: F401

pytestmark = pytest.mark.django_db


def _book(data: bytes) -> Any:
    return load_workbook(BytesIO(data))


def _save(book: Any) -> bytes:
    out = BytesIO()
    book.save(out)
    return out.getvalue()


def _edited(data: bytes, cell: str, value: Any) -> bytes:
    book = _book(data)
    book["派单目录"][cell] = value
    return _save(book)


def _keywords(version: CatalogueVersion, name: str) -> str:
    return Category.objects.get(version=version, level=3, name=name).keywords


def _header_at(data: bytes, name: str) -> int:
    header = [c.value for c in _book(data)["派单目录"][1]]
    return header.index(name) + 1


def test_an_export_of_an_older_version_is_refused_unless_forced(city: Any) -> None:
    v1 = publish(city.sysadmin, BASE)
    first = catalogue.catalogue_xlsx(v1)  # both administrators export version 1
    second = catalogue.catalogue_xlsx(v1)
    column = _header_at(first, "关键词")
    v2 = catalogue.catalogue_import(actor=city.sysadmin, data=_edited(first, f"{chr(64 + column)}2", "困人"))
    assert v2.number == 2 and _keywords(v2, "电梯故障") == "困人"

    stale = _edited(second, f"{chr(64 + column)}3", "物业 服务")
    with pytest.raises(Conflict) as info:
        catalogue.catalogue_import(actor=city.sysadmin, data=stale)
    assert info.value.http_status == 409
    assert "该文件导出自派单目录第1版，当前已是第2版" in info.value.message
    assert "重新导出" in info.value.message
    assert CatalogueVersion.objects.get(is_current=True) == v2 and CatalogueVersion.objects.count() == 2

    v3 = catalogue.catalogue_import(actor=city.sysadmin, data=stale, force=True)
    assert v3.number == 3 and _keywords(v3, "物业服务质量") == "物业 服务"
    assert _keywords(v3, "电梯故障") == "电梯困人 停运"  # forced: the other edit is undone, as asked

    # The current version's own export, edited, still imports; a file without the version too.
    v4 = catalogue.catalogue_import(
        actor=city.sysadmin, data=_edited(catalogue.catalogue_xlsx(v3), f"{chr(64 + column)}2", "关人")
    )
    assert v4.number == 4 and _keywords(v4, "电梯故障") == "关人"
    book = _book(stale)
    del book["填写说明"]
    v5 = catalogue.catalogue_import(actor=city.sysadmin, data=_save(book))
    assert v5.number == 5


def test_publishing_based_on_a_version_checks_it_under_the_lock(city: Any) -> None:
    publish(city.sysadmin, BASE)
    publish(city.sysadmin, BASE[:3])
    with pytest.raises(Conflict, match="第1版，当前已是第2版"):
        catalogue.catalogue_publish(actor=city.sysadmin, rows=BASE, note="", based_on=1)
    assert CatalogueVersion.objects.count() == 2
    assert catalogue.catalogue_publish(actor=city.sysadmin, rows=BASE, note="", based_on=2).number == 3


def test_the_import_page_answers_409_for_an_old_export(client: Any, city: Any) -> None:
    from django.core.files.uploadedfile import SimpleUploadedFile

    v1 = publish(city.sysadmin, BASE)
    old = catalogue.catalogue_xlsx(v1)
    publish(city.sysadmin, BASE[:3])
    client.force_login(city.sysadmin)
    page = client.post(reverse("requests:catalogue_import"), {"file": SimpleUploadedFile("c.xlsx", old)})
    assert page.status_code == 409
    body = page.content.decode()
    assert "当前已是第2版" in body and 'name="force"' in body and "基于旧版本导入（覆盖他人修改）" in body
    assert CatalogueVersion.objects.count() == 2
    forced = client.post(
        reverse("requests:catalogue_import"), {"file": SimpleUploadedFile("c.xlsx", old), "force": "1"}
    )
    assert forced.status_code == 200 and CatalogueVersion.objects.count() == 2  # the preview
    token = hashlib.sha256(old).hexdigest()
    confirm = {"token": token, "previous": "2", "force": "1", "confirm_removals": "1"}
    forced = client.post(reverse("requests:catalogue_import_confirm"), confirm)
    assert forced.status_code == 302 and CatalogueVersion.objects.count() == 3


def _renamed(data: bytes, old: str, new: str | None) -> bytes:
    """The export with the header ``old`` renamed ``new`` (deleted, with its column, for None)."""
    book = _book(data)
    sheet = book["派单目录"]
    column = [c.value for c in sheet[1]].index(old) + 1
    if new is None:
        sheet.delete_cols(column)
    else:
        sheet.cell(row=1, column=column, value=new)
    return _save(book)


@pytest.mark.parametrize(
    ("old", "new", "said"),
    [
        ("关键词", "关键字", "未知列：关键字；缺少列：关键词"),
        ("需要回访", "是否需要回访", "未知列：是否需要回访；缺少列：需要回访"),
        ("关键词", None, "缺少列：关键词"),
        ("责任主体", None, "缺少列：责任主体"),
    ],
)
def test_a_renamed_or_deleted_column_of_an_export_is_refused_up_front(
    city: Any, old: str, new: str | None, said: str
) -> None:
    v1 = publish(city.sysadmin, BASE)
    data = _renamed(_edited(catalogue.catalogue_xlsx(v1), "C2", "电梯停运"), old, new)
    with pytest.raises(ValidationError) as info:
        catalogue.catalogue_import(actor=city.sysadmin, data=data)
    assert list(info.value.errors) == ["file"]  # one error, not one per row
    (reason,) = info.value.errors["file"]
    assert reason.startswith(said) and "未导入任何内容" in reason
    assert CatalogueVersion.objects.count() == 1


def _xlsx(rows: list[list[Any]]) -> bytes:
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    for line in rows:
        sheet.append(line)
    return _save(book)


def test_a_hand_made_file_is_checked_for_unknown_columns_and_a_unit_without_its_kind(city: Any) -> None:
    v1 = publish(city.sysadmin, BASE)
    levels = ["一级分类", "二级分类", "三级分类"]
    with pytest.raises(ValidationError) as info:
        catalogue.catalogue_import(
            actor=city.sysadmin, data=_xlsx([[*levels, "关键字"], ["公共服务", "供水", "停水", "水"]])
        )
    assert info.value.errors["file"][0].startswith("未知列：关键字（")
    with pytest.raises(ValidationError) as info:
        catalogue.catalogue_import(
            actor=city.sysadmin, data=_xlsx([[*levels, "责任单位编码"], ["公共服务", "供水", "停水", "SW"]])
        )
    assert info.value.errors["file"][0].startswith("缺少列：责任主体（")
    assert CatalogueVersion.objects.get(is_current=True) == v1
    # Only the three names, as documented: still imported with the defaults.
    v2 = catalogue.catalogue_import(actor=city.sysadmin, data=_xlsx([levels, ["公共服务", "供水", "停水"]]))
    assert v2.number == 2


def test_the_export_and_the_template_import_back(city: Any) -> None:
    HandlingUnit.objects.create(
        code="CGJ", name="城管局", kind="department", node=city.district, node_path=city.district.path
    )
    v1 = catalogue.catalogue_import(actor=city.sysadmin, data=catalogue.catalogue_xlsx(None, template=True))
    data = catalogue.catalogue_xlsx(v1)
    with pytest.raises(catalogue.CatalogueUnchanged):
        catalogue.catalogue_import(actor=city.sysadmin, data=data)
    v2 = catalogue.catalogue_import(actor=city.sysadmin, data=_edited(data, "C2", "流动摊贩"))
    assert v2.number == 2
    assert catalogue.catalogue_rows(v2)[0]["responsible_unit"] == "CGJ"
