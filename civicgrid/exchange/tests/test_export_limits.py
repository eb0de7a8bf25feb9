"""Exports of whole lists: refused above ``EXPORT_MAX`` rows before any file is made, written
to a temporary file and streamed, and read with a fixed number of queries however long."""

from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from civicgrid.core.models import AuditLog
from civicgrid.exchange import constants, exports
from civicgrid.exchange.tests.files import id_number, read_xlsx
from civicgrid.registry import services as registry
from civicgrid.registry.models import Household, Resident, ResidentTag

pytestmark = pytest.mark.django_db


def make_residents(city: Any, count: int, start: int = 0) -> None:
    """``count`` residents in grid A1-1, each in a household and with a tag."""
    node = city.grid_a1_1
    tag = ResidentTag.objects.get_or_create(code="bulk_tag", defaults={"name": "批量标签"})[0]
    households = Household.objects.bulk_create(
        [Household(node=node, node_path=node.path, code=f"HX{start + i:06d}") for i in range(count)]
    )
    residents = Resident.objects.bulk_create(
        [
            Resident(node=node, node_path=node.path, name=f"居民{start + i}", household=households[i])
            for i in range(count)
        ]
    )
    Resident.tags.through.objects.bulk_create(
        [Resident.tags.through(resident_id=r.pk, residenttag_id=tag.pk) for r in residents]
    )


def test_one_limit_for_every_export() -> None:
    assert exports.EXPORT_MAX == constants.EXPORT_MAX == 50_000


@pytest.mark.parametrize("path", ["/registry/residents/", "/registry/dwellings/", "/registry/organisations/"])
def test_a_registry_list_over_the_limit_is_refused_with_the_list_and_no_file(
    client: Client, city: Any, monkeypatch: Any, path: str
) -> None:
    monkeypatch.setattr(exports, "EXPORT_MAX", 1)
    make_residents(city, 2)
    registry.dwelling_create(actor=city.bob, node=city.building_a1, room="101", use="rented")
    registry.dwelling_create(actor=city.bob, node=city.building_a1, room="102", use="rented")
    for name in ("甲公司", "乙公司"):
        registry.organisation_create(actor=city.bob, node=city.grid_a1_1, name=name, kind="enterprise")
    client.force_login(city.bob)

    response = client.get(f"{path}?export=xlsx")

    assert response.status_code == 422
    assert response["Content-Type"].startswith("text/html")
    assert "attachment" not in response.get("Content-Disposition", "")
    assert "共 2 条，超过单次导出上限 1 条，请缩小筛选范围" in response.content.decode()
    assert not AuditLog.objects.filter(verb="exchange.exported").exists()


def test_a_registry_list_at_the_limit_is_exported(client: Client, city: Any, monkeypatch: Any) -> None:
    monkeypatch.setattr(exports, "EXPORT_MAX", 2)
    make_residents(city, 2)
    client.force_login(city.bob)

    response = client.get("/registry/residents/?export=xlsx")

    assert response.status_code == 200 and response.streaming
    rows = read_xlsx(b"".join(response.streaming_content))  # type: ignore[attr-defined]
    assert [r[2] for r in rows[1:]] == ["居民0", "居民1"]
    assert rows[1][8] == "HX000000" and rows[1][10] == "批量标签"


def test_a_subtree_over_the_limit_is_refused(client: Client, city: Any, monkeypatch: Any) -> None:
    monkeypatch.setattr(exports, "EXPORT_MAX", 1)
    client.force_login(city.bob)

    response = client.get(f"/exchange/exports/nodes/{city.comm_a1.pk}/")

    assert response.status_code == 422
    assert "attachment" not in response.get("Content-Disposition", "")
    assert "超过单次导出上限 1 条，请缩小筛选范围" in response.content.decode()
    assert not AuditLog.objects.filter(verb="exchange.exported").exists()


def test_the_resident_export_reads_with_the_same_queries_for_more_rows(city: Any) -> None:
    def queries() -> int:
        with CaptureQueriesContext(connection) as ctx:
            response = exports.residents_xlsx(city.bob, Resident.objects.all())
            b"".join(response.streaming_content)  # type: ignore[attr-defined]
        return len(ctx)

    registry.resident_create(actor=city.bob, node=city.grid_a1_1, name="张伟", id_number=id_number(1))
    few = queries()
    make_residents(city, 40)
    assert queries() == few
