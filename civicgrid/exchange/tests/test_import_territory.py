"""Importing the territory: a subtree with generated codes, positions, and grid polygons."""

import json
from datetime import date
from typing import Any

import pytest
from shapely.geometry import shape

from civicgrid.conftest import square
from civicgrid.core import crypto
from civicgrid.core.models import AuditLog
from civicgrid.exchange.models import ImportKind, ImportStatus
from civicgrid.exchange.tests.conftest import RunImport
from civicgrid.exchange.tests.files import csv_bytes, xlsx_bytes
from civicgrid.territory.models import GeometryVersion, GridType, Node, NodeKind, Position, Post

pytestmark = pytest.mark.django_db

NODE_HEADER = ["层级*", "编码", "名称*", "上级编码", "网格类型", "经度", "纬度", "地址"]


def test_a_subtree_imports_with_generated_codes_and_parents_from_earlier_rows(
    city: Any, run_import: RunImport
) -> None:
    a1 = city.comm_a1.code
    rows = [
        NODE_HEADER,
        ["网格", f"{a1}W010", "胜利门十网格", a1, "专属网格", "", "", ""],
        ["小区", f"{a1}W010X001", "阳光小区", f"{a1}W010", "", "", "", "阳光路8号"],
        ["楼栋", f"{a1}W010X001B001", "阳光1号楼", f"{a1}W010X001", "", 120.305, 31.575, ""],
        ["楼栋", "", "阳光2号楼", f"{a1}W010X001", "", "", "", ""],
        ["grid", "", "胜利门三网格", a1, "", "", "", ""],
        ["单元", "", "1单元", f"{a1}W010X001B001", "", "", "", ""],
    ]

    job = run_import(city.bob, ImportKind.NODES, "区域.xlsx", xlsx_bytes(rows))

    assert job.status == ImportStatus.DONE, job.errors
    assert job.counts == {"nodes": 6}
    grid = Node.objects.get(code=f"{a1}W010")
    assert grid.parent == city.comm_a1 and grid.grid_type == GridType.DEDICATED
    assert grid.path == f"{city.comm_a1.path}{grid.pk}/" and grid.depth == city.comm_a1.depth + 1
    compound = Node.objects.get(name="阳光小区")
    assert compound.parent == grid and compound.path == f"{grid.path}{compound.pk}/"
    assert compound.address == "阳光路8号"
    building = Node.objects.get(name="阳光1号楼")
    assert (building.lon, building.lat, building.depth) == (120.305, 31.575, grid.depth + 2)
    assert Node.objects.get(name="阳光2号楼").code == f"{a1}W010X001B002"
    entrance = Node.objects.get(name="1单元")
    assert entrance.code == f"{a1}W010X001B001U01" and entrance.path.startswith(building.path)
    third = Node.objects.get(name="胜利门三网格")
    assert third.code == f"{a1}W011"  # after the highest of W001, W002 and the file's W010
    assert third.grid_type == GridType.COMPREHENSIVE
    assert AuditLog.objects.filter(verb="exchange.import_completed").count() == 1


def test_a_generated_code_follows_the_services_rule(city: Any, run_import: RunImport) -> None:
    rows = [NODE_HEADER, ["网格", "", "胜利门三网格", city.comm_a1.code, "", "", "", ""]]
    job = run_import(city.bob, ImportKind.NODES, "n.csv", csv_bytes(rows))
    assert job.status == ImportStatus.DONE
    assert Node.objects.get(name="胜利门三网格").code == f"{city.comm_a1.code}W003"


