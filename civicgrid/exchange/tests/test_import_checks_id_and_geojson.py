"""Residents: 性别 / 出生日期 contradicting the ID number is an error naming the column (not
silently replaced). GeoJSON: the reader's errors are Chinese, deep nesting included."""

import json
from datetime import date
from typing import Any

import pytest

from civicgrid.core.errors import ValidationError
from civicgrid.exchange.models import ImportKind, ImportStatus
from civicgrid.exchange.readers import read_geojson
from civicgrid.exchange.tests.conftest import RunImport
from civicgrid.exchange.tests.files import RESIDENT_HEADER, id_number, xlsx_bytes
from civicgrid.registry.models import Gender, Resident


def _row(city: Any, name: str, seq: int, gender: str = "", born: Any = "") -> list[Any]:
    return [city.grid_a1_1.code, name, id_number(seq), "", gender, born, "", "", "", ""]


@pytest.mark.django_db
def test_gender_or_birth_date_contradicting_the_id_number_is_an_error_naming_the_column(
    city: Any, run_import: RunImport
) -> None:
    # id_number(1): born 1985-06-01, 17th digit 1 → male; id_number(2): female.
    rows = [
        RESIDENT_HEADER,
        _row(city, "张伟", 1, "女"),
        _row(city, "王芳", 2, "", date(1990, 1, 1)),
        _row(city, "李娜", 4, "女", date(1985, 6, 1)),  # agrees: fine
    ]
    job = run_import(city.bob, ImportKind.RESIDENTS, "居民.xlsx", xlsx_bytes(rows))

    assert job.status == ImportStatus.FAILED, (job.status, job.message, job.errors)
    problems = {(e["row"], e["column"], e["reason"]) for e in job.errors}
    assert problems == {
        (2, "性别", "性别与身份证号不一致（以身份证号为准）"),
        (3, "出生日期", "出生日期与身份证号不一致（以身份证号为准）"),
    }
    assert not Resident.objects.filter(name__in=["张伟", "王芳", "李娜"]).exists()


@pytest.mark.django_db
def test_blank_or_agreeing_gender_and_birth_date_still_come_from_the_id_number(
    city: Any, run_import: RunImport
) -> None:
    rows = [RESIDENT_HEADER, _row(city, "张伟", 1, "男", "1985-06-01"), _row(city, "王芳", 2, "未知")]
    job = run_import(city.bob, ImportKind.RESIDENTS, "居民.xlsx", xlsx_bytes(rows))

    assert job.status == ImportStatus.DONE, (job.message, job.errors)
    wang = Resident.objects.get(name="王芳")
    assert wang.gender == Gender.FEMALE and wang.birth_date == date(1985, 6, 1)


def _geojson_error(data: bytes) -> str:
    with pytest.raises(ValidationError) as info:
        read_geojson("fence.geojson", data, max_rows=10)
    (reason,) = info.value.errors["file"]
    return reason


@pytest.mark.parametrize(
    ("data", "said"),
    [
        (b"", "GeoJSON 文件不是有效的 JSON：第1行第1列，此处应为一个值（可能缺少内容或多了逗号）"),
        (b'{"type": "FeatureCollection",\n "features": [}', "第2行第15列，此处应为一个值"),
        (b'{"type" "x"}', "第1行第9列，此处应为冒号"),
        (b'{"type": "x",}', "此处应为用双引号括起的属性名"),
        (b'{"type": "x}', "字符串缺少结尾的双引号"),
        (b'{"type": "x"} 1', "JSON 内容结束后还有多余的内容"),
    ],
)
def test_json_errors_are_said_in_chinese_with_line_and_column(data: bytes, said: str) -> None:
    reason = _geojson_error(data)
    assert said in reason
    assert not any("a" <= ch.lower() <= "z" for ch in reason.replace("GeoJSON", "").replace("JSON", ""))


@pytest.mark.parametrize("data", [b"[" * 5000, b"[" * 200 + b"]" * 200, b'{"a":' * 100 + b"1" + b"}" * 100])
def test_deep_nesting_is_a_chinese_error_not_an_internal_error(data: bytes) -> None:
    assert _geojson_error(data) == "GeoJSON 文件嵌套层数过多（超过64层），不是有效的 GeoJSON"


def test_a_real_multipolygon_is_not_too_deep() -> None:
    ring = [[120.3, 31.5], [120.31, 31.5], [120.31, 31.51], [120.3, 31.5]]
    doc = {
        "type": "FeatureCollection",
        "features": [
            {
                "type": "Feature",
                "properties": {"code": "320213", "extra": {"a": {"b": [1, 2]}}},
                "geometry": {"type": "MultiPolygon", "coordinates": [[ring]]},
            }
        ],
    }
    [row] = read_geojson("fence.geojson", json.dumps(doc).encode(), max_rows=10).rows
    assert row.values["code"] == "320213"
