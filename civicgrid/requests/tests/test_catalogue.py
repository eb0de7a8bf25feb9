"""The catalogue: versioned publishing, stable codes, pinyin search, Excel, the default."""

import hashlib
from io import BytesIO
from typing import Any

import pytest
from django.urls import reverse
from openpyxl import Workbook, load_workbook

from civicgrid.core.errors import PermissionDenied, ValidationError
from civicgrid.core.models import AuditLog
from civicgrid.requests import catalogue
from civicgrid.requests.constants import ResponseTier, ResponsibleKind, Status
from civicgrid.requests.defaults.extra import BEIJING_TOP_TEN
from civicgrid.requests.models import CatalogueVersion, Category, HandlingUnit
from civicgrid.requests.services import NewRequest, request_create
from civicgrid.territory.locator import locator
from civicgrid.workcal.constants import LimitUnit

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def fresh_locator() -> None:
    """Grid ids differ between tests on PostgreSQL; the locator's cache must not outlive one."""
    locator.invalidate()


PUBLISHED = catalogue.Verb.CATALOGUE_PUBLISHED


def row(l1: str, l2: str, l3: str, **kw: Any) -> dict[str, Any]:
    return {"level1": l1, "level2": l2, "level3": l3, **kw}


BASE = [
    row(
        "住房管理",
        "物业管理",
        "电梯故障",
        response_tier="二级",
        keywords="电梯困人 停运",
        needs_verification="是",
    ),
    row("住房管理", "物业管理", "物业服务质量"),
    row("住房管理", "房屋安全", "房屋漏水渗水"),
    row("城乡建设", "街面秩序", "占道经营", resolution_limit=4, resolution_unit="小时", response_limit=2),
]


def publish(actor: Any, rows: list[dict[str, Any]], note: str = "测试") -> CatalogueVersion:
    return catalogue.catalogue_publish(actor=actor, rows=rows, note=note)


def leaf(version: CatalogueVersion, name: str) -> Category:
    return Category.objects.get(version=version, level=3, name=name)


def test_publish_builds_three_levels_with_codes_initials_and_makes_it_current(city: Any) -> None:
    version = publish(city.sysadmin, BASE)
    assert version.number == 1 and version.is_current
    lift = leaf(version, "电梯故障")
    assert lift.code == "010101" and lift.parent and lift.parent.code == "0101"
    assert lift.parent.parent and lift.parent.parent.code == "01"
    assert lift.full_name == "住房管理/物业管理/电梯故障"
    assert lift.initials == "zfgl wygl dtgz"
    assert lift.response_tier == ResponseTier.TIER_2
    assert (lift.response_limit, lift.resolution_limit) == (2, 24)  # the tier's standard figures
    assert lift.needs_verification and lift.needs_callback
    assert leaf(version, "房屋漏水渗水").code == "010201"
    vending = leaf(version, "占道经营")
    assert vending.code == "020101"
    assert (vending.resolution_limit, vending.resolution_unit) == (4, LimitUnit.HOURS)
    assert Category.objects.filter(version=version).count() == 2 + 3 + 4
    audit = AuditLog.objects.get(verb=PUBLISHED)
    assert audit.actor == city.sysadmin and (audit.after or {})["leaves"] == 4


def test_bad_rows_are_all_reported_by_row_and_column_and_nothing_is_published(city: Any) -> None:
    v1 = publish(city.sysadmin, BASE)
    bad = [
        *BASE,
        row("住房管理", "", "空的二级"),
        row("住房管理", "物业管理", "电梯故障"),
        row("公共服务", "供水", "停水", response_tier="五级", response_limit="很快"),
        row("公共服务", "供水", "水压不足", responsible_kind="企业", responsible_unit="NOPE"),
        row("公共服务", "供水", "水质异常", needs_callback="也许", code="1234"),
    ]
    with pytest.raises(ValidationError) as info:
        publish(city.sysadmin, bad)
    errors = info.value.errors
    assert errors["第5行"] == ["「二级分类」不能为空"]
    assert errors["第6行"] == ["与第1行的分类重复"]
    assert any("「响应级别」只能是" in e for e in errors["第7行"])
    assert any("「响应时限」应为大于0" in e for e in errors["第7行"])
    assert errors["第8行"] == ["「责任单位编码」单位编码 NOPE 不存在或已停用"]
    assert any("「分类编码」应为6位数字" in e for e in errors["第9行"])
    assert any("「需要回访」" in e for e in errors["第9行"])
    assert "派单目录有误，未发布" in info.value.message
    assert list(CatalogueVersion.objects.values_list("number", "is_current")) == [(1, True)]
    assert Category.objects.exclude(version=v1).count() == 0
    assert AuditLog.objects.filter(verb=PUBLISHED).count() == 1


