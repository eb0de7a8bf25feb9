"""What an administrator met importing the catalogue: rules left matching nothing after a move
or a deletion, a refused import losing what was typed, the command line told to tick a
checkbox, a moved row's kept code, limits written with their unit, errors in two rounds, and
the operator's search with full-width letters."""

import hashlib
from io import BytesIO, StringIO
from pathlib import Path
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.urls import reverse
from openpyxl import Workbook

from civicgrid.core.errors import Conflict, ValidationError
from civicgrid.core.models import AuditLog
from civicgrid.requests import catalogue
from civicgrid.requests.models import CatalogueVersion, Category, DispatchRule
from civicgrid.requests.tests.test_catalogue import BASE, _edited, leaf, publish, row
from civicgrid.workcal.constants import LimitUnit

pytestmark = pytest.mark.django_db

IMPORT = "requests:catalogue_import"


def _upload(data: bytes) -> Any:
    return SimpleUploadedFile("catalogue.xlsx", data)


def _rule(name: str, prefix: str, active: bool = True) -> DispatchRule:
    return DispatchRule.objects.create(
        name=name, category_prefix=prefix, target=DispatchRule.Target.LOCATION_SUBDISTRICT, is_active=active
    )


def _xlsx(*sheets: tuple[str, list[list[Any]]]) -> bytes:
    wb = Workbook()
    assert wb.active is not None
    wb.remove(wb.active)
    for title, lines in sheets:
        ws = wb.create_sheet(title)
        for line in lines:
            ws.append(line)
    out = BytesIO()
    wb.save(out)
    return out.getvalue()


# --- 1. dispatch rules whose prefix matches nothing after the publish ---------------------------


def test_rules_left_without_a_category_are_listed_after_publishing(
    client: Any, city: Any, tmp_path: Path
) -> None:
    v1 = publish(city.sysadmin, BASE)  # 住房管理 01 (物业管理 0101, 房屋安全 0102), 城乡建设 02
    _rule("物业类派物业公司", "0101")
    _rule("房屋安全派住建", "010201")
    _rule("城乡建设派城管", "02")
    _rule("停用的旧规则", "0101", active=False)
    assert catalogue.unmatched_rules(v1) == []
    # 物业管理 deleted, 房屋漏水渗水 moved under 城乡建设 (new code there): two rules match nothing.
    data = catalogue.catalogue_xlsx(v1)
    rows = [row("住房管理", "房屋安全", "房屋开裂"), row("城乡建设", "街面秩序", "占道经营")]
    rows.append(row("城乡建设", "房屋安全", "房屋漏水渗水"))
    v2 = publish(city.sysadmin, rows)
    assert [r.name for r in catalogue.unmatched_rules(v2)] == ["物业类派物业公司", "房屋安全派住建"]
    text = catalogue.unmatched_rules_text(catalogue.unmatched_rules(v2))
    assert "「物业类派物业公司」（0101）" in text and "「房屋安全派住建」（010201）" in text
    assert "城乡建设派城管" not in text and "停用的旧规则" not in text
    after = AuditLog.objects.filter(verb=catalogue.Verb.CATALOGUE_PUBLISHED).latest("id").after or {}
    assert after["unmatched_rules"] == ["物业类派物业公司（0101）", "房屋安全派住建（010201）"]

    # The page: the warning after the publish, and no promise that rules are unaffected.
    client.force_login(city.sysadmin)
    page = client.get(reverse("requests:catalogue")).content.decode()
    assert "派单规则不受影响" not in page
    back = _edited(catalogue.catalogue_xlsx(v2), "O2", "关键词改了")
    assert client.post(reverse(IMPORT), {"file": _upload(back), "note": "改关键词"}).status_code == 200
    confirm = {"token": hashlib.sha256(back).hexdigest(), "previous": "2", "note": "改关键词"}
    response = client.post(reverse("requests:catalogue_import_confirm"), confirm, follow=True)
    html = response.content.decode()
    assert CatalogueVersion.objects.get(is_current=True).number == 3
    assert 'class="warning"' in html and "「物业类派物业公司」（0101）" in html
    assert "「房屋安全派住建」（010201）" in html

    # The command line says it too.
    first, second = tmp_path / "v1.xlsx", tmp_path / "v2.xlsx"
    first.write_bytes(data)
    second.write_bytes(catalogue.catalogue_xlsx(v2))
    err = StringIO()
    call_command(
        "catalogue", "import", str(first), "--force", "--confirm-removals", stdout=StringIO(), stderr=err
    )
    assert CatalogueVersion.objects.get(is_current=True).number == 4  # v1 again: rules match
    assert "「物业类派物业公司」" not in err.getvalue()
    call_command(
        "catalogue", "import", str(second), "--force", "--confirm-removals", stdout=StringIO(), stderr=err
    )
    assert (
        "「物业类派物业公司」（0101）" in err.getvalue() and "「房屋安全派住建」（010201）" in err.getvalue()
    )


