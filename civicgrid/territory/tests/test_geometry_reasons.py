"""Why a 范围 (polygon) is invalid, in Chinese: what is wrong, where (经度, 纬度) and what to do.

Outside tester: a GeoJSON import said "范围多边形无效（Self-intersection[120.295648698472
31.5835402929571]），请检查是否自相交" — GEOS's English, a 15-decimal point, and the same
自相交 advice for a hole outside its shell ("Hole lies outside shell[…]").
"""

import re
from typing import Any

import pytest

from civicgrid.core.errors import ValidationError
from civicgrid.territory.geometry import STORED_DECIMALS, invalid_reason, parse_polygon, stored_polygon
from civicgrid.territory.tests.shapes import square

ASCII_LETTER = re.compile(r"[A-Za-z]")

BOWTIE = {
    "type": "Polygon",
    "coordinates": [[[120.29, 31.58], [120.30, 31.59], [120.30, 31.58], [120.29, 31.59], [120.29, 31.58]]],
}
HOLE_OUTSIDE = {
    "type": "Polygon",
    "coordinates": [
        square(120.30, 31.57, 120.31, 31.58)["coordinates"][0],
        square(120.32, 31.57, 120.33, 31.58)["coordinates"][0],
    ],
}
NESTED_SHELLS = {
    "type": "MultiPolygon",
    "coordinates": [
        square(120.30, 31.57, 120.31, 31.58)["coordinates"],
        square(120.302, 31.572, 120.304, 31.574)["coordinates"],
    ],
}


def _refusal(geojson: Any) -> str:
    with pytest.raises(ValidationError) as refused:
        parse_polygon(geojson)
    assert list(refused.value.errors) == ["geometry"]
    message: str = refused.value.errors["geometry"][0]
    assert not ASCII_LETTER.search(message), message
    return message


def test_a_bowtie_says_where_its_edges_cross_in_chinese() -> None:
    assert _refusal(BOWTIE) == (
        "范围无效：边界线自相交（经度 120.295，纬度 31.585），请调整该处附近的顶点，使边界线互不交叉"
    )


def test_a_hole_outside_its_shell_gets_advice_about_the_hole_not_self_intersection() -> None:
    message = _refusal(HOLE_OUTSIDE)
    assert message.startswith("范围无效：内环（洞）位于外边界之外（经度 120.32，纬度 31.57），")
    assert "移到外边界以内" in message and "自相交" not in message


def test_nested_shells_of_a_multipolygon_are_named() -> None:
    message = _refusal(NESTED_SHELLS)
    assert message.startswith("范围无效：多个多边形中有一个位于另一个之内（经度 120.302，纬度 31.572），")
    assert "合并" in message and "自相交" not in message


def test_the_check_before_storing_words_it_the_same_way() -> None:
    with pytest.raises(ValidationError) as refused:
        stored_polygon(BOWTIE)
    message = refused.value.errors["geometry"][0]
    assert message.startswith(
        f"范围按 {STORED_DECIMALS} 位小数取整后无效：边界线自相交（经度 120.295，纬度 31.585），"
    )
    assert not ASCII_LETTER.search(message.replace(str(STORED_DECIMALS), ""))


@pytest.mark.parametrize(
    ("geos", "what", "where"),
    [
        ("Ring Self-intersection[120.3 31.58]", "边界环在一点与自身相接", "（经度 120.3，纬度 31.58）"),
        ("Holes are nested[1 2]", "一个内环（洞）位于另一个内环之内", "（经度 1，纬度 2）"),
        ("Interior is disconnected[1 2]", "内环（洞）把多边形内部分隔成互不相连的几块", "（经度 1，纬度 2）"),
        ("Duplicate Rings[1 2]", "有重复的边界环", "（经度 1，纬度 2）"),
        ("Too few points in geometry component[1 2]", "有的环不同的坐标点少于3个", "（经度 1，纬度 2）"),
        ("Invalid Coordinate[nan 2]", "坐标不是有效的数值", ""),
        ("Ring is not closed[1 2]", "边界环首尾坐标不相同", "（经度 1，纬度 2）"),
        (
            "Self-intersection[120.295648698472 31.5835402929571]",
            "边界线自相交",
            "（经度 120.295649，纬度 31.58354）",
        ),
        ("Topology Validation Error[1 2]", "多边形无效", "（经度 1，纬度 2）"),
        ("Something new", "多边形无效", ""),
        (None, "多边形无效", ""),
    ],
)
def test_every_geos_reason_reads_in_chinese(geos: str | None, what: str, where: str) -> None:
    said = invalid_reason(geos)
    assert said[:2] == (what, where)
    assert said[2] and not any(ASCII_LETTER.search(part) for part in said)