def test_location_leaf_with_a_unit_and_empty_catalogue_are_refused(city: Any) -> None:
    HandlingUnit.objects.create(
        code="CGJ", name="城管局", kind="department", node=city.district, node_path=city.district.path
    )
    with pytest.raises(ValidationError) as info:
        publish(city.sysadmin, [row("a", "b", "c", responsible_unit="CGJ")])
    assert "属地类分类" in info.value.errors["第1行"][0]
    with pytest.raises(ValidationError):
        publish(city.sysadmin, [])
    assert not CatalogueVersion.objects.exists()


def test_new_version_keeps_codes_of_unchanged_names_and_never_reuses_codes(city: Any) -> None:
    v1 = publish(city.sysadmin, BASE)
    rows = [r for r in BASE if r["level3"] != "物业服务质量"]
    rows += [
        row("住房管理", "物业管理", "小区停车管理"),
        row("住房管理", "房屋租赁", "群租房"),
        row("疫情防控", "防控措施", "核酸检测"),
    ]
    v2 = publish(city.sysadmin, list(reversed(rows)))  # order does not matter
    assert v2.number == 2 and v2.is_current
    v1.refresh_from_db()
    assert not v1.is_current
    for name in ("电梯故障", "房屋漏水渗水", "占道经营"):
        assert leaf(v2, name).code == leaf(v1, name).code
    assert leaf(v2, "小区停车管理").code == "010103"  # 010102 belonged to 物业服务质量
    assert leaf(v2, "群租房").code == "010301"
    assert leaf(v2, "核酸检测").code == "030101"
    assert (AuditLog.objects.filter(verb=PUBLISHED).latest("id").after or {})["kept_codes"] == 3
    # the old version is untouched
    assert Category.objects.filter(version=v1, level=3).count() == 4
    assert leaf(v1, "物业服务质量").code == "010102"


def test_explicit_codes_are_used_and_must_be_consistent(city: Any) -> None:
    version = publish(city.sysadmin, [row("甲", "乙", "丙", code="050302"), row("甲", "乙", "丁")])
    assert leaf(version, "丙").code == "050302"
    assert leaf(version, "丁").code == "050303"
    with pytest.raises(ValidationError) as info:
        publish(city.sysadmin, [row("甲", "乙", "丙", code="050302"), row("甲", "戊", "己", code="060101")])
    assert "与第1行不一致" in info.value.errors["第2行"][0]
    assert CatalogueVersion.objects.count() == 1


def test_requests_keep_their_category_when_a_new_version_is_published(city: Any) -> None:
    v1 = publish(city.sysadmin, BASE)
    lift = leaf(v1, "电梯故障")
    data = NewRequest(
        channel="hotline",
        type="complaint",
        title="电梯坏了",
        content="3号楼电梯停运",
        lon=120.305,
        lat=31.575,
        requester_phone="13812345678",
        category=lift,
    )
    request = request_create(actor=city.olivia, data=data)
    assert request.status == Status.RECEIVED  # no units or rules yet: triage
    changed = [
        dict(r, resolution_limit=48, resolution_unit="小时") if r["level3"] == "电梯故障" else r for r in BASE
    ]
    v2 = publish(city.sysadmin, changed)
    request.refresh_from_db()
    lift.refresh_from_db()
    assert request.category_id == lift.pk and lift.version_id == v1.pk
    assert (lift.resolution_limit, lift.resolution_unit) == (24, LimitUnit.HOURS)
    new_lift = leaf(v2, "电梯故障")
    assert new_lift.pk != lift.pk and new_lift.code == lift.code
    assert (new_lift.resolution_limit, new_lift.resolution_unit) == (48, LimitUnit.HOURS)
    with pytest.raises(ValidationError):  # a new request must use the current version
        request_create(actor=city.olivia, data=data)


