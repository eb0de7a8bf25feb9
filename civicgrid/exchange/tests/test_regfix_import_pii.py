"""A resident import telling that an ID number is registered outside the worker's scope is
an ID search, as a registration refused for it is: audited (one row per holder, via import)
and counted against the same budget; past it the import is refused whole, telling nothing."""

from typing import Any

import pytest

from civicgrid.core.models import AuditLog
from civicgrid.exchange.models import ImportKind, ImportStatus
from civicgrid.exchange.tests.conftest import RunImport
from civicgrid.exchange.tests.files import RESIDENT_HEADER, csv_bytes, id_number
from civicgrid.registry import pii
from civicgrid.registry.constants import Verb
from civicgrid.registry.models import Resident

pytestmark = pytest.mark.django_db


def registered_by_bob(city: Any, run_import: RunImport) -> None:
    grid = city.grid_a1_1.code
    rows = [
        RESIDENT_HEADER,
        [grid, "张伟", id_number(1), "", "", "", "", "", "", ""],
        [grid, "王芳", id_number(2), "", "", "", "", "", "", ""],
    ]
    assert run_import(city.bob, ImportKind.RESIDENTS, "a.csv", csv_bytes(rows)).status == ImportStatus.DONE


def searches(actor: Any) -> list[AuditLog]:
    return list(AuditLog.objects.filter(verb=Verb.RESIDENT_PII_SEARCHED, actor_id=actor.pk).order_by("pk"))


def test_out_of_scope_holders_are_audited_and_counted(city: Any, run_import: RunImport) -> None:
    registered_by_bob(city, run_import)
    grid = city.grid_b1_1.code
    rows = [
        RESIDENT_HEADER,
        [grid, "张伟", id_number(1), "", "", "", "", "", "", ""],
        [grid, "新人", id_number(5), "", "", "", "", "", "", ""],
        [grid, "王芳", id_number(2), "", "", "", "", "", "", ""],
    ]
    job = run_import(city.carol, ImportKind.RESIDENTS, "c.csv", csv_bytes(rows))
    assert job.status == ImportStatus.FAILED
    assert {e["row"] for e in job.errors} == {2, 4}
    rows_audited = searches(city.carol)
    assert [(r.after or {}).get("via") for r in rows_audited] == ["import", "import"]
    assert [((r.after or {}).get("row"), (r.after or {}).get("kind")) for r in rows_audited] == [
        (2, "id_number"),
        (4, "id_number"),
    ]
    assert rows_audited[0].target_id == str(Resident.objects.get(name="张伟").pk)
    assert id_number(1) not in str(rows_audited[0].after)
    assert pii.searches_in_window(city.carol) == 2


def test_a_spent_budget_refuses_the_import_before_telling(
    city: Any, run_import: RunImport, settings: Any
) -> None:
    registered_by_bob(city, run_import)
    settings.REGISTRY_PII_SEARCH_LIMIT = 2
    grid = city.grid_b1_1.code
    for n in (1, 2):  # two searches already
        pii.pii_search_checked(actor=city.carol, kind="id_number", qs=Resident.objects.filter(pk=-n))
    rows = [
        RESIDENT_HEADER,
        [grid, "新人", id_number(5), "", "", "", "", "", "", ""],
        [grid, "张伟", id_number(1), "", "", "", "", "", "", ""],
    ]
    job = run_import(city.carol, ImportKind.RESIDENTS, "c.csv", csv_bytes(rows))
    assert job.status == ImportStatus.FAILED
    assert [(e["row"], e["column"]) for e in job.errors] == [(2, "身份证号")]
    assert "过于频繁" in job.errors[0]["reason"]
    assert "已登记" not in str(job.errors)
    assert len(searches(city.carol)) == 2  # nothing looked up is told, nothing more audited
    assert not Resident.objects.filter(name="新人").exists()


def test_holders_past_the_budget_refuse_the_import_whole(
    city: Any, run_import: RunImport, settings: Any
) -> None:
    registered_by_bob(city, run_import)
    settings.REGISTRY_PII_SEARCH_LIMIT = 1
    grid = city.grid_b1_1.code
    rows = [
        RESIDENT_HEADER,
        [grid, "张伟", id_number(1), "", "", "", "", "", "", ""],
        [grid, "王芳", id_number(2), "", "", "", "", "", "", ""],
    ]
    job = run_import(city.carol, ImportKind.RESIDENTS, "c.csv", csv_bytes(rows))
    assert job.status == ImportStatus.FAILED
    assert len(job.errors) == 1 and "过于频繁" in job.errors[0]["reason"]
    assert "已登记" not in str(job.errors)
    assert len(searches(city.carol)) == 2  # both were looked up: both charged


def test_in_scope_updates_and_new_rows_are_not_charged(city: Any, run_import: RunImport) -> None:
    registered_by_bob(city, run_import)
    grid = city.grid_a1_1.code
    rows = [
        RESIDENT_HEADER,
        [grid, "张伟", id_number(1), "13700001111", "", "", "", "", "", ""],
        [grid, "新人", id_number(5), "", "", "", "", "", "", ""],
    ]
    job = run_import(city.bob, ImportKind.RESIDENTS, "b.csv", csv_bytes(rows))
    assert job.status == ImportStatus.DONE, job.errors
    assert searches(city.bob) == []