def test_node_problems_are_reported_and_nothing_is_created(city: Any, run_import: RunImport) -> None:
    a1 = city.comm_a1.code
    rows = [
        NODE_HEADER,
        ["小区", "C1", "先出现的小区", "G9", "", "", "", ""],
        ["网格", "G9", "后出现的网格", a1, "", "", "", ""],
        ["社区", "", "没有代码的社区", city.sub_a.code, "", "", "", ""],
        ["楼栋", "", "带网格类型的楼", a1, "综合网格", "", "", ""],
        ["网格", "G9", "重复编码", a1, "", "", "", ""],
        ["网格", city.grid_a1_1.code, "已有编码", a1, "", "", "", ""],
        ["网格", "", "外社区网格", city.comm_b1.code, "", "", "", ""],
        ["区（县）", "320299000000", "新区", "", "", "", "", ""],
        ["单元", "", "挂错层级", a1, "", "", "", ""],
        ["楼栋", "", "没有上级", "NOPE", "", "", "", ""],
        ["网格", "", "坐标错", a1, "", "200", "31.5", ""],
        ["层", "", "", a1, "", "", "", ""],
        ["网格", "G7", "自己是上级", "G7", "", "", "", ""],
    ]
    before = Node.objects.count()

    job = run_import(city.bob, ImportKind.NODES, "n.csv", csv_bytes(rows))

    assert job.status == ImportStatus.FAILED
    got = {(e["row"], e["column"], e["reason"]) for e in job.errors}
    assert (2, "上级编码", "上级编码 G9 在本文件第3行，请把上级放在下级前面") in got
    assert (4, "上级编码", f"上级区域 {city.sub_a.code} 不在您可导入的管辖范围内") in got
    assert (4, "编码", "该层级必须填写12位统计用区划代码") in got
    assert (5, "网格类型", "只有网格才有网格类型") in got
    assert (6, "编码", "编码 G9 与第3行重复") in got
    assert not any(e["row"] == 7 for e in job.errors)  # a registered code: an update (test_upd_reimport)
    assert (8, "上级编码", f"上级区域 {city.comm_b1.code} 不在您可导入的管辖范围内") in got
    assert (9, "上级编码", "只有系统管理员可以导入顶级区域，请填写上级编码") in got
    assert (10, "上级编码", "单元的上级只能是：楼栋") in got
    assert (11, "上级编码", "上级编码 NOPE 不存在") in got
    assert (12, "经度", "经度应在 -180 到 180 之间") in got
    assert (13, "层级", "层级取值无效，可选：" + "、".join(str(k.label) for k in NodeKind)) in got
    assert (13, "名称", "名称不能为空") in got
    assert (14, "上级编码", "上级编码不能是本行自己的编码") in got
    assert Node.objects.count() == before
    assert not AuditLog.objects.filter(verb="exchange.import_completed").exists()


def test_the_system_administrator_imports_a_top_level_district(city: Any, run_import: RunImport) -> None:
    rows = [
        NODE_HEADER,
        ["区", "320299000000", "新区", "", "", "", "", ""],
        ["街道", "320299001000", "新街道", "320299000000", "", "", "", ""],
    ]
    job = run_import(city.sysadmin, ImportKind.NODES, "n.csv", csv_bytes(rows))
    assert job.status == ImportStatus.DONE, job.errors
    district = Node.objects.get(code="320299000000")
    assert district.parent is None and district.path == f"{district.pk}/" and district.depth == 0
    assert Node.objects.get(code="320299001000").path == f"{district.path}{district.pk + 1}/"


def test_positions_import_with_labels_and_encrypted_phones(city: Any, run_import: RunImport) -> None:
    header = ["区域编码*", "岗位*", "姓名*", "联系电话", "工作单位", "任职开始*", "任职结束"]
    rows = [
        header,
        [city.grid_a1_1.code, "专职网格员", "王丽", "13900001111", "胜利门社区", "2024-01-01", ""],
        [city.comm_a1.code, "法官", "孙法官", "", "梁溪区人民法院", date(2023, 3, 1), "2025/12/31"],
    ]
    job = run_import(city.bob, ImportKind.POSITIONS, "岗位.xlsx", xlsx_bytes(rows))

    assert job.status == ImportStatus.DONE, job.errors
    worker = Position.objects.get(holder_name="王丽")
    assert worker.post == Post.GRID_WORKER_FULLTIME and worker.node_path == city.grid_a1_1.path
    assert crypto.decrypt(worker.phone_enc) == "13900001111"
    assert worker.phone_hash == crypto.blind_index("13900001111")
    judge = Position.objects.get(holder_name="孙法官")
    assert judge.post == Post.LEGAL_JUDGE and judge.end_date == date(2025, 12, 31)
    assert judge.phone_enc == "" and judge.phone_hash == ""