def test_search_by_pinyin_initials_name_and_keywords_in_the_current_version(city: Any) -> None:
    publish(city.sysadmin, BASE)
    found = catalogue.catalogue_search("dtgz")
    assert [c.name for c in found] == ["电梯故障"]
    assert catalogue.catalogue_search("DTGZ")[0].name == "电梯故障"
    assert catalogue.catalogue_search("dt")[0].name == "电梯故障"
    assert catalogue.catalogue_search("电梯")[0].name == "电梯故障"
    assert catalogue.catalogue_search("困人")[0].name == "电梯故障"
    assert {c.name for c in catalogue.catalogue_search("wygl")} == {"电梯故障", "物业服务质量"}
    assert {c.name for c in catalogue.catalogue_search("住房 漏水")} == {"房屋漏水渗水"}
    assert catalogue.catalogue_search("   ") == []
    v2 = publish(city.sysadmin, BASE)
    assert [c.version_id for c in catalogue.catalogue_search("dtgz")] == [v2.pk]


@pytest.mark.parametrize("who", ["olivia", "dave", "alice", "secadmin", "auditor"])
def test_only_the_system_administrator_may_publish(city: Any, who: str) -> None:
    actor = getattr(city, who)
    with pytest.raises(PermissionDenied):
        publish(actor, BASE)
    with pytest.raises(PermissionDenied):
        catalogue.catalogue_load_default(actor=actor)
    assert not CatalogueVersion.objects.exists()
    assert not Category.objects.exists()
    assert not AuditLog.objects.filter(verb=PUBLISHED).exists()


def _xlsx(rows: list[list[Any]]) -> bytes:
    wb = Workbook()
    ws = wb.active
    assert ws is not None
    for line in rows:
        ws.append(line)
    out = BytesIO()
    wb.save(out)
    return out.getvalue()


def test_excel_export_import_round_trip_keeps_everything(city: Any) -> None:
    v1 = publish(city.sysadmin, BASE)
    data = catalogue.catalogue_xlsx(v1)
    sheet = load_workbook(BytesIO(data))["派单目录"]
    header = [c.value for c in sheet[1]]
    assert header[:4] == ["一级分类", "二级分类", "三级分类", "分类编码"]
    assert sheet["D2"].value == "010101" and sheet["E2"].value == "属地" and sheet["H2"].value == "二级"
    published = AuditLog.objects.filter(verb=PUBLISHED).count()
    with pytest.raises(catalogue.CatalogueUnchanged, match="与当前第1版完全相同"):
        catalogue.catalogue_import(actor=city.sysadmin, data=data, note="原样导回")
    assert (
        CatalogueVersion.objects.count() == 1 and AuditLog.objects.filter(verb=PUBLISHED).count() == published
    )
    v2 = catalogue.catalogue_import(
        actor=city.sysadmin, data=_edited(data, "O2", "电梯困人 停运 关人"), note="改关键词"
    )
    assert v2.number == 2 and v2.note == "改关键词" and v2.is_current
    old_rows, new_rows = catalogue.catalogue_rows(v1), catalogue.catalogue_rows(v2)
    assert new_rows[0]["keywords"] == "电梯困人 停运 关人"
    assert [{**r, "keywords": ""} for r in new_rows] == [{**r, "keywords": ""} for r in old_rows]


def _edited(data: bytes, cell: str, value: Any) -> bytes:
    book = load_workbook(BytesIO(data))
    book["派单目录"][cell] = value
    out = BytesIO()
    book.save(out)
    return out.getvalue()


