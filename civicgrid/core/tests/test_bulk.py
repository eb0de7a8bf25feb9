"""The lean INSERT stores exactly what ``bulk_create`` stores, and fills in the ids."""

from datetime import date
from decimal import Decimal
from typing import Any

import pytest
from django.db import connection
from django.db.models import Model
from django.test.utils import CaptureQueriesContext

from civicgrid.core import bulk
from civicgrid.registry.models import Dwelling, Household, Resident, ResidentTag
from civicgrid.territory.models import Position

pytestmark = pytest.mark.django_db

SKIP = {"id", "created_at", "updated_at", "code", "id_number_hash"}  # differ by design


def stored(obj: Model) -> dict[str, Any]:
    fresh = type(obj)._default_manager.get(pk=obj.pk)
    return {f.attname: getattr(fresh, f.attname) for f in fresh._meta.concrete_fields if f.name not in SKIP}


def pair(make: Any) -> tuple[Model, Model]:
    """The same instance written once by bulk_create and once by bulk.insert."""
    by_django, by_us = make("A"), make("B")
    type(by_django)._default_manager.bulk_create([by_django])
    bulk.insert(type(by_us), [by_us])
    return by_django, by_us


@pytest.mark.parametrize(
    "make",
    [
        lambda city: (
            lambda s: Resident(
                node=city.grid_a1_1,
                node_path=city.grid_a1_1.path,
                name="张三",
                birth_date=date(1990, 1, 2),
                id_number_hash=f"hash-{s}",
                household=None,
            )
        ),
        lambda city: (
            lambda s: Dwelling(
                node=city.building_a1,
                node_path=city.building_a1.path,
                code=s,
                room="301",
                use="rented",
                area=Decimal("89.46"),
            )
        ),
        lambda city: (
            lambda s: Position(
                node=city.grid_a1_1,
                node_path=city.grid_a1_1.path,
                post="grid_leader",
                holder_name="王丽",
                start_date=date(2024, 1, 1),
                end_date=None,
            )
        ),
        lambda city: lambda s: Household(node=city.grid_a1_1, node_path=city.grid_a1_1.path, code=s),
    ],
)
def test_insert_matches_bulk_create(city: Any, make: Any) -> None:
    by_django, by_us = pair(make(city))

    assert by_us.pk is not None and by_us.pk != by_django.pk
    assert stored(by_us) == stored(by_django)
    fresh = type(by_us)._default_manager.get(pk=by_us.pk)
    assert fresh.created_at is not None  # type: ignore[attr-defined]


def test_insert_fills_ids_in_order_across_batches(city: Any) -> None:
    households = [
        Household(node=city.grid_a1_1, node_path=city.grid_a1_1.path, code=f"H{i}") for i in range(25)
    ]

    bulk.insert(Household, households, batch_size=10)

    assert [Household.objects.get(pk=h.pk).code for h in households] == [f"H{i}" for i in range(25)]
    through = Resident.tags.through
    resident = Resident(node=city.grid_a1_1, node_path=city.grid_a1_1.path, name="甲")
    bulk.insert(Resident, [resident])
    tags = list(ResidentTag.objects.all()[:3])
    bulk.insert(through, [through(resident_id=resident.pk, residenttag_id=t.pk) for t in tags])
    assert set(resident.tags.all()) == set(tags)


def test_insert_together_writes_every_group_in_order_and_sets_the_ids(city: Any) -> None:
    def household(code: str) -> Household:
        return Household(node=city.grid_a1_1, node_path=city.grid_a1_1.path, code=code)

    households = [household("T1"), household("T2")]
    dwelling = Dwelling(node=city.building_a1, node_path=city.building_a1.path, code="D9", room="101")
    with CaptureQueriesContext(connection) as queries:
        bulk.insert_together([(Household, households), (Dwelling, [dwelling]), (Position, [])])

    inserts = [q["sql"] for q in queries.captured_queries if "INSERT" in q["sql"]]
    assert len(inserts) == (1 if connection.vendor == "postgresql" else 2)
    assert [Household.objects.get(pk=h.pk).code for h in households] == ["T1", "T2"]
    assert households[0].pk < households[1].pk and not households[0]._state.adding
    stored = Dwelling.objects.get(pk=dwelling.pk)
    assert (stored.code, stored.room, stored.created_at) == ("D9", "101", dwelling.created_at)


def test_insert_together_takes_ids_drawn_beforehand_for_rows_that_point_to_them(city: Any) -> None:
    """Rows of a later group name a row of an earlier one by an id set before the insert."""
    taken = Household.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
    home = Household(pk=taken + 1000, node=city.grid_a1_1, node_path=city.grid_a1_1.path, code="H-given")
    person = Resident(node=city.grid_a1_1, node_path=city.grid_a1_1.path, name="乙", household_id=home.pk)
    bulk.insert_together([(Household, [home]), (Resident, [person])])

    assert Resident.objects.get(pk=person.pk).household == Household.objects.get(code="H-given")
    assert home.pk == taken + 1000
    with pytest.raises(ValueError, match="every row or none"):
        bulk.insert_together([(Household, [Household(pk=taken + 2000, code="x"), Household(code="y")])])


def test_insert_takes_whole_numbers_in_a_float_column() -> None:
    """A spreadsheet gives 120 as an int beside 120.5: PostgreSQL's arrays take one type."""
    from civicgrid.classifier.models import ClassifierVersion

    versions = [
        ClassifierVersion(name="m", number=n, kind="label", file=f"m{n}.joblib", duration_seconds=seconds)
        for n, seconds in ((1, 120), (2, 120.5))
    ]
    bulk.insert(ClassifierVersion, versions)
    stored = ClassifierVersion.objects.filter(pk__in=[v.pk for v in versions]).order_by("number")
    assert list(stored.values_list("duration_seconds", flat=True)) == [120.0, 120.5]


def test_insert_stores_times_as_django_does_and_still_warns_of_a_naive_one() -> None:
    """Aware times go as they are (PostgreSQL), None stays NULL, and a naive time is still
    made aware in the current zone, with Django's warning, as ``bulk_create`` does."""
    from datetime import datetime, timedelta, timezone

    from civicgrid.classifier.models import ClassifierVersion

    aware = datetime(2026, 3, 1, 8, 15, tzinfo=timezone(timedelta(hours=8)))
    given: list[datetime | None] = [aware, None]
    versions = [
        ClassifierVersion(name="m", number=n, kind="label", file=f"m{n}.joblib", activated_at=moment)
        for n, moment in enumerate(given, start=1)
    ]
    bulk.insert(ClassifierVersion, versions)
    naive = ClassifierVersion(
        name="m", number=3, kind="label", file="m3.joblib", activated_at=aware.replace(tzinfo=None)
    )
    with pytest.warns(RuntimeWarning, match="naive datetime"):
        bulk.insert(ClassifierVersion, [naive])
    stored = ClassifierVersion.objects.order_by("number").values_list("activated_at", flat=True)
    assert list(stored) == [aware, None, aware]  # Asia/Shanghai is +08:00
