"""``civicgrid catalogue import`` asks before it deletes, as the page does (outside tester:
the command line published a version without the leaves a file left out, unasked)."""

from io import StringIO
from pathlib import Path
from typing import Any

import pytest
from django.core.management import CommandError, call_command
from openpyxl import load_workbook

from civicgrid.requests.models import CatalogueVersion

pytestmark = pytest.mark.django_db


def _without_one_leaf(tmp_path: Path) -> tuple[Path, str]:
    """The default catalogue's export with its first leaf's row deleted, and that leaf's code."""
    call_command("catalogue", "setup", stdout=StringIO())
    target = tmp_path / "catalogue.xlsx"
    call_command("catalogue", "export", str(target), stdout=StringIO())
    book = load_workbook(target)
    sheet = book["派单目录"]
    column = next(c.column for c in sheet[1] if c.value == "分类编码")
    code = str(sheet.cell(row=2, column=column).value)
    sheet.delete_rows(2)
    book.save(target)
    return target, code


def test_a_file_that_deletes_leaves_publishes_only_when_confirmed(city: Any, tmp_path: Path) -> None:
    target, code = _without_one_leaf(tmp_path)
    leaves = CatalogueVersion.objects.get(is_current=True).categories.filter(level=3).count()

    out = StringIO()
    call_command("catalogue", "import", str(target), "--dry-run", stdout=out)
    assert "新增 0、删除 1、修改 0" in out.getvalue() and "未发布" in out.getvalue()
    assert CatalogueVersion.objects.count() == 1

    err = StringIO()
    with pytest.raises(CommandError) as refused:
        call_command("catalogue", "import", str(target), stdout=StringIO(), stderr=err)
    assert "将删除当前第1版的 1 个三级分类" in str(refused.value) and "--confirm-removals" in str(
        refused.value
    )
    assert f"删除：{code} " in err.getvalue(), err.getvalue()
    assert CatalogueVersion.objects.count() == 1

    out = StringIO()
    call_command("catalogue", "import", str(target), "--confirm-removals", stdout=out, stderr=StringIO())
    assert "已发布派单目录第2版" in out.getvalue()
    assert CatalogueVersion.objects.get(is_current=True).categories.filter(level=3).count() == leaves - 1


def test_merge_keeps_the_leaves_a_file_leaves_out(city: Any, tmp_path: Path) -> None:
    target, _ = _without_one_leaf(tmp_path)
    out = StringIO()
    call_command("catalogue", "import", str(target), "--merge", stdout=out, stderr=StringIO())
    assert "完全相同" in out.getvalue(), out.getvalue()  # nothing left out, nothing changed
    assert CatalogueVersion.objects.count() == 1