def test_a_change_of_only_a_limit_or_a_unit_is_a_change(city: Any) -> None:
    v1 = publish(city.sysadmin, BASE)
    with pytest.raises(catalogue.CatalogueUnchanged):
        catalogue.catalogue_publish(actor=city.sysadmin, rows=BASE, note="", if_changed=True)
    longer = [*BASE[:3], {**BASE[3], "resolution_limit": 5}]
    v2 = catalogue.catalogue_publish(actor=city.sysadmin, rows=longer, note="", if_changed=True)
    assert v2.number == v1.number + 1
    fewer = BASE[:3]
    v3 = catalogue.catalogue_publish(actor=city.sysadmin, rows=fewer, note="", if_changed=True)
    assert v3.number == v2.number + 1 and leaf(v3, "电梯故障").code == leaf(v1, "电梯故障").code
    # Without if_changed (the default catalogue's forced reload) a copy is still published.
    assert publish(city.sysadmin, fewer).number == v3.number + 1


def test_excel_import_minimal_columns_numeric_codes_and_errors_by_excel_row(city: Any) -> None:
    good = _xlsx(
        [["三级分类", "一级分类", "二级分类", "分类编码"], ["停水", "公共服务", "供水", 10101], [None]]
    )
    version = catalogue.catalogue_import(actor=city.sysadmin, data=good)
    assert leaf(version, "停水").code == "010101"
    bad = _xlsx(
        [
            ["一级分类", "二级分类", "三级分类", "响应级别"],
            ["公共服务", "供水", "停水", "一级"],
            ["公共服务", "供水", "停电", "特急"],
        ]
    )
    with pytest.raises(ValidationError) as info:
        catalogue.catalogue_import(actor=city.sysadmin, data=bad)
    assert "「响应级别」只能是" in info.value.errors["第3行"][0]
    with pytest.raises(ValidationError) as info:
        catalogue.catalogue_import(actor=city.sysadmin, data=_xlsx([["名称"], ["停水"]]))
    assert "找不到派单目录工作表" in info.value.errors["file"][0]
    with pytest.raises(ValidationError) as info:
        catalogue.catalogue_import(actor=city.sysadmin, data=b"not an excel file")
    assert info.value.errors["file"] == ["文件不是有效的 Excel（.xlsx）文件"]
    assert CatalogueVersion.objects.count() == 1


def test_template_has_headers_and_an_example_that_imports(city: Any) -> None:
    data = catalogue.catalogue_xlsx(None, template=True)
    wb = load_workbook(BytesIO(data))
    assert wb.sheetnames == ["派单目录", "填写说明"]
    HandlingUnit.objects.create(
        code="CGJ", name="城管局", kind="department", node=city.district, node_path=city.district.path
    )
    version = catalogue.catalogue_import(actor=city.sysadmin, data=data)
    vending = leaf(version, "占道经营")
    assert vending.responsible_unit and vending.responsible_unit.code == "CGJ"


def test_default_catalogue_loads_with_sensible_limits_and_is_idempotent(city: Any) -> None:
    version, unlinked = catalogue.catalogue_load_default(actor=city.sysadmin)
    assert version is not None and version.is_current
    assert unlinked > 0  # no departments yet: those leaves are dispatched by place for now
    leaves = Category.objects.filter(version=version, level=3)
    assert leaves.count() >= 517
    level1 = set(Category.objects.filter(version=version, level=1).values_list("name", flat=True))
    assert set(BEIJING_TOP_TEN.values()) <= level1
    expected = {
        "占道经营": (4, LimitUnit.HOURS),
        "道路不洁": (0.5, LimitUnit.HOURS),
        "暴露垃圾": (2, LimitUnit.HOURS),
        "路灯故障": (48, LimitUnit.HOURS),
        "店招标牌破损": (240, LimitUnit.HOURS),
        "停水": (24, LimitUnit.HOURS),
        "燃气泄漏": (2, LimitUnit.HOURS),
        "劳动合同纠纷": (15, LimitUnit.WORKING_DAYS),
        "园林绿化": (7, LimitUnit.WORKING_DAYS),
    }
    for name, limit in expected.items():
        category = leaves.get(name=name)
        assert (category.resolution_limit, category.resolution_unit) == limit, name
    water = leaves.get(name="停水")
    assert water.responsible_kind == ResponsibleKind.ENTERPRISE and water.response_tier == ResponseTier.TIER_2
    assert leaves.get(name="燃气泄漏").response_tier == ResponseTier.TIER_1
    assert leaves.get(name="电梯故障").needs_verification
    assert not leaves.get(name="税收征管").needs_verification
    assert catalogue.catalogue_search("zdjy")[0].name == "占道经营"
    again, _ = catalogue.catalogue_load_default(actor=city.sysadmin)
    assert again is None and CatalogueVersion.objects.count() == 1
    forced, _ = catalogue.catalogue_load_default(actor=city.sysadmin, force=True)
    assert forced is not None and forced.number == 2
    assert catalogue.catalogue_rows(forced) == catalogue.catalogue_rows(version)


