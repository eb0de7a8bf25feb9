"""What a system administrator met importing a hand-made sheet of one row: it replaced the whole
catalogue at once. The page now previews what the file changes (added, removed, changed leaves),
publishes only on "确认发布", asks to confirm deletions, can merge the rows into the current
version, and says what changed; saved answers left without a category are listed too."""

import hashlib
from io import BytesIO
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import Workbook

from civicgrid.core.models import AuditLog
from civicgrid.requests import catalogue
from civicgrid.requests.models import CatalogueVersion, Category, DispatchRule, SavedAnswer
from civicgrid.requests.tests.test_catalogue import BASE, publish

pytestmark = pytest.mark.django_db

IMPORT = "requests:catalogue_import"
CONFIRM = "requests:catalogue_import_confirm"
ONE_ROW = [["一级分类", "二级分类", "三级分类"], ["社会治安", "治安秩序", "违规养犬"]]


def _xlsx(lines: list[list[Any]]) -> bytes:
    wb = Workbook()
    ws = wb.active
    assert ws is not None
    for line in lines:
        ws.append(line)
    out = BytesIO()
    wb.save(out)
    return out.getvalue()


def _upload(data: bytes) -> Any:
    return SimpleUploadedFile("catalogue.xlsx", data)


def _leaves(version: CatalogueVersion) -> set[str]:
    return set(Category.objects.filter(version=version, level=3).values_list("name", flat=True))


def test_a_one_row_sheet_is_previewed_and_deleting_needs_a_confirmation(client: Any, city: Any) -> None:
    publish(city.sysadmin, BASE)
    data = _xlsx(ONE_ROW)
    client.force_login(city.sysadmin)
    page = client.post(reverse(IMPORT), {"file": _upload(data), "note": "加一个"})
    html = page.content.decode()
    assert page.status_code == 200 and CatalogueVersion.objects.count() == 1  # nothing published yet
    assert "新增 1、删除 4、修改 0" in html and "将删除 4 个三级分类" in html
    assert "住房管理/物业管理/电梯故障" in html and "社会治安/治安秩序/违规养犬" in html
    assert 'name="confirm_removals"' in html and "确认发布" in html
    token = hashlib.sha256(data).hexdigest()
    assert f'value="{token}"' in html

    # "确认发布" without ticking "确认删除": refused, the preview again, nothing published.
    confirm = {"token": token, "previous": "1", "note": "加一个"}
    page = client.post(reverse(CONFIRM), confirm)
    assert page.status_code == 409 and CatalogueVersion.objects.count() == 1
    assert "请核对后勾选“确认删除”再发布" in page.content.decode()

    # Ticked: published, and the message says what changed.
    page = client.post(reverse(CONFIRM), {**confirm, "confirm_removals": "1"}, follow=True)
    current = CatalogueVersion.objects.get(is_current=True)
    assert current.number == 2 and _leaves(current) == {"违规养犬"}
    assert "已发布派单目录第2版，共 1 个三级分类（新增 1、删除 4、修改 0）" in page.content.decode()
    after = AuditLog.objects.filter(verb=catalogue.Verb.CATALOGUE_PUBLISHED).latest("id").after or {}
    assert after["removed_leaves"] == 4 and after["added_leaves"] == 1
    # The file is gone once published: confirming again publishes nothing.
    again = client.post(reverse(CONFIRM), {**confirm, "confirm_removals": "1"})
    assert again.status_code == 409 and CatalogueVersion.objects.count() == 2


def test_merging_adds_the_row_to_the_current_version(client: Any, city: Any) -> None:
    publish(city.sysadmin, BASE)
    data = _xlsx([*ONE_ROW, ["住房管理", "物业管理", "电梯故障", "", "", "", "", "一级"]])
    client.force_login(city.sysadmin)
    page = client.post(reverse(IMPORT), {"file": _upload(data), "merge": "1"})
    html = page.content.decode()
    assert page.status_code == 200 and "新增 1、删除 0、修改 1" in html
    assert "电梯故障（响应级别" in html and 'name="confirm_removals"' not in html
    confirm = {"token": hashlib.sha256(data).hexdigest(), "previous": "1", "merge": "1"}
    page = client.post(reverse(CONFIRM), confirm, follow=True)
    current = CatalogueVersion.objects.get(is_current=True)
    assert current.number == 2 and _leaves(current) == {r["level3"] for r in BASE} | {"违规养犬"}
    assert "新增 1、删除 0、修改 1" in page.content.decode()


def test_a_tampered_token_or_a_newer_version_is_not_published_blindly(client: Any, city: Any) -> None:
    publish(city.sysadmin, BASE)
    data = _xlsx(ONE_ROW)
    client.force_login(city.sysadmin)
    assert client.post(reverse(IMPORT), {"file": _upload(data), "merge": "1"}).status_code == 200
    bad = client.post(reverse(CONFIRM), {"token": "../../etc/passwd", "previous": "1"})
    assert bad.status_code == 409 and "预览的文件已失效" in bad.content.decode()
    publish(city.sysadmin, BASE[:3])  # someone else published meanwhile
    token = hashlib.sha256(data).hexdigest()
    page = client.post(reverse(CONFIRM), {"token": token, "previous": "1", "merge": "1"})
    assert page.status_code == 409 and "预览之后有人发布了新版本（当前第2版）" in page.content.decode()
    assert CatalogueVersion.objects.count() == 2


def test_other_users_cannot_confirm_an_upload(client: Any, city: Any) -> None:
    publish(city.sysadmin, BASE)
    data = _xlsx(ONE_ROW)
    client.force_login(city.sysadmin)
    client.post(reverse(IMPORT), {"file": _upload(data), "merge": "1"})
    client.force_login(city.olivia)
    token = hashlib.sha256(data).hexdigest()
    assert client.post(reverse(CONFIRM), {"token": token, "previous": "1"}).status_code == 403


def test_stale_rules_and_saved_answers_are_listed_with_links(client: Any, city: Any) -> None:
    v1 = publish(city.sysadmin, BASE)  # 住房管理 01 (物业管理 0101), 城乡建设 02
    rule = DispatchRule.objects.create(
        name="物业类派物业公司", category_prefix="0101", target=DispatchRule.Target.LOCATION_SUBDISTRICT
    )
    answer = SavedAnswer.objects.create(title="物业费标准", content="按合同", category_prefix="0101")
    SavedAnswer.objects.create(title="占道答复", content="……", category_prefix="02")
    rows = [{"level1": "城乡建设", "level2": "街面秩序", "level3": "占道经营"}]
    data = _xlsx([["一级分类", "二级分类", "三级分类"], *[list(r.values()) for r in rows]])
    assert [a.title for a in catalogue.unmatched_answers(v1)] == []
    client.force_login(city.sysadmin)
    client.post(reverse(IMPORT), {"file": _upload(data)})
    confirm = {"token": hashlib.sha256(data).hexdigest(), "previous": "1", "confirm_removals": "1"}
    html = client.post(reverse(CONFIRM), confirm, follow=True).content.decode()
    v2 = CatalogueVersion.objects.get(is_current=True)
    assert [a.title for a in catalogue.unmatched_answers(v2)] == ["物业费标准"]
    assert "「物业费标准」（0101）" in html and "占道答复" not in html
    rules_url = reverse("admin:requests_dispatchrule_changelist") + f"?id__in={rule.pk}"
    answers_url = reverse("admin:requests_savedanswer_changelist") + f"?id__in={answer.pk}"
    assert f'href="{rules_url}"' in html and f'href="{answers_url}"' in html