# --- 2. a refused import keeps the note and the checkbox ----------------------------------------


def test_a_refused_import_keeps_the_note_and_the_checkbox(client: Any, city: Any) -> None:
    v1 = publish(city.sysadmin, BASE)
    old = catalogue.catalogue_xlsx(v1)
    publish(city.sysadmin, [*BASE, row("公共服务", "供水", "停水")])
    client.force_login(city.sysadmin)
    stale = client.post(reverse(IMPORT), {"file": _upload(_edited(old, "O2", "改")), "note": "夏季供水调整"})
    html = stale.content.decode()
    assert stale.status_code == 409
    assert 'value="夏季供水调整"' in html
    bad = _edited(old, "A2", None)
    refused = client.post(reverse(IMPORT), {"file": _upload(bad), "note": "第二次", "force": "1"})
    html = refused.content.decode()
    assert refused.status_code == 422 and 'value="第二次"' in html
    assert 'name="force" value="1" checked' in html


# --- 3. the command line's own way past a stale export --------------------------------------------


def test_the_command_line_is_told_to_use_force(city: Any, tmp_path: Path) -> None:
    v1 = publish(city.sysadmin, BASE)
    old = tmp_path / "v1.xlsx"
    old.write_bytes(_edited(catalogue.catalogue_xlsx(v1), "O2", "改"))
    publish(city.sysadmin, [*BASE, row("公共服务", "供水", "停水")])
    with pytest.raises(CommandError) as info:
        call_command("catalogue", "import", str(old), stdout=StringIO(), stderr=StringIO())
    assert "--force" in str(info.value) and "勾选" not in str(info.value)
    with pytest.raises(Conflict, match="勾选“基于旧版本导入"):  # the page keeps its own wording
        catalogue.catalogue_import(actor=city.sysadmin, data=old.read_bytes())


# --- 4. a moved row that kept its exported code -----------------------------------------------


def test_a_moved_row_keeping_its_code_is_told_to_clear_it(city: Any) -> None:
    publish(city.sysadmin, BASE)
    rows = [
        row("住房管理", "物业管理", "电梯故障", code="010101"),
        row("住房管理", "物业管理", "物业服务质量", code="010102"),
        row("城乡建设", "街面秩序", "房屋漏水渗水", code="010201"),  # moved from 住房管理/房屋安全
        row("城乡建设", "街面秩序", "占道经营", code="020101"),
    ]
    with pytest.raises(ValidationError) as info:
        publish(city.sysadmin, rows)
    moved = "「分类编码」010201 不在上级「城乡建设/街面秩序」（0201…）之下："
    assert info.value.errors == {"第3行": [moved + "移动分类时请清空编码，系统会重新编号"]}
    rows[2] = row("城乡建设", "街面秩序", "房屋漏水渗水")  # cleared: numbered under its new parent
    version = publish(city.sysadmin, rows)
    assert leaf(version, "房屋漏水渗水").code == "020102"
    # A parent renamed with its codes kept is not a move.
    renamed = [{**r, "level1": "城市建设"} if r["level1"] == "城乡建设" else r for r in rows]
    renamed = [{**r, "code": leaf(version, r["level3"]).code} for r in renamed]
    assert leaf(publish(city.sysadmin, renamed), "占道经营").code == "020101"