# ---------------------------------------------------------------- pages


def test_catalogue_page_shows_tree_history_and_admin_tools(
    client: Any, city: Any, django_assert_max_num_queries: Any
) -> None:
    publish(city.sysadmin, BASE, note="第一版")
    publish(city.sysadmin, BASE[:2], note="第二版")
    client.force_login(city.olivia)
    with django_assert_max_num_queries(12):
        page = client.get(reverse("requests:catalogue"))
    html = page.content.decode()
    assert page.status_code == 200
    assert "第2版" in html and "电梯故障" in html and "第一版" in html
    assert "导入并发布新版本" not in html  # operators read, the system administrator edits
    old = client.get(reverse("requests:catalogue") + "?version=1").content.decode()
    assert "历史版本" in old and "占道经营" in old
    client.force_login(city.sysadmin)
    html = client.get(reverse("requests:catalogue")).content.decode()
    assert "导入并发布新版本" in html and "下载导入模板" in html


def test_category_search_fragment_for_the_operator_console(client: Any, city: Any) -> None:
    version = publish(city.sysadmin, BASE)
    client.force_login(city.olivia)
    page = client.get(reverse("requests:category_search"), {"q": "dtgz"})
    html = page.content.decode()
    lift = leaf(version, "电梯故障")
    assert page.status_code == 200
    assert f'data-id="{lift.pk}"' in html and 'data-name="住房管理/物业管理/电梯故障"' in html
    assert "没有找到" in client.get(reverse("requests:category_search"), {"q": "xyzxyz"}).content.decode()
    client.force_login(city.auditor)
    assert client.get(reverse("requests:category_search"), {"q": "dtgz"}).status_code == 403


def test_import_page_publishes_for_the_admin_and_refuses_others(client: Any, city: Any) -> None:
    publish(city.sysadmin, BASE)
    data = catalogue.catalogue_xlsx(CatalogueVersion.objects.get())
    client.force_login(city.olivia)
    upload = {"file": _upload(data), "note": "话务员试图导入"}
    assert client.post(reverse("requests:catalogue_import"), upload).status_code == 403
    assert client.get(reverse("requests:catalogue_export")).status_code == 403
    assert CatalogueVersion.objects.count() == 1
    client.force_login(city.sysadmin)
    page = client.post(
        reverse("requests:catalogue_import"), {"file": _upload(data), "note": "原样导入"}, follow=True
    )
    assert "与当前第1版完全相同，未发布新版本" in page.content.decode()
    assert CatalogueVersion.objects.count() == 1
    edited = _edited(data, "O3", "服务差")
    page = client.post(reverse("requests:catalogue_import"), {"file": _upload(edited), "note": "导入"})
    assert page.status_code == 200 and "确认发布" in page.content.decode()  # previewed, not yet published
    assert CatalogueVersion.objects.count() == 1
    token = hashlib.sha256(edited).hexdigest()
    confirm = {"token": token, "previous": "1", "note": "导入"}
    page = client.post(reverse("requests:catalogue_import_confirm"), confirm)
    assert page.status_code == 302 and CatalogueVersion.objects.get(is_current=True).number == 2
    bad = _xlsx([["一级分类", "二级分类", "三级分类"], ["甲", "", "丙"]])
    page = client.post(reverse("requests:catalogue_import"), {"file": _upload(bad)})
    assert page.status_code == 422 and "第2行" in page.content.decode()
    assert CatalogueVersion.objects.count() == 2
    export = client.get(reverse("requests:catalogue_export") + "?version=1")
    assert export.status_code == 200 and export["Content-Type"].startswith("application/vnd.openxml")
    assert client.get(reverse("requests:catalogue_template")).status_code == 200


def _upload(data: bytes) -> Any:
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile("catalogue.xlsx", data)