def test_position_problems(city: Any, run_import: RunImport) -> None:
    header = ["区域编码", "岗位", "姓名", "联系电话", "工作单位", "任职开始", "任职结束"]
    rows = [
        header,
        [city.grid_a1_1.code, "局长", "甲", "110", "", "2024-01-01", "2023-01-01"],
        [city.grid_b1_1.code, "网格长", "", "", "", "", ""],
    ]
    job = run_import(city.bob, ImportKind.POSITIONS, "p.csv", csv_bytes(rows))

    got = {(e["row"], e["column"], e["reason"]) for e in job.errors}
    assert got == {
        (2, "岗位", "岗位取值无效"),
        (2, "联系电话", "电话号码格式不正确（手机号11位，固定电话如0510-12345678）"),
        (2, "任职结束", "任职结束日期不能早于开始日期"),
        (3, "区域编码", f"区域编码 {city.grid_b1_1.code} 不在您可导入的管辖范围内"),
        (3, "姓名", "姓名不能为空"),
        (3, "任职开始", "任职开始日期不能为空"),
    }
    assert not Position.objects.exists()


def feature(code: str, geometry: dict[str, Any]) -> dict[str, Any]:
    return {"type": "Feature", "properties": {"code": code}, "geometry": geometry}


def geojson(*features: dict[str, Any]) -> bytes:
    return json.dumps({"type": "FeatureCollection", "features": list(features)}).encode()


def test_geojson_sets_polygons_and_bumps_the_geometry_version(city: Any, run_import: RunImport) -> None:
    version = GeometryVersion.objects.get(pk=1).version
    new_a11 = square(120.300, 31.570, 120.309, 31.579)
    new_a12 = {"type": "MultiPolygon", "coordinates": [square(120.31, 31.57, 120.32, 31.58)["coordinates"]]}

    job = run_import(
        city.bob,
        ImportKind.GEOMETRY,
        "grids.geojson",
        geojson(feature(city.grid_a1_1.code, new_a11), feature(city.grid_a1_2.code, new_a12)),
    )

    assert job.status == ImportStatus.DONE, job.errors
    assert job.counts == {"geometries": 2}
    city.grid_a1_1.refresh_from_db()
    city.grid_a1_2.refresh_from_db()
    assert shape(city.grid_a1_1.geometry).bounds == (120.300, 31.570, 120.309, 31.579)
    assert city.grid_a1_2.geometry["type"] == "MultiPolygon"
    assert GeometryVersion.objects.get(pk=1).version == version + 1


def test_geojson_problems_change_nothing(city: Any, run_import: RunImport) -> None:
    version = GeometryVersion.objects.get(pk=1).version
    city.grid_a1_1.refresh_from_db()
    before = city.grid_a1_1.geometry
    bowtie = {"type": "Polygon", "coordinates": [[[0, 0], [1, 1], [1, 0], [0, 1], [0, 0]]]}

    job = run_import(
        city.bob,
        ImportKind.GEOMETRY,
        "grids.geojson",
        geojson(
            feature(city.grid_a1_1.code, square(120.3, 31.57, 120.31, 31.58)),
            feature(city.grid_a1_2.code, bowtie),
            feature("NOPE", square(120.3, 31.57, 120.31, 31.58)),
            feature(city.grid_b1_1.code, square(120.3, 31.57, 120.31, 31.58)),
            feature(city.grid_a1_1.code, {"type": "Point", "coordinates": [120.3, 31.5]}),
        ),
    )

    assert job.status == ImportStatus.FAILED
    rows = {(e["row"], e["column"]) for e in job.errors}
    assert rows == {
        (2, "geometry（范围）"),
        (3, "code（区域编码）"),
        (4, "code（区域编码）"),
        (5, "code（区域编码）"),
        (5, "geometry（范围）"),
    }
    assert "自相交" in next(e["reason"] for e in job.errors if e["row"] == 2)
    city.grid_a1_1.refresh_from_db()
    assert city.grid_a1_1.geometry == before
    assert GeometryVersion.objects.get(pk=1).version == version


def test_geojson_that_is_not_a_feature_collection_fails_with_a_message(
    city: Any, run_import: RunImport
) -> None:
    job = run_import(city.bob, ImportKind.GEOMETRY, "g.geojson", b'{"type": "Polygon", "coordinates": []}')
    assert job.status == ImportStatus.FAILED
    assert job.message == "GeoJSON 文件应为 FeatureCollection（或单个 Feature）"