# --- 5. limits written with their unit; the sheet named --------------------------------------


def test_limits_written_with_their_unit(city: Any) -> None:
    rows = [
        row("甲", "乙", "丙", resolution_limit="3个工作日"),
        row("甲", "乙", "丁", response_limit="2小时", response_unit="小时", resolution_limit="24 小时"),
    ]
    version = publish(city.sysadmin, rows)
    third = leaf(version, "丙")
    assert (third.resolution_limit, third.resolution_unit) == (3, LimitUnit.WORKING_DAYS)
    fourth = leaf(version, "丁")
    assert (fourth.response_limit, fourth.response_unit) == (2, LimitUnit.HOURS)
    assert (fourth.resolution_limit, fourth.resolution_unit) == (24, LimitUnit.HOURS)
    with pytest.raises(ValidationError) as info:
        publish(
            city.sysadmin,
            [
                row("甲", "乙", "丙", resolution_limit="3个工作日", resolution_unit="小时"),
                row("甲", "乙", "丁", response_limit="很快"),
            ],
        )
    errors = info.value.errors
    assert errors["第1行"] == [
        "「办理时限」“3个工作日”与「办理时限单位」“小时”不一致：时限只填数字，单位填在「办理时限单位」列"
    ]
    assert "「响应时限单位」" in errors["第2行"][0] and "应为大于0" in errors["第2行"][0]


def test_row_errors_name_the_sheet_when_the_workbook_has_others(city: Any) -> None:
    header = ["一级分类", "二级分类", "三级分类", "办理时限"]
    data = _xlsx(
        ("说明", [["这是说明"]]),
        ("分类", [["2025年目录"], header, ["甲", "乙", "丙", 3], ["甲", "乙", "丁", "很快"]]),
    )
    with pytest.raises(ValidationError) as info:
        catalogue.catalogue_import(actor=city.sysadmin, data=data)
    assert list(info.value.errors) == ["「分类」表第4行"]
    assert "「分类」表第4行「办理时限」" in info.value.message
    one = _xlsx(("分类", [header, ["甲", "乙", "丁", "很快"]]))
    with pytest.raises(ValidationError) as info:
        catalogue.catalogue_import(actor=city.sysadmin, data=one)
    assert list(info.value.errors) == ["第2行"]  # one sheet: nothing to tell apart


# --- 6. all the problems in one round ------------------------------------------------------------


def test_value_errors_and_code_conflicts_are_reported_together(city: Any) -> None:
    rows = [
        row("甲", "乙", "丙", code="010101"),
        row("甲", "乙", "丁", needs_callback="也许"),
        row("戊", "己", "庚", code="010101"),
    ]
    with pytest.raises(ValidationError) as info:
        publish(city.sysadmin, rows)
    errors = info.value.errors
    assert list(errors) == ["第2行", "第3行"]
    assert "「需要回访」" in errors["第2行"][0]
    assert "已用于第1行" in errors["第3行"][0] or "与第1行不一致" in errors["第3行"][0]
    assert not CatalogueVersion.objects.exists() and not Category.objects.exists()


# --- 7. the operator's search folds full-width letters ------------------------------------------


def test_the_category_search_reads_full_width_letters(client: Any, city: Any) -> None:
    version = publish(city.sysadmin, BASE)
    lift = leaf(version, "电梯故障")
    assert catalogue.catalogue_search("ＤＴＧＺ") == [lift]
    assert catalogue.catalogue_search("ｄｔｇｚ　停运") == [lift]
    client.force_login(city.olivia)
    html = client.get(reverse("requests:category_search"), {"q": "ＤＴＧＺ"}).content.decode()
    assert f'data-id="{lift.pk}"' in html
